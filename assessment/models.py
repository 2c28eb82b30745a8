"""评分 (岗位) and 述职评议.

A `PostRating` is one rater's 1–5 score and comment for a participant of a phase; the rater
may revise it (it is an opinion, kept with its time). An `Appraisal` is a branch's or a
unit's yearly 述职评议: the secretary's report file and the result the unit or 组织部
recorded; the evidence beside it is read from the platform's records when the page opens."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from members.models import Member
from orgs.models import Org
from rosters.models import Phase


class PostRating(models.Model):
    phase = models.ForeignKey(
        Phase, verbose_name="阶段", on_delete=models.PROTECT, related_name="+"
    )
    member = models.ForeignKey(
        Member, verbose_name="参加人员", on_delete=models.PROTECT, related_name="post_ratings"
    )
    score = models.PositiveSmallIntegerField("评分")
    comment = models.CharField("评语", max_length=300, blank=True)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="评分人", on_delete=models.PROTECT, related_name="+"
    )
    rated_at = models.DateTimeField("评分时间", auto_now=True)

    class Meta:
        verbose_name = "岗位评分"
        verbose_name_plural = "岗位评分"
        ordering = ["-rated_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(score__gte=1) & Q(score__lte=5), name="postrating_score_1_to_5"
            ),
            models.UniqueConstraint(
                fields=["phase", "member", "rated_by"], name="postrating_once_per_rater"
            ),
        ]


class AppraisalResult(models.TextChoices):
    EXCELLENT = "excellent", "好"
    GOOD = "good", "较好"
    FAIR = "fair", "一般"
    POOR = "poor", "差"


def report_path(instance: "Appraisal", filename: str) -> str:
    ext = filename.rsplit(".", 1)[-1].lower()[:5] if "." in filename else "bin"
    return f"appraisals/{instance.year}/{instance.org_id}-report.{ext}"


class Appraisal(models.Model):
    org = models.ForeignKey(Org, verbose_name="党组织", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveIntegerField("年度")
    report = models.FileField("述职报告", upload_to=report_path, blank=True)
    report_name = models.CharField("报告文件名", max_length=200, blank=True)
    report_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    result = models.CharField(
        "评议结果", max_length=16, choices=AppraisalResult.choices, blank=True
    )
    result_note = models.CharField("评议意见", max_length=300, blank=True)
    result_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    result_at = models.DateTimeField("评议时间", null=True, blank=True)

    class Meta:
        verbose_name = "述职评议"
        verbose_name_plural = "述职评议"
        constraints = [
            models.UniqueConstraint(fields=["org", "year"], name="appraisal_once_per_year")
        ]
