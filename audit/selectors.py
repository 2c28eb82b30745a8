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
    """Newest first, with the actor (and their member record) joined in."""
    events = AuditEvent.objects.select_related("actor", "actor__member").order_by("-at", "-id")
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
