"""典型选树: a member or a team (党员先锋队 / 突击队) nominated with their deeds and evidence;
the unit approves, 组织部 approves and publishes (a published flag; the public showcase comes
with the honours capability), and the published one is reported upward as a 「红色防火墙」
submission. Every step is a RoleModelEvent, never edited."""

from django.conf import settings
from django.db import models

from duty.models import Team
from members.models import Member
from orgs.models import Org
from uploads.models import AttachedFile


class RoleModelState(models.TextChoices):
    NOMINATED = "nominated", "待单位审核"
    UNIT_APPROVED = "unit_approved", "待组织部审核"
    PUBLISHED = "published", "已选树发布"
    RETURNED = "returned", "已退回"


TRANSITIONS: dict[tuple[str, str], str] = {
    (RoleModelState.NOMINATED, RoleModelState.UNIT_APPROVED): "单位审核通过",
    (RoleModelState.NOMINATED, RoleModelState.RETURNED): "单位退回",
    (RoleModelState.UNIT_APPROVED, RoleModelState.PUBLISHED): "组织部审核通过并发布",
    (RoleModelState.UNIT_APPROVED, RoleModelState.RETURNED): "组织部退回",
    (RoleModelState.RETURNED, RoleModelState.NOMINATED): "修改后重新推荐",
}


class RoleModel(models.Model):
    org = models.ForeignKey(
        Org, verbose_name="推荐组织", on_delete=models.PROTECT, related_name="role_models"
    )
    member = models.ForeignKey(
        Member,
        verbose_name="党员",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="role_models",
    )
    team = models.ForeignKey(
        Team,
        verbose_name="先锋队 / 突击队",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    title = models.CharField("推荐称号", max_length=100)
    deeds = models.TextField("先进事迹")
    state = models.CharField(
        "状态", max_length=16, choices=RoleModelState.choices, default=RoleModelState.NOMINATED
    )
    published = models.BooleanField("已发布", default=False)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    submission = models.ForeignKey(
        "campaigns.Submission",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="红色防火墙报送",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "典型选树"
        verbose_name_plural = "典型选树"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(member__isnull=False, team__isnull=True)
                | models.Q(member__isnull=True, team__isnull=False),
                name="role_model_member_or_team",
            )
        ]

    def __str__(self) -> str:
        return f"{self.nominee}：{self.title}"

    @property
    def nominee(self) -> str:
        if self.member is not None:
            return self.member.name
        return self.team.name if self.team is not None else ""


class RoleModelEvent(models.Model):
    role_model = models.ForeignKey(RoleModel, on_delete=models.PROTECT, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_state = models.CharField(max_length=16, choices=RoleModelState.choices, blank=True)
    to_state = models.CharField(max_length=16, choices=RoleModelState.choices)
    comment = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    @property
    def step(self) -> str:
        if not self.from_state:
            return "推荐"
        return TRANSITIONS.get((self.from_state, self.to_state), self.get_to_state_display())


class RoleModelFile(AttachedFile):
    """Evidence of the deeds (photos, letters of thanks, reports) from a finished upload."""

    role_model = models.ForeignKey(RoleModel, on_delete=models.PROTECT, related_name="files")
    file = models.FileField(upload_to="rolemodels/%Y/%m/", max_length=300)

    class Meta:
        ordering = ["id"]
