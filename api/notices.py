"""通知 endpoints: the user's own notices and marking them read, over notices' scope and
services (the same as the notice centre)."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from api.schemas import ErrorOut, Paging, ValidationErrorOut
from notices import services
from notices.models import Notice
from notices.scope import get_notice_for_user, notices_for_user
from notices.selectors import unread_first

router = Router(tags=["通知"])


class NoticeOut(Schema):
    id: int
    kind: str
    kind_label: str = Field(description="类别名称")
    title: str
    body: str
    url: str = Field(description="站内链接（可为空）")
    urgent: bool
    created_at: dt.datetime
    read_at: dt.datetime | None


class NoticePage(Schema):
    count: int
    unread: int
    limit: int
    offset: int
    items: list[NoticeOut]


class NoticeQuery(Schema):
    unread: bool | None = Field(None, description="true 只列未读，false 只列已读")
    kind: str | None = Field(None, max_length=60, description="类别代码")


class ReadOut(Schema):
    marked: int = Field(description="本次标为已读的条数")
    unread: int = Field(description="剩余未读条数")


def _notice(n: Notice) -> dict[str, Any]:
    return {
        "id": n.pk,
        "kind": n.kind,
        "kind_label": n.kind_label,
        "title": n.title,
        "body": n.body,
        "url": n.url,
        "urgent": n.urgent,
        "created_at": n.created_at,
        "read_at": n.read_at,
    }


@router.get(
    "",
    response={200: NoticePage, 400: ValidationErrorOut, 401: ErrorOut},
    summary="我的通知",
    description="只含发给您本人的通知，未读在前。",
)
def notice_list(request: HttpRequest, query: Query[NoticeQuery], paging: Query[Paging]) -> Any:
    user = request.auth  # type: ignore[attr-defined]
    qs = notices_for_user(user)
    if query.unread is not None:
        qs = qs.filter(read_at__isnull=query.unread)
    if query.kind:
        qs = qs.filter(kind=query.kind)
    qs = unread_first(qs)
    page = list(qs[paging.offset : paging.offset + paging.limit])
    return {
        "count": qs.count(),
        "unread": services.unread_count(user.pk),
        "limit": paging.limit,
        "offset": paging.offset,
        "items": [_notice(n) for n in page],
    }


@router.post(
    "/{int:notice_id}/read",
    response={200: ReadOut, 401: ErrorOut, 404: ErrorOut},
    summary="标为已读",
)
def notice_read(request: HttpRequest, notice_id: int) -> Any:
    user = request.auth  # type: ignore[attr-defined]
    notice = get_notice_for_user(user, notice_id)
    marked = services.mark_read(user_id=user.pk, notice_ids=[notice.pk])
    return {"marked": marked, "unread": services.unread_count(user.pk)}


@router.post(
    "/read-all",
    response={200: ReadOut, 401: ErrorOut},
    summary="全部标为已读",
)
def notice_read_all(request: HttpRequest) -> Any:
    user = request.auth  # type: ignore[attr-defined]
    marked = services.mark_read(user_id=user.pk)
    return {"marked": marked, "unread": 0}
