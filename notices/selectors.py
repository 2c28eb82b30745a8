"""Reads of notices, scoped to the user."""

from dataclasses import dataclass
from typing import Any

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When

from notices.models import Notice
from notices.scope import notices_for_user


@dataclass(frozen=True)
class Unread:
    total: int
    urgent: int


def unread_counts(user: Any) -> Unread:
    """The user's unread notices, and how many of them are urgent: one query per request
    (kept on the user object, as access.scope.grants_of keeps grants), shared by the
    navigation bar and the home page's to-do row."""
    cached = getattr(user, "_notice_unread", None)
    if cached is None:
        got = (
            notices_for_user(user)
            .filter(read_at__isnull=True)
            .aggregate(total=Count("id"), urgent=Count("id", filter=Q(urgent=True)))
        )
        cached = Unread(total=got["total"] or 0, urgent=got["urgent"] or 0)
        user._notice_unread = cached
    return cached


def forget_unread(user: Any) -> None:
    if hasattr(user, "_notice_unread"):
        delattr(user, "_notice_unread")


def unread_first(qs: QuerySet[Notice]) -> QuerySet[Notice]:
    """The notices unread first, then newest first (the notice centre's and the API's order)."""
    unread = Case(
        When(read_at__isnull=True, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return qs.alias(read_last=unread).order_by("read_last", "-created_at", "-id")
