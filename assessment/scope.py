"""Scope of ratings and 述职评议.

- A phase's participants are rated by holders of ROSTER_MANAGE over the phase's org (the duty
  office, a unit admin for the unit's phases, 组织部). A participant's duty record (shifts,
  punctuality, logs, ratings) is seen by the member and by holders of DUTY_STATS over their
  branch.
- 述职评议 of a branch or a unit is seen by holders of APPRAISAL_VIEW over it (its secretary,
  the unit, 组织部), who may hand in its report; its result is recorded by holders of
  APPRAISAL_RECORD over a strict ancestor (the unit for a branch, 组织部 for a unit).
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from access.scope import Perm, can, own_member_id, paths_with
from members.models import Member
from orgs.models import Org, OrgKind
from rosters.models import Phase
from rosters.scope import get_phase_for_user


def get_phase_to_rate(user: Any, pk: Any) -> Phase:
    return get_phase_for_user(user, pk, Perm.ROSTER_MANAGE)


def get_participant_for_user(user: Any, pk: Any) -> Member:
    member = Member.objects.filter(pk=pk).select_related("branch").first()
    if member is None or not user.is_authenticated:
        raise Http404
    if member.pk == own_member_id(user) or can(user, Perm.DUTY_STATS, member.branch):
        return member
    if can(user, Perm.MEMBER_VIEW, member.branch):
        raise PermissionDenied
    raise Http404


def appraisable(org: Org) -> bool:
    return org.kind == OrgKind.BRANCH or org.depth == 2


def get_appraisal_org_for_user(user: Any, pk: Any) -> Org:
    org = Org.objects.filter(pk=pk).first()
    if org is None or not user.is_authenticated or not appraisable(org):
        raise Http404
    if not can(user, Perm.APPRAISAL_VIEW, org):
        raise Http404
    return org


def may_record_result(user: Any, org: Org) -> bool:
    return any(
        org.path.startswith(root) and org.path != root
        for root in paths_with(user, Perm.APPRAISAL_RECORD)
    )
