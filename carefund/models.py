"""组织关爱: care-fund accounts, their ledger, and the payouts (慰问) drawn on them.

A fund's balance is one row updated in the database (`balance = balance - total`), guarded by
a CHECK constraint: a payout the balance does not cover fails in the database, also when two
payouts race (ADR 0019). The ledger (`CareEntry`) is append-only: a correction is a reversing
entry, and on PostgreSQL a trigger refuses UPDATE and DELETE of a ledger row.
"""

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from members.models import Member
from orgs.models import Campus, Org


def money(label: str, **kwargs: Any) -> models.DecimalField:  # type: ignore[type-arg]
    """An amount in 元, to the fen."""
    return models.DecimalField(label, max_digits=12, decimal_places=2, **kwargs)


class CareFund(models.Model):
    """One account per source of money (e.g. 党费拨付), held by an org (组织部 or a unit)."""

    name = models.CharField("账户名称", max_length=100)
    source = models.CharField("资金来源", max_length=100)
    org = models.ForeignKey(
        Org, verbose_name="所属党组织", on_delete=models.PROTECT, related_name="care_funds"
    )
    balance = money("余额（元）", default=Decimal("0"))
    note = models.TextField("说明", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="建立人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("建立时间", auto_now_add=True)

    class Meta:
        verbose_name = "关爱资金账户"
        verbose_name_plural = "关爱资金账户"
        ordering = ["org__path", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(balance__gte=0), name="carefund_balance_not_negative"
            ),
            models.UniqueConstraint(fields=["org", "name"], name="carefund_name_unique_in_org"),
        ]

    def __str__(self) -> str:
        return self.name


class Purpose(models.TextChoices):
    FRONTLINE = "frontline", "一线人员慰问"
    STUDENTS = "students", "学生慰问"
    HARDSHIP = "hardship", "困难帮扶"
    ILLNESS = "illness", "患病慰问"
    OTHER = "other", "其他"


class PaymentState(models.TextChoices):
    PENDING = "pending", "待审批"
    PAID = "paid", "已发放"
    REFUSED = "refused", "未批准"
    REVERSED = "reversed", "已冲正"


class PaymentMode(models.TextChoices):
    NAMED = "named", "按名单逐人"
    PER_HEAD = "per_head", "按人均标准"


class CarePayment(models.Model):
    """A payout asked for and, once approved, paid: to named people (each their amount) or per
    head to a group (the group's list kept, `per_head` × head count)."""

    fund = models.ForeignKey(
        CareFund, verbose_name="账户", on_delete=models.PROTECT, related_name="payments"
    )
    title = models.CharField("事由", max_length=100)
    purpose = models.CharField("用途", max_length=16, choices=Purpose.choices)
    campus = models.ForeignKey(
        Campus, verbose_name="校区", null=True, blank=True, on_delete=models.PROTECT
    )
    paid_on = models.DateField("发放日期")
    mode = models.CharField("发放方式", max_length=16, choices=PaymentMode.choices)
    per_head = money("人均标准（元）", null=True, blank=True)
    group_label = models.CharField("发放对象", max_length=200, blank=True)
    head_count = models.PositiveIntegerField("人数")
    total = money("金额（元）")
    state = models.CharField(
        "状态", max_length=16, choices=PaymentState.choices, default=PaymentState.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="申请人", on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField("申请时间", auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审批人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_note = models.CharField("审批意见", max_length=200, blank=True)

    class Meta:
        verbose_name = "慰问发放"
        verbose_name_plural = "慰问发放"
        ordering = ["-paid_on", "-id"]
        indexes = [models.Index(fields=["fund", "state"], name="carepayment_fund_state_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(total__gt=0), name="carepayment_total_positive"),
            models.CheckConstraint(
                condition=Q(head_count__gt=0), name="carepayment_someone_is_paid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title}（{self.total} 元）"


class CareRecipient(models.Model):
    """One person paid by a payout: a member of the roll, or a name (staff, a student list)."""

    payment = models.ForeignKey(
        CarePayment, verbose_name="发放", on_delete=models.PROTECT, related_name="recipients"
    )
    member = models.ForeignKey(
        Member, verbose_name="党员", null=True, blank=True, on_delete=models.PROTECT
    )
    number = models.CharField("学工号", max_length=32, blank=True)
    name = models.CharField("姓名", max_length=50)
    amount = money("金额（元）")

    class Meta:
        verbose_name = "慰问对象"
        verbose_name_plural = "慰问对象"
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="carerecipient_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.amount} 元"


class EntryKind(models.TextChoices):
    INCOME = "income", "收入"
    PAYOUT = "payout", "支出"
    REVERSAL = "reversal", "冲正"


class CareEntry(models.Model):
    """One line of a fund's ledger: never edited, never deleted. `amount` is signed (income
    positive, payout negative); a reversal carries the opposite of the entry it reverses, and
    an entry is reversed at most once (`reverses` is unique)."""

    fund = models.ForeignKey(
        CareFund, verbose_name="账户", on_delete=models.PROTECT, related_name="entries"
    )
    kind = models.CharField("类别", max_length=16, choices=EntryKind.choices)
    amount = money("金额（元）")
    balance_after = money("余额（元）")
    occurred_on = models.DateField("日期")
    summary = models.CharField("摘要", max_length=200)
    purpose = models.CharField("用途", max_length=16, choices=Purpose.choices, blank=True)
    campus = models.ForeignKey(
        Campus, verbose_name="校区", null=True, blank=True, on_delete=models.PROTECT
    )
    payment = models.ForeignKey(
        CarePayment,
        verbose_name="发放",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="entries",
    )
    reverses = models.OneToOneField(
        "self",
        verbose_name="冲正的记录",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="记录人", on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "关爱资金流水"
        verbose_name_plural = "关爱资金流水"
        ordering = ["-id"]
        indexes = [models.Index(fields=["fund", "occurred_on"], name="careentry_fund_day_idx")]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="careentry_amount_not_zero"),
            models.CheckConstraint(
                condition=Q(balance_after__gte=0), name="careentry_balance_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(kind="reversal", reverses__isnull=False)
                | (~Q(kind="reversal") & Q(reverses__isnull=True)),
                name="careentry_reversal_names_its_entry",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.summary} {self.amount} 元"
