"""Password sign-in, closed when PASSWORD_LOGIN says so (a university that signs in by CAS)."""

from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest


def password_login_allowed(user: Any) -> bool:
    """May `user` sign in with a password under PASSWORD_LOGIN? Without CAS always yes."""
    policy = settings.PASSWORD_LOGIN
    if not settings.CAS_ENABLED or policy == "all":
        return True
    return policy == "admins" and bool(user.is_superuser)


class PasswordBackend(ModelBackend):
    """Django's username and password check, refusing whom PASSWORD_LOGIN shuts out."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is not None and not password_login_allowed(user):
            return None
        return user
