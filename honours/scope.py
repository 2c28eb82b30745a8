"""Scope of 表彰评比: every page, export and API endpoint fetches rounds and nominations here.

- A round (its title, windows, stage) is seen by every signed-in user with a role or a member
  record: it is a call to the whole school.
- A nomination, with its evidence, is seen by holders of HONOUR_MANAGE (组织部) and of
  HONOUR_NOMINATE over its unit (the unit that nominated). Once 公示 has begun, the nominees
  on the list (拟表彰, 已表彰, 撤销) are public to every signed-in user — name, unit and
  deeds, not the evidence — and anyone may raise an objection while the 公示 lasts.
- Nominating is for HONOUR_NOMINATE over the unit; review, 公示, objections' answers and the
  final list for HONOUR_MANAGE over the school.
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from access.scope import Perm, _path_q, can, grants_of, own_member_id, paths_with
from honours.models import CommendationRound, Nomination, NominationState

PUBLIC_STATES = (NominationState.SELECTED, NominationState.AWARDED, NominationState.WITHDRAWN)


def may_see_rounds(user: Any) -> bool:
    return user.is_authenticated and (bool(grants_of(user)) or own_member_id(user) is not None)


def get_round_for_user(user: Any, pk: Any, perm: str | None = None) -> CommendationRound:
    """The round, or 404 (none, or the user has no place in the school), or 403 without
    `perm` (HONOUR_MANAGE) anywhere."""
    item = CommendationRound.objects.filter(pk=pk).first()
    if item is None or not may_see_rounds(user):
        raise Http404
    if perm is not None and not paths_with(user, perm):
        raise PermissionDenied
    return item


def _full_q(user: Any) -> Q:
    return _path_q(paths_with(user, Perm.HONOUR_MANAGE), "unit__path") | _path_q(
        paths_with(user, Perm.HONOUR_NOMINATE), "unit__path"
    )


def nominations_for_user(user: Any) -> QuerySet[Nomination]:
    """Nominations the user sees: all of their units', and those on a published 公示 list."""
    if not may_see_rounds(user):
        return Nomination.objects.none()
    public = Q(round__publicity_from__isnull=False, state__in=PUBLIC_STATES)
    return Nomination.objects.filter(_full_q(user) | public)


def sees_evidence(user: Any, nomination: Nomination) -> bool:
    return can(user, Perm.HONOUR_MANAGE, nomination.unit) or can(
        user, Perm.HONOUR_NOMINATE, nomination.unit
    )


def get_nomination_for_user(user: Any, pk: Any, perm: str | None = None) -> Nomination:
    """The nomination or 404; with `perm`, 403 unless it is held over the nomination's unit."""
    item = (
        nominations_for_user(user)
        .filter(pk=pk)
        .select_related("round", "unit", "member", "member__branch", "branch", "nominated_by")
        .first()
    )
    if item is None:
        raise Http404
    if perm is not None and not can(user, perm, item.unit):
        raise PermissionDenied
    return item
