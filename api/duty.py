"""值守与承诺 endpoints: person-times figures, pledges with their counts, zones and teams.

Read-only, over duty.selectors and duty.scope: the same scope as the pages."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema

from access.scope import Perm, own_member_id, require_anywhere
from api.schemas import ErrorOut, IdField, ValidationErrorOut
from duty import selectors
from duty.models import PledgeSignature, ResponsibilityZone, Team
from duty.scope import (
    get_pledge_for_user,
    get_team_for_user,
    get_zone_for_user,
    pledge_view_roots,
    teams_for_user,
    zones_for_user,
)

router = Router(tags=["值守与承诺"])


class PersonTimesQuery(Schema):
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    scheduled: bool = False
    phase: int | None = IdField("阶段 id")
    post: int | None = IdField("岗位 id")
    campus: int | None = IdField("校区 id")
    unit: int | None = IdField("单位（二级党委）id")


class CountRow(Schema):
    id: int | None = None
    name: str
    n: int


class DayRow(Schema):
    date: dt.date
    n: int


class MemberCountRow(Schema):
    id: int
    number: str
    name: str
    branch: str
    n: int


class PersonTimesOut(Schema):
    total: int
    members: int
    scheduled: bool
    by_day: list[DayRow]
    by_unit: list[CountRow]
    by_post: list[CountRow]
    by_campus: list[CountRow]
    by_phase: list[CountRow]
    by_member: list[MemberCountRow]


@router.get(
    "/person-times",
    response={200: PersonTimesOut, 400: ValidationErrorOut, 401: ErrorOut, 403: ErrorOut},
    summary="值班人次统计",
    description="按人员、单位、岗位、校区、阶段和日期统计值班人次；默认按实际签到计，"
    "scheduled=true 时按排班计。范围：您有统计权限的组织内的党员。",
)
def person_times(request: HttpRequest, query: Query[PersonTimesQuery]) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    require_anywhere(user, Perm.DUTY_STATS)
    filters = selectors.StatsFilters(**query.dict())
    figures = selectors.person_times(user=user, filters=filters)
    return {
        "total": figures.total,
        "members": figures.members,
        "scheduled": filters.scheduled,
        "by_day": figures.by_day,
        "by_unit": [{"name": r["name"], "n": r["n"]} for r in figures.by_unit],
        "by_post": figures.by_post,
        "by_campus": figures.by_campus,
        "by_phase": figures.by_phase,
        "by_member": [
            {
                "id": r["member_id"],
                "number": r["member__number"],
                "name": r["member__name"],
                "branch": r["member__branch__name"],
                "n": r["n"],
            }
            for r in figures.by_member
        ],
    }


class Counts(Schema):
    expected: int
    signed: int
    unsigned: int


class BranchCounts(Counts):
    id: int
    name: str


class PledgeOut(Schema):
    id: int
    title: str
    org: str
    closes_on: dt.date | None
    created_at: dt.datetime
    signed_by_me: bool
    counts: Counts | None = None


class PledgeDetailOut(PledgeOut):
    body: str
    branches: list[BranchCounts]


def _pledge_row(p: Any) -> dict[str, Any]:
    return {
        "id": p.pk,
        "title": p.title,
        "org": p.org.name,
        "closes_on": p.closes_on,
        "created_at": p.created_at,
        "signed_by_me": p.signed_by_me,
        "counts": p.counts,
    }


@router.get(
    "/pledges",
    response={200: list[PledgeOut], 401: ErrorOut},
    summary="承诺书列表",
    description="面向您所在党支部的承诺书，以及您可查看签署情况的承诺书（附已签 / 未签人数）。",
)
def pledge_list(request: HttpRequest) -> list[dict[str, Any]]:
    user = request.auth  # type: ignore[attr-defined]
    return [_pledge_row(p) for p in selectors.pledge_list(user=user)]


@router.get(
    "/pledges/{int:pledge_id}",
    response={200: PledgeDetailOut, 401: ErrorOut, 404: ErrorOut},
    summary="承诺书详情与各支部签署情况",
)
def pledge_detail(request: HttpRequest, pledge_id: int) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    pledge = get_pledge_for_user(user, pledge_id)
    own = own_member_id(user)
    pledge.signed_by_me = bool(  # type: ignore[attr-defined]
        own and PledgeSignature.objects.filter(pledge=pledge, member_id=own).exists()
    )
    pledge.counts = selectors.pledge_counts(user=user, pledge=pledge)  # type: ignore[attr-defined]
    branches = (
        selectors.pledge_branches(user=user, pledge=pledge)
        if pledge_view_roots(user, pledge)
        else []
    )
    return {**_pledge_row(pledge), "body": pledge.body, "branches": branches}


class MemberRef(Schema):
    id: int
    number: str
    name: str
    branch: str


class GroupOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    org: str
    description: str
    leader: MemberRef | None = None
    members: list[MemberRef]


def _ref(m: Any) -> dict[str, Any]:
    return {"id": m.pk, "number": m.number, "name": m.name, "branch": m.branch.name}


def _group_row(g: ResponsibilityZone | Team) -> dict[str, Any]:
    leader = getattr(g, "leader", None)
    return {
        "id": g.pk,
        "name": g.name,
        "kind": g.kind,
        "kind_label": g.get_kind_display(),  # type: ignore[attr-defined]
        "org": g.org.name,
        "description": g.description,
        "leader": _ref(leader) if leader is not None else None,
        "members": [_ref(m) for m in g.members.all()],
    }


@router.get("/zones", response={200: list[GroupOut], 401: ErrorOut}, summary="党员责任区列表")
def zone_list(request: HttpRequest) -> list[dict[str, Any]]:
    user = request.auth  # type: ignore[attr-defined]
    zones = zones_for_user(user).prefetch_related("members__branch").order_by("org__path", "name")
    return [_group_row(z) for z in zones]


@router.get(
    "/zones/{int:zone_id}",
    response={200: GroupOut, 401: ErrorOut, 404: ErrorOut},
    summary="党员责任区详情",
)
def zone_detail(request: HttpRequest, zone_id: int) -> dict[str, Any]:
    return _group_row(get_zone_for_user(request.auth, zone_id))  # type: ignore[attr-defined]


@router.get(
    "/teams", response={200: list[GroupOut], 401: ErrorOut}, summary="党员先锋队 / 突击队列表"
)
def team_list(request: HttpRequest) -> list[dict[str, Any]]:
    user = request.auth  # type: ignore[attr-defined]
    teams = (
        teams_for_user(user)
        .select_related("leader__branch")
        .prefetch_related("members__branch")
        .order_by("org__path", "name")
    )
    return [_group_row(t) for t in teams]


@router.get(
    "/teams/{int:team_id}",
    response={200: GroupOut, 401: ErrorOut, 404: ErrorOut},
    summary="党员先锋队 / 突击队详情",
)
def team_detail(request: HttpRequest, team_id: int) -> dict[str, Any]:
    return _group_row(get_team_for_user(request.auth, team_id))  # type: ignore[attr-defined]
