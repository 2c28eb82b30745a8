"""Scope of duty objects: every page, export and API endpoint fetches them through here.

- A shift (an Assignment) is seen by the member on it, and by managers holding DUTY_STATS
  over that member's branch or ROSTER_MANAGE over the roster's org; only the member on it
  writes (checks in and out, writes the log).
- Check-ins and logs (records that outlive their assignment) are counted by holders of
  DUTY_STATS over the member's branch; a member sees their own.
- A pledge is seen by the members it addresses (their branch is under pledge.org) and by
  holders of PLEDGE_VIEW whose subtree overlaps pledge.org's; PLEDGE_MANAGE over pledge.org
  edits it.
- Zones and teams are seen by holders of MEMBER_VIEW over their org and by the members in
  them; TEAM_MANAGE over their org edits them.
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from access.scope import Perm, can, own_member_id, paths_with
from duty.models import DutyCheck, Pledge, ResponsibilityZone, Team
from orgs.models import Org
from rosters.models import Assignment

# --- shifts -------------------------------------------------------------------------------


def may_manage_shift(user: Any, assignment: Assignment) -> bool:
    return can(user, Perm.DUTY_STATS, assignment.member.branch) or can(
        user, Perm.ROSTER_MANAGE, assignment.roster.org
    )


def get_assignment_for_user(user: Any, pk: Any, *, write: bool = False) -> Assignment:
    """The shift, or 404 if the user may not see it, or 403 if they see it but may not write.

    Writing (check-in, check-out, the log) is for the member on the shift alone."""
    assignment = (
        Assignment.objects.filter(pk=pk)
        .select_related("post", "post__campus", "member", "member__branch", "roster__org")
        .select_related("roster__phase")
        .first()
    )
    if assignment is None:
        raise Http404
    own = assignment.member_id == own_member_id(user)
    if not own and not may_manage_shift(user, assignment):
        raise Http404
    if write and not own:
        raise PermissionDenied
    return assignment


def assignments_in_stats_scope(user: Any) -> QuerySet[Assignment]:
    """Assignments of the members whose person-times the user may count (DUTY_STATS)."""
    q = Q(pk__in=[])
    for root in paths_with(user, Perm.DUTY_STATS):
        q |= Q(member__branch__path__startswith=root)
    return Assignment.objects.filter(q)


def checks_in_stats_scope(user: Any) -> QuerySet[DutyCheck]:
    """Check-in records of the members whose person-times the user may count (DUTY_STATS)."""
    q = Q(pk__in=[])
    for root in paths_with(user, Perm.DUTY_STATS):
        q |= Q(member__branch__path__startswith=root)
    return DutyCheck.objects.filter(q)


# --- pledges ------------------------------------------------------------------------------


def _overlaps(root: str, path: str) -> bool:
    return path.startswith(root) or root.startswith(path)


def pledge_view_roots(user: Any, pledge: Pledge) -> list[str]:
    """Where, inside the pledge's subtree, the user may see who signed: the narrower of
    each PLEDGE_VIEW root and pledge.org."""
    org_path = pledge.org.path
    roots = []
    for root in paths_with(user, Perm.PLEDGE_VIEW):
        if root.startswith(org_path):
            roots.append(root)
        elif org_path.startswith(root):
            roots.append(org_path)
    return roots


def pledges_for_user(user: Any) -> QuerySet[Pledge]:
    """Pledges addressed to the user's own branch, or overlapping their PLEDGE_VIEW subtrees."""
    q = Q(pk__in=[])
    for root in paths_with(user, Perm.PLEDGE_VIEW):
        q |= Q(org__path__startswith=root)
        q |= Q(org__path__in=[root[:n] for n in range(Org.steplen, len(root), Org.steplen)])
    own_branch = _own_branch_path(user)
    if own_branch:
        q |= Q(org__path__in=_ancestor_paths(own_branch))
    return Pledge.objects.filter(q).select_related("org")


def _ancestor_paths(path: str) -> list[str]:
    """The path and each of its ancestors' paths."""
    return [path[:n] for n in range(Org.steplen, len(path) + 1, Org.steplen)]


def _own_branch_path(user: Any) -> str | None:
    from members.models import Member

    own = own_member_id(user)
    if own is None:
        return None
    if not hasattr(user, "_own_branch_path"):
        user._own_branch_path = (
            Member.objects.filter(pk=own).values_list("branch__path", flat=True).first()
        )
    return user._own_branch_path  # type: ignore[no-any-return]


def pledge_addresses_user(user: Any, pledge: Pledge) -> bool:
    branch = _own_branch_path(user)
    return branch is not None and branch.startswith(pledge.org.path)


def get_pledge_for_user(user: Any, pk: Any, *, write: bool = False) -> Pledge:
    """The pledge, or 404 if out of scope, or 403 if visible but PLEDGE_MANAGE is not held."""
    pledge = Pledge.objects.filter(pk=pk).select_related("org").first()
    if pledge is None:
        raise Http404
    visible = pledge_addresses_user(user, pledge) or any(
        _overlaps(root, pledge.org.path) for root in paths_with(user, Perm.PLEDGE_VIEW)
    )
    if not visible:
        raise Http404
    if write and not can(user, Perm.PLEDGE_MANAGE, pledge.org):
        raise PermissionDenied
    return pledge


# --- zones and teams ----------------------------------------------------------------------


def _group_q(user: Any, leader: bool) -> Q:
    q = Q(pk__in=[])
    for root in paths_with(user, Perm.MEMBER_VIEW):
        q |= Q(org__path__startswith=root)
    own = own_member_id(user)
    if own is not None:
        q |= Q(members__pk=own)
        if leader:
            q |= Q(leader_id=own)
    return q


def zones_for_user(user: Any) -> QuerySet[ResponsibilityZone]:
    ids = ResponsibilityZone.objects.filter(_group_q(user, leader=False)).values("pk")
    return ResponsibilityZone.objects.filter(pk__in=ids).select_related("org")


def teams_for_user(user: Any) -> QuerySet[Team]:
    ids = Team.objects.filter(_group_q(user, leader=True)).values("pk")
    return Team.objects.filter(pk__in=ids).select_related("org", "leader")


def get_zone_for_user(user: Any, pk: Any, *, write: bool = False) -> ResponsibilityZone:
    zone = zones_for_user(user).filter(pk=pk).first()
    if zone is None:
        raise Http404
    if write and not can(user, Perm.TEAM_MANAGE, zone.org):
        raise PermissionDenied
    return zone


def get_team_for_user(user: Any, pk: Any, *, write: bool = False) -> Team:
    team = teams_for_user(user).filter(pk=pk).first()
    if team is None:
        raise Http404
    if write and not can(user, Perm.TEAM_MANAGE, team.org):
        raise PermissionDenied
    return team
