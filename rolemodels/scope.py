"""Scope of 典型选树: every page fetches nominations here.

- Holders of ROLE_MODEL_NOMINATE over the nominating org see its nominations and nominate
  members and teams of their subtree (a branch secretary, a unit, 组织部).
- ROLE_MODEL_APPROVE_UNIT from a grant below the school takes the unit's step; 组织部
  (ROLE_MODEL_PUBLISH) the second step and publishes; like meetings, 组织部 does not take the
  unit's step.
- Everyone signed in sees published role models (the nominee's deeds, not the history).
"""

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from access.scope import Perm, _path_q, can, paths_with
from orgs.models import Org
from rolemodels.models import RoleModel, RoleModelState


def role_models_for_user(user: Any) -> QuerySet[RoleModel]:
    q = _path_q(paths_with(user, Perm.ROLE_MODEL_NOMINATE), "org__path")
    return RoleModel.objects.filter(q | Q(published=True))


def manages(user: Any, rm: RoleModel) -> bool:
    return can(user, Perm.ROLE_MODEL_NOMINATE, rm.org)


def get_role_model_for_user(user: Any, pk: Any) -> RoleModel:
    rm = (
        role_models_for_user(user)
        .filter(pk=pk)
        .select_related("org", "member__branch", "team", "submission")
        .first()
    )
    if rm is None:
        raise Http404
    return rm


def unit_roots(user: Any) -> list[str]:
    return [r for r in paths_with(user, Perm.ROLE_MODEL_APPROVE_UNIT) if len(r) > Org.steplen]


def step_for(user: Any, rm: RoleModel) -> str | None:
    """The step the user may take on the nomination now: "unit", "school" or None."""
    if rm.state == RoleModelState.NOMINATED and any(
        rm.org.path.startswith(r) for r in unit_roots(user)
    ):
        return "unit"
    if rm.state == RoleModelState.UNIT_APPROVED and can(user, Perm.ROLE_MODEL_PUBLISH, rm.org):
        return "school"
    return None


def to_review(user: Any) -> QuerySet[RoleModel]:
    unit = _path_q(unit_roots(user), "org__path") & Q(state=RoleModelState.NOMINATED)
    school = _path_q(paths_with(user, Perm.ROLE_MODEL_PUBLISH), "org__path") & Q(
        state=RoleModelState.UNIT_APPROVED
    )
    return RoleModel.objects.filter(unit | school)
