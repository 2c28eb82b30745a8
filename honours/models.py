"""表彰评比: award rounds with their windows and quotas, nominations backed by the platform's
own records, review, 公示 with objections, and the final honours."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from members.models import Member
from orgs.models import Org


class AwardKind(models.TextChoices):
    BRANCH = "branch", "先进基层党支部"
    WORKER = "worker", "优秀党务工作者"
    MEMBER = "member", "优秀共产党员"
    CUSTOM = "custom", "其他"


class CommendationRound(models.Model):
    """One round of 表彰评比: units nominate within their quota between `nominate_from` and
    `nominate_until`; 组织部 reviews until `review_until`; then 公示 (publicity) with
    objections until `publicity_until`; then the final list."""

    year = models.PositiveIntegerField("年度")
    kind = models.CharField("奖项", max_length=16, choices=AwardKind.choices)
    title = models.CharField("奖项名称", max_length=100)
    note = models.TextField("评选说明", blank=True)
    nominate_from = models.DateField("推荐开始")
    nominate_until = models.DateField("推荐截止")
    review_until = models.DateField("评审截止")
    default_quota = models.PositiveIntegerField("每单位名额", default=1)
    publicity_from = models.DateField("公示开始", null=True, blank=True)
    publicity_until = models.DateField("公示截止", null=True, blank=True)
    finalised_at = models.DateTimeField("确定名单时间", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="发起人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("发起时间", auto_now_add=True)

    class Meta:
        verbose_name = "表彰评比"
        verbose_name_plural = "表彰评比"
        ordering = ["-year", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(nominate_until__gte=F("nominate_from"))
                & Q(review_until__gte=F("nominate_until")),
                name="round_windows_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}年度{self.title}"

    @property
    def for_branches(self) -> bool:
        return self.kind == AwardKind.BRANCH

    def stage(self, today: dt.date) -> str:
        """推荐中 / 待推荐 / 评审中 / 公示中 / 待确定 / 已确定."""
        if self.finalised_at is not None:
            return "已确定"
        if self.publicity_from is not None:
            return "公示中" if today <= (self.publicity_until or today) else "待确定"
        if today < self.nominate_from:
            return "待推荐"
        if today <= self.nominate_until:
            return "推荐中"
        return "评审中"


class RoundQuota(models.Model):
    round = models.ForeignKey(CommendationRound, on_delete=models.PROTECT, related_name="quotas")
    unit = models.ForeignKey(Org, verbose_name="单位", on_delete=models.PROTECT, related_name="+")
    quota = models.PositiveIntegerField("名额")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "unit"], name="round_quota_once_per_unit")
        ]


class NominationState(models.TextChoices):
    NOMINATED = "nominated", "已推荐"
    SELECTED = "selected", "拟表彰"
    NOT_SELECTED = "not_selected", "未入选"
    AWARDED = "awarded", "已表彰"
    WITHDRAWN = "withdrawn", "撤销"


class Nomination(models.Model):
    """A unit's nominee for a round: a member, or a branch for 先进基层党支部."""

    round = models.ForeignKey(
        CommendationRound,
        verbose_name="表彰评比",
        on_delete=models.PROTECT,
        related_name="nominations",
    )
    unit = models.ForeignKey(
        Org, verbose_name="推荐单位", on_delete=models.PROTECT, related_name="+"
    )
    member = models.ForeignKey(
        Member,
        verbose_name="推荐人选",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="nominations",
    )
    branch = models.ForeignKey(
        Org,
        verbose_name="推荐党支部",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="nominations",
    )
    reason = models.TextField("主要事迹")
    state = models.CharField(
        "状态", max_length=16, choices=NominationState.choices, default=NominationState.NOMINATED
    )
    review_note = models.CharField("评审意见", max_length=200, blank=True)
    certificate_no = models.CharField("证书编号", max_length=40, blank=True)
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="推荐人", on_delete=models.PROTECT, related_name="+"
    )
    nominated_at = models.DateTimeField("推荐时间", auto_now_add=True)

    class Meta:
        verbose_name = "表彰推荐"
        verbose_name_plural = "表彰推荐"
        ordering = ["round", "unit__path", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(member__isnull=True, branch__isnull=False)
                | Q(member__isnull=False, branch__isnull=True),
                name="nomination_one_nominee",
            ),
            models.UniqueConstraint(
                fields=["round", "member"], name="nomination_member_once_per_round"
            ),
            models.UniqueConstraint(
                fields=["round", "branch"], name="nomination_branch_once_per_round"
            ),
        ]

    def __str__(self) -> str:
        return self.nominee_name

    @property
    def nominee_name(self) -> str:
        if self.member_id is not None:
            return self.member.name  # type: ignore[union-attr]
        return self.branch.name  # type: ignore[union-attr]


class EvidenceKind(models.TextChoices):
    DUTY = "duty", "先锋岗值守"
    MEETING = "meeting", "组织生活"
    PLEDGE = "pledge", "承诺践诺"
    SUBMISSION = "submission", "报送材料"


class Evidence(models.Model):
    """A record of the platform attached to a nomination; `label` keeps what it said then."""

    nomination = models.ForeignKey(Nomination, on_delete=models.PROTECT, related_name="evidence")
    kind = models.CharField("类别", max_length=16, choices=EvidenceKind.choices)
    object_id = models.PositiveBigIntegerField("记录编号")
    on = models.DateField("日期", null=True, blank=True)
    label = models.CharField("内容", max_length=300)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["nomination", "kind", "object_id"], name="evidence_once_per_nomination"
            )
        ]


class ObjectionState(models.TextChoices):
    OPEN = "open", "待处理"
    UPHELD = "upheld", "属实"
    DISMISSED = "dismissed", "不属实"


class Objection(models.Model):
    """An objection raised during 公示, answered by 组织部; an upheld one withdraws the nominee."""

    nomination = models.ForeignKey(Nomination, on_delete=models.PROTECT, related_name="objections")
    text = models.TextField("异议内容")
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    raised_at = models.DateTimeField(auto_now_add=True)
    state = models.CharField(
        "处理结果", max_length=16, choices=ObjectionState.choices, default=ObjectionState.OPEN
    )
    reply = models.CharField("核查情况", max_length=300, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["id"]
