"""Reads of the care funds, always scoped by the acting user (carefund.scope), each page a
fixed number of queries."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth

from access.scope import Perm, members_for_user
from carefund.models import CareEntry, CareFund, CarePayment, EntryKind, PaymentState, Purpose
from carefund.scope import funds_for_user
from carefund.services import Recipient
from members.models import Category
from orgs.models import Campus, Org

ZERO = Decimal("0")


def fund_list(*, user: Any) -> QuerySet[CareFund]:
    """The user's funds with income and spending so far and the payouts awaiting approval."""
    return (
        funds_for_user(user)
        .select_related("org")
        .annotate(
            income=Sum("entries__amount", filter=Q(entries__kind=EntryKind.INCOME)),
            pending=Count(
                "payments",
                filter=Q(payments__state=PaymentState.PENDING),
                distinct=True,
            ),
        )
        .order_by("org__path", "name")
    )


def entry_list(*, fund: CareFund) -> QuerySet[CareEntry]:
    return fund.entries.select_related(
        "campus", "payment", "recorded_by", "reverses", "reversed_by"
    ).order_by("-id")


def payment_list(*, fund: CareFund) -> QuerySet[CarePayment]:
    return fund.payments.select_related("campus", "requested_by", "decided_by").order_by(
        "-requested_at", "-id"
    )


def pending_payments(*, user: Any) -> QuerySet[CarePayment]:
    """Payouts the user may approve that wait for it."""
    return CarePayment.objects.filter(
        fund__in=funds_for_user(user, Perm.CARE_APPROVE), state=PaymentState.PENDING
    )


@dataclass
class SpendRow:
    label: str
    amount: Decimal
    count: int


@dataclass
class Summary:
    income: Decimal
    spent: Decimal
    balance: Decimal
    by_campus: list[SpendRow]
    by_purpose: list[SpendRow]
    by_month: list[SpendRow]


def _rows(entries: QuerySet[CareEntry], key: str, labels: dict[Any, str]) -> list[SpendRow]:
    rows = []
    for row in entries.values(key).annotate(s=Sum("amount"), n=Count("payment", distinct=True)):
        amount = -(row["s"] or ZERO)
        if amount == 0 and not row["n"]:
            continue
        rows.append(SpendRow(labels.get(row[key], "未注明"), amount, row["n"]))
    return sorted(rows, key=lambda r: r.label)


def summary(*, user: Any, fund: CareFund | None = None) -> Summary:
    """Money in, money paid out (net of reversals) by campus, purpose and month, over the
    user's funds or one of them: five queries whatever the size of the ledger."""
    funds = funds_for_user(user)
    if fund is not None:
        funds = funds.filter(pk=fund.pk)
    entries = CareEntry.objects.filter(fund__in=funds)
    totals = entries.aggregate(
        income=Sum("amount", filter=Q(payment__isnull=True)),
        spent=Sum("amount", filter=Q(payment__isnull=False)),
    )
    balance = funds.aggregate(b=Sum("balance"))["b"] or ZERO
    spending = entries.filter(payment__isnull=False)
    campuses = {c.pk: c.name for c in Campus.objects.all()}
    months = [
        SpendRow(row["m"].strftime("%Y年%m月"), -(row["s"] or ZERO), row["n"])
        for row in spending.annotate(m=TruncMonth("occurred_on"))
        .values("m")
        .annotate(s=Sum("amount"), n=Count("payment", distinct=True))
        .order_by("m")
        if row["m"] is not None
    ]
    return Summary(
        income=totals["income"] or ZERO,
        spent=-(totals["spent"] or ZERO),
        balance=balance,
        by_campus=_rows(spending, "campus", campuses),
        by_purpose=_rows(spending, "purpose", dict(Purpose.choices)),
        by_month=months,
    )


def group_recipients(
    *,
    user: Any,
    org: Org,
    per_head: Decimal,
    category: str = "",
    campus: Campus | None = None,
) -> tuple[list[Recipient], str]:
    """Everyone on the roll in `org`'s subtree the user sees (of a category and campus, if
    given), each `per_head`; and the group's description."""
    people = members_for_user(user).filter(branch__path__startswith=org.path)
    label = org.name
    if category:
        people = people.filter(category=category)
        label += f"全体{dict(Category.choices).get(category, '')}"
    if campus is not None:
        people = people.filter(campus=campus)
        label += f"（{campus.name}）"
    rows = people.order_by("number").values_list("pk", "number", "name")
    return [
        Recipient(name=n, amount=per_head, number=num, member_id=pk) for pk, num, n in rows
    ], label
