"""On duty: check-in and logs, pledges (承诺践诺), responsibility zones and teams."""

from typing import Any

from django.conf import settings
from django.db import models

from members.models import Member
from orgs.models import Org
from rosters.models import Assignment, Phase, Post, Roster


class ShiftRecordQuerySet(models.QuerySet):
    def for_shift(self, assignment: Assignment) -> "ShiftRecordQuerySet":
        """The records of the person on `assignment` for that shift (post, date, slot), whether
        or not they are still linked to it."""
        return self.filter(
            member_id=assignment.member_id,
            post_id=assignment.post_id,
            date=assignment.date,
            slot=assignment.slot,
        )


class ShiftRecord(models.Model):
    """What a member did on one shift. A record of what happened: it keeps its own member,
    post, date and slot (and phase), so no roster edit, re-solve, import or delete can remove
    it or point it at someone else. The links to the assignment and roster only help while the
    shift is on a roster; they become empty when it goes."""

    assignment = models.ForeignKey(
        Assignment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    roster = models.ForeignKey(
        Roster, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    phase = models.ForeignKey(
        Phase, verbose_name="阶段", on_delete=models.PROTECT, related_name="+"
    )
    member = models.ForeignKey(
        Member, verbose_name="值班人员", on_delete=models.PROTECT, related_name="+"
    )
    post = models.ForeignKey(Post, verbose_name="岗位", on_delete=models.PROTECT, related_name="+")
    date = models.DateField("日期")
    slot = models.CharField("班次", max_length=30)

    objects = ShiftRecordQuerySet.as_manager()

    class Meta:
        abstract = True

    @staticmethod
    def shift_fields(assignment: Assignment) -> dict[str, Any]:
        """The shift's own fields, copied onto a new record."""
        return {
            "assignment": assignment,
            "roster_id": assignment.roster_id,
            "phase_id": assignment.roster.phase_id,
            "member_id": assignment.member_id,
            "post_id": assignment.post_id,
            "date": assignment.date,
            "slot": assignment.slot,
        }


class DutyCheck(ShiftRecord):
    """Check-in and check-out of one shift by the member on it."""

    assignment = models.OneToOneField(
        Assignment, null=True, blank=True, on_delete=models.SET_NULL, related_name="duty_check"
    )
    roster = models.ForeignKey(
        Roster, null=True, blank=True, on_delete=models.SET_NULL, related_name="duty_checks"
    )
    member = models.ForeignKey(
        Member, verbose_name="值班人员", on_delete=models.PROTECT, related_name="duty_checks"
    )
    checked_in_at = models.DateTimeField("签到时间")
    checked_out_at = models.DateTimeField("签退时间", null=True, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["member", "date"], name="dutycheck_member_date_idx")]


class DutyLog(ShiftRecord):
    """What happened on a shift (值班日志)."""

    assignment = models.ForeignKey(
        Assignment, null=True, blank=True, on_delete=models.SET_NULL, related_name="logs"
    )
    roster = models.ForeignKey(
        Roster, null=True, blank=True, on_delete=models.SET_NULL, related_name="duty_logs"
    )
    member = models.ForeignKey(
        Member, verbose_name="值班人员", on_delete=models.PROTECT, related_name="duty_logs"
    )
    temperatures_taken = models.PositiveIntegerField("测温人数", default=0)
    people_registered = models.PositiveIntegerField("登记人数", default=0)
    anomalies = models.TextField("异常情况", blank=True)
    handover = models.TextField("交接事项", blank=True)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    written_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-written_at"]
        indexes = [models.Index(fields=["post", "date"], name="dutylog_post_date_idx")]


class Pledge(models.Model):
    """A commitment members sign online (承诺践诺 / 责任状)."""

    title = models.CharField("标题", max_length=200)
    body = models.TextField("承诺内容")
    org = models.ForeignKey(Org, verbose_name="面向组织", on_delete=models.PROTECT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    closes_on = models.DateField("截止日期", null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class PledgeSignature(models.Model):
    """A signature: never edited after it is made."""

    pledge = models.ForeignKey(Pledge, on_delete=models.PROTECT, related_name="signatures")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="pledge_signatures")
    signed_name = models.CharField("签名", max_length=50)
    signed_at = models.DateTimeField(auto_now_add=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["pledge", "member"], name="pledge_signed_once")
        ]


class ZoneKind(models.TextChoices):
    BRANCH = "branch", "支部"
    MAJOR = "major", "专业"
    CLASS = "class", "班级"
    DEPARTMENT = "department", "科室"
    DORMITORY = "dormitory", "宿舍楼"


class ResponsibilityZone(models.Model):
    """党员责任区: an area a branch's members answer for."""

    name = models.CharField("责任区", max_length=100)
    kind = models.CharField("划分方式", max_length=12, choices=ZoneKind.choices)
    org = models.ForeignKey(Org, verbose_name="所属组织", on_delete=models.PROTECT)
    description = models.TextField("范围与职责", blank=True)
    members = models.ManyToManyField(Member, verbose_name="责任党员", related_name="zones")

    def __str__(self) -> str:
        return self.name


class TeamKind(models.TextChoices):
    VANGUARD = "vanguard", "党员先锋队"
    COMMANDO = "commando", "党员突击队"


class Team(models.Model):
    name = models.CharField("队伍名称", max_length=100)
    kind = models.CharField("类型", max_length=10, choices=TeamKind.choices)
    org = models.ForeignKey(Org, verbose_name="所属组织", on_delete=models.PROTECT)
    leader = models.ForeignKey(
        Member,
        verbose_name="队长",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_teams",
    )
    members = models.ManyToManyField(Member, verbose_name="队员", related_name="teams")
    description = models.TextField("任务", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name
