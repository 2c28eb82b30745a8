"""Notices: one message to one user, shown in the site's notice centre.

Every capability tells people things through `notices.services.notify`; delivery beyond the
site (e-mail, 企业微信 and 钉钉 robots) hangs off the stored notice, so a notice is never lost
because a channel was down.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


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
    created_at = models.DateTimeField("时间", default=timezone.now)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        verbose_name = "通知"
        verbose_name_plural = "通知"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at", "-created_at"])]

    def __str__(self) -> str:
        return self.title
