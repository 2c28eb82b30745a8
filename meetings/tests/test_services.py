import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db.models import ProtectedError
from django.utils import timezone

from audit.models import AuditEvent
from conftest import Cast
from meetings import services
from meetings.models import (
    Attendance,
    AttendanceStatus,
    CommitteeSeat,
    MeetingEvent,
    MeetingKind,
    MeetingState,
    SeatTitle,
)
from meetings.scope import meetings_for_user, meetings_to_review, review_step
from meetings.tests.factories import held_meeting
from members.models import PoliticalStatus
from members.tests.factories import MemberFactory

S, L, A = AttendanceStatus.PRESENT, AttendanceStatus.LEAVE, AttendanceStatus.ABSENT


@pytest.mark.parametrize(
    ("kind", "rows", "base", "present", "met"),
    [
        # 党员大会: 4 voting members, 3 present → met
        (MeetingKind.GENERAL_ASSEMBLY, [(S, "", True)] * 3 + [(A, "", True)], 4, 3, True),
        # exactly half is not more than half
        (MeetingKind.GENERAL_ASSEMBLY, [(S, "", True)] * 2 + [(A, "", True)] * 2, 4, 2, False),
        # one on leave with a reason leaves the base: 2 of 3 → met
        (
            MeetingKind.GENERAL_ASSEMBLY,
            [(S, "", True)] * 2 + [(A, "", True), (L, "出差", True)],
            3,
            2,
            True,
        ),
        # probationary members (no vote) neither count nor help
        (
            MeetingKind.GENERAL_ASSEMBLY,
            [(S, "", True), (A, "", True), (S, "", False), (S, "", False)],
            2,
            1,
            False,
        ),
        # nobody with a vote: never a quorum
        (MeetingKind.GENERAL_ASSEMBLY, [(S, "", False)], 0, 0, False),
        # 支委会: the whole committee, leave does not shrink it
        (MeetingKind.COMMITTEE, [(S, "", True)] * 3 + [(L, "病假", True)] * 2, 5, 3, True),
        (
            MeetingKind.COMMITTEE,
            [(S, "", True)] * 2 + [(L, "病假", True)] * 2 + [(A, "", True)],
            5,
            2,
            False,
        ),
    ],
)
def test_quorum_table(
    kind: str, rows: list[tuple[str, str, bool]], base: int, present: int, met: bool
) -> None:
    got = services.quorum_counts(kind=kind, rows=rows)
    assert got == (base, present)
    assert (got[0] > 0 and 2 * got[1] > got[0]) is met


def test_assembly_roll_is_the_branchs_party_members_and_decisions_without_quorum_are_flagged(
    cast: Cast,
) -> None:
    MemberFactory.create(branch=cast.branch_a1, political_status=PoliticalStatus.PROBATIONARY)
    MemberFactory.create(branch=cast.branch_a1, political_status=PoliticalStatus.ACTIVIST)
    meeting = held_meeting(
        cast.branch_a1, kind=MeetingKind.GENERAL_ASSEMBLY, decisions="通过发展张某为预备党员"
    )
    rows = list(meeting.attendance.values_list("member__political_status", "has_vote"))
    assert sorted(rows) == [("full", True), ("probationary", False)]
    assert meeting.decided_without_quorum  # nobody marked present
    services.meeting_update(
        actor=cast.users["branch_secretary"],
        meeting=meeting,
        data={},
        marks={cast.member_a.pk: (S, "")},
    )
    meeting.refresh_from_db()
    assert (meeting.quorum_base, meeting.quorum_present) == (1, 1)
    assert not meeting.decided_without_quorum


def test_committee_roll_is_the_committee_seated_on_the_day(cast: Cast) -> None:
    today = timezone.localdate()
    secretary = MemberFactory.create(branch=cast.branch_a1)
    CommitteeSeat.objects.create(
        branch=cast.branch_a1, member=secretary, title=SeatTitle.SECRETARY, term_start=today
    )
    CommitteeSeat.objects.create(
        branch=cast.branch_a1,
        member=cast.member_a,
        title=SeatTitle.ORGANISATION,
        term_start=today - dt.timedelta(days=900),
        term_end=today - dt.timedelta(days=10),
    )
    meeting = held_meeting(cast.branch_a1, kind=MeetingKind.COMMITTEE, days_ago=0)
    assert list(meeting.attendance.values_list("member_id", "seat_title")) == [
        (secretary.pk, "书记")
    ]


def test_leave_needs_a_reason_and_nothing_is_saved_without_it(cast: Cast) -> None:
    meeting = held_meeting(cast.branch_a1)
    with pytest.raises(ValidationError, match="请假须填写原因"):
        services.meeting_update(
            actor=None,
            meeting=meeting,
            data={"topic": "改过的主题"},
            marks={cast.member_a.pk: (L, " ")},
        )
    meeting.refresh_from_db()
    assert meeting.topic == "学习防疫精神"


def test_meeting_kind_must_fit_the_org(cast: Cast) -> None:
    with pytest.raises(ValidationError, match="单位"):
        held_meeting(cast.branch_a1, kind=MeetingKind.LEADERSHIP_LIFE)
    with pytest.raises(ValidationError, match="党支部"):
        held_meeting(cast.unit_a, kind=MeetingKind.THEME_DAY)


def test_the_approval_chain_goes_through_the_unit_then_the_school(cast: Cast) -> None:
    u = cast.users
    meeting = held_meeting(cast.branch_a1, actor=u["branch_secretary"])
    meeting = services.meeting_submit(actor=u["branch_secretary"], meeting=meeting)
    steps = {who: review_step(u[who], meeting) for who in u}
    assert steps == {
        "school_admin": None,
        "unit_a_admin": "unit",
        "unit_b_admin": None,
        "branch_secretary": None,
        "duty_office": None,
        "reviewer": None,
        "member_a": None,
        "member_b": None,
    }
    assert list(meetings_to_review(u["unit_a_admin"])) == [meeting]
    assert not meetings_to_review(u["school_admin"]).exists()
    meeting = services.meeting_approve(actor=u["unit_a_admin"], meeting=meeting, step="unit")
    steps = {who: review_step(u[who], meeting) for who in u}
    assert {w for w, s in steps.items() if s} == {"school_admin"}
    assert steps["school_admin"] == "school"
    meeting = services.meeting_approve(actor=u["school_admin"], meeting=meeting, step="school")
    assert meeting.state == MeetingState.APPROVED
    events = list(MeetingEvent.objects.filter(meeting=meeting).values_list("to_state", "actor"))
    assert events == [
        ("draft", u["branch_secretary"].pk),
        ("submitted", u["branch_secretary"].pk),
        ("unit_approved", u["unit_a_admin"].pk),
        ("approved", u["school_admin"].pk),
    ]
    assert AuditEvent.objects.filter(action="meeting.approved").count() == 1


@pytest.mark.parametrize("step", ["unit", "school"])
def test_a_return_needs_a_reason_and_the_branch_can_resubmit(cast: Cast, step: str) -> None:
    u = cast.users
    meeting = services.meeting_submit(actor=None, meeting=held_meeting(cast.branch_a1))
    if step == "school":
        meeting = services.meeting_approve(actor=u["unit_a_admin"], meeting=meeting, step="unit")
    approver = u["unit_a_admin"] if step == "unit" else u["school_admin"]
    with pytest.raises(ValidationError, match="原因"):
        services.meeting_return(actor=approver, meeting=meeting, step=step, reason="  ")
    meeting = services.meeting_return(actor=approver, meeting=meeting, step=step, reason="缺议题")
    assert meeting.state == MeetingState.RETURNED
    assert meeting.events.last().comment == "缺议题"  # type: ignore[union-attr]
    services.meeting_update(actor=None, meeting=meeting, data={"agenda": "学习文件"})
    meeting = services.meeting_submit(actor=None, meeting=meeting)
    assert meeting.state == MeetingState.SUBMITTED


def test_a_submitted_meeting_cannot_be_edited_or_approved_twice(cast: Cast) -> None:
    meeting = services.meeting_submit(actor=None, meeting=held_meeting(cast.branch_a1))
    with pytest.raises(ValidationError, match="不能修改"):
        services.meeting_update(actor=None, meeting=meeting, data={"topic": "x"})
    with pytest.raises(ValidationError, match="不能审核"):
        services.meeting_approve(actor=None, meeting=meeting, step="school")


def test_a_meeting_not_yet_held_cannot_be_submitted(cast: Cast) -> None:
    meeting = held_meeting(cast.branch_a1, days_ago=-2)
    with pytest.raises(ValidationError, match="尚未召开"):
        services.meeting_submit(actor=None, meeting=meeting)


def test_events_and_attendance_outlive_attempts_to_delete_the_meeting(cast: Cast) -> None:
    meeting = held_meeting(cast.branch_a1)
    with pytest.raises(ProtectedError):
        meeting.delete()
    assert Attendance.objects.filter(meeting=meeting).exists()


def test_members_see_only_meetings_they_attended(cast: Cast) -> None:
    meeting = held_meeting(cast.branch_a1)
    member = cast.users["member_a"]
    assert not meetings_for_user(member).exists()
    services.meeting_update(actor=None, meeting=meeting, data={}, marks={cast.member_a.pk: (S, "")})
    assert list(meetings_for_user(member)) == [meeting]
    assert not meetings_for_user(cast.users["unit_b_admin"]).exists()
    assert list(meetings_for_user(cast.users["branch_secretary"])) == [meeting]


def test_check_in_with_the_code_marks_the_member_present_once(cast: Cast) -> None:
    meeting = held_meeting(cast.branch_a1, days_ago=0)
    with pytest.raises(ValidationError, match="签到码无效"):
        services.meeting_check_in(member=cast.member_a, code="000000x")
    services.meeting_check_in(member=cast.member_a, code=meeting.checkin_code)
    row = meeting.attendance.get(member=cast.member_a)
    assert row.status == S and row.checked_in_at is not None
    with pytest.raises(ValidationError):
        services.meeting_check_in(member=cast.member_b, code=meeting.checkin_code)


def test_an_edit_never_drops_a_member_who_checked_themselves_in(cast: Cast) -> None:
    meeting = held_meeting(cast.branch_a1, days_ago=0)
    services.meeting_check_in(member=cast.member_a, code=meeting.checkin_code)

    with pytest.raises(ValidationError, match="自助签到"):
        services.meeting_update(actor=None, meeting=meeting, data={"kind": MeetingKind.COMMITTEE})

    row = meeting.attendance.get(member=cast.member_a)
    assert row.checked_in_at is not None
    meeting.refresh_from_db()
    assert meeting.kind == MeetingKind.THEME_DAY
