from django.urls import path

from reports import views

urlpatterns = [
    path("", views.report_mine, name="report_mine"),
    path("fill/<int:pk>/", views.report_fill, name="report_fill"),
    path("<int:pk>/", views.report_detail, name="report_detail"),
    path("members/<int:pk>/", views.member_reports, name="member_reports"),
    path("overdue/", views.report_overdue, name="report_overdue"),
    path("overdue/export.xlsx", views.report_overdue_export, name="report_overdue_export"),
    path("forms/", views.form_list, name="report_form_list"),
    path("forms/new/", views.form_new, name="report_form_new"),
    path("forms/ready-made/", views.form_ready_made, name="report_form_ready_made"),
    path("forms/<int:pk>/", views.form_detail, name="report_form_detail"),
    path("forms/<int:pk>/edit/", views.form_edit, name="report_form_edit"),
    path("schedules/", views.schedule_list, name="report_schedule_list"),
    path("schedules/new/", views.schedule_new, name="report_schedule_new"),
    path("schedules/<int:pk>/stop/", views.schedule_stop, name="report_schedule_stop"),
]
