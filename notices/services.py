"""Telling people things. `notify` is the one entry point for every capability."""

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from notices.models import Notice


@transaction.atomic
def notify(
    *,
    user_ids: Iterable[int],
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
) -> list[Notice]:
    """Store one notice per distinct user (in one INSERT) and return them."""
    now = timezone.now()
    notices = [
        Notice(recipient_id=uid, kind=kind, title=title[:200], body=body, url=url, created_at=now)
        for uid in dict.fromkeys(user_ids)
    ]
    return Notice.objects.bulk_create(notices)


def unread_count(user_id: int) -> int:
    return Notice.objects.filter(recipient_id=user_id, read_at__isnull=True).count()


def mark_read(*, user_id: int, notice_ids: Iterable[int] | None = None) -> int:
    """Mark the user's notices read (all of them when `notice_ids` is None); return how many."""
    unread = Notice.objects.filter(recipient_id=user_id, read_at__isnull=True)
    if notice_ids is not None:
        unread = unread.filter(id__in=list(notice_ids))
    return unread.update(read_at=timezone.now())
