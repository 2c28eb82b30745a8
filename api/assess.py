"""Read endpoints of 组织关爱, 表彰评比, 干部纪实台账 and 岗位评分 — over the same scope and
selectors as the pages (a fund, round, cadre or member out of scope is a 404)."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Router, Schema

from access.scope import Perm, require_anywhere
from api.schemas import ErrorOut
from assessment import selectors as assessment_selectors
from assessment.scope import get_participant_for_user
from carefund import selectors as care_selectors
from carefund.scope import get_fund_for_user
from honours import selectors as honour_selectors
from honours.models import CommendationRound
from honours.scope import get_round_for_user, may_see_rounds, nominations_for_user
from ledger import selectors as ledger_selectors
from ledger.scope import get_cadre_for_user

care_router = Router(tags=["组织关爱"])
honours_router = Router(tags=["表彰评比"])
ledger_router = Router(tags=["干部纪实台账"])
ratings_router = Router(tags=["岗位评分"])
READ = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


class FundOut(Schema):
    id: int
    name: str
    source: str
    org: str
    balance: Decimal
    income: Decimal
    pending_payments: int


class EntryOut(Schema):
    id: int
    occurred_on: dt.date
    kind: str
    kind_label: str
    summary: str
    amount: Decimal
    balance_after: Decimal
    reverses: int | None


@care_router.get("/funds", response={200: list[FundOut], **READ}, summary="关爱资金账户")
def fund_list(request: HttpRequest) -> Any:
    user = request.auth  # type: ignore[attr-defined]
    require_anywhere(user, Perm.CARE_VIEW)
    return [
        {
            "id": f.pk,
            "name": f.name,
            "source": f.source,
            "org": f.org.name,
            "balance": f.balance,
            "income": f.income or Decimal("0"),  # type: ignore[attr-defined]
            "pending_payments": f.pending,  # type: ignore[attr-defined]
        }
        for f in care_selectors.fund_list(user=user)
    ]


@care_router.get(
    "/funds/{fund_id}/entries", response={200: list[EntryOut], **READ}, summary="账户流水"
)
def fund_entries(request: HttpRequest, fund_id: int) -> Any:
    fund = get_fund_for_user(request.auth, fund_id)  # type: ignore[attr-defined]
    return [
        {
            "id": e.pk,
            "occurred_on": e.occurred_on,
            "kind": e.kind,
            "kind_label": e.get_kind_display(),
            "summary": e.summary,
            "amount": e.amount,
            "balance_after": e.balance_after,
            "reverses": e.reverses_id,
        }
        for e in care_selectors.entry_list(fund=fund)[:1000]
    ]


class RoundOut(Schema):
    id: int
    year: int
    kind: str
    title: str
    nominate_from: dt.date
    nominate_until: dt.date
    review_until: dt.date
    publicity_from: dt.date | None
    publicity_until: dt.date | None
    finalised: bool


class NominationOut(Schema):
    id: int
    nominee: str
    unit: str
    state: str
    state_label: str
    reason: str
    certificate_no: str


def _round(r: CommendationRound) -> dict[str, Any]:
    return {
        "id": r.pk,
        "year": r.year,
        "kind": r.kind,
        "title": r.title,
        "nominate_from": r.nominate_from,
        "nominate_until": r.nominate_until,
        "review_until": r.review_until,
        "publicity_from": r.publicity_from,
        "publicity_until": r.publicity_until,
        "finalised": r.finalised_at is not None,
    }


@honours_router.get("/rounds", response={200: list[RoundOut], **READ}, summary="表彰评比")
def round_list(request: HttpRequest) -> Any:
    if not may_see_rounds(request.auth):  # type: ignore[attr-defined]
        raise PermissionDenied
    return [_round(r) for r in CommendationRound.objects.all()[:200]]


@honours_router.get(
    "/rounds/{round_id}/nominations",
    response={200: list[NominationOut], **READ},
    summary="推荐与表彰",
    description="本单位的推荐；公示开始后，公示名单对所有人可见。",
)
def round_nominations(request: HttpRequest, round_id: int) -> Any:
    user = request.auth  # type: ignore[attr-defined]
    item = get_round_for_user(user, round_id)
    rows = honour_selectors.nomination_list(
        nominations=nominations_for_user(user).filter(round=item)
    )
    return [
        {
            "id": n.pk,
            "nominee": n.nominee_name,
            "unit": n.unit.name,
            "state": n.state,
            "state_label": n.get_state_display(),
            "reason": n.reason,
            "certificate_no": n.certificate_no,
        }
        for n in rows
    ]


class RecordOut(Schema):
    id: int
    kind: str
    kind_label: str
    accountability: str
    occurred_from: dt.date
    occurred_until: dt.date
    text: str
    sources: list[str]


@ledger_router.get(
    "/cadres/{member_id}/records",
    response={200: list[RecordOut], **READ},
    summary="干部纪实",
    description="仅组织部和干部所在单位可见。",
)
def cadre_records(request: HttpRequest, member_id: int) -> Any:
    member = get_cadre_for_user(request.auth, member_id)  # type: ignore[attr-defined]
    return [
        {
            "id": r.pk,
            "kind": r.kind,
            "kind_label": r.get_kind_display(),
            "accountability": r.get_accountability_display() if r.accountability else "",
            "occurred_from": r.occurred_from,
            "occurred_until": r.occurred_until,
            "text": r.text,
            "sources": [s.label for s in r.sources.all()],
        }
        for r in ledger_selectors.record_list(member=member)
    ]


class RatingOut(Schema):
    phase: str
    score: int
    comment: str
    rated_at: dt.datetime


class DutyRecordOut(Schema):
    shifts: int
    punctual: int
    logs: int
    average_score: float | None
    ratings: list[RatingOut]


@ratings_router.get(
    "/members/{member_id}", response={200: DutyRecordOut, **READ}, summary="先锋岗记录与评分"
)
def member_ratings(request: HttpRequest, member_id: int) -> Any:
    member = get_participant_for_user(request.auth, member_id)  # type: ignore[attr-defined]
    record = assessment_selectors.duty_record(member=member)
    return {
        "shifts": len(record.checks),
        "punctual": record.punctual,
        "logs": record.logs,
        "average_score": record.average,
        "ratings": [
            {"phase": r.phase.name, "score": r.score, "comment": r.comment, "rated_at": r.rated_at}
            for r in record.ratings
        ],
    }
