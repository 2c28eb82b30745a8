"""Organisational life beside the meetings: 谈心谈话 (talks) and 民主议事 (deliberations).

Both are records of what happened: they keep their own branch (the member's branch on the
day), and nothing they point at can be deleted from under them (PROTECT).
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce

from members.models import Member
from orgs.models import Org


class TalkMethod(models.TextChoices):
    IN_PERSON = "in_person", "面谈"
    PHONE = "phone", "电话"
    VIDEO = "video", "视频"
    WECHAT = "wechat", "微信"


class Talk(models.Model):
    """谈心谈话: who talked with whom, when and how, and what the talker learnt.

    The notes (思想动态, 生活心态, 工作状态, 帮助) are seen only by the talker and by holders of
    TALK_VIEW over `branch` (talks.scope); the member talked with sees that it took place."""

    member = models.ForeignKey(
        Member, verbose_name="谈话对象", on_delete=models.PROTECT, related_name="talks"
    )
    # The member's branch on the day: who may read the notes follows the record, not a
    # later transfer.
    branch = models.ForeignKey(
        Org, verbose_name="所在党支部", on_delete=models.PROTECT, related_name="+"
    )
    talker = models.ForeignKey(
        Member, verbose_name="谈话人", on_delete=models.PROTECT, related_name="talks_given"
    )
    talked_on = models.DateField("谈话日期")
    method = models.CharField("谈话方式", max_length=16, choices=TalkMethod.choices)
    thoughts = models.TextField("思想动态")
    life = models.TextField("生活心态", blank=True)
    work = models.TextField("工作状态", blank=True)
    help_given = models.TextField("帮助与指导", blank=True)
    follow_up_on = models.DateField("回访日期", null=True, blank=True)
    followed_up_on = models.DateField("已回访日期", null=True, blank=True)
    follow_up_note = models.TextField("回访情况", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="记录人",
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "谈心谈话"
        verbose_name_plural = "谈心谈话"
        ordering = ["-talked_on", "-id"]
        indexes = [
            models.Index(fields=["member", "talked_on"], name="talk_member_day_idx"),
            # Follow-ups due: only the open ones are ever looked up by date.
            models.Index(
                fields=["follow_up_on"],
                name="talk_follow_up_open_idx",
                condition=Q(followed_up_on__isnull=True),
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(member=F("talker")), name="talk_not_with_oneself"),
            models.CheckConstraint(
                condition=Q(follow_up_on__isnull=True) | Q(follow_up_on__gte=F("talked_on")),
                name="talk_follow_up_after_talk",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.talker.name} 与 {self.member.name} 的谈话（{self.talked_on}）"

    @property
    def followed_up(self) -> bool:
        return self.followed_up_on is not None


class DeliberationState(models.TextChoices):
    OPEN = "open", "落实中"
    DONE = "done", "已落实"
    NO_ACTION = "no_action", "无需落实"


class Deliberation(models.Model):
    """民主议事: one agenda item a branch discussed, its decision, the vote, and who follows
    it up by when. A branch's deliberations are its register of decisions."""

    branch = models.ForeignKey(
        Org, verbose_name="党支部", on_delete=models.PROTECT, related_name="deliberations"
    )
    held_on = models.DateField("议事日期")
    topic = models.CharField("议题", max_length=200)
    discussion = models.TextField("讨论情况")
    decision = models.TextField("决定事项", blank=True)
    present = models.PositiveIntegerField("到会人数", null=True, blank=True)
    votes_for = models.PositiveIntegerField("赞成", null=True, blank=True)
    votes_against = models.PositiveIntegerField("反对", null=True, blank=True)
    votes_abstain = models.PositiveIntegerField("弃权", null=True, blank=True)
    owner = models.ForeignKey(
        Member,
        verbose_name="落实责任人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deliberations_owned",
    )
    due_on = models.DateField("落实期限", null=True, blank=True)
    state = models.CharField(
        "落实状态", max_length=16, choices=DeliberationState.choices, default=DeliberationState.OPEN
    )
    state_note = models.TextField("落实情况", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="记录人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("记录时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "民主议事"
        verbose_name_plural = "民主议事"
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["branch", "held_on"], name="deliberation_branch_day_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(present__isnull=True)
                | Q(
                    present__gte=Coalesce(F("votes_for"), 0)
                    + Coalesce(F("votes_against"), 0)
                    + Coalesce(F("votes_abstain"), 0)
                ),
                name="deliberation_votes_within_present",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.topic}（{self.held_on}）"

    @property
    def voted(self) -> bool:
        return any(v is not None for v in (self.votes_for, self.votes_against, self.votes_abstain))

    @property
    def votes_total(self) -> int:
        return sum(v or 0 for v in (self.votes_for, self.votes_against, self.votes_abstain))
