"""先锋岗与值班 endpoints: posts, phases, rosters with assignments, my shifts — scoped as the
pages are (rosters.scope)."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from access.scope import Perm, has_perm_anywhere
from api.schemas import ErrorOut
from audit.services import audit_record
from rosters import selectors
from rosters.scope import duty_masker, get_phase_for_user, get_roster_for_user

router = Router(tags=["先锋岗与值班"])


class SlotOut(Schema):
    name: str
    start: str
    hours: float


class PostOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    level: str
    org_id: int
    campus: str
    place: str
    duties: str
    slots: list[SlotOut]
    headcount: int
    min_cadres: int
    category: str
    gender: str
    is_leader_duty: bool
    active: bool


class PhaseOut(Schema):
    id: int
    name: str
    org_id: int
    starts_on: dt.date
    ends_on: dt.date
    signup_deadline: dt.datetime | None
    recommend_deadline: dt.datetime | None
    post_ids: list[int]


class AssignmentOut(Schema):
    id: int
    post_id: int
    post_name: str
    date: dt.date
    slot: str
    member_id: int
    member_name: str
    phone: str = ""
    pinned: bool


class RosterOut(Schema):
    id: int
    phase_id: int
    phase_name: str
    org_id: int
    state: str
    version: int
    solve_state: str
    solve_progress: dict[str, Any]
    assignments: list[AssignmentOut] = []


def _auth(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


def _post(p: Any) -> dict[str, Any]:
    return {
        "id": p.pk,
        "name": p.name,
        "kind": p.kind,
        "kind_label": p.kind_label,
        "level": p.level,
        "org_id": p.org_id,
        "campus": p.campus.name if p.campus else "",
        "place": p.place,
        "duties": p.duties,
        "slots": p.slots,
        "headcount": p.headcount,
        "min_cadres": p.min_cadres,
        "category": p.category,
        "gender": p.gender,
        "is_leader_duty": p.is_leader_duty,
        "active": p.active,
    }


def _phase(p: Any) -> dict[str, Any]:
    return {
        "id": p.pk,
        "name": p.name,
        "org_id": p.org_id,
        "starts_on": p.starts_on,
        "ends_on": p.ends_on,
        "signup_deadline": p.signup_deadline,
        "recommend_deadline": p.recommend_deadline,
        "post_ids": [x.pk for x in p.posts.all()],
    }


def _roster(r: Any, assignments: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {
        "id": r.pk,
        "phase_id": r.phase_id,
        "phase_name": r.phase.name,
        "org_id": r.org_id,
        "state": r.state,
        "version": r.version,
        "solve_state": r.solve_state,
        "solve_progress": r.solve_progress or {},
        "assignments": assignments or [],
    }


@router.get(
    "/posts",
    response={200: list[PostOut], 401: ErrorOut},
    summary="岗位目录",
    description="您可维护的岗位（防控办、组织部：校级；二级党委：本单位）。",
)
def post_list(request: HttpRequest) -> list[dict[str, Any]]:
    user = _auth(request)
    if not has_perm_anywhere(user, Perm.POST_MANAGE):
        return []
    return [_post(p) for p in selectors.post_list(user=user)]


@router.get("/phases", response={200: list[PhaseOut], 401: ErrorOut}, summary="阶段列表")
def phase_list(request: HttpRequest) -> list[dict[str, Any]]:
    user = _auth(request)
    return [_phase(p) for p in selectors.phase_list(user=user).prefetch_related("posts")]


@router.get(
    "/phases/{int:phase_id}",
    response={200: PhaseOut, 401: ErrorOut, 404: ErrorOut},
    summary="阶段详情",
)
def phase_detail(request: HttpRequest, phase_id: int) -> dict[str, Any]:
    return _phase(get_phase_for_user(_auth(request), phase_id))


@router.get(
    "",
    response={200: list[RosterOut], 401: ErrorOut},
    summary="值班表列表",
    description="您可管理的值班表（不含安排明细）。",
)
def roster_list(request: HttpRequest) -> list[dict[str, Any]]:
    return [_roster(r) for r in selectors.roster_list(user=_auth(request))]


@router.get(
    "/mine",
    response={200: list[AssignmentOut], 401: ErrorOut},
    summary="我的值班",
    description="本人在已发布值班表中的班次（含近期已过一天）。",
)
def my_shifts(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {
            "id": a.pk,
            "post_id": a.post_id,
            "post_name": a.post.name,
            "date": a.date,
            "slot": a.slot,
            "member_id": a.member_id,
            "member_name": "",
            "pinned": a.pinned,
        }
        for a in selectors.my_shifts(user=_auth(request))
    ]


@router.get(
    "/{int:roster_id}",
    response={200: RosterOut, 401: ErrorOut, 404: ErrorOut},
    summary="值班表详情（含全部安排）",
)
def roster_detail(request: HttpRequest, roster_id: int) -> dict[str, Any]:
    user = _auth(request)
    roster = get_roster_for_user(user, roster_id)
    masker = duty_masker(user)
    rows = [
        {
            "id": a.pk,
            "post_id": a.post_id,
            "post_name": a.post.name,
            "date": a.date,
            "slot": a.slot,
            "member_id": a.member_id,
            "member_name": a.member.name,
            "phone": masker.phone(a.member, a.member.branch.path),
            "pinned": a.pinned,
        }
        for a in roster.assignments.select_related("post", "member__branch")
    ]
    shown = sum(1 for r in rows if r["phone"] and "*" not in str(r["phone"]))
    if shown:  # a bulk read of personal data leaves its trace
        audit_record(
            actor=user,
            action="roster.api_read",
            target=roster,
            label=f"{roster} 值班表（API，含完整手机号）",
            changes={"full_phones": shown},
        )
    return _roster(roster, rows)
