"""活动与报送 endpoints over campaigns.selectors, campaigns.services and campaigns.scope.

Reads are scoped exactly as on the pages (another unit's submission, or anyone's draft but
one's own unit's, is a 404); lists are paginated and cost a fixed number of queries.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from access.scope import Perm
from api.schemas import ErrorOut, IdField, Paging, Ref, ValidationErrorOut
from campaigns import selectors, services
from campaigns.models import Deliverable, Submission, SubmissionEvent, SubmissionState
from campaigns.scope import (
    campaigns_for_user,
    get_campaign_for_user,
    get_submission_for_user,
    sees_campaigns,
)

router = Router(tags=["活动与报送"])


class DeliverableOut(Schema):
    id: int
    campaign_id: int
    kind: str
    kind_label: str
    name: str
    description: str
    deadline: dt.datetime
    submitting_level: str
    quota: int | None = Field(description="每单位限报数量；null 为不限")
    material_types: list[str]
    subkinds: list[str]
    topics: list[str]
    late_policy: str
    requires_summary: bool


class CampaignOut(Schema):
    id: int
    uuid: str
    name: str
    year: int
    description: str
    org: Ref


class CampaignDetailOut(CampaignOut):
    deliverables: list[DeliverableOut]


class CampaignPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[CampaignOut]


class AuthorOut(Schema):
    name: str
    member_id: int | None


class FileOut(Schema):
    id: int
    original_name: str
    material_type: str
    size: int
    sha256: str
    is_subtitle: bool
    warnings: list[str]


class SubmissionOut(Schema):
    id: int
    uuid: str
    deliverable_id: int
    deliverable_name: str
    campaign_id: int
    org: Ref
    title: str
    summary: str
    topic: str
    subkind: str
    tags: list[str]
    state: str
    state_label: str
    is_late: bool
    submitted_at: dt.datetime | None
    score: Decimal | None
    recommended_to: str
    authors: list[AuthorOut]


class SubmissionDetailOut(SubmissionOut):
    files: list[FileOut]


class SubmissionPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[SubmissionOut]


class EventOut(Schema):
    id: int
    at: dt.datetime
    actor: str | None
    from_state: str
    to_state: str
    comment: str
    score: Decimal | None


class SubmissionQuery(Schema):
    q: str = Field("", description="标题、简介或作者")
    campaign: int | None = IdField("活动 id")
    deliverable: int | None = IdField("任务项 id")
    state: SubmissionState | None = None
    unit: int | None = IdField("单位（二级党委）id")
    late: bool = False


class TransitionIn(Schema):
    to_state: SubmissionState
    comment: str = ""
    recommended_to: str = ""


def _user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


def _deliverable(d: Deliverable) -> dict[str, Any]:
    return {
        "id": d.pk,
        "campaign_id": d.campaign_id,
        "kind": d.kind,
        "kind_label": d.get_kind_display(),
        "name": d.name,
        "description": d.description,
        "deadline": d.deadline,
        "submitting_level": d.submitting_level,
        "quota": d.quota,
        "material_types": d.material_types,
        "subkinds": d.subkinds,
        "topics": d.topics,
        "late_policy": d.late_policy,
        "requires_summary": d.requires_summary,
    }


def _campaign(c: Any) -> dict[str, Any]:
    return {
        "id": c.pk,
        "uuid": str(c.uuid),
        "name": c.name,
        "year": c.year,
        "description": c.description,
        "org": {"id": c.org_id, "name": c.org.name},
    }


def _submission(s: Submission) -> dict[str, Any]:
    return {
        "id": s.pk,
        "uuid": str(s.uuid),
        "deliverable_id": s.deliverable_id,
        "deliverable_name": s.deliverable.name,
        "campaign_id": s.deliverable.campaign_id,
        "org": {"id": s.org_id, "name": s.org.name},
        "title": s.title,
        "summary": s.summary,
        "topic": s.topic,
        "subkind": s.subkind,
        "tags": s.tags,
        "state": s.state,
        "state_label": s.get_state_display(),
        "is_late": s.is_late,
        "submitted_at": s.submitted_at,
        "score": s.score,
        "recommended_to": s.recommended_to,
        "authors": [{"name": a.name, "member_id": a.member_id} for a in s.authors.all()],
    }


def _require(user: Any) -> None:
    if not sees_campaigns(user):
        raise HttpError(403, "您没有执行此操作的权限。")


@router.get(
    "",
    response={200: CampaignPage, 401: ErrorOut, 403: ErrorOut},
    summary="活动列表",
)
def campaign_list(request: HttpRequest, paging: Query[Paging]) -> dict[str, Any]:
    user = _user(request)
    _require(user)
    qs = campaigns_for_user(user)
    return {
        "count": qs.count(),
        "limit": paging.limit,
        "offset": paging.offset,
        "items": [_campaign(c) for c in qs[paging.offset : paging.offset + paging.limit]],
    }


@router.get(
    "/submissions",
    response={200: SubmissionPage, 400: ValidationErrorOut, 401: ErrorOut, 403: ErrorOut},
    summary="报送列表",
    description="您权限范围内的报送：本单位的（含草稿），组织部与评审人看到各单位已报送的。",
)
def submission_list(
    request: HttpRequest, query: Query[SubmissionQuery], paging: Query[Paging]
) -> dict[str, Any]:
    user = _user(request)
    filters = selectors.SubmissionFilters(
        q=query.q.strip(),
        campaign=query.campaign,
        deliverable=query.deliverable,
        state=query.state or "",
        unit=query.unit,
        late=query.late,
    )
    qs = selectors.submission_list(user=user, filters=filters)
    page = list(qs[paging.offset : paging.offset + paging.limit])
    return {
        "count": qs.count(),
        "limit": paging.limit,
        "offset": paging.offset,
        "items": [_submission(s) for s in page],
    }


@router.get(
    "/submissions/{int:submission_id}",
    response={200: SubmissionDetailOut, 401: ErrorOut, 404: ErrorOut},
    summary="报送详情",
)
def submission_detail(request: HttpRequest, submission_id: int) -> dict[str, Any]:
    s = get_submission_for_user(_user(request), submission_id)
    files = [
        {
            "id": f.pk,
            "original_name": f.original_name,
            "material_type": f.material_type,
            "size": f.size,
            "sha256": f.sha256,
            "is_subtitle": f.is_subtitle,
            "warnings": f.warnings,
        }
        for f in s.files.all()
    ]
    return {**_submission(s), "files": files}


@router.get(
    "/submissions/{int:submission_id}/events",
    response={200: list[EventOut], 401: ErrorOut, 404: ErrorOut},
    summary="报送的处理与评审记录",
)
def submission_events(request: HttpRequest, submission_id: int) -> list[dict[str, Any]]:
    s = get_submission_for_user(_user(request), submission_id)
    events: list[SubmissionEvent] = list(s.events.select_related("actor"))
    return [
        {
            "id": e.pk,
            "at": e.at,
            "actor": (e.actor.get_full_name() or e.actor.username) if e.actor else None,
            "from_state": e.from_state,
            "to_state": e.to_state,
            "comment": e.comment,
            "score": e.score,
        }
        for e in events
    ]


@router.post(
    "/submissions/{int:submission_id}/transition",
    response={200: SubmissionOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="改变报送状态",
    description=(
        "报送、撤回、重新编辑须有本单位报送权限；入围、择优、推荐、发布、退回须有评审权限。"
        "只允许状态表中的变化；退回须说明理由。"
    ),
)
def submission_transition(
    request: HttpRequest, submission_id: int, payload: TransitionIn
) -> dict[str, Any]:
    user = _user(request)
    unit_side = payload.to_state in (
        SubmissionState.SUBMITTED,
        SubmissionState.WITHDRAWN,
        SubmissionState.DRAFT,
    )
    perm = Perm.SUBMISSION_EDIT if unit_side else Perm.SUBMISSION_REVIEW
    s = get_submission_for_user(user, submission_id, perm)
    try:
        services.submission_transition(
            submission=s,
            to_state=payload.to_state,
            actor=user,
            comment=payload.comment,
            recommended_to=payload.recommended_to,
        )
    except DjangoValidationError as e:
        raise HttpError(400, "；".join(e.messages)) from e
    return _submission(
        Submission.objects.select_related("org", "deliverable")
        .prefetch_related("authors")
        .get(pk=s.pk)
    )


@router.get(
    "/{int:campaign_id}",
    response={200: CampaignDetailOut, 401: ErrorOut, 404: ErrorOut},
    summary="活动详情（含任务项）",
)
def campaign_detail(request: HttpRequest, campaign_id: int) -> dict[str, Any]:
    c = get_campaign_for_user(_user(request), campaign_id)
    return {**_campaign(c), "deliverables": [_deliverable(d) for d in c.deliverables.all()]}


@router.get(
    "/{int:campaign_id}/deliverables",
    response={200: list[DeliverableOut], 401: ErrorOut, 404: ErrorOut},
    summary="活动的任务项",
)
def deliverable_list(request: HttpRequest, campaign_id: int) -> list[dict[str, Any]]:
    c = get_campaign_for_user(_user(request), campaign_id)
    return [_deliverable(d) for d in c.deliverables.all()]
