"""报备 (members' regular reports): forms stored as data, their versions, schedules, reports.

A form (`ReportForm`) is a plan and may change: each change is a new `ReportFormVersion` and
a report keeps the version it was filled in. A `ReportSchedule` says who reports on a form,
how often and by when. A `Report` is a record of what a member said: it keeps its version and
the member's branch of the day, nothing it points at can be deleted from under it (PROTECT),
and the database holds one report per member, form and period.
"""

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from members.models import Member
from orgs.models import Org


class ReportForm(models.Model):
    name = models.CharField("表单名称", max_length=100)
    description = models.TextField("说明", blank=True)
    # The org that defined it: 组织部 for the school, or a unit for its subtree.
    owner = models.ForeignKey(
        Org, verbose_name="所属党组织", on_delete=models.PROTECT, related_name="report_forms"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="创建人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "报备表单"
        verbose_name_plural = "报备表单"
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def current_version(self) -> "ReportFormVersion":
        return self.versions.order_by("-number").first()  # type: ignore[return-value]


class ReportFormVersion(models.Model):
    form = models.ForeignKey(
        ReportForm, verbose_name="表单", on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField("版本号")
    schema = models.JSONField("字段定义")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="修改人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("修改时间", auto_now_add=True)

    class Meta:
        verbose_name = "报备表单版本"
        verbose_name_plural = "报备表单版本"
        ordering = ["form", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["form", "number"], name="report_form_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.form.name} 第{self.number}版"

    @property
    def fields(self) -> list[dict[str, Any]]:
        return list(self.schema.get("fields", []))


class Frequency(models.TextChoices):
    DAILY = "daily", "每天"
    WEEKLY = "weekly", "每周"
    ONCE = "once", "一次"


class ReportSchedule(models.Model):
    """Who reports on a form (a subtree, categories, whereabouts), how often, by what time."""

    form = models.ForeignKey(
        ReportForm, verbose_name="表单", on_delete=models.PROTECT, related_name="schedules"
    )
    org = models.ForeignKey(
        Org, verbose_name="报备范围", on_delete=models.PROTECT, related_name="report_schedules"
    )
    # Empty lists mean everyone in the subtree.
    categories = models.JSONField("人员类别", default=list, blank=True)
    whereabouts = models.JSONField("去向", default=list, blank=True)
    frequency = models.CharField("频次", max_length=8, choices=Frequency.choices)
    due_time = models.TimeField("截止时间", default=dt.time(10, 0))
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期", null=True, blank=True)
    remind_minutes = models.PositiveIntegerField("提前提醒（分钟）", default=60)
    active = models.BooleanField("启用", default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="创建人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "报备安排"
        verbose_name_plural = "报备安排"
        ordering = ["-starts_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="report_schedule_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.form.name}（{self.get_frequency_display()}，{self.org.name}）"

    # --- periods: a daily report's period is its day, a weekly one's its Monday, a one-off
    # report's the schedule's first day.

    def period_of(self, day: dt.date) -> dt.date:
        if self.frequency == Frequency.WEEKLY:
            return day - dt.timedelta(days=day.weekday())
        if self.frequency == Frequency.ONCE:
            return self.starts_on
        return day

    def last_day(self, period: dt.date) -> dt.date:
        if self.frequency == Frequency.WEEKLY:
            return period + dt.timedelta(days=6)
        if self.frequency == Frequency.ONCE:
            return self.ends_on or self.starts_on
        return period

    def due_at(self, period: dt.date) -> dt.datetime:
        """The moment a period's report is due: the due time on the period's last day."""
        naive = dt.datetime.combine(self.last_day(period), self.due_time)
        return timezone.make_aware(naive, timezone.get_current_timezone())

    def runs_on(self, day: dt.date) -> bool:
        if not self.active or day < self.starts_on:
            return False
        return self.ends_on is None or self.period_of(day) <= self.ends_on

    def category_labels(self) -> str:
        from members.models import Category, Whereabouts

        cats = "、".join(str(dict(Category.choices).get(c, c)) for c in self.categories)
        where = "、".join(str(dict(Whereabouts.choices).get(w, w)) for w in self.whereabouts)
        parts = [p for p in (cats, where) if p]
        return "；".join(parts) or "全体"


class Report(models.Model):
    member = models.ForeignKey(
        Member, verbose_name="党员", on_delete=models.PROTECT, related_name="reports"
    )
    form = models.ForeignKey(
        ReportForm, verbose_name="表单", on_delete=models.PROTECT, related_name="reports"
    )
    version = models.ForeignKey(
        ReportFormVersion, verbose_name="表单版本", on_delete=models.PROTECT, related_name="+"
    )
    schedule = models.ForeignKey(
        ReportSchedule, verbose_name="报备安排", on_delete=models.PROTECT, related_name="reports"
    )
    period = models.DateField("报备周期")
    # The member's branch on the day: who reads the report follows the record.
    branch = models.ForeignKey(
        Org, verbose_name="所在党支部", on_delete=models.PROTECT, related_name="+"
    )
    answers = models.JSONField("填报内容", default=dict)
    temperature = models.DecimalField(
        "体温（℃）", max_digits=4, decimal_places=1, null=True, blank=True
    )
    submitted_at = models.DateTimeField("提交时间", default=timezone.now)
    late = models.BooleanField("迟报", default=False)
    copied_from = models.ForeignKey(
        "self",
        verbose_name="复制自",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = "报备"
        verbose_name_plural = "报备"
        ordering = ["-period", "-submitted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "form", "period"], name="report_one_per_member_form_period"
            )
        ]
        indexes = [
            models.Index(fields=["form", "period", "member"], name="report_form_period_idx"),
            models.Index(fields=["branch", "period"], name="report_branch_period_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.member.name} 的{self.form.name}（{self.period}）"


class ReminderPhase(models.TextChoices):
    BEFORE = "before", "截止前提醒党员"
    AFTER = "after", "截止后提醒支部书记"


class ReportReminder(models.Model):
    """One sending of a schedule's reminders for a period: sent once, however often the task
    that sends it runs (a re-planned day, a retried task)."""

    schedule = models.ForeignKey(
        ReportSchedule, verbose_name="报备安排", on_delete=models.PROTECT, related_name="+"
    )
    period = models.DateField("报备周期")
    phase = models.CharField("提醒", max_length=8, choices=ReminderPhase.choices)
    sent_at = models.DateTimeField("发送时间", default=timezone.now)
    recipients = models.PositiveIntegerField("人数", default=0)

    class Meta:
        verbose_name = "报备提醒"
        verbose_name_plural = "报备提醒"
        constraints = [
            models.UniqueConstraint(
                fields=["schedule", "period", "phase"], name="report_reminder_once"
            )
        ]
