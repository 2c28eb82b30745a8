"""Reads of the audit log."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from audit.models import AuditEvent
from audit.render import actor_ids_matching


@dataclass(frozen=True)
class AuditFilters:
    person: str = ""  # an actor's username, name or member name
    action: str = ""  # one action, or a kind: 「member.」
    target_type: str = ""  # the object's model label: 「members.member」
    target_id: str = ""
    q: str = ""  # words in the object's label
    since: dt.date | None = None
    until: dt.date | None = None


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def audit_event_list(*, filters: AuditFilters) -> QuerySet[AuditEvent]:
    """The matching events, newest first (paginate their ids: audit_event_ids)."""
    events = AuditEvent.objects.order_by("-at", "-id")
    if filters.person:
        events = events.filter(actor_id__in=actor_ids_matching(filters.person))
    if filters.action.endswith("."):
        events = events.filter(action__startswith=filters.action)
    elif filters.action:
        events = events.filter(action=filters.action)
    if filters.target_type:
        events = events.filter(target_type=filters.target_type)
    if filters.target_id:
        events = events.filter(target_id=filters.target_id)
    if filters.q:
        events = events.filter(Q(target_label__icontains=filters.q))
    if filters.since:
        events = events.filter(at__gte=_day_start(filters.since))
    if filters.until:
        events = events.filter(at__lt=_day_start(filters.until + dt.timedelta(days=1)))
    return events


# A page counts at most this many matching events: the log only grows, and a count of all of
# it would cost more than the page.
COUNT_CAP = 1_000
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Cursor:
    """A position in the log, newest first: the (time, id) of an event, as 「微秒-编号」."""

    at: dt.datetime
    id: int

    def __str__(self) -> str:
        return f"{(self.at - EPOCH) // dt.timedelta(microseconds=1)}-{self.id}"

    @classmethod
    def of(cls, event: AuditEvent) -> "Cursor":
        return cls(event.at, event.pk)

    @classmethod
    def parse(cls, text: str | None) -> "Cursor | None":
        micros, _, pk = (text or "").partition("-")
        if not (micros.isdigit() and pk.isdigit()) or len(micros) > 18 or len(pk) > 18:
            return None
        try:
            at = EPOCH + dt.timedelta(microseconds=int(micros))
        except OverflowError:
            return None
        return cls(at, int(pk))


@dataclass
class AuditPage:
    events: list[AuditEvent]
    count: int  # matching events, up to COUNT_CAP
    capped: bool  # more than COUNT_CAP match
    newer: Cursor | None  # the link to the newer page, if there is one
    older: Cursor | None  # the link to the older page, if there is one


def audit_event_page(
    *,
    filters: AuditFilters,
    size: int,
    before: Cursor | None = None,
    after: Cursor | None = None,
) -> AuditPage:
    """One page of the log: the newest events older than `before` (or the oldest newer than
    `after`, shown newest first). Keyset pagination: a page deep in the log costs what the
    first one does. Two queries: the capped count and the page."""
    matching = audit_event_list(filters=filters)
    count = matching.values("pk")[: COUNT_CAP + 1].count()
    events = matching.select_related("actor", "actor__member")
    if after is not None:
        newer_first = events.filter(
            Q(at__gte=after.at) & (Q(at__gt=after.at) | Q(id__gt=after.id))
        ).order_by("at", "id")
        rows = list(newer_first[: size + 1])
        more_newer = len(rows) > size
        rows = rows[:size][::-1]
        return AuditPage(
            events=rows,
            count=min(count, COUNT_CAP),
            capped=count > COUNT_CAP,
            newer=Cursor.of(rows[0]) if more_newer and rows else None,
            older=Cursor.of(rows[-1]) if rows else None,
        )
    if before is not None:
        events = events.filter(Q(at__lte=before.at) & (Q(at__lt=before.at) | Q(id__lt=before.id)))
    rows = list(events[: size + 1])
    more_older = len(rows) > size
    rows = rows[:size]
    return AuditPage(
        events=rows,
        count=min(count, COUNT_CAP),
        capped=count > COUNT_CAP,
        newer=Cursor.of(rows[0]) if before is not None and rows else None,
        older=Cursor.of(rows[-1]) if more_older else None,
    )
