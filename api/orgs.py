"""Read-only org endpoints; scope comes from access.scope exactly as on the pages."""

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from access.scope import get_org_for_user, orgs_for_user
from api.schemas import ErrorOut, OrgDetailOut, OrgFilters, OrgPage, Paging, ValidationErrorOut
from orgs.models import Org

router = Router(tags=["党组织"])


def _parent_path(org: Org) -> str:
    return org.path[: -org.steplen]


def _org_row(org: Org, parent_ids: dict[str, int]) -> dict[str, Any]:
    return {
        "id": org.pk,
        "name": org.name,
        "kind": org.kind,
        "kind_label": org.get_kind_display(),
        "parent_id": parent_ids.get(_parent_path(org)),
        "depth": org.depth,
        "campus": org.campus,
    }


def _visible_parent_ids(user: Any, orgs: list[Org]) -> dict[str, int]:
    """{path: id} of the rows' parents that the user may see, in one query."""
    paths = {_parent_path(o) for o in orgs if o.depth > 1}
    if not paths:
        return {}
    return dict(orgs_for_user(user).filter(path__in=paths).values_list("path", "id"))


@router.get(
    "",
    response={200: OrgPage, 400: ValidationErrorOut, 401: ErrorOut, 404: ErrorOut},
    summary="党组织列表",
    description="您权限范围内的党组织，按组织树顺序排列。",
)
def org_list(
    request: HttpRequest, filters: Query[OrgFilters], paging: Query[Paging]
) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    qs = orgs_for_user(user).select_related("campus")
    if filters.parent is not None:
        parent = get_org_for_user(user, filters.parent)
        qs = qs.filter(path__startswith=parent.path, depth=parent.depth + 1)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    count = qs.count()
    page = list(qs.order_by("path")[paging.offset : paging.offset + paging.limit])
    parent_ids = _visible_parent_ids(user, page)
    return {
        "count": count,
        "limit": paging.limit,
        "offset": paging.offset,
        "items": [_org_row(o, parent_ids) for o in page],
    }


@router.get(
    "/{int:org_id}",
    response={200: OrgDetailOut, 401: ErrorOut, 404: ErrorOut},
    summary="党组织详情",
)
def org_detail(request: HttpRequest, org_id: int) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    org = get_org_for_user(user, org_id)
    return {
        **_org_row(org, _visible_parent_ids(user, [org])),
        "short_name": org.short_name,
        "secretary": org.secretary,
        "organiser": org.organiser,
        "email": org.email,
    }
