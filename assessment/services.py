"""Writes of ratings and 述职评议: keyword-only, atomic, each with its audit row."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from access.scope import Perm, can
from assessment.models import Appraisal, AppraisalResult, PostRating
from assessment.scope import may_record_result
from assessment.selectors import is_participant
from audit.services import audit_record
from members.models import Member
from orgs.models import Org
from rosters.models import Phase

REPORT_TYPES = {"pdf", "doc", "docx", "wps"}
REPORT_MAX = 20 * 1024 * 1024


@transaction.atomic
def rating_set(
    *, actor: Any, phase: Phase, member: Member, score: int, comment: str = ""
) -> PostRating:
    if not can(actor, Perm.ROSTER_MANAGE, phase.org):
        raise PermissionDenied
    if not 1 <= score <= 5:
        raise ValidationError("评分为 1 至 5 分。")
    if not is_participant(phase=phase, member=member):
        raise ValidationError(f"{member.name}没有参加{phase.name}的岗位。")
    rating, _ = PostRating.objects.update_or_create(
        phase=phase,
        member=member,
        rated_by=actor,
        defaults={"score": score, "comment": comment.strip()[:300]},
    )
    audit_record(
        actor=actor,
        action="rating.set",
        target=rating,
        changes={"member": member.number, "phase": phase.name, "score": score},
        label=f"岗位评分：{member.name}（{phase.name}）{score} 分",
    )
    return rating


def _appraisal(org: Org, year: int) -> Appraisal:
    item, _ = Appraisal.objects.select_for_update().get_or_create(org=org, year=year)
    return item


@transaction.atomic
def report_upload(*, actor: Any, org: Org, year: int, file: UploadedFile) -> Appraisal:
    if not can(actor, Perm.APPRAISAL_VIEW, org):
        raise PermissionDenied
    name = (file.name or "").strip()
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in REPORT_TYPES:
        raise ValidationError("述职报告请上传 PDF、Word 或 WPS 文件。")
    if (file.size or 0) > REPORT_MAX:
        raise ValidationError("述职报告不能超过 20 MB。")
    item = _appraisal(org, year)
    if item.report:
        item.report.delete(save=False)
    item.report.save(name, file, save=False)
    item.report_name = name[:200]
    item.report_by = actor
    item.save()
    audit_record(
        actor=actor,
        action="appraisal.report",
        target=item,
        changes={"file": item.report_name},
        label=f"述职报告：{org.name}（{year}）",
    )
    return item


@transaction.atomic
def result_record(*, actor: Any, org: Org, year: int, result: str, note: str = "") -> Appraisal:
    if not may_record_result(actor, org):
        raise PermissionDenied
    if result not in AppraisalResult.values:
        raise ValidationError("请选择评议结果：好、较好、一般或差。")
    if year > timezone.localdate().year:
        raise ValidationError("不能评议未来的年度。")
    item = _appraisal(org, year)
    before = item.result
    item.result = result
    item.result_note = note.strip()[:300]
    item.result_by = actor
    item.result_at = timezone.now()
    item.save()
    audit_record(
        actor=actor,
        action="appraisal.result",
        target=item,
        changes={"result": [before, result]},
        label=f"述职评议：{org.name}（{year}）{item.get_result_display()}",
    )
    return item
