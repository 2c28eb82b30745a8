"""情况报告 (Escalation) and 请示 (Request) with their 批复 (Reply): an org's report to the org
above that rises up the tree while nobody acknowledges it.

An escalation sits on one org's desk at a time (`current_org`): first the org above the
reporter (`to_org`), then, each time its limit passes unacknowledged, the next level (branch →
unit → 组织部). `level` counts the rises; an acknowledgement names the level its reader saw, so
a rise and an acknowledgement that race end in exactly one of them (escalations.services).
What happened is kept as events (the timeline); nothing is ever deleted.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from members.models import Member
from orgs.models import Org


class EscalationKind(models.TextChoices):
    SITUATION = "situation", "情况报告"
    REQUEST = "request", "请示"


class Urgency(models.TextChoices):
    NORMAL = "normal", "一般"
    URGENT = "urgent", "紧急"
    CRITICAL = "critical", "特急"


class Category(models.TextChoices):
    EPIDEMIC = "epidemic", "疫情防控"
    FEVER = "fever", "发热"
    HEALTH = "health", "师生健康"
    SAFETY = "safety", "安全稳定"
    OPINION = "opinion", "舆情"
    THOUGHT = "thought", "思想动态"
    WORK = "work", "工作请示"
    OTHER = "other", "其他"


class EscalationState(models.TextChoices):
    OPEN = "open", "待阅"
    ACKNOWLEDGED = "acknowledged", "已阅"
    HANDLED = "handled", "已处理"
    REPLIED = "replied", "已批复"


class Escalation(models.Model):
    kind = models.CharField(
        "类型", max_length=12, choices=EscalationKind.choices, default=EscalationKind.SITUATION
    )
    category = models.CharField("类别", max_length=12, choices=Category.choices)
    urgency = models.CharField("紧急程度", max_length=10, choices=Urgency.choices)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("情况说明")
    # Who reports: an org (a branch or unit, through its secretary or admin), or a member of a
    # branch (then from_org is their branch and reporter_member is set).
    from_org = models.ForeignKey(
        Org, verbose_name="报告单位", on_delete=models.PROTECT, related_name="+"
    )
    reporter_member = models.ForeignKey(
        Member,
        verbose_name="报告党员",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="escalations",
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="报告人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    to_org = models.ForeignKey(
        Org, verbose_name="报送至", on_delete=models.PROTECT, related_name="+"
    )
    current_org = models.ForeignKey(
        Org, verbose_name="当前待阅单位", on_delete=models.PROTECT, related_name="+"
    )
    level = models.PositiveSmallIntegerField("上报次数", default=0)
    # When the current level's limit ends; null once it has risen past 组织部 (nothing above).
    due_at = models.DateTimeField("确认时限", null=True, blank=True)
    state = models.CharField(
        "状态", max_length=14, choices=EscalationState.choices, default=EscalationState.OPEN
    )
    created_at = models.DateTimeField("报告时间", default=timezone.now)
    acknowledged_at = models.DateTimeField("确认时间", null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="确认人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    acknowledged_org = models.ForeignKey(
        Org,
        verbose_name="确认单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    handled_at = models.DateTimeField("处理时间", null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="处理人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    handled_note = models.TextField("处理情况", blank=True)
    # Where it came from: the page, /api/, or a caller of raise_fever ("report", "gate").
    source = models.CharField("来源", max_length=20, default="page")
    # A fever alert: the member and day it is about (one per member per day) and the reading.
    fever_member = models.ForeignKey(
        Member,
        verbose_name="发热党员",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="fever_escalations",
    )
    fever_day = models.DateField("发热日期", null=True, blank=True)
    temperature = models.DecimalField("体温", max_digits=4, decimal_places=1, null=True, blank=True)

    class Meta:
        verbose_name = "情况报告"
        verbose_name_plural = "情况报告"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["state", "due_at"], name="esc_open_due"),
            models.Index(fields=["current_org", "state"], name="esc_desk"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["fever_member", "fever_day"],
                condition=Q(fever_member__isnull=False),
                name="esc_one_fever_per_member_day",
            ),
            models.CheckConstraint(
                condition=Q(fever_member__isnull=True) | Q(fever_day__isnull=False),
                name="esc_fever_has_day",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_request(self) -> bool:
        return self.kind == EscalationKind.REQUEST

    @property
    def is_open(self) -> bool:
        return self.state == EscalationState.OPEN

    @property
    def state_label(self) -> str:
        if self.is_request and self.is_open:
            return "待批复"
        return str(self.get_state_display())  # type: ignore[attr-defined]

    @property
    def reporter_label(self) -> str:
        if self.reporter_member_id is not None:
            return f"{self.reporter_member.name}（{self.from_org.name}）"  # type: ignore[union-attr]
        return self.from_org.name


class RequestManager(models.Manager["Request"]):
    def get_queryset(self) -> models.QuerySet["Request"]:
        return super().get_queryset().filter(kind=EscalationKind.REQUEST)


class Request(Escalation):
    """请示: an escalation of kind REQUEST, answered with a 批复 (Reply)."""

    objects = RequestManager()  # type: ignore[misc]

    class Meta:
        proxy = True
        verbose_name = "请示"
        verbose_name_plural = "请示"


class EventAction(models.TextChoices):
    CREATED = "created", "报送"
    RISEN = "risen", "超时未阅，上报"
    OVERDUE = "overdue", "超时未阅（已是最高一级）"
    ACKNOWLEDGED = "acknowledged", "已阅"
    HANDLED = "handled", "已处理"
    REPLIED = "replied", "批复"
    MESSAGE = "message", "留言"


class EscalationEvent(models.Model):
    """One step of the timeline: who (or the system), when, at which org, what."""

    escalation = models.ForeignKey(
        Escalation, on_delete=models.PROTECT, related_name="events", verbose_name="情况报告"
    )
    action = models.CharField("事项", max_length=14, choices=EventAction.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    org = models.ForeignKey(
        Org, verbose_name="单位", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    level = models.PositiveSmallIntegerField("上报次数", default=0)
    note = models.TextField("说明", blank=True)
    at = models.DateTimeField("时间", default=timezone.now)

    class Meta:
        verbose_name = "情况报告记录"
        verbose_name_plural = "情况报告记录"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.at:%Y-%m-%d %H:%M}"  # type: ignore[attr-defined]


class Reply(models.Model):
    """A message in a 请示's (or a situation report's) thread; `is_answer` marks the 批复."""

    escalation = models.ForeignKey(
        Escalation, on_delete=models.PROTECT, related_name="replies", verbose_name="请示"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="回复人", on_delete=models.PROTECT, related_name="+"
    )
    # The org answered for (a 批复), or empty for the reporter's own follow-up.
    org = models.ForeignKey(
        Org,
        verbose_name="批复单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    body = models.TextField("内容")
    is_answer = models.BooleanField("批复", default=False)
    created_at = models.DateTimeField("时间", default=timezone.now)

    class Meta:
        verbose_name = "批复"
        verbose_name_plural = "批复"
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.body[:40]


class EscalationFile(models.Model):
    escalation = models.ForeignKey(
        Escalation, on_delete=models.PROTECT, related_name="files", verbose_name="情况报告"
    )
    file = models.FileField("文件", upload_to="escalations/%Y/%m/", max_length=300)
    original_name = models.CharField("文件名", max_length=255)
    size = models.BigIntegerField("大小", default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "附件"
        verbose_name_plural = "附件"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_name
