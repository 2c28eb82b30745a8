from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import path

from access import views

urlpatterns = [
    path(
        "login/",
        # LoginView sets site_name to the host name; the page is titled with the site's name.
        auth_views.LoginView.as_view(
            template_name="access/login.html", extra_context={"site_name": settings.SITE_NAME}
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/",
        auth_views.PasswordChangeView.as_view(
            template_name="access/password_change.html", success_url="/"
        ),
        name="password_change",
    ),
    path("grants/", views.grant_list, name="grant_list"),
    path("grants/<int:pk>/revoke/", views.grant_revoke, name="grant_revoke"),
    path("tokens/", views.token_list, name="token_list"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
]
