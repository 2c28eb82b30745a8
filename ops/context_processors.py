from typing import Any

from django.conf import settings
from django.http import HttpRequest


def sign_in(request: HttpRequest) -> dict[str, Any]:
    """For the login page: whether to offer CAS and whether passwords are still taken."""
    return {"cas_enabled": settings.CAS_ENABLED, "password_login": settings.PASSWORD_LOGIN}
