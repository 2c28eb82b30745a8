"""Scope of study plans and sessions: every page and export fetches them here.

- Holders of STUDY_VIEW over an org see its plans and sessions and the hours of its members;
  STUDY_RECORD over it writes them.
- A member sees the plans and sessions of their own branch (and of the orgs above it), and
  marks a self-study item of their branch done.
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from access.scope import Perm, _path_q, can, own_member_id, paths_with
from members.models import Member
from orgs.models import Org
from study.models import StudyPlan, StudySession


def _own_branch(user: Any) -> Org | None:
    own = own_member_id(user)
    if own is None:
        return None
    member = Member.objects.filter(pk=own).select_related("branch").first()
    return member.branch if member else None


def _ancestors_q(branch: Org | None, field: str) -> Q:
    """The branch and the orgs above it (their plans and sessions reach its members)."""
    if branch is None:
        return Q(pk__in=[])
    paths = [branch.path[:n] for n in range(Org.steplen, len(branch.path) + 1, Org.steplen)]
    return Q(**{f"{field}__in": paths})


def plans_for_user(user: Any) -> QuerySet[StudyPlan]:
    q = _path_q(paths_with(user, Perm.STUDY_VIEW), "org__path")
    return StudyPlan.objects.filter(q | _ancestors_q(_own_branch(user), "org__path"))


def sessions_for_user(user: Any) -> QuerySet[StudySession]:
    q = _path_q(paths_with(user, Perm.STUDY_VIEW), "org__path")
    return StudySession.objects.filter(q | _ancestors_q(_own_branch(user), "org__path"))


def get_plan_for_user(user: Any, pk: Any, *, write: bool = False) -> StudyPlan:
    plan = plans_for_user(user).filter(pk=pk).select_related("org").first()
    if plan is None:
        raise Http404
    if write and not can(user, Perm.STUDY_RECORD, plan.org):
        raise PermissionDenied
    return plan


def get_session_for_user(user: Any, pk: Any, *, write: bool = False) -> StudySession:
    session = sessions_for_user(user).filter(pk=pk).select_related("org", "plan", "meeting").first()
    if session is None:
        raise Http404
    if write and not can(user, Perm.STUDY_RECORD, session.org):
        raise PermissionDenied
    return session


def recording_orgs(user: Any) -> QuerySet[Org]:
    return Org.objects.filter(_path_q(paths_with(user, Perm.STUDY_RECORD), "path"))
