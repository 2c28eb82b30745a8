from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    """One write or export: who, when, what changed, from which address."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField("时间", auto_now_add=True)
    action = models.CharField("操作", max_length=50, db_index=True)
    target_type = models.CharField("对象类型", max_length=50, blank=True)
    target_id = models.CharField("对象编号", max_length=50, blank=True)
    target_label = models.CharField("对象", max_length=200, blank=True)
    changes = models.JSONField("变更内容", default=dict, blank=True)
    ip = models.GenericIPAddressField("来源地址", null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = "审计记录"
        verbose_name_plural = "审计记录"
        # The log is read newest first: whole, by one person, by one object.
        indexes = [
            models.Index(fields=["-at", "-id"], name="audit_at_id_idx"),
            models.Index(fields=["actor", "-at", "-id"], name="audit_actor_at_idx"),
            models.Index(fields=["target_type", "target_id"], name="audit_target_idx"),
        ]


class SubmitToken(models.Model):
    """A form's one-time token: a second POST of the same form finds its first result here."""

    token = models.UUIDField(unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    result_url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
