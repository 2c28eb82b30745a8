"""Campaigns (活动) ask each unit for deliverables (任务项); units hand in submissions (报送)."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from members.models import Member
from orgs.models import Org


class DeliverableKind(models.TextChoices):
    MICRO_LECTURE = "micro_lecture", "专题微党课"
    STORY = "story", "战疫故事汇"
    MATERIAL = "material", "教育素材库"
    RED_FIREWALL = "red_firewall", "红色防火墙"


class MaterialType(models.TextChoices):
    TEXT = "text", "文字"
    PICTURE = "picture", "图片"
    AUDIO = "audio", "音频"
    VIDEO = "video", "视频"
    CASE = "case", "工作案例"


class LatePolicy(models.TextChoices):
    REFUSE = "refuse", "逾期不再接收"
    MARK_LATE = "mark_late", "接收并标记逾期"


class SubmittingLevel(models.TextChoices):
    UNIT = "unit", "二级党委"
    BRANCH = "branch", "党支部"


class Campaign(models.Model):
    name = models.CharField("活动名称", max_length=100)
    year = models.PositiveIntegerField("年度")
    description = models.TextField("说明", blank=True)
    org = models.ForeignKey(
        Org, verbose_name="发起组织", on_delete=models.PROTECT, related_name="campaigns"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        ordering = ["-year", "-id"]

    def __str__(self) -> str:
        return self.name


class Deliverable(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="deliverables")
    kind = models.CharField("类型", max_length=20, choices=DeliverableKind.choices)
    name = models.CharField("名称", max_length=100)
    description = models.TextField("要求", blank=True)
    deadline = models.DateTimeField("截止时间")
    submitting_level = models.CharField(
        "报送层级", max_length=10, choices=SubmittingLevel.choices, default=SubmittingLevel.UNIT
    )
    quota = models.PositiveIntegerField("每单位限报", null=True, blank=True, help_text="留空为不限")
    material_types = models.JSONField("允许的素材类型", default=list)
    subkinds = models.JSONField("细分类别", default=list, blank=True)  # 先锋岗, 责任状 …
    topics = models.JSONField("主题", default=list, blank=True)  # the five of 000 + 其他
    late_policy = models.CharField(
        "逾期处理", max_length=10, choices=LatePolicy.choices, default=LatePolicy.REFUSE
    )
    requires_summary = models.BooleanField("须附情况总结", default=False)
    order = models.PositiveSmallIntegerField(default=0)
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        ordering = ["campaign", "order", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def material_type_labels(self) -> list[str]:
        return [MaterialType(t).label for t in self.material_types if t in MaterialType.values]

    @property
    def is_closed(self) -> bool:
        return self.deadline < timezone.now()


class SubmissionState(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已报送"
    WITHDRAWN = "withdrawn", "已撤回"
    RETURNED = "returned", "已退回"
    SHORTLISTED = "shortlisted", "入围"
    SELECTED = "selected", "择优"
    RECOMMENDED = "recommended", "已推荐"
    PUBLISHED = "published", "已发布"


S = SubmissionState
# The allowed changes of state; services refuse any other.
TRANSITIONS: dict[str, set[str]] = {
    S.DRAFT: {S.SUBMITTED},
    S.SUBMITTED: {S.WITHDRAWN, S.RETURNED, S.SHORTLISTED, S.SELECTED},
    S.WITHDRAWN: {S.DRAFT},
    S.RETURNED: {S.DRAFT},
    S.SHORTLISTED: {S.SELECTED, S.RETURNED},
    S.SELECTED: {S.RECOMMENDED, S.PUBLISHED, S.SHORTLISTED},
    S.RECOMMENDED: {S.PUBLISHED},
    S.PUBLISHED: set(),
}
# States that count against a unit's quota.
COUNTED_STATES = (S.SUBMITTED, S.SHORTLISTED, S.SELECTED, S.RECOMMENDED, S.PUBLISHED)
# States whose materials the 教育素材库 shows to every signed-in user.
LIBRARY_STATES = (S.SELECTED, S.RECOMMENDED, S.PUBLISHED)


class Submission(models.Model):
    deliverable = models.ForeignKey(
        Deliverable, on_delete=models.PROTECT, related_name="submissions"
    )
    org = models.ForeignKey(
        Org, verbose_name="报送单位", on_delete=models.PROTECT, related_name="submissions"
    )
    title = models.CharField("标题", max_length=200)
    summary = models.TextField("简介", blank=True)
    topic = models.CharField("主题", max_length=100, blank=True)
    subkind = models.CharField("类别", max_length=50, blank=True)
    tags = models.JSONField("标签", default=list, blank=True)
    state = models.CharField(max_length=20, choices=SubmissionState.choices, default=S.DRAFT)
    is_late = models.BooleanField("逾期", default=False)
    submitted_at = models.DateTimeField(null=True, blank=True)
    score = models.DecimalField("评分", max_digits=5, decimal_places=1, null=True, blank=True)
    recommended_to = models.CharField("推荐至", max_length=50, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Set when the submission came from another installation's upward package.
    source_uuid = models.UUIDField(null=True, blank=True, unique=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [
            models.Index(fields=["deliverable", "org", "state"], name="submission_quota_idx")
        ]

    def __str__(self) -> str:
        return self.title


class SubmissionAuthor(models.Model):
    """An author or presenter; the name is kept even if the member record changes."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="authors")
    member = models.ForeignKey(Member, null=True, blank=True, on_delete=models.SET_NULL)
    name = models.CharField("姓名", max_length=50)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]


class SubmissionFile(models.Model):
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="files")
    material_type = models.CharField("类型", max_length=10, choices=MaterialType.choices)
    file = models.FileField(upload_to="submissions/%Y/%m/", max_length=300)
    original_name = models.CharField("文件名", max_length=255)
    size = models.BigIntegerField()
    sha256 = models.CharField(max_length=64)
    content_type = models.CharField(max_length=100, blank=True)
    is_subtitle = models.BooleanField(default=False)
    media_info = models.JSONField(default=dict, blank=True)  # probe results
    warnings = models.JSONField(default=list, blank=True)  # Chinese sentences
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]


class SubmissionEvent(models.Model):
    """One change of a submission's state, or a review note: who, when, from, to, comment."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    from_state = models.CharField(max_length=20, choices=SubmissionState.choices, blank=True)
    to_state = models.CharField(max_length=20, choices=SubmissionState.choices, blank=True)
    comment = models.TextField(blank=True)
    score = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)

    class Meta:
        ordering = ["at", "id"]


class Reminder(models.Model):
    """A reminder e-mailed to a unit that had not submitted as a deadline neared."""

    deliverable = models.ForeignKey(Deliverable, on_delete=models.CASCADE, related_name="reminders")
    org = models.ForeignKey(Org, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(auto_now_add=True)
    recipients = models.TextField(blank=True)

    class Meta:
        ordering = ["-sent_at"]
        indexes = [models.Index(fields=["deliverable", "org"], name="reminder_cell_idx")]


class UnitSummary(models.Model):
    """A unit's summary for a deliverable that asks for one (战疫故事汇: 组织生活会开展情况总结)."""

    deliverable = models.ForeignKey(Deliverable, on_delete=models.CASCADE, related_name="summaries")
    org = models.ForeignKey(Org, verbose_name="单位", on_delete=models.CASCADE, related_name="+")
    text = models.TextField("情况总结")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["deliverable", "org"], name="unit_summary_once")
        ]

    def __str__(self) -> str:
        return f"{self.org} · {self.deliverable}"
