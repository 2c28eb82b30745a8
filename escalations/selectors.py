"""Reads of situation reports and requests, always through escalations.scope."""

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from escalations.models import Escalation, EscalationState
from escalations.scope import desk_for_user, desk_org_ids, escalations_for_user
from orgs.models import Org

VIEWS = {"desk": "待我确认", "mine": "我提交的", "all": "全部"}


@dataclass(frozen=True)
class Filters:
    view: str = "all"
    kind: str = ""
    state: str = ""
    urgency: str = ""
    org: Org | None = None  # reported from this org's subtree (the dashboard's link)


def escalation_list(*, user: Any, filters: Filters) -> QuerySet[Escalation]:
    if filters.view == "desk":
        qs = desk_for_user(user)
    elif filters.view == "mine":
        qs = escalations_for_user(user).filter(reported_by_id=user.pk)
    else:
        qs = escalations_for_user(user)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.state:
        qs = qs.filter(state=filters.state)
    if filters.urgency:
        qs = qs.filter(urgency=filters.urgency)
    if filters.org is not None:
        qs = qs.filter(from_org__path__startswith=filters.org.path)
    return qs.select_related("from_org", "current_org", "reporter_member").order_by(
        "-created_at", "-id"
    )


def desk_counts(user: Any) -> dict[str, int]:
    """Open situation reports and requests on the user's desk, and acknowledged ones of theirs
    not yet handled: one query."""
    from django.db.models import Count, Q

    orgs = desk_org_ids(user)
    if not orgs:
        return {"situation": 0, "request": 0, "unhandled": 0}
    row = Escalation.objects.filter(
        Q(state=EscalationState.OPEN, current_org_id__in=orgs)
        | Q(state=EscalationState.ACKNOWLEDGED, acknowledged_org_id__in=orgs)
    ).aggregate(
        situation=Count("pk", filter=Q(state=EscalationState.OPEN, kind="situation")),
        request=Count("pk", filter=Q(state=EscalationState.OPEN, kind="request")),
        unhandled=Count("pk", filter=Q(state=EscalationState.ACKNOWLEDGED)),
    )
    return {k: int(v or 0) for k, v in row.items()}
