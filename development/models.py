"""The development pipeline (发展党员): 入党申请人 → 入党积极分子 → 发展对象 → 预备党员 → 正式党员.

A candidate's file (`Candidate`) holds the dates each stage was reached and the evidence the
steps need: 培养联系人, 入党介绍人, 党校 training with its grade, the political review, the 公示
with its objections, the 支部大会 resolution (a meeting record) and the higher approval. Every
step is a `StageStep` row, never edited; the intervals between stages are rules as data
(`IntervalRule`).
"""

import calendar
import datetime as dt

from django.conf import settings
from django.db import models

from meetings.models import Meeting
from members.models import Member, PoliticalStatus
from orgs.models import Org
from uploads.models import AttachedFile


class DevelopmentStage(models.TextChoices):
    APPLICANT = "applicant", "入党申请人"
    ACTIVIST = "activist", "入党积极分子"
    TARGET = "target", "发展对象"
    PROBATIONARY = "probationary", "预备党员"
    FULL = "full", "正式党员"


STAGES = list(DevelopmentStage)
# The member's political status once the stage is reached (an applicant is still 群众).
STATUS_OF_STAGE = {
    DevelopmentStage.APPLICANT: PoliticalStatus.MASSES,
    DevelopmentStage.ACTIVIST: PoliticalStatus.ACTIVIST,
    DevelopmentStage.TARGET: PoliticalStatus.DEVELOPMENT_TARGET,
    DevelopmentStage.PROBATIONARY: PoliticalStatus.PROBATIONARY,
    DevelopmentStage.FULL: PoliticalStatus.FULL,
}
# The steps a unit (二级党委) approves: the branch prepares, the unit decides.
APPROVED_STAGES = (DevelopmentStage.PROBATIONARY, DevelopmentStage.FULL)


def next_stage(stage: str) -> DevelopmentStage | None:
    i = STAGES.index(DevelopmentStage(stage))
    return STAGES[i + 1] if i + 1 < len(STAGES) else None


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later; the month's last day when it is shorter (1-31 → 2-28)."""
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


class IntervalRule(models.Model):
    """At least `min_months` (and at most `max_months`, if set) from reaching `from_stage` to
    reaching `to_stage`; a date that breaks it is refused with the rule's text."""

    from_stage = models.CharField("起始阶段", max_length=16, choices=DevelopmentStage.choices)
    to_stage = models.CharField("目标阶段", max_length=16, choices=DevelopmentStage.choices)
    min_months = models.PositiveSmallIntegerField("至少（月）", default=0)
    max_months = models.PositiveSmallIntegerField("至多（月）", null=True, blank=True)
    basis = models.CharField("依据", max_length=200, blank=True)
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "发展间隔规定"
        verbose_name_plural = "发展间隔规定"
        ordering = ["from_stage", "to_stage", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(max_months__isnull=True)
                | models.Q(max_months__gte=models.F("min_months")),
                name="interval_rule_ordered",
            )
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        a = DevelopmentStage(self.from_stage).label
        b = DevelopmentStage(self.to_stage).label
        span = f"至少 {self.min_months} 个月"
        if self.max_months is not None:
            span += f"、至多 {self.max_months} 个月"
        return f"从{a}到{b}{span}" + (f"（{self.basis}）" if self.basis else "")

    def broken_by(self, start: dt.date, end: dt.date) -> bool:
        if end < add_months(start, self.min_months):
            return True
        return self.max_months is not None and end > add_months(start, self.max_months)


class TrainingGrade(models.TextChoices):
    EXCELLENT = "excellent", "优秀"
    GOOD = "good", "良好"
    PASS = "pass", "合格"
    FAIL = "fail", "不合格"


class ReviewResult(models.TextChoices):
    PASSED = "passed", "合格"
    FAILED = "failed", "不合格"


class Candidate(models.Model):
    """One person's development file (发展档案)."""

    member = models.OneToOneField(
        Member, verbose_name="培养对象", on_delete=models.PROTECT, related_name="development"
    )
    stage = models.CharField(
        "当前阶段",
        max_length=16,
        choices=DevelopmentStage.choices,
        default=DevelopmentStage.APPLICANT,
    )
    applied_on = models.DateField("递交入党申请书日期")
    activist_on = models.DateField("确定为积极分子日期", null=True, blank=True)
    target_on = models.DateField("确定为发展对象日期", null=True, blank=True)
    probationary_on = models.DateField("接收为预备党员日期", null=True, blank=True)
    full_on = models.DateField("转为正式党员日期", null=True, blank=True)
    contact_1 = models.ForeignKey(
        Member,
        verbose_name="培养联系人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    contact_2 = models.ForeignKey(
        Member,
        verbose_name="培养联系人（二）",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    introducer_1 = models.ForeignKey(
        Member,
        verbose_name="入党介绍人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    introducer_2 = models.ForeignKey(
        Member,
        verbose_name="入党介绍人（二）",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    training_school = models.CharField("培训班次（党校）", max_length=100, blank=True)
    training_finished_on = models.DateField("结业日期", null=True, blank=True)
    training_grade = models.CharField(
        "结业成绩", max_length=12, choices=TrainingGrade.choices, blank=True
    )
    review_on = models.DateField("政治审查日期", null=True, blank=True)
    review_result = models.CharField(
        "政治审查结论", max_length=12, choices=ReviewResult.choices, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "发展档案"
        verbose_name_plural = "发展档案"
        ordering = ["member__number"]
        indexes = [models.Index(fields=["stage"], name="candidate_stage_idx")]

    def __str__(self) -> str:
        return f"{self.member.name}（{self.get_stage_display()}）"

    def reached_on(self, stage: str) -> dt.date | None:
        return {
            DevelopmentStage.APPLICANT: self.applied_on,
            DevelopmentStage.ACTIVIST: self.activist_on,
            DevelopmentStage.TARGET: self.target_on,
            DevelopmentStage.PROBATIONARY: self.probationary_on,
            DevelopmentStage.FULL: self.full_on,
        }[DevelopmentStage(stage)]

    @property
    def next_stage(self) -> DevelopmentStage | None:
        return next_stage(self.stage)


DATE_FIELD = {
    DevelopmentStage.APPLICANT: "applied_on",
    DevelopmentStage.ACTIVIST: "activist_on",
    DevelopmentStage.TARGET: "target_on",
    DevelopmentStage.PROBATIONARY: "probationary_on",
    DevelopmentStage.FULL: "full_on",
}


class StageStep(models.Model):
    """One step of a file: the stage reached, on what date, on what grounds; never edited.
    A 预备党员 or 正式党员 step names its 支部大会 resolution and the unit's approval."""

    candidate = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="steps")
    stage = models.CharField("阶段", max_length=16, choices=DevelopmentStage.choices)
    on = models.DateField("日期")
    branch = models.ForeignKey(
        Org, verbose_name="所在党支部", on_delete=models.PROTECT, related_name="+"
    )
    resolution = models.ForeignKey(
        Meeting,
        verbose_name="支部大会决议",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="development_steps",
    )
    approved_on = models.DateField("上级党组织审批日期", null=True, blank=True)
    note = models.TextField("说明", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "发展步骤"
        verbose_name_plural = "发展步骤"
        ordering = ["candidate", "on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["candidate", "stage"], name="step_once_per_stage")
        ]


class Publicity(models.Model):
    """公示 of a 发展对象 before the 支部大会 (or of a 预备党员 before 转正): a period in which
    anyone may object; each objection must be answered before the step is taken."""

    candidate = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="publicities")
    for_stage = models.CharField("公示事项", max_length=16, choices=DevelopmentStage.choices)
    starts_on = models.DateField("公示开始")
    ends_on = models.DateField("公示结束")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "公示"
        verbose_name_plural = "公示"
        ordering = ["candidate", "starts_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="publicity_ordered",
            )
        ]


class Objection(models.Model):
    """An objection raised during a 公示, and how it was looked into."""

    publicity = models.ForeignKey(Publicity, on_delete=models.PROTECT, related_name="objections")
    received_on = models.DateField("收到日期")
    text = models.TextField("反映内容")
    finding = models.TextField("核查结论", blank=True)
    resolved_on = models.DateField("核查日期", null=True, blank=True)
    upheld = models.BooleanField("反映属实", default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "公示意见"
        verbose_name_plural = "公示意见"
        ordering = ["publicity", "received_on", "id"]


class Evidence(AttachedFile):
    """A file on a candidate's file (申请书, 思想汇报, 培训证书, 政审材料 …) from an upload."""

    candidate = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="evidence")
    stage = models.CharField("所属阶段", max_length=16, choices=DevelopmentStage.choices)
    file = models.FileField(upload_to="development/%Y/%m/", max_length=300)

    class Meta:
        verbose_name = "发展材料"
        verbose_name_plural = "发展材料"
        ordering = ["candidate", "id"]
