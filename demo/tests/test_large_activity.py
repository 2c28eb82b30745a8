"""seed_activity (demo/large_activity.py) at a small size: every capability gets rows, the same
seed gives the same rows, and the lists a dashboard links to answer for a school admin."""

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from access.models import Grant, Role
from assessment.models import Appraisal, PostRating
from campaigns.models import Campaign, Deliverable, Submission, SubmittingLevel
from carefund.models import CareEntry, CareFund, CarePayment, CareRecipient
from demo.builders import University, build_university
from demo.large_activity import seed_activity
from development.models import Candidate, StageStep
from duty.models import DutyCheck, DutyLog, PledgeSignature
from escalations.models import Escalation, EscalationEvent, EscalationState
from gates.models import Device, Entry, Gate
from honours.models import Nomination
from ledger.models import CadreRecord
from meetings.models import Attendance, CommitteeSeat, Meeting
from members.models import Member
from orgs.models import Org
from reports.models import Report, ReportSchedule
from rosters.models import Allocation, Assignment, Phase, Roster, SignUp
from study.models import StudyAttendance, StudySession
from talks.models import Talk

# Ten in the morning: today's reports are partly in, today's gate entries exist.
NOW = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(10, 30)))
EVERY_KIND: list[type[Model]] = [
    Campaign,
    Submission,
    Phase,
    SignUp,
    Allocation,
    Roster,
    Assignment,
    DutyCheck,
    DutyLog,
    PledgeSignature,
    CommitteeSeat,
    Meeting,
    Attendance,
    Talk,
    ReportSchedule,
    Report,
    Escalation,
    EscalationEvent,
    Gate,
    Device,
    Entry,
    Candidate,
    StageStep,
    StudySession,
    StudyAttendance,
    CareFund,
    CarePayment,
    CareRecipient,
    CareEntry,
    PostRating,
    Appraisal,
    CadreRecord,
    Nomination,
]


def _small() -> University:
    return build_university(
        name="小型测试大学党委", campuses=3, units=2, branches=4, members=200, seed=11
    )


def _fingerprint() -> dict[str, Any]:
    """What was written, by natural keys (not ids: sequences are not rolled back)."""
    return {
        "submissions": sorted(
            Submission.objects.values_list("org__name", "title", "state", "is_late", "uuid")
        ),
        "signups": sorted(SignUp.objects.values_list("phase__name", "member__number")),
        "shifts": sorted(
            Assignment.objects.values_list("post__name", "date", "slot", "member__number")
        ),
        "checks": sorted(DutyCheck.objects.values_list("member__number", "date", "checked_in_at")),
        "meetings": sorted(
            Meeting.objects.values_list("org__name", "kind", "topic", "held_at", "state")
        ),
        "attendance": Counter(Attendance.objects.values_list("member__number", "status")),
        "talks": sorted(Talk.objects.values_list("member__number", "talked_on", "method")),
        "reports": sorted(
            Report.objects.values_list("member__number", "period", "temperature", "late")
        ),
        "escalations": sorted(
            Escalation.objects.values_list("title", "from_org__name", "state", "created_at")
        ),
        "entries": sorted(
            Entry.objects.values_list("uid", "gate__name", "at", "member__number", "temperature")
        ),
        "candidates": sorted(Candidate.objects.values_list("member__number", "stage")),
        "care": sorted(CareEntry.objects.values_list("amount", "balance_after", "occurred_on")),
    }


def test_the_same_seed_gives_the_same_rows_and_another_seed_others(db: Any) -> None:
    # First in the module: it runs before the module-wide university below exists.
    uni = _small()
    runs = []
    for seed in (3, 3, 4):
        with transaction.atomic():
            seed_activity(uni, seed=seed, days=7, now=NOW)
            runs.append(_fingerprint())
            transaction.set_rollback(True)

    assert runs[0] == runs[1]
    assert runs[0]["reports"] and runs[0]["entries"]
    assert runs[0]["reports"] != runs[2]["reports"]
    assert runs[0]["entries"] != runs[2]["entries"]


def test_seed_large_writes_the_activity_unless_told_not_to(db: Any) -> None:
    with transaction.atomic():
        out = StringIO()
        call_command("seed_large", units=2, branches=4, members=60, days=3, stdout=out)
        assert "业务数据（近 3 天）" in out.getvalue()
        assert Report.objects.exists() and Entry.objects.exists() and Meeting.objects.exists()
        # recorded by 组织部's bench login
        assert set(Talk.objects.values_list("recorded_by__username", flat=True)) == {"bench_school"}
        transaction.set_rollback(True)

    call_command("seed_large", units=2, branches=4, members=60, no_activity=True, stdout=out)
    assert Member.objects.count() == 60
    assert not Report.objects.exists() and not SignUp.objects.exists()


def test_seed_large_refuses_less_than_a_day(db: Any) -> None:
    with pytest.raises(CommandError, match="至少为 1 天"):
        call_command("seed_large", units=2, branches=4, members=40, days=0, stdout=StringIO())
    assert not Org.objects.exists()


@pytest.fixture(scope="module")
def seeded(django_db_setup: Any, django_db_blocker: Any) -> Iterator[dict[str, int]]:
    """A small university with its activity, once for the module (rolled back at the end)."""
    with django_db_blocker.unblock(), transaction.atomic():
        uni = _small()
        admin = get_user_model().objects.create(username="activity_admin")
        Grant.objects.create(user=admin, org=uni.school, role=Role.SCHOOL_ADMIN)
        yield seed_activity(uni, seed=5, days=14, user=admin, now=NOW)
        transaction.set_rollback(True)


@pytest.fixture
def counts(seeded: dict[str, int], db: Any) -> dict[str, int]:
    return seeded


@pytest.fixture
def admin_client(counts: dict[str, int]) -> Client:
    client = Client()
    client.force_login(get_user_model().objects.get(username="activity_admin"))
    return client


@pytest.mark.parametrize("model", EVERY_KIND, ids=lambda m: m._meta.label)
def test_every_capability_has_rows(counts: dict[str, int], model: type[Model]) -> None:
    assert model._default_manager.exists()


def test_the_counts_are_the_rows_written(counts: dict[str, int]) -> None:
    assert counts["reports"] == Report.objects.count()
    assert counts["gate_entries"] == Entry.objects.count()
    assert counts["meetings"] == Meeting.objects.count()
    assert counts["signups"] == SignUp.objects.count()
    assert counts["escalations"] == Escalation.objects.count()


def test_the_shapes_are_varied_and_realistic(counts: dict[str, int]) -> None:
    members = Member.objects.count()
    school_phase = Phase.objects.get(org__depth=1)
    signed = SignUp.objects.filter(phase=school_phase).count()
    assert 0.35 * members <= signed <= 0.85 * members
    # a branch-level deliverable with its quota, and units' submissions
    assert Deliverable.objects.filter(submitting_level=SubmittingLevel.BRANCH, quota=2).exists()
    # every period has some members missing (the overdue list has people on it): students
    # daily over the last week, staff weekly over the fortnight
    for schedule, periods in (
        (ReportSchedule.objects.get(frequency="daily"), 7),
        (ReportSchedule.objects.get(frequency="weekly"), 3),
    ):
        expected = Member.objects.filter(category__in=schedule.categories).count()
        per_period = Counter(
            Report.objects.filter(schedule=schedule).values_list("period", flat=True)
        )
        assert len(per_period) in (periods - 1, periods)
        assert all(0 < n < expected for n in per_period.values())
    # about twenty open escalations, some read and handled
    open_ = Escalation.objects.filter(state=EscalationState.OPEN).count()
    assert 20 <= open_ <= 40
    assert Escalation.objects.filter(state=EscalationState.HANDLED).exists()
    # two gates per campus, entries today, a fever today
    today = timezone.localdate(NOW)
    assert Gate.objects.count() == 6
    assert Entry.objects.filter(at__date=today).exists()
    assert Entry.objects.filter(fever=True, temperature__gte="37.3").exists()
    # shifts are filled over the phase's days; past ones were checked in
    days = Assignment.objects.values("date").distinct().count()
    assert days == (school_phase.ends_on - school_phase.starts_on).days + 1
    assert DutyCheck.objects.filter(date__gt=today).count() == 0
    # the care fund's balance is its ledger's last line, never below zero
    fund = CareFund.objects.get()
    last = CareEntry.objects.filter(fund=fund).order_by("-occurred_on", "-id").first()
    assert last is not None and fund.balance == last.balance_after >= 0
    # a unit-level roster of a busy unit beside the school's
    assert Roster.objects.filter(org__depth=2).exists()


def test_meetings_keep_their_roll_and_quorum(counts: dict[str, int]) -> None:
    branches = set(Org.objects.filter(kind="branch").values_list("pk", flat=True))
    met = set(Meeting.objects.filter(org__kind="branch").values_list("org_id", flat=True))
    assert met and met <= branches
    statuses = set(Attendance.objects.values_list("status", flat=True))
    assert statuses == {"present", "leave", "absent"}
    for meeting in Meeting.objects.filter(kind="general_assembly", held_at__isnull=False):
        votes = meeting.attendance.filter(has_vote=True)
        assert meeting.quorum_base == votes.count()
        assert meeting.quorum_present == votes.filter(status="present").count()
    # nothing held in the future; next week's plans are drafts without a date held
    assert not Meeting.objects.filter(held_at__gt=NOW).exists()
    assert Meeting.objects.filter(held_at__isnull=True, state="draft").exists()


def test_the_overdue_list_has_people_on_it(counts: dict[str, int]) -> None:
    from reports.selectors import overdue

    admin = get_user_model().objects.get(username="activity_admin")
    schedule = ReportSchedule.objects.get(frequency="daily")
    yesterday = timezone.localdate(NOW) - dt.timedelta(days=1)
    result = overdue(user=admin, schedule=schedule, period=yesterday)
    assert 0 < result.total.missing < result.total.expected


def test_the_dashboards_lists_answer_for_a_school_admin(admin_client: Client) -> None:
    campaign = Campaign.objects.get()
    phase = Phase.objects.get(org__depth=1)
    roster = Roster.objects.get(phase=phase)
    fund = CareFund.objects.get()
    weekly = ReportSchedule.objects.get(frequency="weekly")
    urls = [
        reverse("campaign_board", args=[campaign.pk]),
        reverse("submission_list"),
        reverse("signup_list", args=[phase.pk]),
        reverse("roster_detail", args=[roster.pk]),
        reverse("duty_stats"),
        reverse("meeting_list"),
        reverse("compliance"),
        reverse("talk_coverage"),
        reverse("report_overdue"),
        reverse("report_overdue") + f"?schedule={weekly.pk}",
        reverse("escalation_list"),
        reverse("gate_figures"),
        reverse("gate_entries"),
        reverse("candidate_list"),
        reverse("study_hours"),
        reverse("care_fund_detail", args=[fund.pk]),
    ]
    for url in urls:
        response = admin_client.get(url)
        assert response.status_code == 200, url
