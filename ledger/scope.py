"""Scope of 干部纪实台账: seen and written only by holders of CADRE_LEDGER over the cadre's
branch (组织部 and the cadre's unit admin). Not the branch secretary, not the cadre: a
cadre's ledger is the organisation department's assessment. Anyone else gets a 404."""

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from access.scope import Perm, _path_q, can, paths_with
from members.models import CadreRank, Member


def cadres_for_user(user: Any) -> QuerySet[Member]:
    if not user.is_authenticated:
        return Member.objects.none()
    return Member.objects.filter(
        _path_q(paths_with(user, Perm.CADRE_LEDGER), "branch__path")
    ).exclude(cadre_rank=CadreRank.NONE)


def get_cadre_for_user(user: Any, pk: Any) -> Member:
    member = Member.objects.filter(pk=pk).select_related("branch", "campus").first()
    if member is None or not user.is_authenticated or member.cadre_rank == CadreRank.NONE:
        raise Http404
    if not can(user, Perm.CADRE_LEDGER, member.branch):
        raise Http404
    return member
