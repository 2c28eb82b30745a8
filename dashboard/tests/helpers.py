"""Given-steps for dashboard tests: a little of every capability, spread over the cast's
branches, and a reader of the count a list page shows."""

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.urls import resolve
from django.utils import timezone

from campaigns.models import SubmissionState
from campaigns.tests.factories import DeliverableFactory, SubmissionFactory
from conftest import Cast
from development import services as development_services
from duty.tests.factories import DutyCheckFactory
from escalations.tests.helpers import branch_request, member_report
from gates.models import Entry, Gate
from gates.tests.helpers import gate_of
from meetings.models import ComplianceRule, Frequency, Meeting, MeetingKind, MeetingState
from meetings.tests.factories import held_meeting
from members.models import Member, PoliticalStatus
from members.tests.factories import MemberFactory
from orgs.models import Org
from reports.models import ReportSchedule
from reports.tests.helpers import schedule
from rosters.models import Roster
from rosters.tests.factories import (
    AllocationFactory,
    AssignmentFactory,
    PhaseFactory,
    RosterFactory,
    SignUpFactory,
)
from talks.tests.helpers import talk


@dataclass
class Spread:
    """How many of each thing a branch gets; `days_ago` spreads dated rows over the month."""

    members: int = 1
    talks: int = 1
    shifts: int = 1
    submissions: int = 1
    meetings: int = 1
    candidates: int = 0  # 入党申请人 (each also a member record, 群众)
    days_ago: list[int] = field(default_factory=lambda: [0, 1, 3])


def seed(cast: Cast, spreads: dict[str, Spread]) -> None:
    """Every capability's rows for the branches named in `spreads` (keys: cast attributes)."""
    today = timezone.localdate()
    now = timezone.now()
    phase = PhaseFactory(org=cast.school, starts_on=today - dt.timedelta(days=20), ends_on=today)
    roster = RosterFactory(phase=phase, state=Roster.State.PUBLISHED)
    deliverable = DeliverableFactory(campaign__org=cast.school)
    if not ReportSchedule.objects.exists():
        schedule(cast)
    gate = Gate.objects.first() or gate_of(cast)
    # One compliance rule, 主题党日 monthly from last month: last month's period has ended (a
    # branch falls short unless an approved meeting was held in it), this month's is open.
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    ComplianceRule.objects.exclude(starts_on=last_month).update(active=False)
    ComplianceRule.objects.get_or_create(
        kind=MeetingKind.THEME_DAY, frequency=Frequency.MONTHLY, starts_on=last_month
    )
    for name, spread in spreads.items():
        branch: Org = getattr(cast, name)
        people: list[Member] = [
            MemberFactory.create(branch=branch, number=f"{name}-{i}-{uuid.uuid4().hex[:6]}")
            for i in range(spread.members)
        ]
        if not people:
            continue
        days = spread.days_ago or [0]
        talker = cast.other_a if branch == cast.branch_b1 else cast.other_b
        for i in range(spread.talks):
            talk(cast, people[i % len(people)], talker=talker, days_ago=days[i % len(days)])
        for i in range(spread.shifts):
            when = today - dt.timedelta(days=days[i % len(days)])
            assignment = AssignmentFactory(roster=roster, member=people[i % len(people)], date=when)
            if i % 2 == 0:  # every other shift worked (checked in)
                DutyCheckFactory(assignment=assignment)
        for i in range(spread.submissions):
            SubmissionFactory(
                deliverable=deliverable,
                org=branch,
                state=SubmissionState.SUBMITTED if i % 3 else SubmissionState.DRAFT,
                submitted_at=now - dt.timedelta(days=days[i % len(days)]),
            )
        for i in range(spread.meetings):
            meeting = held_meeting(branch, days_ago=days[i % len(days)])
            if i % 2 == 0:
                Meeting.objects.filter(pk=meeting.pk).update(state=MeetingState.APPROVED)
        for i in range(spread.candidates):
            applicant = MemberFactory.create(
                branch=branch, political_status=PoliticalStatus.MASSES, number=f"{name}-c{i}"
            )
            development_services.candidate_open(
                actor=cast.users["school_admin"],
                member=applicant,
                applied_on=today - dt.timedelta(days=30),
            )
        SignUpFactory(phase=phase, member=people[0])
        if spread.shifts % 2:  # some branches' volunteers are allocated to a post, some not
            AllocationFactory(phase=phase, member=people[0])
        officer = cast.users["duty_office"]
        for direction, fever in (("in", True), ("out", False)):
            Entry.objects.create(
                uid=uuid.uuid4(),
                gate=gate,
                officer=officer,
                at=now,
                direction=direction,
                member=people[0],
                fever=fever,
            )
    member_report(cast)
    branch_request(cast)


def list_count(response: Any) -> int:
    """The number of rows the list page shows in all (over every page)."""
    ctx = response.context
    name = resolve(response.request["PATH_INFO"]).url_name
    if name == "duty_stats":
        return int(ctx["figures"].total)
    if name == "report_overdue":
        return int(ctx["missing"].paginator.count)
    if name == "signup_list":
        return len(ctx["rows"])
    if name == "compliance_branch":  # one branch: 1 if it falls short, as the page says
        short = bool(ctx["row"] and ctx["row"].missing)
        assert ("未达标</span>" in response.content.decode()) == short
        return int(short)
    if name == "compliance":  # the short branches, which the page says in words too
        count = int(ctx["page"].paginator.count)
        assert f"{count} 个未达标" in response.content.decode()
        return count
    if name == "talk_coverage":  # the members talked with, the page's 已谈话
        covered = int(ctx["cov"].total.covered)
        assert f"已谈话 {covered} 人" in response.content.decode()
        return covered
    return int(ctx["page"].paginator.count)


def list_of(response: Any) -> int | None:
    """The whole that a page's figure is a part of: the branches of a compliance page, the
    members in scope of the coverage page."""
    ctx = response.context
    name = resolve(response.request["PATH_INFO"]).url_name
    if name == "compliance_branch":
        return 1
    if name == "compliance":
        return int(ctx["branches"])
    if name == "talk_coverage":
        return int(ctx["cov"].total.members)
    return None
