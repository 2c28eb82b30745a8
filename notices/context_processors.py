"""The unread count in the navigation bar: one query per page."""

from typing import Any

from django.http import HttpRequest

from notices.services import unread_count


def unread(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"notice_unread": unread_count(user.pk)}
