"""学习教育 endpoints (read): study hours per member in the user's scope, and a member's own
year; over study.selectors, with the same scope as the pages."""

from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from access.scope import Perm, has_perm_anywhere, own_member_id
from api.schemas import ErrorOut, Paging, ValidationErrorOut
from members.models import Member
from study import selectors

router = Router(tags=["学习教育"])


class YearQuery(Schema):
    year: int | None = Field(None, ge=2000, le=2100, description="年度，默认今年")


class HoursOut(Schema):
    member_id: int
    number: str
    name: str
    branch: str
    sessions: int
    hours: Decimal


class HoursPage(Schema):
    year: int
    count: int
    limit: int
    offset: int
    items: list[HoursOut]


class MineOut(Schema):
    year: int
    hours: Decimal
    sessions: int
    open_self_study: list[str]


def _year(query: YearQuery) -> int:
    return query.year or timezone.localdate().year


@router.get(
    "/hours",
    response={200: HoursPage, 400: ValidationErrorOut, 401: ErrorOut, 403: ErrorOut},
    summary="党员学时",
)
def study_hours(request: HttpRequest, query: Query[YearQuery], paging: Query[Paging]) -> Any:
    user = request.auth  # type: ignore[attr-defined]
    if not has_perm_anywhere(user, Perm.STUDY_VIEW):
        raise PermissionDenied
    year = _year(query)
    qs = selectors.hours_by_member(user=user, year=year)
    page = list(qs[paging.offset : paging.offset + paging.limit])
    return {
        "year": year,
        "count": qs.count(),
        "limit": paging.limit,
        "offset": paging.offset,
        "items": [
            {
                "member_id": m.pk,
                "number": m.number,
                "name": m.name,
                "branch": m.branch.name,
                "sessions": m.study_count,  # type: ignore[attr-defined]
                "hours": m.study_hours,  # type: ignore[attr-defined]
            }
            for m in page
        ],
    }


@router.get(
    "/mine",
    response={200: MineOut, 400: ValidationErrorOut, 401: ErrorOut, 403: ErrorOut},
    summary="我的学习",
)
def study_mine(request: HttpRequest, query: Query[YearQuery]) -> Any:
    own = own_member_id(request.auth)  # type: ignore[attr-defined]
    if own is None:
        raise PermissionDenied
    year = _year(query)
    member = Member.objects.select_related("branch").get(pk=own)
    mine = selectors.my_study(member=member, year=year, today=timezone.localdate())
    return {
        "year": year,
        "hours": mine.hours,
        "sessions": len(mine.rows),
        "open_self_study": [s.title for s in mine.open_items],
    }
