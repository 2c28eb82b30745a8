"""Every write of study: keyword-only, atomic, each writes its audit row."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from access.scope import Perm, can
from audit.services import audit_record
from meetings.models import AttendanceStatus, Meeting, MeetingState
from members.models import Member
from orgs.models import Org
from study.models import (
    PlanKind,
    SessionKind,
    StudyAttendance,
    StudyFile,
    StudyPlan,
    StudySession,
)
from uploads.services import attach_uploads

COUNTED_MEETINGS = (MeetingState.SUBMITTED, MeetingState.UNIT_APPROVED, MeetingState.APPROVED)
MAX_FILES = 20


@transaction.atomic
def plan_create(
    *,
    actor: Any,
    org: Org,
    kind: str,
    title: str,
    starts_on: dt.date,
    ends_on: dt.date,
    content: str = "",
    hours_target: Decimal = Decimal("0"),
) -> StudyPlan:
    if not can(actor, Perm.STUDY_RECORD, org):
        raise PermissionDenied
    if kind not in PlanKind.values:
        raise ValidationError("请选择计划类型。")
    if ends_on < starts_on:
        raise ValidationError("结束日期不能早于开始日期。")
    if kind == PlanKind.ANNUAL and (starts_on.year != ends_on.year):
        raise ValidationError("年度学习计划须在同一年内。")
    if not title.strip():
        raise ValidationError("请填写计划名称。")
    plan = StudyPlan.objects.create(
        org=org,
        kind=kind,
        title=title.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        content=content.strip(),
        hours_target=hours_target,
        created_by=actor,
    )
    audit_record(actor=actor, action="study.plan_create", target=plan)
    return plan


def _files_add(actor: Any, session: StudySession, upload_ids: list[str]) -> list[StudyFile]:
    return attach_uploads(
        user=actor,
        upload_ids=upload_ids,
        model=StudyFile,
        folder="study",
        limit=MAX_FILES,
        existing=session.files.count(),
        too_many=f"每次学习最多 {MAX_FILES} 个资料文件。",
        session=session,
    )


@transaction.atomic
def session_create(
    *,
    actor: Any,
    org: Org,
    kind: str,
    title: str,
    held_on: dt.date,
    hours: Decimal,
    plan: StudyPlan | None = None,
    meeting: Meeting | None = None,
    due_on: dt.date | None = None,
    notes: str = "",
    library_items: Any = (),
    upload_ids: list[str] | None = None,
) -> StudySession:
    """A study session. For a meeting, those present at it take part at once (its hours each);
    a self-study item is marked done by each member."""
    if not can(actor, Perm.STUDY_RECORD, org):
        raise PermissionDenied
    if kind not in SessionKind.values:
        raise ValidationError("请选择学习形式。")
    if not title.strip():
        raise ValidationError("请填写学习主题。")
    if not Decimal("0.5") <= hours <= Decimal("24"):
        raise ValidationError("学时须在 0.5 到 24 之间。")
    if plan is not None and (plan.org_id != org.pk and not org.path.startswith(plan.org.path)):
        raise ValidationError("所属计划须是本组织或上级组织的学习计划。")
    if plan is not None and not plan.starts_on <= held_on <= plan.ends_on:
        raise ValidationError("学习日期须在所属计划的起止日期内。")
    if kind == SessionKind.MEETING:
        if meeting is None:
            raise ValidationError("集中学习须关联一次会议记录。")
        if meeting.org_id != org.pk and not meeting.org.path.startswith(org.path):
            raise ValidationError("会议须是本组织（或其党小组）召开的。")
        if meeting.state not in COUNTED_MEETINGS or meeting.held_at is None:
            raise ValidationError("会议须已召开并提交审核。")
        held_on = timezone.localdate(meeting.held_at)
    else:
        meeting = None
        if due_on is not None and due_on < held_on:
            raise ValidationError("自学截止日期不能早于开始日期。")
    session = StudySession.objects.create(
        org=org,
        plan=plan,
        kind=kind,
        title=title.strip(),
        held_on=held_on,
        due_on=due_on,
        hours=hours,
        meeting=meeting,
        notes=notes.strip(),
        created_by=actor,
    )
    if library_items:
        session.library_items.set(library_items)
    _files_add(actor, session, upload_ids or [])
    if meeting is not None:
        present = meeting.attendance.filter(status=AttendanceStatus.PRESENT).values_list(
            "member_id", flat=True
        )
        StudyAttendance.objects.bulk_create(
            StudyAttendance(
                session=session, member_id=pk, hours=hours, on=held_on, recorded_by=actor
            )
            for pk in present
        )
    audit_record(
        actor=actor,
        action="study.session_create",
        target=session,
        changes={"kind": kind, "hours": str(hours), "held_on": str(held_on)},
    )
    return session


def _may_take_part(member: Member, session: StudySession) -> bool:
    return member.branch.path.startswith(session.org.path)


@transaction.atomic
def self_study_done(
    *, actor: Any, session: StudySession, member: Member, on: dt.date | None = None
) -> StudyAttendance:
    """A member did a self-study item (themselves, or recorded by those who record study)."""
    on = on or timezone.localdate()
    own = getattr(getattr(actor, "member", None), "pk", None)
    if own != member.pk and not can(actor, Perm.STUDY_RECORD, session.org):
        raise PermissionDenied
    if session.kind != SessionKind.SELF_STUDY:
        raise ValidationError("集中学习按会议出席记录学时。")
    if not _may_take_part(member, session):
        raise ValidationError(f"{member.name}不在本次学习的范围内。")
    if on < session.held_on:
        raise ValidationError("自学尚未开始。")
    if session.due_on is not None and on > session.due_on:
        raise ValidationError("已过自学截止日期。")
    if StudyAttendance.objects.filter(session=session, member=member).exists():
        raise ValidationError("已记录过本次学习。")
    row = StudyAttendance.objects.create(
        session=session, member=member, hours=session.hours, on=on, recorded_by=actor
    )
    audit_record(
        actor=actor,
        action="study.done",
        target=session,
        changes={"member": member.number, "hours": str(session.hours)},
    )
    return row
