"""The care fund's rules: the balance never goes below zero, the ledger is append-only, a
correction is a reversing entry, per-head payouts are computed and listed."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from audit.models import AuditEvent
from carefund import selectors, services
from carefund.models import CareEntry, CareFund, CarePayment, EntryKind, PaymentState
from carefund.services import Recipient
from carefund.tests.helpers import fund, payment
from conftest import Cast


def test_income_and_approved_payout_move_the_balance_and_write_the_ledger(cast: Cast) -> None:
    f = fund(cast)
    p = payment(cast, f)
    assert p.state == PaymentState.PENDING and p.total == Decimal("310")
    f.refresh_from_db()
    assert f.balance == Decimal("7720")  # asked for, not yet paid

    services.payment_approve(actor=cast.users["school_admin"], payment=p, note="党委会同意")

    f.refresh_from_db()
    p.refresh_from_db()
    assert f.balance == Decimal("7410")
    assert p.state == PaymentState.PAID and p.decision_note == "党委会同意"
    last = CareEntry.objects.filter(fund=f).order_by("-id").first()
    assert last is not None
    assert (last.kind, last.amount, last.balance_after) == (
        EntryKind.PAYOUT,
        Decimal("-310"),
        Decimal("7410"),
    )
    assert AuditEvent.objects.filter(action="care.payment_approve").count() == 1


def test_payout_the_balance_does_not_cover_is_refused_and_nothing_is_written(cast: Cast) -> None:
    f = fund(cast, income="300")
    p = payment(cast, f, amounts=("150", "160"))
    entries = CareEntry.objects.count()

    with pytest.raises(ValidationError, match="余额不足"):
        services.payment_approve(actor=cast.users["school_admin"], payment=p)

    f.refresh_from_db()
    p.refresh_from_db()
    assert f.balance == Decimal("300")
    assert p.state == PaymentState.PENDING
    assert CareEntry.objects.count() == entries


def test_the_database_refuses_a_negative_balance_written_directly(cast: Cast) -> None:
    f = fund(cast, income="10")
    with pytest.raises(IntegrityError), transaction.atomic():
        CareFund.objects.filter(pk=f.pk).update(balance=Decimal("-0.01"))


def test_a_payout_is_approved_once(cast: Cast) -> None:
    f = fund(cast)
    p = payment(cast, f)
    services.payment_approve(actor=cast.users["school_admin"], payment=p)
    with pytest.raises(ValidationError, match="已发放"):
        services.payment_approve(actor=cast.users["school_admin"], payment=p)
    f.refresh_from_db()
    assert f.balance == Decimal("7410")


def test_unit_admin_asks_but_only_school_admin_approves(cast: Cast) -> None:
    f = fund(cast, org=cast.unit_a)
    p = payment(cast, f, actor="unit_a_admin")
    with pytest.raises(PermissionDenied):
        services.payment_approve(actor=cast.users["unit_a_admin"], payment=p)
    with pytest.raises(PermissionDenied):
        payment(cast, f, actor="unit_b_admin")
    services.payment_approve(actor=cast.users["school_admin"], payment=p)


def test_refusal_needs_a_reason_and_moves_no_money(cast: Cast) -> None:
    f = fund(cast)
    p = payment(cast, f)
    with pytest.raises(ValidationError, match="理由"):
        services.payment_refuse(actor=cast.users["school_admin"], payment=p, note=" ")
    services.payment_refuse(actor=cast.users["school_admin"], payment=p, note="标准过高")
    p.refresh_from_db()
    f.refresh_from_db()
    assert p.state == PaymentState.REFUSED and f.balance == Decimal("7720")


def test_a_correction_is_a_reversing_entry_and_the_line_itself_stays(cast: Cast) -> None:
    f = fund(cast)
    p = payment(cast, f)
    services.payment_approve(actor=cast.users["school_admin"], payment=p)
    payout = CareEntry.objects.get(payment=p, kind=EntryKind.PAYOUT)

    reversal = services.entry_reverse(
        actor=cast.users["school_admin"], entry=payout, reason="名单重复"
    )

    f.refresh_from_db()
    p.refresh_from_db()
    payout.refresh_from_db()
    assert reversal.amount == Decimal("310") and reversal.reverses_id == payout.pk
    assert payout.amount == Decimal("-310")  # unchanged
    assert f.balance == Decimal("7720") and p.state == PaymentState.REVERSED
    with pytest.raises(ValidationError, match="已经冲正"):
        services.entry_reverse(actor=cast.users["school_admin"], entry=payout, reason="再来")
    with pytest.raises(ValidationError, match="不能再冲正"):
        services.entry_reverse(actor=cast.users["school_admin"], entry=reversal, reason="x")


def test_reversing_an_income_already_spent_is_refused(cast: Cast) -> None:
    f = fund(cast, income="310")
    services.payment_approve(actor=cast.users["school_admin"], payment=payment(cast, f))
    income = CareEntry.objects.get(fund=f, kind=EntryKind.INCOME)
    with pytest.raises(ValidationError, match="余额不足"):
        services.entry_reverse(actor=cast.users["school_admin"], entry=income, reason="记错")
    assert not CareEntry.objects.filter(kind=EntryKind.REVERSAL).exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_the_database_refuses_to_edit_or_delete_a_ledger_line(cast: Cast) -> None:
    f = fund(cast)
    entry = CareEntry.objects.get(fund=f)
    with pytest.raises(DatabaseError, match="只增不改"), transaction.atomic():
        CareEntry.objects.filter(pk=entry.pk).update(summary="改过")
    with pytest.raises(DatabaseError, match="只增不改"), transaction.atomic():
        CareEntry.objects.filter(pk=entry.pk).delete()


def test_per_head_payout_to_a_group_is_computed_and_listed(cast: Cast) -> None:
    f = fund(cast)
    recipients, label = selectors.group_recipients(
        user=cast.users["school_admin"], org=cast.unit_a, per_head=Decimal("30")
    )
    p = services.payment_request(
        actor=cast.users["school_admin"],
        fund=f,
        title="中秋学生慰问金",
        purpose="students",
        paid_on=timezone.localdate(),
        recipients=recipients,
        per_head=Decimal("30"),
        group_label=label,
    )
    assert p.head_count == 2  # member_a and other_a of unit A
    assert p.total == Decimal("60")
    assert {r.member_id for r in p.recipients.all()} == {cast.member_a.pk, cast.other_a.pk}


def test_three_thousand_four_hundred_forty_five_students_at_thirty_yuan(cast: Cast) -> None:
    f = fund(cast, income="103350")
    students = [
        Recipient(name=f"学生{i}", number=f"2020{i:05d}", amount=Decimal("30")) for i in range(3445)
    ]
    p = services.payment_request(
        actor=cast.users["school_admin"],
        fund=f,
        title="中秋学生慰问金",
        purpose="students",
        paid_on=timezone.localdate(),
        recipients=students,
        per_head=Decimal("30"),
    )
    assert p.total == Decimal("103350") and p.recipients.count() == 3445
    services.payment_approve(actor=cast.users["school_admin"], payment=p)
    f.refresh_from_db()
    assert f.balance == 0


@pytest.mark.parametrize(
    ("amounts", "reason"),
    [(("0",), "大于 0"), (("1.001",), "两位小数"), (("-5",), "大于 0"), (("20000000",), "1000 万")],
)
def test_bad_amounts_are_refused_in_chinese(
    cast: Cast, amounts: tuple[str, ...], reason: str
) -> None:
    f = fund(cast)
    with pytest.raises(ValidationError, match=reason):
        payment(cast, f, amounts=amounts)
    assert not CarePayment.objects.exists()


def test_sums_by_campus_purpose_and_month_are_net_of_reversals(cast: Cast) -> None:
    f = fund(cast)
    admin = cast.users["school_admin"]
    first = payment(cast, f, amounts=("100",))
    second = payment(cast, f, amounts=("50", "50"))
    services.payment_approve(actor=admin, payment=first)
    services.payment_approve(actor=admin, payment=second)
    services.entry_reverse(
        actor=admin, entry=CareEntry.objects.get(payment=first, kind="payout"), reason="重复"
    )

    s = selectors.summary(user=admin)

    assert (s.income, s.spent, s.balance) == (Decimal("7720"), Decimal("100"), Decimal("7620"))
    assert [(r.label, r.amount) for r in s.by_campus] == [
        (getattr(cast.member_a.campus, "name", ""), 100)
    ]
    assert [(r.label, r.amount) for r in s.by_purpose] == [("一线人员慰问", 100)]
    month = timezone.localdate().strftime("%Y年%m月")
    assert [(r.label, r.amount) for r in s.by_month] == [(month, 100)]
    assert selectors.summary(user=cast.users["unit_a_admin"]).income == 0


def test_dates_in_the_future_are_refused(cast: Cast) -> None:
    f = fund(cast, income="0")
    with pytest.raises(ValidationError, match="晚于今天"):
        services.fund_income(
            actor=cast.users["school_admin"],
            fund=f,
            amount=Decimal("1"),
            received_on=timezone.localdate() + dt.timedelta(days=1),
            summary="x",
        )
