"""Study (学习教育): an org's annual and phase study plans, its study sessions (a meeting it
held, or a self-study item members do on their own) with materials from the education library
or uploads, who took part, and the study hours (学时) that adds up to per member per year.

Participation rows are records: never deleted with a session (PROTECT)."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from meetings.models import Meeting
from members.models import Member
from orgs.models import Org
from uploads.models import AttachedFile


class PlanKind(models.TextChoices):
    ANNUAL = "annual", "年度学习计划"
    PHASE = "phase", "阶段学习计划"


class StudyPlan(models.Model):
    org = models.ForeignKey(
        Org, verbose_name="党组织", on_delete=models.PROTECT, related_name="study_plans"
    )
    kind = models.CharField("计划类型", max_length=10, choices=PlanKind.choices)
    title = models.CharField("名称", max_length=200)
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期")
    content = models.TextField("学习内容与安排", blank=True)
    hours_target = models.DecimalField(
        "每名党员应完成学时",
        max_digits=5,
        decimal_places=1,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("500"))],
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "学习计划"
        verbose_name_plural = "学习计划"
        ordering = ["-starts_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="plan_ordered"
            )
        ]

    def __str__(self) -> str:
        return self.title


class SessionKind(models.TextChoices):
    MEETING = "meeting", "集中学习（会议）"
    SELF_STUDY = "self_study", "自学"


class StudySession(models.Model):
    """One study item of an org: a meeting it held (those present took part), or a self-study
    item each member marks done."""

    org = models.ForeignKey(
        Org, verbose_name="党组织", on_delete=models.PROTECT, related_name="study_sessions"
    )
    plan = models.ForeignKey(
        StudyPlan,
        verbose_name="所属计划",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sessions",
    )
    kind = models.CharField("学习形式", max_length=12, choices=SessionKind.choices)
    title = models.CharField("学习主题", max_length=200)
    held_on = models.DateField("日期")
    due_on = models.DateField("自学截止日期", null=True, blank=True)
    hours = models.DecimalField(
        "学时",
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal("24"))],
    )
    meeting = models.ForeignKey(
        Meeting,
        verbose_name="会议记录",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="study_sessions",
    )
    notes = models.TextField("学习内容", blank=True)
    library_items = models.ManyToManyField(
        "campaigns.Submission", verbose_name="教育素材库资料", blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "学习活动"
        verbose_name_plural = "学习活动"
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["org", "held_on"], name="study_org_held_idx")]

    def __str__(self) -> str:
        return self.title


class StudyAttendance(models.Model):
    """A member took part in a session and earned its hours (学时)."""

    session = models.ForeignKey(StudySession, on_delete=models.PROTECT, related_name="attendance")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="study_attendance")
    hours = models.DecimalField("学时", max_digits=4, decimal_places=1)
    on = models.DateField("日期")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "学习记录"
        verbose_name_plural = "学习记录"
        constraints = [
            models.UniqueConstraint(fields=["session", "member"], name="study_once_per_member")
        ]
        indexes = [models.Index(fields=["member", "on"], name="study_member_on_idx")]


class StudyFile(AttachedFile):
    """A material of a session (slides, a reading, a video) from a finished upload."""

    session = models.ForeignKey(StudySession, on_delete=models.PROTECT, related_name="files")
    file = models.FileField(upload_to="study/%Y/%m/", max_length=300)

    class Meta:
        ordering = ["id"]
