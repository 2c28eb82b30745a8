"""干部纪实台账: per cadre, dated entries of conduct on the front line — 表现突出 or 问责 —
each linked to the duty records, pledges or logs that back it. An entry is a record: it is
never edited or deleted (a correction is a new entry)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from members.models import Member
from orgs.models import Org


class RecordKind(models.TextChoices):
    OUTSTANDING = "outstanding", "表现突出"
    ACCOUNTABILITY = "accountability", "问责"


class AccountabilityType(models.TextChoices):
    NONE = "", "—"
    CRITICISM = "criticism", "批评教育"
    REVIEW = "review", "责令检查"
    NOTICE = "notice", "通报批评"
    ADMONITION = "admonition", "诫勉"
    ORGANISATIONAL = "organisational", "组织处理"


class CadreRecord(models.Model):
    member = models.ForeignKey(
        Member, verbose_name="干部", on_delete=models.PROTECT, related_name="cadre_records"
    )
    # The cadre's unit when the entry was made: who may read it follows the entry.
    unit = models.ForeignKey(
        Org, verbose_name="所在单位", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField("类别", max_length=16, choices=RecordKind.choices)
    accountability = models.CharField(
        "问责方式", max_length=16, choices=AccountabilityType.choices, blank=True
    )
    occurred_from = models.DateField("起始日期")
    occurred_until = models.DateField("截止日期")
    text = models.TextField("纪实内容")
    suggested = models.BooleanField("来自系统建议", default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="记录人", on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "干部纪实"
        verbose_name_plural = "干部纪实"
        ordering = ["-occurred_from", "-id"]
        indexes = [models.Index(fields=["member", "occurred_from"], name="cadrerecord_member_day")]
        constraints = [
            models.CheckConstraint(
                condition=Q(occurred_until__gte=F("occurred_from")), name="cadrerecord_dates_order"
            ),
            models.CheckConstraint(
                condition=Q(kind="outstanding", accountability="")
                | (Q(kind="accountability") & ~Q(accountability="")),
                name="cadrerecord_accountability_has_type",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member.name} {self.get_kind_display()}（{self.occurred_from}）"


class SourceKind(models.TextChoices):
    CHECK = "check", "值守签到"
    LOG = "log", "值班日志"
    PLEDGE = "pledge", "承诺践诺"


class CadreRecordSource(models.Model):
    """A duty record, log or pledge backing an entry; `label` keeps what it said then."""

    record = models.ForeignKey(CadreRecord, on_delete=models.PROTECT, related_name="sources")
    kind = models.CharField("类别", max_length=16, choices=SourceKind.choices)
    object_id = models.PositiveBigIntegerField("记录编号")
    label = models.CharField("内容", max_length=300)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["record", "kind", "object_id"], name="cadre_source_once_per_record"
            )
        ]
