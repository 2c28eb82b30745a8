"""组织生活 endpoints: meetings (list, detail, record with attendance, submit) and a member's
self check-in, over meetings.services and meetings.scope: the same scope as the pages."""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from access.scope import Perm, has_perm_anywhere, own_member_id, paths_with
from api.schemas import ErrorOut, Paging, ValidationErrorOut
from meetings import services
from meetings.models import AttendanceStatus, Meeting, MeetingKind, MeetingMode, MeetingState
from meetings.scope import (
    get_meeting_for_user,
    may_take_step,
    meetings_for_user,
    meetings_to_review,
    recording_orgs_for_user,
)
from members.models import Member

router = Router(tags=["组织生活"])

MAX_ID = 2**31 - 1


def _user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


class MeetingQuery(Schema):
    kind: MeetingKind | None = None
    state: MeetingState | None = None
    month: str | None = Field(None, pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="如 2026-03")


class MeetingOut(Schema):
    id: int
    org_id: int
    org: str
    kind: str
    kind_label: str
    topic: str
    planned_at: dt.datetime | None
    held_at: dt.datetime | None
    mode: str
    state: str
    state_label: str
    quorum_base: int
    quorum_present: int
    decided_without_quorum: bool


class MeetingPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[MeetingOut]


class AttendanceOut(Schema):
    member_id: int
    name: str
    status: str
    reason: str
    has_vote: bool
    seat_title: str
    checked_in_at: dt.datetime | None


class EventOut(Schema):
    from_state: str
    to_state: str
    comment: str
    at: dt.datetime
    actor: str


class MeetingDetailOut(MeetingOut):
    place: str
    platform: str
    host: str
    recorder: str
    lecturer: str
    agenda: list[str]
    guests: list[str]
    minutes: str
    decisions: str
    attendance: list[AttendanceOut]
    events: list[EventOut]


class MarkIn(Schema):
    member: int = Field(..., ge=1, le=MAX_ID)
    status: AttendanceStatus
    reason: str = Field("", max_length=200)


class MeetingIn(Schema):
    org: int = Field(..., ge=1, le=MAX_ID)
    kind: MeetingKind
    topic: str = Field(..., min_length=1, max_length=200)
    planned_at: dt.datetime | None = None
    held_at: dt.datetime | None = None
    mode: MeetingMode = MeetingMode.OFFLINE
    place: str = Field("", max_length=200)
    platform: str = Field("", max_length=50)
    link: str = Field("", max_length=500)
    host: int | None = Field(None, ge=1, le=MAX_ID)
    recorder: int | None = Field(None, ge=1, le=MAX_ID)
    lecturer: int | None = Field(None, ge=1, le=MAX_ID)
    agenda: list[str] = Field(default_factory=list, max_length=50)
    guests: list[str] = Field(default_factory=list, max_length=100)
    minutes: str = Field("", max_length=20_000)
    decisions: str = Field("", max_length=5_000)
    attendance: list[MarkIn] = Field(default_factory=list, max_length=2_000)
    submit: bool = Field(False, description="记录后立即提交单位审核")


class CheckInIn(Schema):
    code: str = Field(..., min_length=1, max_length=8)


def _meeting(m: Meeting) -> dict[str, Any]:
    return {
        "id": m.pk,
        "org_id": m.org_id,
        "org": m.org.name,
        "kind": m.kind,
        "kind_label": m.get_kind_display(),
        "topic": m.topic,
        "planned_at": m.planned_at,
        "held_at": m.held_at,
        "mode": m.mode,
        "state": m.state,
        "state_label": m.get_state_display(),
        "quorum_base": m.quorum_base,
        "quorum_present": m.quorum_present,
        "decided_without_quorum": m.decided_without_quorum,
    }


def _require_view(user: Any) -> None:
    if own_member_id(user) is None and not has_perm_anywhere(user, Perm.MEETING_VIEW):
        raise PermissionDenied


@router.get(
    "",
    response={200: MeetingPage, 400: ValidationErrorOut, 401: ErrorOut, 403: ErrorOut},
    summary="会议列表",
    description="您权限范围内的会议（支部书记：本支部；单位：本单位；组织部：全校）；"
    "党员：本人出席的会议。",
)
def meeting_list(
    request: HttpRequest, query: Query[MeetingQuery], paging: Query[Paging]
) -> dict[str, Any]:
    user = _user(request)
    _require_view(user)
    qs = meetings_for_user(user).select_related("org")
    if query.kind:
        qs = qs.filter(kind=query.kind)
    if query.state:
        qs = qs.filter(state=query.state)
    if query.month:
        year, month = (int(x) for x in query.month.split("-"))
        qs = qs.filter(held_at__year=year, held_at__month=month)
    qs = qs.order_by("-held_at", "-id")
    return {
        "count": qs.count(),
        "limit": paging.limit,
        "offset": paging.offset,
        "items": [_meeting(m) for m in qs[paging.offset : paging.offset + paging.limit]],
    }


def _detail(m: Meeting) -> dict[str, Any]:
    rows = m.attendance.select_related("member").order_by("-has_vote", "member__number")
    return {
        **_meeting(m),
        "place": m.place,
        "platform": m.platform,
        "host": m.host.name if m.host else "",
        "recorder": m.recorder.name if m.recorder else "",
        "lecturer": m.lecturer.name if m.lecturer else "",
        "agenda": m.agenda_items,
        "guests": m.guest_list,
        "minutes": m.minutes,
        "decisions": m.decisions,
        "attendance": [
            {
                "member_id": a.member_id,
                "name": a.member.name,
                "status": a.status,
                "reason": a.reason,
                "has_vote": a.has_vote,
                "seat_title": a.seat_title,
                "checked_in_at": a.checked_in_at,
            }
            for a in rows
        ],
        "events": [
            {
                "from_state": e.from_state,
                "to_state": e.to_state,
                "comment": e.comment,
                "at": e.at,
                "actor": e.actor.username if e.actor else "",
            }
            for e in m.events.select_related("actor")
        ],
    }


@router.get(
    "/{int:meeting_id}",
    response={200: MeetingDetailOut, 401: ErrorOut, 404: ErrorOut},
    summary="会议详情（含出席与审核记录）",
)
def meeting_detail(request: HttpRequest, meeting_id: int) -> dict[str, Any]:
    return _detail(get_meeting_for_user(_user(request), meeting_id))


def _member(user: Any, pk: int | None) -> Member | None:
    if pk is None:
        return None
    q = Member.objects.none()
    for root in paths_with(user, Perm.MEETING_RECORD):
        q = q | Member.objects.filter(pk=pk, branch__path__startswith=root)
    member = q.first()
    if member is None:
        raise HttpError(400, "主持人、记录人或授课人不在您的权限范围内。")
    return member


@router.post(
    "",
    response={
        200: MeetingDetailOut,
        400: ValidationErrorOut | ErrorOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
    },
    summary="记录会议（含出席情况）",
    description="在您可记录的组织（本支部、其党小组；单位的民主生活会）记录一次会议，"
    "应到名单按会议当天的名册生成，attendance 中标记出席、请假（须填原因）或缺席；"
    "submit=true 时随即提交单位审核。全部成功或全部不写入。",
)
def meeting_create(request: HttpRequest, payload: MeetingIn) -> dict[str, Any]:
    user = _user(request)
    if not has_perm_anywhere(user, Perm.MEETING_RECORD):
        raise PermissionDenied
    org = recording_orgs_for_user(user).filter(pk=payload.org).first()
    if org is None:
        raise Http404
    data = payload.dict(exclude={"attendance", "submit"})
    data.update(
        org=org,
        host=_member(user, payload.host),
        recorder=_member(user, payload.recorder),
        lecturer=_member(user, payload.lecturer),
        agenda="\n".join(payload.agenda),
        guests="\n".join(payload.guests),
    )
    try:
        with transaction.atomic():
            meeting = services.meeting_create(actor=user, data=data)
            if payload.attendance:
                marks = {m.member: (str(m.status), m.reason) for m in payload.attendance}
                meeting = services.meeting_update(actor=user, meeting=meeting, data={}, marks=marks)
            if payload.submit:
                meeting = services.meeting_submit(actor=user, meeting=meeting)
    except DjangoValidationError as e:
        raise HttpError(400, "；".join(e.messages)) from e
    return _detail(get_meeting_for_user(user, meeting.pk))


@router.post(
    "/check-in",
    response={200: MeetingOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut},
    summary="党员自助签到",
    description="党员用主持人出示的签到码签到（会前 1 小时至会后 4 小时）。",
)
def meeting_check_in(request: HttpRequest, payload: CheckInIn) -> dict[str, Any]:
    user = _user(request)
    own = own_member_id(user)
    if own is None:
        raise PermissionDenied
    try:
        meeting = services.meeting_check_in(member=Member.objects.get(pk=own), code=payload.code)
    except DjangoValidationError as e:
        raise HttpError(400, "；".join(e.messages)) from e
    return _meeting(Meeting.objects.select_related("org").get(pk=meeting.pk))


# --- approval: the unit's step and 组织部's, over the same service as the pages -------------


class ApproveIn(Schema):
    comment: str = Field("", max_length=500, description="审核意见（可不填）")


class ReturnIn(Schema):
    reason: str = Field(..., min_length=1, max_length=500, description="退回原因")


def _step(user: Any, meeting_id: int) -> tuple[Meeting, str]:
    """The meeting and the step its state is at; 404 out of sight, 403 not the user's step."""
    meeting = get_meeting_for_user(user, meeting_id)
    if meeting.state not in (MeetingState.SUBMITTED, MeetingState.UNIT_APPROVED):
        raise HttpError(400, f"会议当前为「{meeting.get_state_display()}」，不在审核中。")
    step = "unit" if meeting.state == MeetingState.SUBMITTED else "school"
    if not may_take_step(user, meeting, step):
        raise PermissionDenied
    return meeting, step


@router.get(
    "/queue",
    response={200: MeetingPage, 401: ErrorOut},
    summary="待我审核的会议",
    description="单位审核：本单位已提交的会议；组织部审核：单位审核通过的会议。",
)
def meeting_queue(request: HttpRequest, paging: Query[Paging]) -> dict[str, Any]:
    qs = meetings_to_review(_user(request)).select_related("org").order_by("held_at", "id")
    items = qs[paging.offset : paging.offset + paging.limit]
    return {
        "count": qs.count(),
        "limit": paging.limit,
        "offset": paging.offset,
        "items": [_meeting(m) for m in items],
    }


@router.post(
    "/{int:meeting_id}/approve",
    response={200: MeetingDetailOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="审核通过会议",
    description="单位审核（待单位审核 → 待组织部审核）或组织部审核（→ 已通过），按会议当前状态"
    "和您的权限决定；每一步记录审核人与时间。",
)
def meeting_approve(request: HttpRequest, meeting_id: int, payload: ApproveIn) -> dict[str, Any]:
    user = _user(request)
    meeting, step = _step(user, meeting_id)
    try:
        services.meeting_approve(actor=user, meeting=meeting, step=step, comment=payload.comment)
    except DjangoValidationError as e:
        raise HttpError(400, "；".join(e.messages)) from e
    return _detail(get_meeting_for_user(user, meeting.pk))


@router.post(
    "/{int:meeting_id}/return",
    response={200: MeetingDetailOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="退回会议",
    description="在单位审核或组织部审核这一步退回支部修改，须填写原因。",
)
def meeting_return(request: HttpRequest, meeting_id: int, payload: ReturnIn) -> dict[str, Any]:
    user = _user(request)
    meeting, step = _step(user, meeting_id)
    try:
        services.meeting_return(actor=user, meeting=meeting, step=step, reason=payload.reason)
    except DjangoValidationError as e:
        raise HttpError(400, "；".join(e.messages)) from e
    return _detail(get_meeting_for_user(user, meeting.pk))
