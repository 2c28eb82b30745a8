"""Pioneer posts (党员先锋岗), sign-ups (附件1), allocation, phases and duty rosters (值班表)."""

import secrets

from django.conf import settings
from django.db import models

from members.models import Category, Gender, Member
from orgs.models import Campus, Org


class PostKind(models.TextChoices):
    GATE_DUTY = "gate_duty", "值班值守岗"
    CHECK_IN_SERVICE = "check_in_service", "报到服务岗"
    BUILDING = "building", "楼栋管理岗"
    DINING = "dining", "就餐秩序岗"
    TEACHING = "teaching", "教学秩序岗"
    OTHER = "other", "其他（单位自设）"


class PostLevel(models.TextChoices):
    SCHOOL = "school", "校级"
    UNIT = "unit", "院级"


def default_slots() -> list[dict[str, object]]:
    """Four six-hour shifts a day (003)."""
    return [
        {"name": f"{h:02d}–{h + 6:02d}", "start": f"{h:02d}:00", "hours": 6} for h in (0, 6, 12, 18)
    ]


class Post(models.Model):
    name = models.CharField("岗位名称", max_length=100)
    kind = models.CharField("岗位类型", max_length=20, choices=PostKind.choices)
    custom_kind = models.CharField("自设类型", max_length=50, blank=True)
    level = models.CharField("层级", max_length=10, choices=PostLevel.choices)
    org = models.ForeignKey(
        Org, verbose_name="设岗组织", on_delete=models.PROTECT, related_name="posts"
    )
    campus = models.ForeignKey(
        Campus, verbose_name="校区", null=True, blank=True, on_delete=models.PROTECT
    )
    place = models.CharField("地点", max_length=100, blank=True)  # 北门, 3号楼, 一食堂
    duties = models.TextField("岗位职责", blank=True)
    # [{"name": "00–06", "start": "00:00", "hours": 6}, …]; a leader duty is one 24-hour slot.
    slots = models.JSONField("班次", default=default_slots)
    is_leader_duty = models.BooleanField("领导24小时值班", default=False)
    headcount = models.PositiveSmallIntegerField("每班人数", default=4)
    min_cadres = models.PositiveSmallIntegerField("每班至少干部数", default=0)
    category = models.CharField("人员类别要求", max_length=16, choices=Category.choices, blank=True)
    gender = models.CharField("性别要求", max_length=8, choices=Gender.choices, blank=True)
    active = models.BooleanField("启用", default=True)

    class Meta:
        ordering = ["level", "campus", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def kind_label(self) -> str:
        return self.custom_kind or self.get_kind_display()


class Phase(models.Model):
    """A date range for which posts are staffed (分阶段)."""

    name = models.CharField("阶段名称", max_length=100)
    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="phases")
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期")
    signup_deadline = models.DateTimeField("报名截止", null=True, blank=True)
    recommend_deadline = models.DateTimeField("推荐截止", null=True, blank=True)
    posts = models.ManyToManyField(Post, verbose_name="岗位", related_name="phases", blank=True)

    class Meta:
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="phase_dates_ordered"
            )
        ]

    def __str__(self) -> str:
        return self.name


class SignUp(models.Model):
    """A member's 报名表 (附件1) for one phase."""

    phase = models.ForeignKey(Phase, on_delete=models.CASCADE, related_name="signups")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="signups")
    wanted_posts = models.JSONField("意向岗位（按志愿顺序）", default=list)  # [post id, …]
    unavailable_dates = models.JSONField("不能值班的日期", default=list)  # ["2020-02-03", …]
    unavailable_slots = models.JSONField(
        "不能值班的班次", default=list
    )  # [["2020-02-03", "18–24"]]
    avoid_night = models.BooleanField("尽量不排夜班", default=False)
    campus = models.ForeignKey(Campus, null=True, blank=True, on_delete=models.SET_NULL)
    health_ok = models.BooleanField("身体健康，近14天无发热等症状", default=False)
    health_note = models.CharField("健康说明", max_length=200, blank=True)
    phone = models.CharField("手机号", max_length=11)
    note = models.CharField("备注", max_length=200, blank=True)
    recommended = models.BooleanField("推荐至校级岗位", default=False)
    recommended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recommended_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["member__branch__path", "member__number"]
        constraints = [
            models.UniqueConstraint(fields=["phase", "member"], name="signup_once_per_phase")
        ]


class Allocation(models.Model):
    """A person allocated to a post for a phase (by the duty office, or a unit for its posts)."""

    phase = models.ForeignKey(Phase, on_delete=models.CASCADE, related_name="allocations")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="allocations")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="allocations")
    allocated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    allocated_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["phase", "post", "member"], name="allocation_unique")
        ]


class Roster(models.Model):
    """The assignments of people to shifts for one phase and owner (school or a unit)."""

    class State(models.TextChoices):
        DRAFT = "draft", "草稿"
        PUBLISHED = "published", "已发布"

    class SolveState(models.TextChoices):
        IDLE = "idle", "未求解"
        QUEUED = "queued", "排队中"
        RUNNING = "running", "求解中"
        DONE = "done", "已完成"
        STOPPED = "stopped", "已停止（保留当前最优）"
        INFEASIBLE = "infeasible", "无可行方案"
        FAILED = "failed", "出错"

    phase = models.ForeignKey(Phase, on_delete=models.CASCADE, related_name="rosters")
    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="rosters")
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT)
    version = models.PositiveIntegerField(default=1)  # bumped by every edit: optimistic locking
    # Rules and weights: rest_hours, weekly_cap, weights{…}; see docs/roster-format.md.
    settings = models.JSONField(default=dict, blank=True)
    solve_state = models.CharField(max_length=12, choices=SolveState.choices, default="idle")
    solve_progress = models.JSONField(default=dict, blank=True)  # time, score, bound, gap
    solve_stop = models.BooleanField(default=False)
    solve_message = models.TextField(blank=True)  # why no roster can exist, in Chinese
    solve_queued_at = models.DateTimeField(null=True, blank=True)
    solve_started_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["phase", "org"], name="roster_per_phase_and_org")
        ]

    def __str__(self) -> str:
        return f"{self.phase.name} · {self.org.name}"

    @property
    def level(self) -> str:
        """School rosters staff school-level posts; a unit's roster its unit-level posts."""
        return PostLevel.SCHOOL if self.org.depth == 1 else PostLevel.UNIT

    @property
    def is_solving(self) -> bool:
        return self.solve_state in (self.SolveState.QUEUED, self.SolveState.RUNNING)


class Assignment(models.Model):
    """One person on one shift: post × date × slot."""

    roster = models.ForeignKey(Roster, on_delete=models.CASCADE, related_name="assignments")
    post = models.ForeignKey(Post, on_delete=models.PROTECT, related_name="assignments")
    date = models.DateField("日期")
    slot = models.CharField("班次", max_length=30)
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="assignments")
    pinned = models.BooleanField("锁定", default=False)  # kept by a re-solve

    class Meta:
        ordering = ["date", "post", "slot"]
        constraints = [
            models.UniqueConstraint(
                fields=["roster", "post", "date", "slot", "member"], name="assignment_unique"
            )
        ]
        indexes = [models.Index(fields=["member", "date"], name="assignment_member_date_idx")]


class SwapRequest(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", "待审批"
        APPROVED = "approved", "已同意"
        REFUSED = "refused", "未同意"

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="swaps")
    requested_by = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    with_member = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField("原因", max_length=200)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField("审批意见", max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]


def new_feed_key() -> str:
    return secrets.token_urlsafe(24)


class CalendarFeed(models.Model):
    """The private link of a member's .ics feed."""

    member = models.OneToOneField(Member, on_delete=models.CASCADE, related_name="calendar_feed")
    key = models.CharField(max_length=40, unique=True, default=new_feed_key)
    created_at = models.DateTimeField(auto_now_add=True)
