from django.urls import path

from dashboard import views

urlpatterns = [
    path("", views.dashboard_home, name="dashboard"),
    path("<int:pk>/", views.dashboard_org, name="dashboard_org"),
]
