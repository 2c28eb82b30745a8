"""The unread count in the navigation bar: one query per page (shared with the home page)."""

from typing import Any

from django.http import HttpRequest

from notices.selectors import unread_counts


def unread(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"notice_unread": unread_counts(user).total}
