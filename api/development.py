"""发展党员 endpoints (read): the files the user sees, with their steps, and who is due this
month, over development.selectors and development.scope: the same scope as the pages."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema

from access.scope import Perm, require_anywhere
from api.schemas import ErrorOut, Paging, ValidationErrorOut
from development import selectors
from development.models import Candidate, DevelopmentStage
from development.scope import get_candidate_for_user

router = Router(tags=["发展党员"])


class CandidateQuery(Schema):
    stage: DevelopmentStage | None = None


class CandidateOut(Schema):
    id: int
    member_id: int
    number: str
    name: str
    branch: str
    stage: str
    stage_label: str
    applied_on: dt.date
    activist_on: dt.date | None
    target_on: dt.date | None
    probationary_on: dt.date | None
    full_on: dt.date | None


class StepOut(Schema):
    stage: str
    stage_label: str
    on: dt.date
    resolution_meeting_id: int | None
    approved_on: dt.date | None
    note: str


class CandidateDetailOut(CandidateOut):
    steps: list[StepOut]


class CandidatePage(Schema):
    count: int
    limit: int
    offset: int
    items: list[CandidateOut]


class DueOut(Schema):
    candidate: CandidateOut
    to_stage: str
    eligible_on: dt.date
    latest_on: dt.date | None


def _candidate(c: Candidate) -> dict[str, Any]:
    m = c.member
    return {
        "id": c.pk,
        "member_id": m.pk,
        "number": m.number,
        "name": m.name,
        "branch": m.branch.name,
        "stage": c.stage,
        "stage_label": c.get_stage_display(),
        "applied_on": c.applied_on,
        "activist_on": c.activist_on,
        "target_on": c.target_on,
        "probationary_on": c.probationary_on,
        "full_on": c.full_on,
    }


@router.get(
    "",
    response={200: CandidatePage, 400: ValidationErrorOut, 401: ErrorOut, 403: ErrorOut},
    summary="发展档案列表",
)
def candidate_list(
    request: HttpRequest, query: Query[CandidateQuery], paging: Query[Paging]
) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    require_anywhere(user, Perm.DEVELOPMENT_VIEW)
    qs = selectors.candidate_list(user=user, stage=query.stage or "")
    page = list(qs[paging.offset : paging.offset + paging.limit])
    return {
        "count": qs.count(),
        "limit": paging.limit,
        "offset": paging.offset,
        "items": [_candidate(c) for c in page],
    }


@router.get(
    "/due",
    response={200: list[DueOut], 401: ErrorOut, 403: ErrorOut},
    summary="本月可进入下一阶段的人员",
)
def candidate_due(request: HttpRequest) -> list[dict[str, Any]]:
    user = request.auth  # type: ignore[attr-defined]
    require_anywhere(user, Perm.DEVELOPMENT_VIEW)
    return [
        {
            "candidate": _candidate(d.candidate),
            "to_stage": d.to_stage,
            "eligible_on": d.eligible_on,
            "latest_on": d.overdue_on,
        }
        for d in selectors.due_list(user=user)
    ]


@router.get(
    "/{int:candidate_id}",
    response={200: CandidateDetailOut, 401: ErrorOut, 404: ErrorOut},
    summary="发展档案详情（含各阶段记录）",
)
def candidate_detail(request: HttpRequest, candidate_id: int) -> dict[str, Any]:
    c = get_candidate_for_user(request.auth, candidate_id)  # type: ignore[attr-defined]
    return {
        **_candidate(c),
        "steps": [
            {
                "stage": s.stage,
                "stage_label": s.get_stage_display(),
                "on": s.on,
                "resolution_meeting_id": s.resolution_id,
                "approved_on": s.approved_on,
                "note": s.note,
            }
            for s in c.steps.all()
        ],
    }
