import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import Cast
from meetings.compliance import Compliance, compliance_rows, unit_summaries
from meetings.models import (
    AttendanceStatus,
    ComplianceExemption,
    ComplianceRule,
    Frequency,
    Meeting,
    MeetingKind,
    MeetingState,
)
from meetings.tests.factories import held_meeting
from orgs.models import BranchKind, OrgKind
from orgs.tests.factories import make_org

K = MeetingKind
YEAR = 2025
AFTER = dt.date(YEAR + 1, 1, 5)  # the whole year is past


def _at(month: int, day: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime(YEAR, month, day, 15, 0))


def _meeting(org: Any, kind: str, month: int, state: str = MeetingState.APPROVED) -> None:
    m = held_meeting(org, kind=kind, held_at=_at(month))
    Meeting.objects.filter(pk=m.pk).update(state=state)


def _rule(
    kind: str,
    freq: str,
    n: int = 1,
    org: Any = None,
    since: dt.date | None = None,
    branch_kind: str = "",
) -> None:
    ComplianceRule.objects.create(
        kind=kind,
        frequency=freq,
        min_count=n,
        org=org,
        starts_on=since or dt.date(2020, 1, 1),
        branch_kind=branch_kind,
    )


def _status(cast: Cast, branch: str, kind: str, period: str, today: dt.date = AFTER) -> str:
    rows = compliance_rows(user=cast.users["school_admin"], year=YEAR, today=today)
    row = next(r for r in rows if r.branch == getattr(cast, branch))
    cells = [c for c in row.cells if c.kind == kind and c.period.key == period]
    return cells[0].status if cells else "not required"


@pytest.fixture
def no_default_rules(db: Any) -> None:
    ComplianceRule.objects.all().delete()


def test_the_default_rules_are_the_issues(cast: Cast) -> None:
    rules = set(ComplianceRule.objects.values_list("kind", "frequency", "min_count", "org"))
    assert rules == {
        (K.COMMITTEE, "monthly", 1, None),
        (K.GROUP, "monthly", 1, None),
        (K.THEME_DAY, "monthly", 1, None),
        (K.GENERAL_ASSEMBLY, "quarterly", 1, None),
        (K.LECTURE, "quarterly", 1, None),
        (K.ORG_LIFE, "yearly", 1, None),
    }


def test_an_approved_meeting_meets_its_month(cast: Cast, no_default_rules: None) -> None:
    _rule(K.THEME_DAY, Frequency.MONTHLY)
    _meeting(cast.branch_a1, K.THEME_DAY, 3)
    assert _status(cast, "branch_a1", K.THEME_DAY, "2025-03") == Compliance.MET
    assert _status(cast, "branch_a1", K.THEME_DAY, "2025-04") == Compliance.MISSING
    assert _status(cast, "branch_a2", K.THEME_DAY, "2025-03") == Compliance.MISSING


@pytest.mark.parametrize(
    ("state", "counts"),
    [
        (MeetingState.DRAFT, False),
        (MeetingState.SUBMITTED, False),
        (MeetingState.RETURNED, False),
        (MeetingState.UNIT_APPROVED, True),
        (MeetingState.APPROVED, True),
    ],
)
def test_a_meeting_counts_once_the_unit_checked_it(
    cast: Cast, no_default_rules: None, state: str, counts: bool
) -> None:
    _rule(K.LECTURE, Frequency.QUARTERLY)
    _meeting(cast.branch_a1, K.LECTURE, 5, state=state)
    expected = Compliance.MET if counts else Compliance.MISSING
    assert _status(cast, "branch_a1", K.LECTURE, "2025-Q2") == expected


def test_an_exemption_excuses_the_branch_for_that_period_only(
    cast: Cast, no_default_rules: None
) -> None:
    _rule(K.COMMITTEE, Frequency.MONTHLY)
    ComplianceExemption.objects.create(
        branch=cast.branch_a1, kind=K.COMMITTEE, period="2025-02", reason="全体隔离"
    )
    assert _status(cast, "branch_a1", K.COMMITTEE, "2025-02") == Compliance.EXEMPT
    assert _status(cast, "branch_a1", K.COMMITTEE, "2025-03") == Compliance.MISSING
    assert _status(cast, "branch_a2", K.COMMITTEE, "2025-02") == Compliance.MISSING


def test_a_units_rule_overrides_the_schools_for_its_branches(
    cast: Cast, no_default_rules: None
) -> None:
    _rule(K.THEME_DAY, Frequency.MONTHLY)
    _rule(K.THEME_DAY, Frequency.QUARTERLY, org=cast.unit_b)
    _meeting(cast.branch_b1, K.THEME_DAY, 1)
    assert _status(cast, "branch_b1", K.THEME_DAY, "2025-Q1") == Compliance.MET
    assert _status(cast, "branch_b1", K.THEME_DAY, "2025-02") == "not required"
    assert _status(cast, "branch_a1", K.THEME_DAY, "2025-02") == Compliance.MISSING


def test_a_term_rule_counts_spring_and_autumn_terms(cast: Cast, no_default_rules: None) -> None:
    _rule(K.LECTURE, Frequency.TERM, n=2)
    _meeting(cast.branch_a1, K.LECTURE, 2)
    _meeting(cast.branch_a1, K.LECTURE, 7)
    _meeting(cast.branch_a1, K.LECTURE, 8)
    assert _status(cast, "branch_a1", K.LECTURE, "2025-T1") == Compliance.MET
    assert _status(cast, "branch_a1", K.LECTURE, "2025-T2") == Compliance.MISSING
    assert _status(cast, "branch_a1", K.LECTURE, "2025-Q1") == "not required"
    assert _status(cast, "branch_a1", K.LECTURE, "2025-T2", dt.date(YEAR, 9, 1)) == Compliance.OPEN
    ComplianceExemption.objects.create(
        branch=cast.branch_a1, kind=K.LECTURE, period="2025-T2", reason="毕业生离校"
    )
    assert _status(cast, "branch_a1", K.LECTURE, "2025-T2") == Compliance.EXEMPT


# (rules as (kind of branch it is for, frequency, unit?), branch's kind) → the period keys owed
BRANCH_KIND_CASES = [
    ([("", Frequency.MONTHLY, False)], BranchKind.STUDENT, "monthly"),
    ([("", Frequency.MONTHLY, False), ("student", Frequency.TERM, False)], "student", "term"),
    ([("", Frequency.MONTHLY, False), ("student", Frequency.TERM, False)], "staff", "monthly"),
    ([("", Frequency.MONTHLY, False), ("student", Frequency.TERM, False)], "", "monthly"),
    ([("retired", Frequency.QUARTERLY, False)], "retired", "quarterly"),
    ([("retired", Frequency.QUARTERLY, False)], "staff", "none"),
    # a unit's rule for every kind beats the school's rule for the branch's kind (deeper org)
    ([("student", Frequency.TERM, False), ("", Frequency.YEARLY, True)], "student", "yearly"),
    # within the unit, a rule for the kind beats one for every kind
    (
        [("", Frequency.YEARLY, True), ("student", Frequency.QUARTERLY, True)],
        "student",
        "quarterly",
    ),
]
OWED = {"monthly": "2025-05", "quarterly": "2025-Q2", "term": "2025-T1", "yearly": "2025"}


@pytest.mark.parametrize(("rules", "branch_kind", "owed"), BRANCH_KIND_CASES)
def test_rules_by_branch_kind(
    cast: Cast, no_default_rules: None, rules: list[Any], branch_kind: str, owed: str
) -> None:
    for for_kind, freq, in_unit in rules:
        _rule(K.THEME_DAY, freq, org=cast.unit_a if in_unit else None, branch_kind=for_kind)
    type(cast.branch_a1).objects.filter(pk=cast.branch_a1.pk).update(branch_kind=branch_kind)
    rows = compliance_rows(user=cast.users["school_admin"], year=YEAR, today=AFTER)
    row = next(r for r in rows if r.branch == cast.branch_a1)
    keys = {c.period.key for c in row.cells if c.kind == K.THEME_DAY}
    if owed == "none":
        assert keys == set()
    else:
        assert OWED[owed] in keys
        assert {k for k in OWED.values() if k != OWED[owed]} & keys == set()


def test_a_minimum_count_needs_that_many(cast: Cast, no_default_rules: None) -> None:
    _rule(K.GENERAL_ASSEMBLY, Frequency.YEARLY, n=2)
    _meeting(cast.branch_a1, K.GENERAL_ASSEMBLY, 3)
    assert _status(cast, "branch_a1", K.GENERAL_ASSEMBLY, "2025") == Compliance.MISSING
    _meeting(cast.branch_a1, K.GENERAL_ASSEMBLY, 9)
    assert _status(cast, "branch_a1", K.GENERAL_ASSEMBLY, "2025") == Compliance.MET


def test_a_rule_applies_from_its_start(cast: Cast, no_default_rules: None) -> None:
    _rule(K.COMMITTEE, Frequency.MONTHLY, since=dt.date(YEAR, 6, 15))
    assert _status(cast, "branch_a1", K.COMMITTEE, "2025-05") == "not required"
    assert _status(cast, "branch_a1", K.COMMITTEE, "2025-06") == Compliance.MISSING


def test_the_current_period_is_open_and_future_ones_are_not_listed(
    cast: Cast, no_default_rules: None
) -> None:
    _rule(K.COMMITTEE, Frequency.MONTHLY)
    today = dt.date(YEAR, 4, 20)
    assert _status(cast, "branch_a1", K.COMMITTEE, "2025-04", today) == Compliance.OPEN
    assert _status(cast, "branch_a1", K.COMMITTEE, "2025-05", today) == "not required"


def test_a_group_meeting_counts_for_its_branch(cast: Cast, no_default_rules: None) -> None:
    _rule(K.GROUP, Frequency.MONTHLY)
    group = make_org(cast.branch_a1, "第一党小组", OrgKind.GROUP)
    _meeting(group, K.GROUP, 7)
    assert _status(cast, "branch_a1", K.GROUP, "2025-07") == Compliance.MET


def test_each_sees_only_their_branches_and_units_sum_up(cast: Cast, no_default_rules: None) -> None:
    _rule(K.ORG_LIFE, Frequency.YEARLY)
    _meeting(cast.branch_a1, K.ORG_LIFE, 6)
    rows = compliance_rows(user=cast.users["unit_a_admin"], year=YEAR, today=AFTER)
    assert [r.branch for r in rows] == [cast.branch_a1, cast.branch_a2]
    assert compliance_rows(user=cast.users["member_a"], year=YEAR) == []
    school = compliance_rows(user=cast.users["school_admin"], year=YEAR, today=AFTER)
    summary = {(s.name, s.branches, s.short, s.missing) for s in unit_summaries(school)}
    assert summary == {("计算机学院党委", 2, 1, 1), ("化学学院党委", 1, 1, 1)}


@pytest.mark.parametrize("extra_branches", [0, 5])
def test_the_school_table_makes_a_fixed_number_of_queries(cast: Cast, extra_branches: int) -> None:
    for i in range(extra_branches):
        b = make_org(cast.unit_b, f"新支部{i}", OrgKind.BRANCH)
        _meeting(b, K.THEME_DAY, 2)
    with CaptureQueriesContext(connection) as ctx:
        compliance_rows(user=cast.users["school_admin"], year=YEAR, today=AFTER)
    assert len(ctx.captured_queries) == 6  # grants, branches, units, rules, exemptions, meetings


def test_the_school_drills_down_unit_then_branch_then_missing_meetings(
    cast: Cast, no_default_rules: None
) -> None:
    from django.urls import reverse

    _rule(K.COMMITTEE, Frequency.MONTHLY)
    for month in range(1, 13):
        _meeting(cast.branch_a1, K.COMMITTEE, month)
    client = cast.client("school_admin")
    top = client.get(reverse("compliance"), {"year": YEAR}).content.decode()
    assert "化学学院党委" in top and "化学教工党支部" in top
    assert "计算机教工第一党支部" not in top.split('id="short-branches"')[1]
    unit = client.get(reverse("compliance"), {"year": YEAR, "unit": cast.unit_b.pk})
    assert "化学教工党支部" in unit.content.decode()
    assert "计算机学生党支部" not in unit.content.decode()
    branch = client.get(reverse("compliance_branch", args=[cast.branch_b1.pk]), {"year": YEAR})
    assert branch.content.decode().count('data-status="missing"') == 12


def test_the_school_page_makes_a_fixed_number_of_queries(cast: Cast) -> None:
    from django.urls import reverse

    client = cast.client("school_admin")
    client.get(reverse("compliance"))
    with CaptureQueriesContext(connection) as before:
        client.get(reverse("compliance"))
    for i in range(4):
        b = make_org(cast.unit_a, f"新支部{i}", OrgKind.BRANCH)
        _meeting(b, K.THEME_DAY, 2)
    with CaptureQueriesContext(connection) as after:
        client.get(reverse("compliance"))
    assert len(after.captured_queries) == len(before.captured_queries)


def test_a_secretary_sees_their_branch_table_with_links_to_record_what_is_missing(
    cast: Cast, no_default_rules: None
) -> None:
    from django.urls import reverse

    _rule(K.LECTURE, Frequency.QUARTERLY)
    page = cast.client("branch_secretary").get(reverse("compliance"), {"year": YEAR})
    html = page.content.decode()
    assert "计算机教工第一党支部" in html
    assert f"{reverse('meeting_new')}?org={cast.branch_a1.pk}&kind=lecture" in html


def test_figures_count_meetings_sent_up_by_kind_and_the_attendance_rate(cast: Cast) -> None:
    from meetings import services
    from meetings.compliance import meeting_figures

    _meeting(cast.branch_a1, K.THEME_DAY, 3)
    _meeting(cast.branch_a2, K.LECTURE, 4, state=MeetingState.SUBMITTED)
    _meeting(cast.branch_a2, K.LECTURE, 5, state=MeetingState.DRAFT)  # not counted
    _meeting(cast.branch_b1, K.THEME_DAY, 3)
    a1 = Meeting.objects.get(org=cast.branch_a1)
    Meeting.objects.filter(pk=a1.pk).update(state=MeetingState.DRAFT)
    services.meeting_update(
        actor=None, meeting=a1, data={}, marks={cast.member_a.pk: (AttendanceStatus.PRESENT, "")}
    )
    Meeting.objects.filter(pk=a1.pk).update(state=MeetingState.APPROVED)

    school = meeting_figures(user=cast.users["school_admin"], year=YEAR)
    assert [(r.name, r.by_kind, r.expected, r.present) for r in school] == [
        ("计算机学院党委", {K.THEME_DAY: 1, K.LECTURE: 1}, 2, 1),
        ("化学学院党委", {K.THEME_DAY: 1}, 2, 0),
    ]
    assert school[0].rate == 50.0
    unit = meeting_figures(user=cast.users["unit_a_admin"], year=YEAR, within=cast.unit_a)
    assert [(r.name, r.total) for r in unit] == [
        ("计算机教工第一党支部", 1),
        ("计算机学生党支部", 1),
    ]
    assert meeting_figures(user=cast.users["unit_b_admin"], year=YEAR, within=cast.unit_a) == []


def test_a_summary_keeps_only_what_is_not_met(cast: Cast, no_default_rules: None) -> None:
    _rule(K.THEME_DAY, Frequency.QUARTERLY)
    _meeting(cast.branch_a1, K.THEME_DAY, 2)
    user = cast.users["unit_a_admin"]
    full = compliance_rows(user=user, year=YEAR, today=AFTER, within=cast.branch_a1)[0]
    gaps = compliance_rows(
        user=user, year=YEAR, today=AFTER, within=cast.branch_a1, gaps_only=True
    )[0]
    assert [c.period.key for c in full.cells] == ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"]
    assert [c.period.key for c in gaps.cells] == ["2025-Q2", "2025-Q3", "2025-Q4"]
    assert [c.period.key for c in gaps.missing] == [c.period.key for c in full.missing]
