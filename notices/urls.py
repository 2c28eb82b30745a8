from django.urls import path

from notices import views

urlpatterns = [
    path("", views.notice_list, name="notice_list"),
    path("<int:pk>/read/", views.notice_read, name="notice_read"),
    path("read-all/", views.notice_read_all, name="notice_read_all"),
    path("settings/", views.notice_settings, name="notice_settings"),
    path("robots/", views.robot_list, name="robot_list"),
    path("robots/new/", views.robot_new, name="robot_new"),
    path("robots/<int:pk>/", views.robot_detail, name="robot_detail"),
    path("robots/<int:pk>/retry/", views.robot_retry, name="robot_retry"),
    path("robots/<int:pk>/test/", views.robot_test, name="robot_test"),
]
