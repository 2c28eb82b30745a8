"""Organisational life: 三会一课, 主题党日, 组织生活会 and 民主生活会, their attendance, the
branch committee, and the compliance rules (「规定程序不落项」) that say how often each is due.

A meeting is a record of what happened: its attendance rows and its events (every state
change) are PROTECTed, never deleted with it.
"""

import datetime as dt

from django.conf import settings
from django.db import models

from members.models import Member
from orgs.models import BranchKind, Org
from uploads.models import AttachedFile


class MeetingKind(models.TextChoices):
    GENERAL_ASSEMBLY = "general_assembly", "支部党员大会"
    COMMITTEE = "committee", "支部委员会"
    GROUP = "group", "党小组会"
    LECTURE = "lecture", "党课"
    THEME_DAY = "theme_day", "主题党日"
    ORG_LIFE = "org_life", "组织生活会"
    LEADERSHIP_LIFE = "leadership_life", "民主生活会"


class MeetingMode(models.TextChoices):
    OFFLINE = "offline", "线下"
    ONLINE = "online", "线上"


class MeetingState(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "待单位审核"
    UNIT_APPROVED = "unit_approved", "待组织部审核"
    APPROVED = "approved", "已通过"
    RETURNED = "returned", "已退回"


# Allowed state changes: (from, to) → what the step is called.
TRANSITIONS: dict[tuple[str, str], str] = {
    (MeetingState.DRAFT, MeetingState.SUBMITTED): "提交审核",
    (MeetingState.RETURNED, MeetingState.SUBMITTED): "修改后重新提交",
    (MeetingState.SUBMITTED, MeetingState.UNIT_APPROVED): "单位审核通过",
    (MeetingState.SUBMITTED, MeetingState.RETURNED): "单位退回",
    (MeetingState.UNIT_APPROVED, MeetingState.APPROVED): "组织部审核通过",
    (MeetingState.UNIT_APPROVED, MeetingState.RETURNED): "组织部退回",
}
EDITABLE_STATES = (MeetingState.DRAFT, MeetingState.RETURNED)
# Kinds whose decisions need a quorum, and what the quorum is counted on.
QUORUM_KINDS = (MeetingKind.GENERAL_ASSEMBLY, MeetingKind.COMMITTEE)


class Meeting(models.Model):
    org = models.ForeignKey(
        Org, verbose_name="召开组织", on_delete=models.PROTECT, related_name="meetings"
    )
    kind = models.CharField("会议类型", max_length=20, choices=MeetingKind.choices)
    topic = models.CharField("会议主题", max_length=200)
    planned_at = models.DateTimeField("计划时间", null=True, blank=True)
    held_at = models.DateTimeField("召开时间", null=True, blank=True)
    mode = models.CharField(
        "召开方式", max_length=10, choices=MeetingMode.choices, default=MeetingMode.OFFLINE
    )
    place = models.CharField("地点", max_length=200, blank=True)
    platform = models.CharField("线上平台", max_length=50, blank=True)
    link = models.CharField("会议链接或会议号", max_length=500, blank=True)
    host = models.ForeignKey(
        Member,
        verbose_name="主持人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorder = models.ForeignKey(
        Member,
        verbose_name="记录人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    lecturer = models.ForeignKey(
        Member,
        verbose_name="授课人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    agenda = models.TextField("议题", blank=True, help_text="每行一项")
    guests = models.TextField("列席人员", blank=True, help_text="每行一人，可注明单位职务")
    minutes = models.TextField("会议记录", blank=True)
    decisions = models.TextField("会议决定", blank=True, help_text="表决事项与结果；无表决可不填")
    state = models.CharField(
        "状态", max_length=16, choices=MeetingState.choices, default=MeetingState.DRAFT
    )
    # Kept on each save of the attendance so lists show the flag without counting rows.
    quorum_base = models.PositiveIntegerField("应到有表决权人数", default=0)
    quorum_present = models.PositiveIntegerField("实到有表决权人数", default=0)
    checkin_code = models.CharField("签到码", max_length=8, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "会议"
        verbose_name_plural = "会议"
        ordering = ["-held_at", "-id"]
        indexes = [
            models.Index(fields=["org", "kind", "held_at"], name="meeting_org_kind_held_idx"),
            models.Index(fields=["state", "held_at"], name="meeting_state_held_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.topic}"

    @property
    def when(self) -> dt.datetime | None:
        return self.held_at or self.planned_at

    @property
    def agenda_items(self) -> list[str]:
        return [line.strip() for line in self.agenda.splitlines() if line.strip()]

    @property
    def guest_list(self) -> list[str]:
        return [line.strip() for line in self.guests.splitlines() if line.strip()]

    @property
    def needs_quorum(self) -> bool:
        return self.kind in QUORUM_KINDS

    @property
    def quorum_met(self) -> bool:
        """More than half of those counted are present (2 × present > base)."""
        return self.quorum_base > 0 and 2 * self.quorum_present > self.quorum_base

    @property
    def decided_without_quorum(self) -> bool:
        """Decisions were recorded at a meeting that needed a quorum and lacked one."""
        return self.needs_quorum and bool(self.decisions.strip()) and not self.quorum_met

    @property
    def editable(self) -> bool:
        return self.state in EDITABLE_STATES


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", "出席"
    LEAVE = "leave", "请假"
    ABSENT = "absent", "缺席"


class Attendance(models.Model):
    """One person expected at a meeting, from the roll as it was when the meeting was held."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="attendance")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="attendance")
    status = models.CharField(
        "出席情况",
        max_length=10,
        choices=AttendanceStatus.choices,
        default=AttendanceStatus.ABSENT,
    )
    reason = models.CharField("请假或缺席原因", max_length=200, blank=True)
    # Snapshot on the day: a 正式党员 has a vote at a 党员大会; a committee seat at a 支委会.
    has_vote = models.BooleanField("有表决权", default=False)
    seat_title = models.CharField("职务", max_length=20, blank=True)
    checked_in_at = models.DateTimeField("自助签到时间", null=True, blank=True)

    class Meta:
        verbose_name = "出席记录"
        verbose_name_plural = "出席记录"
        ordering = ["meeting", "member__number"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="attendance_once")
        ]


class MeetingEvent(models.Model):
    """One state change of a meeting: who, when, from, to, and the comment (a return's reason)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_state = models.CharField(max_length=16, choices=MeetingState.choices, blank=True)
    to_state = models.CharField(max_length=16, choices=MeetingState.choices)
    comment = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    @property
    def step(self) -> str:
        if not self.from_state:
            return "创建"
        return TRANSITIONS.get((self.from_state, self.to_state), self.get_to_state_display())


class SeatTitle(models.TextChoices):
    SECRETARY = "secretary", "书记"
    DEPUTY = "deputy", "副书记"
    ORGANISATION = "organisation", "组织委员"
    PROPAGANDA = "propaganda", "宣传委员"
    DISCIPLINE = "discipline", "纪检委员"
    YOUTH = "youth", "青年委员"
    OTHER = "other", "委员"


class CommitteeSeat(models.Model):
    """A seat on a branch committee (支委) for a term; a seat that ended keeps its row."""

    branch = models.ForeignKey(
        Org, verbose_name="党支部", on_delete=models.PROTECT, related_name="committee_seats"
    )
    member = models.ForeignKey(
        Member, verbose_name="委员", on_delete=models.PROTECT, related_name="committee_seats"
    )
    title = models.CharField("职务", max_length=16, choices=SeatTitle.choices)
    term_start = models.DateField("任期开始")
    term_end = models.DateField("任期届满", null=True, blank=True)

    class Meta:
        verbose_name = "支委"
        verbose_name_plural = "支委"
        ordering = ["branch", "title", "term_start"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(term_end__isnull=True)
                | models.Q(term_end__gte=models.F("term_start")),
                name="seat_term_ordered",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_title_display()} {self.member.name}"


class Frequency(models.TextChoices):
    MONTHLY = "monthly", "每月"
    QUARTERLY = "quarterly", "每季度"
    TERM = "term", "每学期"
    YEARLY = "yearly", "每年"


class ComplianceRule(models.Model):
    """How often a kind of meeting is due: for every branch of `org`'s subtree (the school by
    default), from a date on, at least `min_count` per period."""

    kind = models.CharField("会议类型", max_length=20, choices=MeetingKind.choices)
    frequency = models.CharField("频次", max_length=10, choices=Frequency.choices)
    min_count = models.PositiveSmallIntegerField("每期至少次数", default=1)
    org = models.ForeignKey(
        Org,
        verbose_name="适用范围",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="留空表示全校；选单位则适用于其下属党支部",
    )
    branch_kind = models.CharField(
        "支部类别",
        max_length=16,
        choices=BranchKind.choices,
        blank=True,
        help_text="留空表示各类支部；选定则只适用于该类支部",
    )
    starts_on = models.DateField("起始日期")
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "组织生活规定"
        verbose_name_plural = "组织生活规定"
        ordering = ["kind", "starts_on"]

    def __str__(self) -> str:
        if self.branch_kind:
            return (
                f"{self.get_branch_kind_display()}：{self.get_kind_display()} "
                f"{self.get_frequency_display()}至少 {self.min_count} 次"
            )
        return f"{self.get_kind_display()} {self.get_frequency_display()}至少 {self.min_count} 次"


class ComplianceExemption(models.Model):
    """A branch excused from a rule's kind for one period (e.g. 2026-03, 2026-Q1, 2026)."""

    branch = models.ForeignKey(
        Org, verbose_name="党支部", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField("会议类型", max_length=20, choices=MeetingKind.choices)
    period = models.CharField("期间", max_length=10, help_text="如 2026-03、2026-Q1、2026")
    reason = models.CharField("原因", max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "豁免"
        verbose_name_plural = "豁免"
        constraints = [
            models.UniqueConstraint(
                fields=["branch", "kind", "period"], name="exemption_once_per_period"
            )
        ]


class MeetingFile(AttachedFile):
    """A photo or file of a meeting (sign-in sheet, pictures, slides), from a finished upload."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="files")
    file = models.FileField(upload_to="meetings/%Y/%m/", max_length=300)

    class Meta:
        verbose_name = "会议附件"
        verbose_name_plural = "会议附件"
        ordering = ["id"]


class MeetingStory(models.Model):
    """A member's story and experience told at a 组织生活会; the branch picks and edits the
    best into its 「战疫故事汇」, handed in to a campaign as one submission."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="stories")
    member = models.ForeignKey(
        Member, verbose_name="讲述人", on_delete=models.PROTECT, related_name="meeting_stories"
    )
    title = models.CharField("标题", max_length=100)
    text = models.TextField("故事与体会")
    picked = models.BooleanField("选入故事汇", default=False)
    submission = models.ForeignKey(
        "campaigns.Submission",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "组织生活会故事"
        verbose_name_plural = "组织生活会故事"
        ordering = ["meeting", "id"]


class StoryFile(AttachedFile):
    """A picture or video of a member's story (from a finished upload); handed in with the
    story when it is compiled into a 战疫故事汇."""

    story = models.ForeignKey(MeetingStory, on_delete=models.PROTECT, related_name="files")
    file = models.FileField(upload_to="meetings/stories/%Y/%m/", max_length=300)

    class Meta:
        verbose_name = "故事图片或视频"
        verbose_name_plural = "故事图片或视频"
        ordering = ["id"]

    @property
    def is_video(self) -> bool:
        return self.content_type.startswith("video/")
