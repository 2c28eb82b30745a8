from django.contrib.auth import views as auth_views
from django.urls import path

from access import views

urlpatterns = [
    path("login/", views.SignInView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("password/set/<uidb64>/<token>/", views.PasswordSetView.as_view(), name="password_set"),
    path("grants/", views.grant_list, name="grant_list"),
    path("grants/people/", views.grant_people, name="grant_people"),
    path("grants/<int:pk>/revoke/", views.grant_revoke, name="grant_revoke"),
    path("tokens/", views.token_list, name="token_list"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
]
