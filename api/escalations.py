"""情况报告 and 请示 endpoints: list what the user sees (or their desk), one in full, and
acknowledge (已阅) — over the same scope and services as the pages."""

import datetime as dt
from typing import Any, Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from api.schemas import ErrorOut, Paging, ValidationErrorOut
from escalations import selectors, services
from escalations.models import Escalation, EscalationKind, EscalationState, Urgency
from escalations.scope import get_escalation_for_user

router = Router(tags=["情况报告与请示"])


class EscalationOut(Schema):
    id: int
    kind: str
    kind_label: str
    category: str
    urgency: str
    urgency_label: str
    title: str
    body: str
    from_org: str
    reporter: str
    to_org: str
    current_org: str
    level: int = Field(description="超时上报的次数；确认时带上它，以免与上报同时发生")
    state: str
    state_label: str
    due_at: dt.datetime | None = Field(description="当前一级的确认时限")
    created_at: dt.datetime
    acknowledged_at: dt.datetime | None
    handled_at: dt.datetime | None
    temperature: float | None


class EscalationPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[EscalationOut]


class EscalationQuery(Schema):
    view: Literal["desk", "mine", "all"] = Field(
        "all", description="desk：待我确认；mine：我提交的；all：全部可见"
    )
    kind: EscalationKind | None = None
    state: EscalationState | None = None
    urgency: Urgency | None = None


class AcknowledgeIn(Schema):
    level: int | None = Field(
        None, ge=0, le=100, description="看到时的上报次数；若其间已上报至上一级，确认将被拒绝"
    )


def _out(e: Escalation) -> dict[str, Any]:
    return {
        "id": e.pk,
        "kind": e.kind,
        "kind_label": e.get_kind_display(),  # type: ignore[attr-defined]
        "category": e.category,
        "urgency": e.urgency,
        "urgency_label": e.get_urgency_display(),  # type: ignore[attr-defined]
        "title": e.title,
        "body": e.body,
        "from_org": e.from_org.name,
        "reporter": e.reporter_label,
        "to_org": e.to_org.name,
        "current_org": e.current_org.name,
        "level": e.level,
        "state": e.state,
        "state_label": e.state_label,
        "due_at": e.due_at if e.is_open else None,
        "created_at": e.created_at,
        "acknowledged_at": e.acknowledged_at,
        "handled_at": e.handled_at,
        "temperature": float(e.temperature) if e.temperature is not None else None,
    }


@router.get(
    "",
    response={200: EscalationPage, 400: ValidationErrorOut, 401: ErrorOut},
    summary="情况报告与请示列表",
    description="您能看到的情况报告与请示；view=desk 为待您所在党组织确认或批复的。",
)
def escalation_list(
    request: HttpRequest, query: Query[EscalationQuery], paging: Query[Paging]
) -> Any:
    user = request.auth  # type: ignore[attr-defined]
    filters = selectors.Filters(
        view=query.view,
        kind=query.kind or "",
        state=query.state or "",
        urgency=query.urgency or "",
    )
    qs = selectors.escalation_list(user=user, filters=filters).select_related("to_org")
    count = qs.count()
    page = list(qs[paging.offset : paging.offset + paging.limit])
    return {
        "count": count,
        "limit": paging.limit,
        "offset": paging.offset,
        "items": [_out(e) for e in page],
    }


@router.get(
    "/{int:escalation_id}",
    response={200: EscalationOut, 401: ErrorOut, 404: ErrorOut},
    summary="情况报告或请示详情",
)
def escalation_detail(request: HttpRequest, escalation_id: int) -> Any:
    return _out(get_escalation_for_user(request.auth, escalation_id))  # type: ignore[attr-defined]


@router.post(
    "/{int:escalation_id}/acknowledge",
    response={
        200: EscalationOut,
        400: ValidationErrorOut | ErrorOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
    },
    summary="确认已阅",
    description="停止向上级上报。须有报送单位的处理权限；重复确认、或其间已上报至上一级时返回 409。"
    "请示须以批复答复，不能仅确认已阅。",
)
def escalation_acknowledge(request: HttpRequest, escalation_id: int, payload: AcknowledgeIn) -> Any:
    user = request.auth  # type: ignore[attr-defined]
    escalation = get_escalation_for_user(user, escalation_id, write=True)
    if not services.may_act(user, escalation):
        raise HttpError(403, "您没有确认该报告的权限。")
    if escalation.is_request:
        raise HttpError(400, "请示须以批复答复，请在网页上填写批复意见。")
    try:
        done = services.escalation_acknowledge(
            actor=user, escalation=escalation, level=payload.level
        )
    except DjangoValidationError as e:
        raise HttpError(409, "；".join(e.messages)) from e
    return _out(get_escalation_for_user(user, done.pk))
