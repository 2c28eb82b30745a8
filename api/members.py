"""Read-only member endpoints over members.selectors and access.scope.

Phone and ID number are masked with access.scope.Masker, as on the pages. A list page that
shows anyone's full phone or ID number (other than the caller's own) is a bulk read of personal
data: it writes one audit row per request, with the count and the filters. Other reads write none.
"""

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from access.scope import Masker, get_member_for_user
from api.schemas import ErrorOut, MemberOut, MemberPage, MemberQuery, Paging, ValidationErrorOut
from audit.services import audit_record
from members.models import Member
from members.selectors import MemberFilters, member_list, unit_names
from orgs.models import Org

router = Router(tags=["党员"])


def _unit_names(members: list[Member]) -> dict[str, str]:
    paths = {m.branch.unit_path() for m in members}
    if not paths:
        return {}
    return unit_names(Org.objects.filter(path__in=paths))


def _member_row(member: Member, masker: Masker, units: dict[str, str]) -> dict[str, Any]:
    branch = member.branch
    return {
        "id": member.pk,
        "number": member.number,
        "name": member.name,
        "gender": member.gender,
        "gender_label": member.get_gender_display(),
        "category": member.category,
        "category_label": member.get_category_display(),
        "political_status": member.political_status,
        "political_status_label": member.get_political_status_display(),
        "status_since": member.status_since,
        "branch": {"id": branch.pk, "name": branch.name},
        "unit_name": units.get(branch.unit_path(), ""),
        "cadre_rank": member.cadre_rank,
        "cadre_rank_label": member.get_cadre_rank_display() if member.cadre_rank else "",
        "campus": member.campus,
        "phone": masker.phone(member, branch.path),
        "id_number": masker.id_number(member, branch.path),
        "class_name": member.class_name,
        "major": member.major,
        "dorm_building": member.dorm_building,
        "dorm_room": member.dorm_room,
        "whereabouts": member.whereabouts,
        "whereabouts_label": member.get_whereabouts_display(),
        "whereabouts_since": member.whereabouts_since,
    }


def _filters(query: MemberQuery) -> MemberFilters:
    return MemberFilters(
        q=query.q.strip(),
        unit=query.unit,
        branch=query.branch,
        political_status=query.political_status or "",
        category=query.category or "",
        cadre_rank=query.cadre_rank or "",
        cadre_only=query.cadre_only,
        campus=query.campus,
        whereabouts=query.whereabouts or "",
        sort=query.sort,
    )


@router.get(
    "",
    response={200: MemberPage, 400: ValidationErrorOut, 401: ErrorOut},
    summary="党员列表",
    description="您权限范围内的党员（无查看党员权限时只含本人），筛选与党员列表页相同。",
)
def member_list_view(
    request: HttpRequest, query: Query[MemberQuery], paging: Query[Paging]
) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    qs = member_list(user=user, filters=_filters(query))
    count = qs.count()
    page = list(qs[paging.offset : paging.offset + paging.limit])
    masker = Masker(user)
    units = _unit_names(page)
    items = [_member_row(m, masker, units) for m in page]
    _audit_full_numbers(user, query, paging, page, items, total=count)
    return {"count": count, "limit": paging.limit, "offset": paging.offset, "items": items}


def _audit_full_numbers(
    user: Any,
    query: MemberQuery,
    paging: Paging,
    page: list[Member],
    items: list[dict[str, Any]],
    *,
    total: int,
) -> None:
    """One audit row for a page that shows others' full phone or ID numbers."""
    full = sum(
        1
        for member, item in zip(page, items, strict=True)
        if member.user_id != user.pk
        and (
            (member.phone and item["phone"] == member.phone)
            or (member.id_number and item["id_number"] == member.id_number)
        )
    )
    if not full:
        return
    audit_record(
        actor=user,
        action="member.api_list",
        label="接口读取党员名单",
        changes={
            "count": len(items),
            "full": full,
            "total": total,
            "offset": paging.offset,
            "filters": query.model_dump(mode="json", exclude_defaults=True),
        },
    )


@router.get(
    "/{int:member_id}",
    response={200: MemberOut, 401: ErrorOut, 404: ErrorOut},
    summary="党员详情",
)
def member_detail(request: HttpRequest, member_id: int) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    member = get_member_for_user(user, member_id)
    return _member_row(member, Masker(user), _unit_names([member]))
