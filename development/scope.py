"""Scope of development files (发展档案): every page, export and API endpoint fetches them here.

- Holders of DEVELOPMENT_VIEW over the candidate's branch see the file (the branch secretary,
  the unit, 组织部); a candidate does not see their own file (it holds the review and the
  objections raised about them).
- DEVELOPMENT_RECORD over the branch opens files, records the details, the 公示 and its
  objections, and takes the branch's steps (积极分子, 发展对象).
- DEVELOPMENT_APPROVE over the branch (the unit, 组织部) takes the steps that need the higher
  approval: 预备党员 and 转正.
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from access.scope import Perm, _path_q, can, paths_with
from development.models import Candidate
from members.models import Member


def candidates_for_user(user: Any, perm: str = Perm.DEVELOPMENT_VIEW) -> QuerySet[Candidate]:
    return Candidate.objects.filter(_path_q(paths_with(user, perm), "member__branch__path"))


def get_candidate_for_user(user: Any, pk: Any, *, write: bool = False) -> Candidate:
    """The file, or 404 if the user may not see it, or 403 if they see it but may not record."""
    candidate = (
        Candidate.objects.filter(pk=pk)
        .select_related("member__branch", "contact_1", "contact_2", "introducer_1", "introducer_2")
        .first()
    )
    if candidate is None:
        raise Http404
    if not can(user, Perm.DEVELOPMENT_VIEW, candidate.member.branch):
        raise Http404
    if write and not can(user, Perm.DEVELOPMENT_RECORD, candidate.member.branch):
        raise PermissionDenied
    return candidate


def people_for_user(user: Any) -> QuerySet[Member]:
    """Members the user may open a file for or name as 联系人 / 介绍人."""
    return Member.objects.filter(_path_q(paths_with(user, Perm.DEVELOPMENT_RECORD), "branch__path"))
