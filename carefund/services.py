"""Every write of the care funds: keyword-only, atomic, each writes its audit row.

Money moves only through `_post`: one UPDATE of the fund's balance row (`balance + amount`)
under the CHECK constraint `balance >= 0`, then the ledger line with the balance it left. Two
payouts that race queue on the row's lock; the one the balance no longer covers fails in the
database and is refused in Chinese, nothing of it written (ADR 0019)."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from access.scope import Perm, can
from audit.services import audit_record
from carefund.models import (
    CareEntry,
    CareFund,
    CarePayment,
    CareRecipient,
    EntryKind,
    PaymentMode,
    PaymentState,
    Purpose,
)
from orgs.models import Campus, Org

CENT = Decimal("0.01")
# One payout or income above this is taken for a typo (a 10-million-yuan consolation).
LARGEST = Decimal("10000000")


@dataclass(frozen=True)
class Recipient:
    name: str
    amount: Decimal
    number: str = ""
    member_id: int | None = None


def yuan(value: Decimal) -> str:
    return f"{value:,.2f}"


def _check_amount(amount: Decimal, what: str) -> Decimal:
    if amount != amount.quantize(CENT):
        raise ValidationError(f"{what}最多保留两位小数（到分）。")
    if amount <= 0:
        raise ValidationError(f"{what}须大于 0。")
    if amount > LARGEST:
        raise ValidationError(f"{what}超过 1000 万元，请检查金额。")
    return amount


@transaction.atomic
def fund_create(*, actor: Any, org: Org, name: str, source: str, note: str = "") -> CareFund:
    if not can(actor, Perm.CARE_MANAGE, org):
        raise PermissionDenied
    name, source = name.strip(), source.strip()
    if not name or not source:
        raise ValidationError("请填写账户名称和资金来源。")
    if CareFund.objects.filter(org=org, name=name).exists():
        raise ValidationError(f"{org.name}已有名为“{name}”的账户。")
    fund = CareFund.objects.create(
        org=org, name=name, source=source, note=note.strip(), created_by=actor
    )
    audit_record(
        actor=actor,
        action="care.fund_create",
        target=fund,
        changes={"org": org.name, "source": source},
        label=f"关爱资金账户：{name}",
    )
    return fund


def _post(
    *,
    actor: Any,
    fund: CareFund,
    amount: Decimal,
    kind: str,
    occurred_on: dt.date,
    summary: str,
    purpose: str = "",
    campus: Campus | None = None,
    payment: CarePayment | None = None,
    reverses: CareEntry | None = None,
) -> CareEntry:
    """Move `amount` (signed) on the fund's balance and write the ledger line. Must run inside
    the caller's transaction; the balance row stays locked by the UPDATE until it commits."""
    try:
        with transaction.atomic():
            CareFund.objects.filter(pk=fund.pk).update(balance=F("balance") + amount)
    except IntegrityError as e:
        available = CareFund.objects.values_list("balance", flat=True).get(pk=fund.pk)
        raise ValidationError(
            f"余额不足：{fund.name}现有 {yuan(available)} 元，本笔需 {yuan(-amount)} 元。"
        ) from e
    balance = CareFund.objects.values_list("balance", flat=True).get(pk=fund.pk)
    fund.balance = balance
    return CareEntry.objects.create(
        fund=fund,
        kind=kind,
        amount=amount,
        balance_after=balance,
        occurred_on=occurred_on,
        summary=summary,
        purpose=purpose,
        campus=campus,
        payment=payment,
        reverses=reverses,
        recorded_by=actor,
    )


def _check_day(day: dt.date) -> None:
    today = timezone.localdate()
    if day > today:
        raise ValidationError("日期不能晚于今天。")
    if day < today - dt.timedelta(days=3660):
        raise ValidationError("日期早于十年前，请检查日期。")


@transaction.atomic
def fund_income(
    *,
    actor: Any,
    fund: CareFund,
    amount: Decimal,
    received_on: dt.date,
    summary: str,
    campus: Campus | None = None,
) -> CareEntry:
    if not can(actor, Perm.CARE_MANAGE, fund.org):
        raise PermissionDenied
    _check_amount(amount, "收入金额")
    _check_day(received_on)
    if not summary.strip():
        raise ValidationError("请填写摘要（如：党费拨付）。")
    entry = _post(
        actor=actor,
        fund=fund,
        amount=amount,
        kind=EntryKind.INCOME,
        occurred_on=received_on,
        summary=summary.strip(),
        campus=campus,
    )
    audit_record(
        actor=actor,
        action="care.income",
        target=entry,
        changes={"fund": fund.name, "amount": str(amount)},
        label=f"关爱资金收入：{fund.name} {yuan(amount)} 元",
    )
    return entry


@transaction.atomic
def payment_request(
    *,
    actor: Any,
    fund: CareFund,
    title: str,
    purpose: str,
    paid_on: dt.date,
    recipients: list[Recipient],
    campus: Campus | None = None,
    per_head: Decimal | None = None,
    group_label: str = "",
) -> CarePayment:
    """Ask for a payout: to each named person their amount, or (with `per_head`) the same
    amount to everyone of a group. Paid when approved (payment_approve)."""
    if not can(actor, Perm.CARE_MANAGE, fund.org):
        raise PermissionDenied
    if not title.strip():
        raise ValidationError("请填写事由。")
    if purpose not in Purpose.values:
        raise ValidationError("请选择用途。")
    _check_day(paid_on)
    if not recipients:
        raise ValidationError("发放对象为空：请填写名单或选择发放群体。")
    if per_head is not None:
        _check_amount(per_head, "人均标准")
        if any(r.amount != per_head for r in recipients):
            raise ValidationError("按人均标准发放时，每人金额须等于人均标准。")
    for i, r in enumerate(recipients, start=1):
        if not r.name.strip():
            raise ValidationError(f"第 {i} 位发放对象没有姓名。")
        _check_amount(r.amount, f"{r.name}的金额")
    total = sum((r.amount for r in recipients), Decimal("0"))
    _check_amount(total, "合计金额")
    payment = CarePayment.objects.create(
        fund=fund,
        title=title.strip(),
        purpose=purpose,
        campus=campus,
        paid_on=paid_on,
        mode=PaymentMode.PER_HEAD if per_head is not None else PaymentMode.NAMED,
        per_head=per_head,
        group_label=group_label.strip()[:200],
        head_count=len(recipients),
        total=total,
        requested_by=actor,
    )
    CareRecipient.objects.bulk_create(
        [
            CareRecipient(
                payment=payment,
                member_id=r.member_id,
                number=r.number,
                name=r.name.strip(),
                amount=r.amount,
            )
            for r in recipients
        ],
        batch_size=1000,
    )
    audit_record(
        actor=actor,
        action="care.payment_request",
        target=payment,
        changes={"fund": fund.name, "total": str(total), "head_count": len(recipients)},
        label=f"慰问发放申请：{payment.title} {yuan(total)} 元",
    )
    return payment


def _locked_pending(payment: CarePayment) -> CarePayment:
    locked = (
        CarePayment.objects.select_for_update(of=("self",))
        .select_related("fund", "fund__org", "campus")
        .get(pk=payment.pk)
    )
    if locked.state != PaymentState.PENDING:
        raise ValidationError(f"这笔发放已{locked.get_state_display()}，不能再审批。")
    return locked


@transaction.atomic
def payment_approve(*, actor: Any, payment: CarePayment, note: str = "") -> CarePayment:
    """Approve a payout and pay it: the fund's balance goes down by its total, refused by the
    database when the balance does not cover it (the payout stays 待审批)."""
    if not can(actor, Perm.CARE_APPROVE, payment.fund.org):
        raise PermissionDenied
    payment = _locked_pending(payment)
    _post(
        actor=actor,
        fund=payment.fund,
        amount=-payment.total,
        kind=EntryKind.PAYOUT,
        occurred_on=payment.paid_on,
        summary=f"{payment.title}（{payment.head_count} 人）",
        purpose=payment.purpose,
        campus=payment.campus,
        payment=payment,
    )
    payment.state = PaymentState.PAID
    payment.decided_by = actor
    payment.decided_at = timezone.now()
    payment.decision_note = note.strip()[:200] or "同意"
    payment.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
    audit_record(
        actor=actor,
        action="care.payment_approve",
        target=payment,
        changes={"total": str(payment.total), "state": ["pending", "paid"]},
        label=f"慰问发放审批：{payment.title} {yuan(payment.total)} 元",
    )
    return payment


@transaction.atomic
def payment_refuse(*, actor: Any, payment: CarePayment, note: str) -> CarePayment:
    if not can(actor, Perm.CARE_APPROVE, payment.fund.org):
        raise PermissionDenied
    if not note.strip():
        raise ValidationError("不批准时请写明理由。")
    payment = _locked_pending(payment)
    payment.state = PaymentState.REFUSED
    payment.decided_by = actor
    payment.decided_at = timezone.now()
    payment.decision_note = note.strip()[:200]
    payment.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
    audit_record(
        actor=actor,
        action="care.payment_refuse",
        target=payment,
        changes={"state": ["pending", "refused"], "note": payment.decision_note},
        label=f"慰问发放未批准：{payment.title}",
    )
    return payment


@transaction.atomic
def entry_reverse(*, actor: Any, entry: CareEntry, reason: str) -> CareEntry:
    """Correct a ledger line by a reversing entry of the opposite amount (the line itself is
    never changed). Reversing a payout marks the payout 已冲正 and puts the money back;
    reversing an income is refused when the money has been spent."""
    if not can(actor, Perm.CARE_MANAGE, entry.fund.org):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError("请写明冲正原因。")
    entry = CareEntry.objects.select_related("fund", "payment", "campus").get(pk=entry.pk)
    if entry.kind == EntryKind.REVERSAL:
        raise ValidationError("冲正记录不能再冲正；如有错误，请另记一笔。")
    if CareEntry.objects.filter(reverses=entry).exists():
        raise ValidationError("这条记录已经冲正过。")
    try:
        with transaction.atomic():
            reversal = _post(
                actor=actor,
                fund=entry.fund,
                amount=-entry.amount,
                kind=EntryKind.REVERSAL,
                occurred_on=timezone.localdate(),
                summary=f"冲正：{entry.summary}（{reason.strip()}）"[:200],
                purpose=entry.purpose,
                campus=entry.campus,
                payment=entry.payment,
                reverses=entry,
            )
    except IntegrityError as e:  # a second reversal of the same line, at the same moment
        raise ValidationError("这条记录已经冲正过。") from e
    if entry.payment is not None:
        CarePayment.objects.filter(pk=entry.payment.pk).update(state=PaymentState.REVERSED)
    audit_record(
        actor=actor,
        action="care.entry_reverse",
        target=reversal,
        changes={"reverses": entry.pk, "amount": str(-entry.amount), "reason": reason.strip()},
        label=f"关爱资金冲正：{entry.summary}",
    )
    return reversal
