"""Every write of the development pipeline: keyword-only, atomic, each writes its audit row.

The rules are here, so the pages and /api/ share them: who may take a step (development.scope),
what evidence a step needs, and the intervals between stages (`IntervalRule`, data). A refusal
is a ValidationError with a Chinese message naming the rule, or PermissionDenied. Reaching
积极分子, 发展对象, 预备党员 or 正式党员 changes the member's political status through
members.services (with its history row)."""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from access.scope import Perm, can
from audit.services import audit_record, diff_fields
from development.models import (
    APPROVED_STAGES,
    DATE_FIELD,
    STATUS_OF_STAGE,
    Candidate,
    DevelopmentStage,
    Evidence,
    IntervalRule,
    Objection,
    Publicity,
    ReviewResult,
    StageStep,
    TrainingGrade,
)
from meetings.models import Meeting, MeetingKind, MeetingState
from members import services as members
from members.models import Member, PoliticalStatus
from uploads.services import attach_uploads

S = DevelopmentStage
# A 公示 lasts at least five days (发展党员工作细则: 公示期一般为 5 个工作日).
PUBLICITY_MIN_DAYS = 5
PEOPLE_FIELDS = ("contact_1", "contact_2", "introducer_1", "introducer_2")
DETAIL_FIELDS = (
    *PEOPLE_FIELDS,
    "training_school",
    "training_finished_on",
    "training_grade",
    "review_on",
    "review_result",
)
MAX_EVIDENCE = 40
PERSON_LABELS = {
    "contact_1": "培养联系人",
    "contact_2": "培养联系人",
    "introducer_1": "入党介绍人",
    "introducer_2": "入党介绍人",
}


def _today() -> dt.date:
    return timezone.localdate()


@transaction.atomic
def candidate_open(*, actor: Any, member: Member, applied_on: dt.date, note: str = "") -> Candidate:
    """Open a file for a person who handed in an application (入党申请书)."""
    if not can(actor, Perm.DEVELOPMENT_RECORD, member.branch):
        raise PermissionDenied
    if member.political_status in (PoliticalStatus.FULL, PoliticalStatus.PROBATIONARY):
        raise ValidationError(f"{member.name}已是{member.get_political_status_display()}。")
    if Candidate.objects.filter(member=member).exists():
        raise ValidationError(f"{member.name}已有发展档案。")
    if applied_on > _today():
        raise ValidationError("递交入党申请书日期不能晚于今天。")
    candidate = Candidate.objects.create(member=member, applied_on=applied_on, created_by=actor)
    StageStep.objects.create(
        candidate=candidate,
        stage=S.APPLICANT,
        on=applied_on,
        branch=member.branch,
        note=note.strip(),
        recorded_by=actor,
    )
    audit_record(
        actor=actor,
        action="development.open",
        target=candidate,
        changes={"member": member.number, "applied_on": str(applied_on)},
        label=f"发展档案：{member.name}",
    )
    return candidate


def _check_person(candidate: Candidate, field: str, person: Member | None) -> None:
    if person is None:
        return
    label = PERSON_LABELS[field]
    if person.pk == candidate.member_id:
        raise ValidationError({field: f"{label}不能是本人。"})
    if person.political_status != PoliticalStatus.FULL:
        raise ValidationError({field: f"{label}须是正式党员（{person.name}不是）。"})


@transaction.atomic
def candidate_details_update(*, actor: Any, candidate: Candidate, **fields: Any) -> Candidate:
    """Record 培养联系人, 入党介绍人, 党校 training and the political review on the file."""
    if not can(actor, Perm.DEVELOPMENT_RECORD, candidate.member.branch):
        raise PermissionDenied
    unknown = set(fields) - set(DETAIL_FIELDS)
    if unknown:
        raise ValueError(f"not a detail field: {sorted(unknown)}")
    if candidate.stage == S.FULL:
        raise ValidationError("已转为正式党员，档案不再修改。")
    for field in PEOPLE_FIELDS:
        if field in fields:
            _check_person(candidate, field, fields[field])
    for a, b in (("contact_1", "contact_2"), ("introducer_1", "introducer_2")):
        one, two = fields.get(a, getattr(candidate, a)), fields.get(b, getattr(candidate, b))
        if one is not None and two is not None and one.pk == two.pk:
            raise ValidationError({b: "两人不能是同一人。"})
    today = _today()
    for field in ("training_finished_on", "review_on"):
        if fields.get(field) and fields[field] > today:
            raise ValidationError({field: "日期不能晚于今天。"})
    if fields.get("training_grade") and fields["training_grade"] not in TrainingGrade.values:
        raise ValidationError({"training_grade": "请选择结业成绩。"})
    if fields.get("review_result") and fields["review_result"] not in ReviewResult.values:
        raise ValidationError({"review_result": "请选择政治审查结论。"})
    before = {f: getattr(candidate, f) for f in fields}
    for name, value in fields.items():
        setattr(candidate, name, value)
    changes = diff_fields(
        {k: getattr(v, "number", v) for k, v in before.items()},
        {k: getattr(v, "number", v) for k, v in fields.items()},
    )
    if changes:
        candidate.save()
        audit_record(actor=actor, action="development.details", target=candidate, changes=changes)
    return candidate


@transaction.atomic
def publicity_open(
    *, actor: Any, candidate: Candidate, starts_on: dt.date, ends_on: dt.date
) -> Publicity:
    """公示 before the next step that needs one (预备党员 or 转正)."""
    if not can(actor, Perm.DEVELOPMENT_RECORD, candidate.member.branch):
        raise PermissionDenied
    stage = candidate.next_stage
    if stage not in APPROVED_STAGES:
        raise ValidationError("只有发展对象（接收预备党员前）和预备党员（转正前）需要公示。")
    if (ends_on - starts_on).days + 1 < PUBLICITY_MIN_DAYS:
        raise ValidationError(f"公示期不少于 {PUBLICITY_MIN_DAYS} 天。")
    reached = candidate.reached_on(candidate.stage)
    if reached is not None and starts_on < reached:
        raise ValidationError("公示不能早于进入当前阶段的日期。")
    publicity = Publicity.objects.create(
        candidate=candidate,
        for_stage=stage,
        starts_on=starts_on,
        ends_on=ends_on,
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action="development.publicity",
        target=candidate,
        changes={"for_stage": stage, "starts_on": str(starts_on), "ends_on": str(ends_on)},
    )
    return publicity


@transaction.atomic
def objection_record(
    *, actor: Any, publicity: Publicity, received_on: dt.date, text: str
) -> Objection:
    candidate = publicity.candidate
    if not can(actor, Perm.DEVELOPMENT_RECORD, candidate.member.branch):
        raise PermissionDenied
    if not text.strip():
        raise ValidationError("请填写反映内容。")
    if received_on < publicity.starts_on or received_on > _today():
        raise ValidationError("收到日期须在公示开始之后、今天之前。")
    objection = Objection.objects.create(
        publicity=publicity, received_on=received_on, text=text.strip(), created_by=actor
    )
    audit_record(
        actor=actor,
        action="development.objection",
        target=candidate,
        changes={"received_on": str(received_on)},
    )
    return objection


@transaction.atomic
def objection_resolve(
    *, actor: Any, objection: Objection, finding: str, resolved_on: dt.date, upheld: bool
) -> Objection:
    candidate = objection.publicity.candidate
    if not can(actor, Perm.DEVELOPMENT_RECORD, candidate.member.branch):
        raise PermissionDenied
    if objection.resolved_on is not None:
        raise ValidationError("该意见已核查。")
    if not finding.strip():
        raise ValidationError("请填写核查结论。")
    if resolved_on < objection.received_on or resolved_on > _today():
        raise ValidationError("核查日期须在收到日期之后、今天之前。")
    objection.finding = finding.strip()
    objection.resolved_on = resolved_on
    objection.upheld = upheld
    objection.save(update_fields=["finding", "resolved_on", "upheld"])
    audit_record(
        actor=actor,
        action="development.objection_resolve",
        target=candidate,
        changes={"resolved_on": str(resolved_on), "upheld": upheld},
    )
    return objection


def interval_problems(
    rules: list[IntervalRule], reached: dict[str, dt.date | None], to_stage: str, on: dt.date
) -> list[str]:
    """The interval rules that reaching `to_stage` on `on` breaks, as sentences."""
    problems = []
    for rule in rules:
        if rule.to_stage != to_stage or not rule.active:
            continue
        start = reached.get(rule.from_stage)
        if start is not None and rule.broken_by(start, on):
            problems.append(f"不符合规定：{rule.text}。")
    return problems


def _evidence_problems(
    candidate: Candidate,
    to_stage: str,
    on: dt.date,
    resolution: Meeting | None,
    approved_on: dt.date | None,
) -> list[str]:
    """What the step still lacks (each a sentence); none when it may be taken."""
    out = []
    if to_stage == S.ACTIVIST and candidate.contact_1_id is None:
        out.append("确定为积极分子须指定培养联系人。")
    if to_stage not in APPROVED_STAGES:
        return out
    if to_stage == S.PROBATIONARY:
        if candidate.introducer_1_id is None or candidate.introducer_2_id is None:
            out.append("接收预备党员须有两名入党介绍人。")
        if candidate.training_finished_on is None or candidate.training_finished_on > on:
            out.append("须在接收前完成党校集中培训。")
        elif candidate.training_grade in ("", TrainingGrade.FAIL):
            out.append("党校培训结业成绩须为合格以上。")
        if candidate.review_result != ReviewResult.PASSED or (
            candidate.review_on is not None and candidate.review_on > on
        ):
            out.append("须在接收前完成政治审查且结论为合格。")
    publicities = [p for p in candidate.publicities.all() if p.for_stage == to_stage]
    done = [p for p in publicities if p.ends_on <= on]
    if not done:
        out.append("须在支部大会讨论前完成公示（公示期满）。")
    for p in publicities:
        for o in p.objections.all():
            if o.resolved_on is None:
                out.append(f"公示期间收到的意见（{o.received_on:%Y-%m-%d}）尚未核查。")
            elif o.upheld:
                out.append(f"公示期间反映的问题（{o.received_on:%Y-%m-%d}）经核查属实。")
    if resolution is None:
        out.append("须关联支部党员大会的会议记录（决议）。")
    else:
        held = timezone.localdate(resolution.held_at) if resolution.held_at else None
        if resolution.kind != MeetingKind.GENERAL_ASSEMBLY:
            out.append("决议须是支部党员大会的会议记录。")
        if resolution.org_id != candidate.member.branch_id:
            out.append("决议须是本人所在党支部的会议。")
        if resolution.state not in (MeetingState.UNIT_APPROVED, MeetingState.APPROVED):
            out.append("支部党员大会的会议记录须经单位审核通过。")
        if held is None:
            out.append("支部党员大会尚未召开。")
        elif to_stage == S.PROBATIONARY and held != on:
            out.append("预备期自支部大会通过之日算起：日期须与支部党员大会召开日期一致。")
        elif to_stage == S.FULL and held < on:
            out.append("转正须在预备期满后由支部党员大会讨论。")
        if held is not None and approved_on is not None and approved_on < held:
            out.append("上级党组织审批不能早于支部党员大会。")
    if approved_on is None:
        out.append("须填写上级党组织审批日期。")
    elif approved_on > _today():
        out.append("上级党组织审批日期不能晚于今天。")
    return out


@transaction.atomic
def candidate_advance(
    *,
    actor: Any,
    candidate: Candidate,
    on: dt.date,
    note: str = "",
    resolution: Meeting | None = None,
    approved_on: dt.date | None = None,
) -> StageStep:
    """Take the file to its next stage on `on`: refused with every reason when a date breaks
    an interval rule or the step lacks its evidence."""
    given = candidate  # the caller's copy, brought up to date at the end
    candidate = (
        Candidate.objects.select_for_update().select_related("member__branch").get(pk=candidate.pk)
    )
    to_stage = candidate.next_stage
    if to_stage is None:
        raise ValidationError("已是正式党员，没有下一阶段。")
    branch = candidate.member.branch
    perm = Perm.DEVELOPMENT_APPROVE if to_stage in APPROVED_STAGES else Perm.DEVELOPMENT_RECORD
    if not can(actor, perm, branch):
        raise PermissionDenied
    problems = []
    current = candidate.reached_on(candidate.stage)
    if on > _today():
        problems.append("日期不能晚于今天。")
    if current is not None and on < current:
        label = DevelopmentStage(candidate.stage).label
        problems.append(f"日期不能早于成为{label}的日期（{current:%Y-%m-%d}）。")
    reached = {stage: candidate.reached_on(stage) for stage in S.values}
    problems += interval_problems(
        list(IntervalRule.objects.filter(active=True)), reached, to_stage, on
    )
    problems += _evidence_problems(candidate, to_stage, on, resolution, approved_on)
    if problems:
        raise ValidationError(problems)
    step = StageStep.objects.create(
        candidate=candidate,
        stage=to_stage,
        on=on,
        branch=branch,
        resolution=resolution if to_stage in APPROVED_STAGES else None,
        approved_on=approved_on if to_stage in APPROVED_STAGES else None,
        note=note.strip(),
        recorded_by=actor,
    )
    from_stage = DevelopmentStage(candidate.stage)
    setattr(candidate, DATE_FIELD[to_stage], on)
    candidate.stage = to_stage
    candidate.save(update_fields=["stage", DATE_FIELD[to_stage], "updated_at"])
    member = candidate.member
    status = STATUS_OF_STAGE[to_stage]
    if member.political_status != status:
        members.member_status_change(
            actor=actor,
            member=member,
            to_status=status,
            changed_on=on,
            note=f"发展党员：{to_stage.label}",
        )
    if to_stage == S.PROBATIONARY:
        members.member_update(actor=actor, member=member, joined_on=on)
    audit_record(
        actor=actor,
        action="development.advance",
        target=candidate,
        changes={"stage": [from_stage.label, to_stage.label], "on": str(on)},
        label=f"发展党员：{member.name} {to_stage.label}（{on:%Y-%m-%d}）",
    )
    given.refresh_from_db()
    return step


@transaction.atomic
def evidence_add(*, actor: Any, candidate: Candidate, upload_ids: list[str]) -> list[Evidence]:
    """Attach finished uploads (申请书, 思想汇报, 证书 …) to the file, under its current stage."""
    if not can(actor, Perm.DEVELOPMENT_RECORD, candidate.member.branch):
        raise PermissionDenied
    added = attach_uploads(
        user=actor,
        upload_ids=upload_ids,
        model=Evidence,
        folder="development",
        limit=MAX_EVIDENCE,
        existing=candidate.evidence.count(),
        too_many=f"每份档案最多 {MAX_EVIDENCE} 个材料。",
        candidate=candidate,
        stage=candidate.stage,
    )
    if not added:
        return []
    audit_record(
        actor=actor,
        action="development.evidence",
        target=candidate,
        changes={"files": [e.original_name for e in added]},
    )
    return added
