from django.urls import path

from ops import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    # CAS sign-in (404 unless CAS_SERVER_URL is set). django-cas-ng finds them by these names.
    path("cas/login/", views.cas_login, name="cas_ng_login"),
    path("cas/logout/", views.cas_logout, name="cas_ng_logout"),
]
