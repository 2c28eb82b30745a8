"""Scope of situation reports and requests: every page, export and API endpoint fetches them here.

- An escalation is seen by holders of ESCALATION_HANDLE over the org it came from (that
  org's secretary or admin and every org above it, which includes each level it may rise to),
  and by whoever reported it (a member sees their own, fever alerts about them included).
- It is acknowledged, handled and answered by holders of ESCALATION_HANDLE over the org it was
  first sent to (so over every level it rose to as well), never by its own reporter
  (escalations.services.may_act).
- A user's desk: the open ones sitting on an org their handling grant is on.
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from access.scope import ROLE_PERMS, Perm, _path_q, grants_of, own_member_id, paths_with
from escalations.models import Escalation, EscalationState
from escalations.services import may_act


def escalations_for_user(user: Any) -> QuerySet[Escalation]:
    if not user.is_authenticated:
        return Escalation.objects.none()
    q = _path_q(paths_with(user, Perm.ESCALATION_HANDLE), "from_org__path")
    q |= Q(reported_by_id=user.pk)
    own = own_member_id(user)
    if own is not None:
        q |= Q(reporter_member_id=own) | Q(fever_member_id=own)
    return Escalation.objects.filter(q)


def desk_org_ids(user: Any) -> list[int]:
    return sorted(
        {g.org_id for g in grants_of(user) if Perm.ESCALATION_HANDLE in ROLE_PERMS[g.role]}
    )


def desk_for_user(user: Any) -> QuerySet[Escalation]:
    """Open escalations waiting on the user's own orgs (to acknowledge or answer)."""
    return Escalation.objects.filter(
        state=EscalationState.OPEN, current_org_id__in=desk_org_ids(user)
    )


def get_escalation_for_user(user: Any, pk: Any, *, write: bool = False) -> Escalation:
    """The escalation, or 404 if the user may not see it; with `write` (acknowledge, handle,
    answer), 403 unless they may act on it. Reporters pass their own write checks in the
    service (a follow-up message)."""
    escalation = (
        escalations_for_user(user)
        .filter(pk=pk)
        .select_related(
            "from_org",
            "to_org",
            "current_org",
            "reporter_member",
            "reported_by",
            "acknowledged_by",
            "acknowledged_org",
            "handled_by",
        )
        .first()
    )
    if escalation is None:
        raise Http404
    if write and not may_act(user, escalation) and escalation.reported_by_id != user.pk:
        raise PermissionDenied
    return escalation
