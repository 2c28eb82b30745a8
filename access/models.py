import hashlib
import secrets

from django.conf import settings
from django.db import models

from orgs.models import Org


class Role(models.TextChoices):
    SCHOOL_ADMIN = "school_admin", "组织部管理员"
    UNIT_ADMIN = "unit_admin", "二级党委管理员"
    BRANCH_SECRETARY = "branch_secretary", "支部书记"
    DUTY_OFFICE = "duty_office", "防控办"
    REVIEWER = "reviewer", "评审人"


class Grant(models.Model):
    """(user, org, role): the role holds over the org's whole subtree."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="grants"
    )
    org = models.ForeignKey(Org, on_delete=models.CASCADE, related_name="grants")
    role = models.CharField("角色", max_length=24, choices=Role.choices)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "授权"
        verbose_name_plural = "授权"
        constraints = [
            models.UniqueConstraint(fields=["user", "org", "role"], name="grant_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.org}"


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for /api/; only its hash is stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField("用途", max_length=50)
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    @staticmethod
    def new_key() -> str:
        return secrets.token_urlsafe(32)


class TemporaryPassword(models.Model):
    """The user's password was issued by an admin (a first login or a reset): they must
    choose their own before doing anything else. Removed when they change it."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="temporary_password"
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    issued_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "临时密码"
        verbose_name_plural = "临时密码"
