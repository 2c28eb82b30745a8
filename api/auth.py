"""Who is calling /api/: a bearer token, or the browser session (with its CSRF check)."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer, SessionAuth

from access.models import ApiToken, hash_token

# last_used_at is written at most this often per token, so reads stay reads.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <key>`; only the key's hash is stored (ApiToken.key_hash).

    A bearer header with an unknown key is a 401 even when a session cookie is present,
    so a client never silently runs as someone else.
    """

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        row = (
            ApiToken.objects.select_related("user")
            .filter(key_hash=hash_token(token.strip()))
            .first()
        )
        if row is None or not row.user.is_active:
            raise AuthenticationError
        now = timezone.now()
        if row.last_used_at is None or now - row.last_used_at >= LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
        request.user = row.user
        return row.user


# Token first: SessionAuth checks CSRF on unsafe methods and would reject a token client
# (which has no CSRF cookie) before the token was looked at.
api_auth = [TokenAuth(), SessionAuth()]
