"""Notices: one message to one user, shown in the site's notice centre, and its deliveries.

Every capability tells people things through `notices.services.notify`; delivery beyond the
site (e-mail, 企业微信 and 钉钉 robots) hangs off the stored notice as `Delivery` rows, one
per notice and channel, kept until sent, so a notice is never lost because a channel was down.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from notices.kinds import kind_label
from orgs.models import Org


class Notice(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="收件人",
        on_delete=models.CASCADE,
        related_name="notices",
    )
    # What it is about, as a dotted code ("report.overdue", "situation.raised"): the notice
    # centre filters by it and the robots group by it into digests.
    kind = models.CharField("类别", max_length=60)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    # Where to act on it: a path inside the site.
    url = models.CharField("链接", max_length=500, blank=True)
    # The org the notice is about, when it is one (its robots get it too).
    org = models.ForeignKey(
        Org, verbose_name="组织", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    urgent = models.BooleanField("紧急", default=False)
    # Set by a sender that tells a person a thing once (「meeting.due:12:committee:2026-03」):
    # a second notice with the same key to the same person is not stored.
    key = models.CharField("去重键", max_length=120, blank=True)
    created_at = models.DateTimeField("时间", default=timezone.now)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        verbose_name = "通知"
        verbose_name_plural = "通知"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at", "-created_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "key"], condition=~Q(key=""), name="notice_key_once"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def kind_label(self) -> str:
        return kind_label(self.kind)


class NoticePreference(models.Model):
    """A user's choice of channels beyond the site: e-mail on or off (off unless chosen)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notice_preference"
    )
    email = models.BooleanField("同时发送邮件", default=False)
    # Only urgent notices by e-mail (the site still shows all of them).
    email_urgent_only = models.BooleanField("仅紧急通知发邮件", default=False)

    class Meta:
        verbose_name = "通知设置"
        verbose_name_plural = "通知设置"


class RobotKind(models.TextChoices):
    WECOM = "wecom", "企业微信群机器人"
    DINGTALK = "dingtalk", "钉钉群机器人"


class RobotWebhook(models.Model):
    """A group robot of an org: it receives notices for the people of the org's subtree and
    notices about the org, batched into digests. Switched off, never deleted: its delivery
    log stays."""

    org = models.ForeignKey(Org, verbose_name="组织", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("类型", max_length=12, choices=RobotKind.choices)
    name = models.CharField("名称", max_length=60)
    url = models.CharField("Webhook 地址", max_length=500)
    # 钉钉 加签: the secret signs each request (timestamp + sign); never shown back in full.
    secret = models.CharField("加签密钥", max_length=200, blank=True)
    urgent_only = models.BooleanField("仅推送紧急通知", default=False)
    active = models.BooleanField("启用", default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", default=timezone.now)

    class Meta:
        verbose_name = "群机器人"
        verbose_name_plural = "群机器人"
        ordering = ["org__path", "name", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def secret_hint(self) -> str:
        """The secret as shown back: its first three and last two characters."""
        if not self.secret:
            return ""
        return f"{self.secret[:3]}…{self.secret[-2:]}" if len(self.secret) > 8 else "****"

    @property
    def url_hint(self) -> str:
        """The address without its token (the token lets anyone post to the group)."""
        head, _, query = self.url.partition("?")
        return f"{head}?{query[:14]}…" if query else head


class Channel(models.TextChoices):
    EMAIL = "email", "邮件"
    ROBOT = "robot", "群机器人"


class DeliveryState(models.TextChoices):
    PENDING = "pending", "待发送"
    SENT = "sent", "已发送"
    FAILED = "failed", "已放弃"


class Delivery(models.Model):
    """One notice on one channel (e-mail, or one robot): its state, attempts and last error."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField("渠道", max_length=8, choices=Channel.choices)
    webhook = models.ForeignKey(
        RobotWebhook, null=True, blank=True, on_delete=models.PROTECT, related_name="deliveries"
    )
    state = models.CharField(
        "状态", max_length=8, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveIntegerField("尝试次数", default=0)
    last_error = models.CharField("最近一次失败原因", max_length=300, blank=True)
    next_at = models.DateTimeField("下次尝试", default=timezone.now)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", default=timezone.now)

    class Meta:
        verbose_name = "投递记录"
        verbose_name_plural = "投递记录"
        constraints = [
            models.UniqueConstraint(
                fields=["notice"], condition=Q(channel="email"), name="delivery_email_once"
            ),
            models.UniqueConstraint(
                fields=["notice", "webhook"],
                condition=Q(channel="robot"),
                name="delivery_robot_once",
            ),
            models.CheckConstraint(
                condition=Q(channel="email", webhook__isnull=True)
                | Q(channel="robot", webhook__isnull=False),
                name="delivery_robot_has_webhook",
            ),
        ]
        indexes = [
            models.Index(
                fields=["channel", "next_at"],
                condition=Q(state="pending"),
                name="delivery_due_idx",
            ),
            models.Index(fields=["webhook", "state", "next_at"], name="delivery_webhook_idx"),
        ]


class RobotPost(models.Model):
    """One message posted (or tried) to a robot: the rate limit counts these."""

    webhook = models.ForeignKey(RobotWebhook, on_delete=models.PROTECT, related_name="posts")
    at = models.DateTimeField("时间", default=timezone.now)
    notices = models.PositiveIntegerField("通知条数", default=0)
    ok = models.BooleanField("成功", default=False)
    error = models.CharField("失败原因", max_length=300, blank=True)

    class Meta:
        verbose_name = "机器人消息"
        verbose_name_plural = "机器人消息"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["webhook", "-at"], name="robotpost_window_idx")]
