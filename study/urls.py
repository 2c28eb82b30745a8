from django.urls import path

from study import views

urlpatterns = [
    path("", views.study_home, name="study_home"),
    path("plans/new/", views.plan_new, name="study_plan_new"),
    path("plans/<int:pk>/", views.plan_detail, name="study_plan_detail"),
    path("sessions/new/", views.session_new, name="study_session_new"),
    path("sessions/<int:pk>/", views.session_detail, name="study_session_detail"),
    path("sessions/<int:pk>/done/", views.session_done, name="study_session_done"),
    path("files/<int:pk>/", views.study_file, name="study_file"),
    path("hours/", views.hours, name="study_hours"),
    path("hours/export.xlsx", views.hours_export, name="study_hours_export"),
]
