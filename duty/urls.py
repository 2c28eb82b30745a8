from django.urls import path

from duty import views

urlpatterns = [
    path("", views.duty_home, name="duty_home"),
    path("shifts/<int:pk>/", views.duty_shift, name="duty_shift"),
    path("shifts/<int:pk>/check-in/", views.duty_check_in, name="duty_check_in"),
    path("shifts/<int:pk>/check-out/", views.duty_check_out, name="duty_check_out"),
    path("shifts/<int:pk>/logs/", views.duty_log_new, name="duty_log_new"),
    path("stats/", views.duty_stats, name="duty_stats"),
    path("stats/export.xlsx", views.duty_stats_export, name="duty_stats_export"),
    path("pledges/", views.pledge_list, name="pledge_list"),
    path("pledges/new/", views.pledge_new, name="pledge_new"),
    path("pledges/<int:pk>/", views.pledge_detail, name="pledge_detail"),
    path("pledges/<int:pk>/edit/", views.pledge_edit, name="pledge_edit"),
    path("pledges/<int:pk>/sign/", views.pledge_sign, name="pledge_sign"),
    path("pledges/<int:pk>/export.xlsx", views.pledge_export, name="pledge_export"),
    path("zones/", views.zone_list, name="zone_list"),
    path("zones/new/", views.zone_new, name="zone_new"),
    path("zones/export.xlsx", views.zone_export, name="zone_export"),
    path("zones/<int:pk>/", views.zone_detail, name="zone_detail"),
    path("zones/<int:pk>/edit/", views.zone_edit, name="zone_edit"),
    path("teams/", views.team_list, name="team_list"),
    path("teams/new/", views.team_new, name="team_new"),
    path("teams/export.xlsx", views.team_export, name="team_export"),
    path("teams/<int:pk>/", views.team_detail, name="team_detail"),
    path("teams/<int:pk>/edit/", views.team_edit, name="team_edit"),
]
