"""The study rules, each refusal with its Chinese reason: plans, sessions, self-study."""

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from audit.models import AuditEvent
from conftest import Cast
from meetings import services as meeting_services
from meetings.models import AttendanceStatus
from meetings.tests.factories import held_meeting
from study import services
from study.models import PlanKind, SessionKind, StudyAttendance, StudyPlan, StudySession
from study.tests.helpers import self_study

TODAY = timezone.localdate()
YEAR = TODAY.year


def _plan(cast: Cast, **extra: Any) -> StudyPlan:
    data: dict[str, Any] = {
        "actor": cast.users["unit_a_admin"],
        "org": cast.unit_a,
        "kind": PlanKind.ANNUAL,
        "title": " 年度理论学习计划 ",
        "starts_on": dt.date(YEAR, 1, 1),
        "ends_on": dt.date(YEAR, 12, 31),
        **extra,
    }
    return services.plan_create(**data)


def test_a_unit_makes_a_plan_and_it_is_audited(cast: Cast) -> None:
    plan = _plan(cast, content=" 学习党章 ", hours_target=Decimal("32"))

    assert plan.title == "年度理论学习计划" and plan.content == "学习党章"
    assert plan.created_by == cast.users["unit_a_admin"]
    assert AuditEvent.objects.filter(action="study.plan_create", target_id=str(plan.pk)).exists()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"kind": "weekly"}, "请选择计划类型。"),
        ({"ends_on": dt.date(YEAR - 1, 12, 31)}, "结束日期不能早于开始日期。"),
        ({"ends_on": dt.date(YEAR + 1, 1, 31)}, "年度学习计划须在同一年内。"),
        ({"title": "  "}, "请填写计划名称。"),
    ],
)
def test_a_plan_against_the_rules_is_refused_with_its_reason(
    cast: Cast, extra: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValidationError, match=re.escape(message)):
        _plan(cast, **extra)
    assert not StudyPlan.objects.exists()


def test_a_phase_plan_may_span_two_years(cast: Cast) -> None:
    plan = _plan(cast, kind=PlanKind.PHASE, ends_on=dt.date(YEAR + 1, 6, 30))
    assert plan.ends_on.year == YEAR + 1


def test_a_plan_of_another_unit_is_forbidden(cast: Cast) -> None:
    with pytest.raises(PermissionDenied):
        _plan(cast, org=cast.unit_b)
    assert not StudyPlan.objects.exists()


def _session(cast: Cast, **extra: Any) -> StudySession:
    data: dict[str, Any] = {
        "actor": cast.users["branch_secretary"],
        "org": cast.branch_a1,
        "kind": SessionKind.SELF_STUDY,
        "title": "学习防控工作方案",
        "held_on": TODAY,
        "hours": Decimal("2"),
        **extra,
    }
    return services.session_create(**data)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"kind": "video"}, "请选择学习形式。"),
        ({"title": " "}, "请填写学习主题。"),
        ({"hours": Decimal("0.4")}, "学时须在 0.5 到 24 之间。"),
        ({"hours": Decimal("24.5")}, "学时须在 0.5 到 24 之间。"),
        ({"due_on": TODAY - dt.timedelta(days=1)}, "自学截止日期不能早于开始日期。"),
        ({"kind": SessionKind.MEETING}, "集中学习须关联一次会议记录。"),
    ],
)
def test_a_session_against_the_rules_is_refused_with_its_reason(
    cast: Cast, extra: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValidationError, match=re.escape(message)):
        _session(cast, **extra)
    assert not StudySession.objects.exists()


def test_a_session_may_not_be_under_another_orgs_plan(cast: Cast) -> None:
    other_unit = _plan(cast, actor=cast.users["unit_b_admin"], org=cast.unit_b)

    with pytest.raises(ValidationError, match="所属计划须是本组织或上级组织的学习计划。"):
        _session(cast, plan=other_unit)


def test_a_session_under_its_units_plan_must_fall_within_it(cast: Cast) -> None:
    plan = _plan(cast, kind=PlanKind.PHASE, ends_on=TODAY - dt.timedelta(days=1))
    plan.starts_on = TODAY - dt.timedelta(days=30)
    plan.save()

    with pytest.raises(ValidationError, match="学习日期须在所属计划的起止日期内。"):
        _session(cast, plan=plan)
    # the day before is inside: the branch's session counts under its unit's plan
    inside = _session(cast, plan=plan, held_on=TODAY - dt.timedelta(days=1))
    assert inside.plan == plan


def test_a_session_of_an_unsubmitted_meeting_is_refused(cast: Cast) -> None:
    meeting = held_meeting(cast.branch_a1, kind="lecture", lecturer=cast.member_a)

    with pytest.raises(ValidationError, match="会议须已召开并提交审核。"):
        _session(cast, kind=SessionKind.MEETING, meeting=meeting)


def test_a_session_of_a_meeting_of_another_branch_is_refused(cast: Cast) -> None:
    meeting = held_meeting(cast.branch_a2, kind="lecture", lecturer=cast.other_a)

    with pytest.raises(ValidationError, match="会议须是本组织（或其党小组）召开的。"):
        _session(cast, kind=SessionKind.MEETING, meeting=meeting)


def test_a_meeting_session_takes_the_meetings_day_and_drops_a_due_date(cast: Cast) -> None:
    meeting = held_meeting(cast.branch_a1, kind="lecture", lecturer=cast.member_a, days_ago=3)
    meeting_services.meeting_update(
        actor=None,
        meeting=meeting,
        data={},
        marks={cast.member_a.pk: (AttendanceStatus.PRESENT, "")},
    )
    meeting_services.meeting_submit(actor=cast.users["branch_secretary"], meeting=meeting)
    meeting.refresh_from_db()

    session = _session(
        cast, kind=SessionKind.MEETING, meeting=meeting, due_on=TODAY + dt.timedelta(days=9)
    )

    assert session.held_on == timezone.localdate(meeting.held_at)
    assert list(session.attendance.values_list("member_id", "on")) == [
        (cast.member_a.pk, session.held_on)
    ]


def test_a_self_study_session_keeps_no_meeting(cast: Cast) -> None:
    meeting = held_meeting(cast.branch_a1)
    session = _session(cast, meeting=meeting)
    assert session.meeting is None


def test_recording_study_elsewhere_is_forbidden(cast: Cast) -> None:
    with pytest.raises(PermissionDenied):
        _session(cast, org=cast.branch_b1)


# --- self-study done ------------------------------------------------------------------------


def test_a_secretary_records_a_members_self_study(cast: Cast) -> None:
    session = self_study(cast)
    row = services.self_study_done(
        actor=cast.users["branch_secretary"], session=session, member=cast.member_a
    )
    assert (row.member, row.hours, row.on) == (cast.member_a, Decimal("2"), TODAY)
    assert row.recorded_by == cast.users["branch_secretary"]


def test_a_member_may_not_record_anothers_self_study(cast: Cast) -> None:
    session = self_study(cast)
    with pytest.raises(PermissionDenied):
        services.self_study_done(actor=cast.users["member_a"], session=session, member=cast.other_a)
    assert not StudyAttendance.objects.exists()


def test_a_member_outside_the_sessions_org_is_refused(cast: Cast) -> None:
    session = self_study(cast)
    with pytest.raises(ValidationError, match="赵六不在本次学习的范围内。"):
        services.self_study_done(
            actor=cast.users["school_admin"], session=session, member=cast.other_b
        )


@pytest.mark.parametrize(
    ("on_offset", "message"),
    [(-3, "自学尚未开始。"), (8, "已过自学截止日期。")],
)
def test_self_study_is_done_within_its_window(cast: Cast, on_offset: int, message: str) -> None:
    session = self_study(cast, due_on=TODAY + dt.timedelta(days=7))
    with pytest.raises(ValidationError, match=message):
        services.self_study_done(
            actor=cast.users["member_a"],
            session=session,
            member=cast.member_a,
            on=TODAY + dt.timedelta(days=on_offset),
        )
    # the last day still counts
    services.self_study_done(
        actor=cast.users["member_a"],
        session=session,
        member=cast.member_a,
        on=TODAY + dt.timedelta(days=7),
    )


def test_a_meeting_session_is_not_marked_done_by_hand(cast: Cast) -> None:
    meeting = held_meeting(cast.branch_a1, kind="lecture", lecturer=cast.member_a)
    meeting_services.meeting_submit(actor=cast.users["branch_secretary"], meeting=meeting)
    meeting.refresh_from_db()
    session = _session(cast, kind=SessionKind.MEETING, meeting=meeting)

    with pytest.raises(ValidationError, match="集中学习按会议出席记录学时。"):
        services.self_study_done(
            actor=cast.users["branch_secretary"], session=session, member=cast.member_a
        )
