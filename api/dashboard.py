"""数据看板 (read): an org's figures and its children's, each with the link to its list — the
same selectors and scope as the page (dashboard.selectors, dashboard.scope)."""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from api.schemas import ErrorOut
from dashboard import selectors
from dashboard.scope import default_org_id, get_dashboard_org_for_user

router = Router(tags=["数据看板"])


class RangeQuery(Schema):
    range: str = Field("", description="today / week / month / all（默认 month）")
    date_from: str = Field("", description="开始日期 2026-03-01（与 date_to 一起代替 range）")
    date_to: str = Field("", description="结束日期")


class OrgRef(Schema):
    id: int
    name: str
    kind: str
    dashboard_url: str


class ChildCount(Schema):
    org_id: int
    n: int
    url: str = Field(description="该下级组织的对应名单")
    of: int | None = Field(None, description="该数所占的总数（如党支部数、党员数）")


class TileOut(Schema):
    key: str
    label: str
    unit: str
    dated: bool = Field(description="是否按日期范围统计")
    total: int
    url: str = Field(description="这个数字背后的名单（网页）")
    note: str
    own: int = Field(description="本级（不属于任何下级组织）的数")
    children: list[ChildCount]
    of: int | None = Field(
        None, description="该数所占的总数（会议达标：党支部数；谈话覆盖：党员数）"
    )
    text: str = Field("", description="数字的显示形式（如覆盖率百分比）")


class RangeOut(Schema):
    preset: str
    date_from: dt.date | None
    date_to: dt.date | None


class DashboardOut(Schema):
    org: OrgRef
    range: RangeOut
    tiles: list[TileOut]
    children: list[OrgRef]


def _org(org: Any) -> dict[str, Any]:
    return {
        "id": org.pk,
        "name": org.name,
        "kind": org.kind,
        "dashboard_url": reverse("dashboard_org", args=[org.pk]),
    }


def _board(user: Any, org_id: int, query: RangeQuery) -> dict[str, Any]:
    org = get_dashboard_org_for_user(user, org_id)
    today = timezone.localdate()
    board = selectors.dashboard(
        user=user,
        org=org,
        day_range=selectors.day_range(query.dict(), today),
        today=today,
    )
    return {
        "org": _org(org),
        "range": {
            "preset": board.range.preset,
            "date_from": board.range.date_from,
            "date_to": board.range.date_to,
        },
        "tiles": [
            {
                "key": t.kind.key,
                "label": t.kind.label,
                "unit": t.kind.unit,
                "dated": t.kind.dated,
                "total": t.total,
                "url": t.url,
                "note": t.note,
                "own": t.own,
                "of": t.of,
                "text": t.text,
                "children": [
                    {"org_id": pk, "n": cell.n, "url": cell.url, "of": cell.of}
                    for pk, cell in t.by_child.items()
                ],
            }
            for t in board.tiles
        ],
        "children": [_org(c) for c in board.children],
    }


@router.get(
    "",
    response={200: DashboardOut, 401: ErrorOut, 403: ErrorOut},
    summary="我的数据看板",
    description="您管辖范围最大的党组织的看板。",
)
def dashboard_mine(request: HttpRequest, query: Query[RangeQuery]) -> Any:
    user = request.auth  # type: ignore[attr-defined]
    org_id = default_org_id(user)
    if org_id is None:
        raise PermissionDenied
    return _board(user, org_id, query)


@router.get(
    "/{int:org_id}",
    response={200: DashboardOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="党组织的数据看板",
    description="各项指标与下级组织的数字，每个数字附对应名单的链接。",
)
def dashboard_org(request: HttpRequest, org_id: int, query: Query[RangeQuery]) -> Any:
    return _board(request.auth, org_id, query)  # type: ignore[attr-defined]
