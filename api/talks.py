"""谈心谈话 endpoints: the talks the user knows of (notes only where talks.scope allows),
recording a talk, and talk coverage — over the same scope, selectors and services as the pages."""

import datetime as dt
import uuid
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from access.scope import Perm, get_org_for_user, own_member_id, require_anywhere
from api.schemas import ErrorOut, Paging, ValidationErrorOut
from audit.models import SubmitToken
from talks import selectors, services
from talks.models import Talk, TalkMethod
from talks.scope import get_talk_for_user, members_to_talk_with, talkers_for

router = Router(tags=["谈心谈话"])

MAX_ID = 2**31 - 1


class PersonRef(Schema):
    id: int
    number: str
    name: str


class TalkNotes(Schema):
    thoughts: str = Field(description="思想动态")
    life: str = Field(description="生活心态")
    work: str = Field(description="工作（学习）状态")
    help_given: str = Field(description="帮助与指导")
    follow_up_on: dt.date | None = Field(description="回访日期")
    followed_up_on: dt.date | None = Field(description="已回访日期")
    follow_up_note: str


class TalkOut(Schema):
    id: int
    member: PersonRef
    talker: PersonRef
    branch: str
    talked_on: dt.date
    method: str
    method_label: str
    notes: TalkNotes | None = Field(
        description="谈话内容：仅谈话人、谈话对象所在党支部书记及上级可见，否则为 null"
    )


class TalkPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[TalkOut]


class TalkQuery(Schema):
    branch: int | None = Field(None, ge=1, le=MAX_ID, description="党支部（或上级组织）")
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    method: TalkMethod | None = None
    member: int | None = Field(None, ge=1, le=MAX_ID, description="谈话对象")


class TalkIn(Schema):
    member: int = Field(ge=1, le=MAX_ID, description="谈话对象的 id")
    talker: int | None = Field(
        None, ge=1, le=MAX_ID, description="谈话人的 id；不填为本人（须有党员身份）"
    )
    talked_on: dt.date
    method: TalkMethod
    thoughts: str = Field(min_length=1, max_length=4000)
    life: str = Field("", max_length=4000)
    work: str = Field("", max_length=4000)
    help_given: str = Field("", max_length=4000)
    follow_up_on: dt.date | None = None
    client_token: uuid.UUID | None = Field(
        None, description="同一次提交的唯一标识：重复提交只记录一次，返回第一次的结果"
    )


def _person(m: Any) -> dict[str, Any]:
    return {"id": m.pk, "number": m.number, "name": m.name}


def _talk(t: Talk) -> dict[str, Any]:
    notes = None
    if getattr(t, "notes_visible", False):
        notes = {
            "thoughts": t.thoughts,
            "life": t.life,
            "work": t.work,
            "help_given": t.help_given,
            "follow_up_on": t.follow_up_on,
            "followed_up_on": t.followed_up_on,
            "follow_up_note": t.follow_up_note,
        }
    return {
        "id": t.pk,
        "member": _person(t.member),
        "talker": _person(t.talker),
        "branch": t.branch.name,
        "talked_on": t.talked_on,
        "method": t.method,
        "method_label": t.get_method_display(),
        "notes": notes,
    }


@router.get(
    "",
    response={200: TalkPage, 400: ValidationErrorOut, 401: ErrorOut, 404: ErrorOut},
    summary="谈心谈话列表",
    description="您知道的谈话：有查看权限的党组织内的谈话、您谈的、谈您的（后者不含谈话内容）。",
)
def talk_list(request: HttpRequest, query: Query[TalkQuery], paging: Query[Paging]) -> Any:
    user = request.auth  # type: ignore[attr-defined]
    branch = get_org_for_user(user, query.branch, Perm.TALK_VIEW) if query.branch else None
    filters = selectors.TalkFilters(
        branch=branch,
        date_from=query.date_from,
        date_to=query.date_to,
        method=query.method or "",
    )
    qs = selectors.talk_list(user=user, filters=filters)
    if query.member:  # within the talks the user knows of: an outsider's id finds nothing
        qs = qs.filter(member_id=query.member)
    count = qs.count()
    page = list(qs[paging.offset : paging.offset + paging.limit])
    return {
        "count": count,
        "limit": paging.limit,
        "offset": paging.offset,
        "items": [_talk(t) for t in page],
    }


@router.get(
    "/{int:talk_id}",
    response={200: TalkOut, 401: ErrorOut, 404: ErrorOut},
    summary="谈心谈话详情",
)
def talk_detail(request: HttpRequest, talk_id: int) -> Any:
    return _talk(get_talk_for_user(request.auth, talk_id))  # type: ignore[attr-defined]


@router.post(
    "",
    response={
        201: TalkOut,
        200: TalkOut,
        400: ValidationErrorOut | ErrorOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
    },
    summary="记录谈心谈话",
    description="须有谈话对象所在党支部的记录权限。带 client_token 重复提交时只记录一次"
    "（返回 200 和第一次的记录）。",
)
def talk_record(request: HttpRequest, payload: TalkIn) -> Any:
    user = request.auth  # type: ignore[attr-defined]
    require_anywhere(user, Perm.TALK_RECORD)
    member = members_to_talk_with(user).select_related("branch").filter(pk=payload.member).first()
    if member is None:
        raise Http404
    talker_id = payload.talker or own_member_id(user)
    if talker_id is None:
        raise HttpError(400, "请指定谈话人（talker）。")
    talker = talkers_for(user).filter(pk=talker_id).first()
    if talker is None:
        raise HttpError(400, "谈话人须是你本人或你管辖范围内的党员。")
    data = payload.dict(exclude={"member", "talker", "client_token"})
    with transaction.atomic():
        claim = None
        if payload.client_token is not None:
            try:
                with transaction.atomic():
                    claim = SubmitToken.objects.create(token=payload.client_token, user=user)
            except IntegrityError:
                earlier = SubmitToken.objects.filter(token=payload.client_token, user=user).first()
                if earlier is None or not earlier.result_url.startswith("talk:"):
                    raise HttpError(400, "client_token 已被其他提交使用。") from None
                return Status(200, _talk(get_talk_for_user(user, earlier.result_url[5:])))
        try:
            talk = services.talk_record(actor=user, member=member, talker=talker, **data)
        except DjangoValidationError as e:
            raise HttpError(400, "；".join(e.messages)) from e
        if claim is not None:
            claim.result_url = f"talk:{talk.pk}"
            claim.save(update_fields=["result_url"])
    return Status(201, _talk(get_talk_for_user(user, talk.pk)))


class CountsOut(Schema):
    id: int
    name: str
    members: int
    due: int
    away_due: int = Field(description="其中滞留外地或隔离")
    rate: float = Field(description="覆盖率（%）")


class CoverageOut(Schema):
    days: int
    cutoff: dt.date
    members: int
    due: int
    away_due: int
    follow_ups_due: int
    units: list[CountsOut]
    branches: list[CountsOut]


class CoverageQuery(Schema):
    days: int = Field(selectors.DEFAULT_DAYS, ge=1, le=selectors.MAX_DAYS)
    org: int | None = Field(None, ge=1, le=MAX_ID)


def _counts(row: selectors.CoverageRow) -> dict[str, Any]:
    c = row.counts
    return {
        "id": row.org_id,
        "name": row.name,
        "members": c.members,
        "due": c.due,
        "away_due": c.away_due,
        "rate": c.rate,
    }


@router.get(
    "/coverage",
    response={200: CoverageOut, 400: ValidationErrorOut, 401: ErrorOut, 403: ErrorOut},
    summary="谈心谈话覆盖",
    description="近 days 天内没有谈话的党员人数（其中滞留外地或隔离），按单位和党支部统计。",
)
def talk_coverage(request: HttpRequest, query: Query[CoverageQuery]) -> Any:
    user = request.auth  # type: ignore[attr-defined]
    require_anywhere(user, Perm.TALK_VIEW)
    org = get_org_for_user(user, query.org, Perm.TALK_VIEW) if query.org else None
    cov = selectors.coverage(user=user, days=query.days, org=org)
    return {
        "days": cov.days,
        "cutoff": cov.cutoff,
        "members": cov.total.members,
        "due": cov.total.due,
        "away_due": cov.total.away_due,
        "follow_ups_due": cov.follow_ups_due,
        "units": [_counts(r) for r in cov.units],
        "branches": [_counts(r) for r in cov.branches],
    }
