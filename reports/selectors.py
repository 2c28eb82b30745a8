"""Reads of 报备, always scoped by the acting user (reports.scope), in a fixed number of queries."""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, FilteredRelation, OuterRef, Q, QuerySet
from django.utils import timezone

from access.scope import _path_q
from members.models import Member
from orgs.models import Org
from reports.models import Report, ReportSchedule
from reports.scope import schedules_for_user, view_roots

UNIT_PATH_LEN = 2 * Org.steplen


# --- a member's side ------------------------------------------------------------------------


def covers(schedule: ReportSchedule, member: Member) -> bool:
    """Whether the schedule asks this member to report (its org, categories, whereabouts)."""
    return (
        member.branch.path.startswith(schedule.org.path)
        and (not schedule.categories or member.category in schedule.categories)
        and (not schedule.whereabouts or member.whereabouts in schedule.whereabouts)
    )


@dataclass
class Due:
    schedule: ReportSchedule
    period: dt.date
    due_at: dt.datetime
    report: Report | None

    @property
    def overdue(self) -> bool:
        return self.report is None and timezone.now() > self.due_at


def member_schedules(member: Member, day: dt.date | None = None) -> list[Due]:
    """The member's schedules running on `day` (today), each with this period's report."""
    day = day or timezone.localdate()
    ancestors = [
        member.branch.path[:i] for i in range(Org.steplen, len(member.branch.path) + 1, Org.steplen)
    ]
    schedules = [
        s
        for s in ReportSchedule.objects.filter(active=True, org__path__in=ancestors)
        .select_related("form", "org")
        .order_by("due_time", "id")
        if s.runs_on(day) and covers(s, member)
    ]
    periods = {(s.form_id, s.period_of(day)) for s in schedules}
    q = Q(pk__in=[])
    for form_id, period in periods:
        q |= Q(form_id=form_id, period=period)
    reports = {(r.form_id, r.period): r for r in Report.objects.filter(q, member=member)}
    return [
        Due(
            s,
            s.period_of(day),
            s.due_at(s.period_of(day)),
            reports.get((s.form_id, s.period_of(day))),
        )
        for s in schedules
    ]


def member_history(member: Member) -> QuerySet[Report]:
    return Report.objects.filter(member=member).select_related("form", "branch", "version")


def last_report(member: Member, form_id: int, before: dt.date) -> Report | None:
    return (
        Report.objects.filter(member=member, form_id=form_id, period__lt=before)
        .order_by("-period")
        .first()
    )


# --- who is overdue -------------------------------------------------------------------------


def targeted(schedule: ReportSchedule, roots: list[str]) -> QuerySet[Member]:
    """Members the schedule asks to report, inside `roots`."""
    return Member.objects.filter(_member_filters(schedule, roots))


def _reported(schedule: ReportSchedule, period: dt.date) -> Exists:
    return Exists(
        Report.objects.filter(form_id=schedule.form_id, period=period, member_id=OuterRef("pk"))
    )


@dataclass
class Counts:
    expected: int = 0
    reported: int = 0
    late: int = 0

    @property
    def missing(self) -> int:
        return self.expected - self.reported

    @property
    def rate(self) -> float:
        return round(100 * self.reported / self.expected, 1) if self.expected else 100.0

    def add(self, other: "Counts") -> None:
        self.expected += other.expected
        self.reported += other.reported
        self.late += other.late


@dataclass
class Row:
    org_id: int
    name: str
    path: str
    counts: Counts = field(default_factory=Counts)


@dataclass
class Overdue:
    schedule: ReportSchedule
    period: dt.date
    due_at: dt.datetime
    total: Counts
    units: list[Row]
    branches: list[Row]

    @property
    def past_due(self) -> bool:
        return timezone.now() > self.due_at


def _member_filters(schedule: ReportSchedule, roots: list[str], prefix: str = "") -> Q:
    q = Q(**{f"{prefix}branch__path__startswith": schedule.org.path}) & _path_q(
        roots, f"{prefix}branch__path"
    )
    if schedule.categories:
        q &= Q(**{f"{prefix}category__in": schedule.categories})
    if schedule.whereabouts:
        q &= Q(**{f"{prefix}whereabouts__in": schedule.whereabouts})
    return q


def overdue(
    *, user: Any, schedule: ReportSchedule, period: dt.date, org: Org | None = None
) -> Overdue:
    """Per school, unit and branch: members asked, reported, late, missing (3 queries: the
    members per branch with their reports of the period joined, the branches' and the units'
    names)."""
    roots = view_roots(user, org)
    this_period = FilteredRelation(
        "reports", condition=Q(reports__form_id=schedule.form_id, reports__period=period)
    )
    grouped = (
        Member.objects.filter(_member_filters(schedule, roots))
        .annotate(report=this_period)
        .values("branch_id")
        .annotate(
            n=Count("id"),
            done=Count("report__id"),
            late=Count("report__id", filter=Q(report__late=True)),
        )
        .order_by()
    )
    by_branch = {
        row["branch_id"]: Counts(expected=row["n"], reported=row["done"], late=row["late"])
        for row in grouped
    }
    orgs = Org.objects.filter(pk__in=list(by_branch)).values_list("pk", "name", "path")
    branches = [Row(pk, name, path, by_branch[pk]) for pk, name, path in orgs]
    branches.sort(key=lambda r: (-r.counts.missing, r.path))
    unit_paths = {r.path[:UNIT_PATH_LEN] for r in branches}
    units = {
        path: Row(pk, name, path)
        for pk, name, path in Org.objects.filter(path__in=unit_paths).values_list(
            "pk", "name", "path"
        )
    }
    total = Counts()
    for r in branches:
        total.add(r.counts)
        if unit := units.get(r.path[:UNIT_PATH_LEN]):
            unit.counts.add(r.counts)
    return Overdue(
        schedule=schedule,
        period=period,
        due_at=schedule.due_at(period),
        total=total,
        units=sorted(units.values(), key=lambda r: (-r.counts.missing, r.path)),
        branches=branches,
    )


class Counted:
    """A queryset whose length is already known (a Paginator then skips its COUNT)."""

    def __init__(self, queryset: QuerySet[Member], count: int) -> None:
        self.queryset = queryset
        self._count = count

    def count(self) -> int:
        return self._count

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, key: Any) -> Any:
        return self.queryset[key]


def missing_members(
    *, user: Any, schedule: ReportSchedule, period: dt.date, org: Org | None = None
) -> QuerySet[Member]:
    """The members who have not reported for the period, branch by branch."""
    return (
        targeted(schedule, view_roots(user, org))
        .exclude(_reported(schedule, period))
        .select_related("branch")
        .order_by("branch__path", "number")
    )


# At most this many schedules on a to-do list (each costs one query).
TODO_SCHEDULES = 3


def overdue_today(user: Any) -> list[tuple[ReportSchedule, int]]:
    """(schedule, members missing) for today's periods already past their due time."""
    today = timezone.localdate()
    now = timezone.now()
    found: list[tuple[ReportSchedule, int]] = []
    schedules = schedules_for_user(user).filter(active=True).select_related("form", "org")
    for schedule in schedules.order_by("id")[:20]:
        if len(found) >= TODO_SCHEDULES:
            break
        if not schedule.runs_on(today):
            continue
        period = schedule.period_of(today)
        if now <= schedule.due_at(period):
            continue
        missing = targeted(schedule, view_roots(user)).exclude(_reported(schedule, period)).count()
        if missing:
            found.append((schedule, missing))
    return found
