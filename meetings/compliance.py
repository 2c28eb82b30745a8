"""「规定程序不落项」: which required meetings each branch held, per period, against the rules
组织部 sets (`ComplianceRule`) and the exemptions it grants (`ComplianceExemption`).

A meeting counts once the unit has checked it (unit_approved or approved), in the period its
held_at falls in; a 党小组会 counts for the branch its group belongs to. For each branch and
meeting kind the most specific rule applies (a unit's rule over the school's; the later start
among equals). The whole school's table is five queries, whatever its size.
"""

import datetime as dt
import functools
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from itertools import accumulate
from typing import Any

from django.db import connection
from django.db.models import Count, Q
from django.utils import timezone

from access.models import Role
from access.scope import Perm, grants_of, paths_with
from meetings.models import (
    Attendance,
    AttendanceStatus,
    CommitteeSeat,
    ComplianceExemption,
    ComplianceRule,
    Frequency,
    Meeting,
    MeetingKind,
    MeetingState,
)
from orgs.models import Org, OrgKind

COUNTED_STATES = (MeetingState.UNIT_APPROVED, MeetingState.APPROVED)
# What the compliance rows need of a branch (the rest is deferred, and never read here), in
# the model's field order, as Model.from_db takes them.
ORG_FIELDS = [
    f.attname
    for f in Org._meta.concrete_fields
    if f.attname in {"id", "path", "depth", "kind", "name", "branch_kind"}
]
_ID, _PATH, _KIND = (ORG_FIELDS.index(name) for name in ("id", "path", "kind"))


class Compliance:
    MET = "met"
    MISSING = "missing"
    EXEMPT = "exempt"
    OPEN = "open"  # the current period, not yet met: still time

    LABELS = {MET: "达标", MISSING: "缺", EXEMPT: "豁免", OPEN: "本期未完成"}


@dataclass(frozen=True)
class Period:
    key: str  # 2026-03, 2026-Q1, 2026
    label: str
    start: dt.date
    end: dt.date  # inclusive


@functools.cache
def periods_of(year: int, frequency: str) -> list[Period]:
    if frequency == Frequency.MONTHLY:
        return [
            Period(
                f"{year}-{m:02d}",
                f"{m}月",
                dt.date(year, m, 1),
                dt.date(year + (m == 12), m % 12 + 1, 1) - dt.timedelta(days=1),
            )
            for m in range(1, 13)
        ]
    if frequency == Frequency.QUARTERLY:
        return [
            Period(
                f"{year}-Q{q}",
                f"第{'一二三四'[q - 1]}季度",
                dt.date(year, 3 * q - 2, 1),
                dt.date(year + (q == 4), (3 * q) % 12 + 1, 1) - dt.timedelta(days=1),
            )
            for q in range(1, 5)
        ]
    if frequency == Frequency.TERM:  # 春季学期 January–July, 秋季学期 August–December
        return [
            Period(f"{year}-T1", "春季学期", dt.date(year, 1, 1), dt.date(year, 7, 31)),
            Period(f"{year}-T2", "秋季学期", dt.date(year, 8, 1), dt.date(year, 12, 31)),
        ]
    return [Period(str(year), f"{year}年", dt.date(year, 1, 1), dt.date(year, 12, 31))]


KIND_LABELS = dict(MeetingKind.choices)


@dataclass(slots=True)
class Cell:
    kind: str
    period: Period
    required: int
    held: int
    status: str

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def status_label(self) -> str:
        return Compliance.LABELS[self.status]


@dataclass
class BranchRow:
    branch: Org
    unit_name: str
    unit_pk: int | None
    cells: list[Cell] = field(default_factory=list)

    @cached_property
    def missing(self) -> list[Cell]:
        return [c for c in self.cells if c.status == Compliance.MISSING]

    @cached_property
    def missing_text(self) -> str:
        """The first missing meetings in words: 3月支部委员会、第一季度党课 …"""
        words = "、".join(f"{c.period.label}{KIND_LABELS[c.kind]}" for c in self.missing[:6])
        return words + (" …" if len(self.missing) > 6 else "")

    def by_kind(self) -> list[tuple[str, list[Cell]]]:
        kinds: dict[str, list[Cell]] = defaultdict(list)
        for cell in self.cells:
            kinds[cell.kind].append(cell)
        return [(MeetingKind(k).label, v) for k, v in kinds.items()]


def _path_q(roots: list[str], field_name: str) -> Q:
    q = Q(pk__in=[])
    for root in roots:
        q |= Q(**{f"{field_name}__startswith": root})
    return q


def _rule_rank(rule: ComplianceRule) -> tuple[int, bool, dt.date]:
    """The most specific rule wins: the deeper org, then a rule for the branch's kind over one
    for every kind, then the later start."""
    return (rule.org.depth if rule.org else 0, bool(rule.branch_kind), rule.starts_on)


def _rule_for(rules: list[ComplianceRule], branch: Org) -> ComplianceRule | None:
    """`rules` sorted most specific first (`_rule_rank`, descending): the first that covers the
    branch (its subtree and its kind)."""
    for rule in rules:
        if rule.org is not None and not branch.path.startswith(rule.org.path):
            continue
        if rule.branch_kind and rule.branch_kind != branch.branch_kind:
            continue
        return rule
    return None


def compliance_rows(
    *,
    user: Any,
    year: int,
    within: Org | None = None,
    today: dt.date | None = None,
    gaps_only: bool = False,
) -> list[BranchRow]:
    """Every branch the user sees (under `within` if given), with a cell per required meeting
    kind and period of `year` that has begun by `today`."""
    roots = paths_with(user, Perm.MEETING_VIEW)
    if within is not None:
        roots = [within.path] if any(within.path.startswith(r) for r in roots) else []
    if not roots:
        return []
    orgs = (
        Org.objects.filter(_path_q(roots, "path"), kind__in=(OrgKind.BRANCH, OrgKind.GROUP))
        .order_by("path")
        .values_list(*ORG_FIELDS)
    )
    branches, groups = [], []
    for row in orgs:
        if row[_KIND] == OrgKind.BRANCH:
            # from_db builds the instance positionally (the other fields deferred): a few
            # microseconds each instead of keyword __init__ with every default, 400 times
            branches.append(Org.from_db(None, ORG_FIELDS, row))
        else:
            groups.append((row[_ID], row[_PATH]))
    unit_paths = {b.path[: 2 * Org.steplen] for b in branches}
    units = {
        path: (name, pk)
        for path, name, pk in Org.objects.filter(path__in=unit_paths).values_list(
            "path", "name", "pk"
        )
    }
    return branch_rows(
        branches=branches,
        units=units,
        year=year,
        today=today,
        roots=roots,
        groups=groups,
        gaps_only=gaps_only,
    )


def branch_rows(
    *,
    branches: list[Org],
    year: int,
    today: dt.date | None = None,
    units: dict[str, tuple[str, int]] | None = None,
    roots: list[str] | None = None,
    groups: list[tuple[int, str]] | None = None,
    gaps_only: bool = False,
) -> list[BranchRow]:
    """The compliance cells of the given branches (three queries: rules, exemptions, meetings,
    and one for their groups unless `groups`, (id, path) of the groups under `roots`, is
    given); `roots`, the subtrees that hold them, keep the queries short for a whole school.
    A branch with no 党小组 owes no 党小组会."""
    today = today or timezone.localdate()
    units = units or {}
    roots = roots or [b.path for b in branches]
    if groups is None:
        groups = list(
            Org.objects.filter(_path_q(roots, "path"), kind=OrgKind.GROUP).values_list("pk", "path")
        )
    # which branch path each org's meetings count for: the branch, or a group's parent
    branch_path = {b.pk: b.path for b in branches}
    branch_path.update((pk, path[: -Org.steplen]) for pk, path in groups)
    with_groups = {path[: -Org.steplen] for _, path in groups}
    if not roots:
        return []
    year_end = dt.date(year, 12, 31)
    rules_by_kind: dict[str, list[ComplianceRule]] = defaultdict(list)
    for r in ComplianceRule.objects.filter(active=True, starts_on__lte=year_end).select_related(
        "org"
    ):
        rules_by_kind[r.kind].append(r)
    for rules in rules_by_kind.values():
        rules.sort(key=_rule_rank, reverse=True)
    # the periods of each rule that have begun by today and not ended before the rule began
    periods = {
        r.pk: [
            p for p in periods_of(year, r.frequency) if p.end >= r.starts_on and p.start <= today
        ]
        for rules in rules_by_kind.values()
        for r in rules
    }
    # a rule depends on the branch's path down to the deepest rule's org, and on its kind
    depth = max((r.org.depth for rs in rules_by_kind.values() for r in rs if r.org), default=1)
    rule_memo: dict[tuple[str, str, str], tuple[ComplianceRule, list[Period]] | None] = {}
    exempt = {
        (b, k, p): reason
        for b, k, p, reason in ComplianceExemption.objects.filter(
            _path_q(roots, "branch__path"), period__startswith=str(year)
        ).values_list("branch_id", "kind", "period", "reason")
    }
    tz = timezone.get_current_timezone()
    # (branch path, kind) → meetings held in each month, January at index 1. One row per org
    # and kind with a count per month (twelve FILTERed counts), not a row per month: the
    # school's year is ~1,600 rows, not ~16,000 to convert.
    starts = [dt.datetime(year, m, 1, tzinfo=tz) for m in range(1, 13)]
    starts.append(dt.datetime(year + 1, 1, 1, tzinfo=tz))
    per_month = {
        f"m{m}": Count("id", filter=Q(held_at__gte=starts[m - 1], held_at__lt=starts[m]))
        for m in range(1, 13)
    }
    meetings = Meeting.objects.filter(
        state__in=COUNTED_STATES,
        kind__in=list(rules_by_kind),
        held_at__gte=starts[0],
        held_at__lt=starts[12],
    )
    if not any(len(root) == Org.steplen for root in roots):  # not the whole tree
        meetings = meetings.filter(_path_q(roots, "org__path"))
    counts: dict[tuple[str, str], list[int]] = {}
    grouped = (
        meetings.values("org_id", "kind")
        .annotate(**per_month)
        .values_list("org_id", "kind", *per_month)
        .order_by()
    )
    # Plain integers and strings: read through the cursor, skipping the ORM's per-value
    # converters (14 columns × ~1,600 rows for the school).
    rows: list[Any] = []
    if rules_by_kind:  # no rule at all (a school may drop them): nothing to count
        sql, params = grouped.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
    for org_id, kind, *months in rows:
        path = branch_path.get(org_id)
        if path is None:  # outside the rows asked for
            continue
        total = counts.setdefault((path, kind), [0] * 13)
        for m, n in enumerate(months, start=1):
            total[m] += n
    # running totals: meetings held in months a..b is cum[b] - cum[a - 1]
    cum = {key: list(accumulate(months)) for key, months in counts.items()}
    none = [0] * 13
    result = []
    for branch in branches:
        unit_name, unit_pk = units.get(branch.path[: 2 * Org.steplen], ("", None))
        out = BranchRow(branch, unit_name, unit_pk)
        cells = out.cells
        branch_pk, branch_path_, branch_kind = branch.pk, branch.path, branch.branch_kind
        prefix = branch_path_[: depth * Org.steplen]
        for kind, rules in rules_by_kind.items():
            if kind == MeetingKind.GROUP and branch_path_ not in with_groups:
                continue
            key = (kind, prefix, branch_kind)
            if key not in rule_memo:
                rule = _rule_for(rules, branch)
                rule_memo[key] = (rule, periods[rule.pk]) if rule is not None else None
            found = rule_memo[key]
            if found is None:
                continue
            rule, rule_periods = found
            held_by = cum.get((branch_path_, kind), none)
            for period in rule_periods:
                held = held_by[period.end.month] - held_by[period.start.month - 1]
                if held >= rule.min_count:
                    if gaps_only:  # a summary needs only what is not met
                        continue
                    status = Compliance.MET
                elif (branch_pk, kind, period.key) in exempt:
                    status = Compliance.EXEMPT
                elif period.end >= today:
                    status = Compliance.OPEN
                else:
                    status = Compliance.MISSING
                cells.append(Cell(kind, period, rule.min_count, held, status))
        result.append(out)
    return result


@dataclass
class UnitSummary:
    path: str
    name: str
    pk: int
    branches: int
    short: int
    missing: int


def unit_summaries(rows: list[BranchRow]) -> list[UnitSummary]:
    """Per unit: how many branches, how many fall short, how many required meetings missing."""
    out: dict[str, UnitSummary] = {}
    for row in rows:
        path = row.branch.path[: 2 * Org.steplen]
        if row.unit_pk is None:
            continue
        s = out.setdefault(path, UnitSummary(path, row.unit_name, row.unit_pk, 0, 0, 0))
        s.branches += 1
        if row.missing:
            s.short += 1
            s.missing += len(row.missing)
    return sorted(out.values(), key=lambda s: (-s.short, s.path))


# --- reminders for branch secretaries (the home page) ------------------------------------------

REMIND_BEFORE = dt.timedelta(days=10)
TERM_REMIND_BEFORE = dt.timedelta(days=90)


def _secretary_ids(user: Any) -> list[int]:
    """The branches the user is secretary of, from the grants already read (no query)."""
    return [g.org_id for g in grants_of(user) if g.role == Role.BRANCH_SECRETARY]


def _secretary_branches(user: Any) -> list[Org]:
    """The branches the user is secretary of, from the grants already read (no query)."""
    return [
        Org(
            pk=g.org_id,
            path=g.path,
            depth=g.depth,
            kind=OrgKind.BRANCH,
            name="",
            branch_kind=g.branch_kind,
        )
        for g in grants_of(user)
        if g.role == Role.BRANCH_SECRETARY
    ]


def due_soon(*, user: Any, today: dt.date | None = None) -> list[Cell]:
    """Required meetings of the current periods not yet held, for periods ending within ten
    days, in the branches the user is secretary of (four queries; none for other roles)."""
    today = today or timezone.localdate()
    branches = _secretary_branches(user)
    if not branches:
        return []
    rows = branch_rows(branches=branches, year=today.year, today=today)
    return [
        c
        for row in rows
        for c in row.cells
        if c.status == Compliance.OPEN and c.period.end - today <= REMIND_BEFORE
    ]


def seats_ending(*, user: Any, today: dt.date | None = None) -> list[int]:
    """Branch ids, one per committee seat whose term ends within 90 days (换届 is due), in the
    branches the user is secretary of: one query."""
    today = today or timezone.localdate()
    ids = _secretary_ids(user)
    if not ids:
        return []
    return list(
        CommitteeSeat.objects.filter(
            branch_id__in=ids,
            term_end__gte=today,
            term_end__lte=today + TERM_REMIND_BEFORE,
        ).values_list("branch_id", flat=True)
    )


# --- figures: meetings held and attendance, per unit or per branch ---------------------------


@dataclass
class FigureRow:
    org_pk: int
    name: str
    by_kind: dict[str, int] = field(default_factory=dict)
    expected: int = 0
    present: int = 0

    @property
    def total(self) -> int:
        return sum(self.by_kind.values())

    @property
    def rate(self) -> float | None:
        return round(100 * self.present / self.expected, 1) if self.expected else None


def meeting_figures(*, user: Any, year: int, within: Org | None = None) -> list[FigureRow]:
    """Meetings held in `year` (sent up: submitted or later) by kind, and the attendance rate
    (出席 ÷ 应到), per unit of the user's scope, or per branch of `within`: four queries."""
    roots = paths_with(user, Perm.MEETING_VIEW)
    if within is not None:
        roots = [within.path] if any(within.path.startswith(r) for r in roots) else []
    if not roots:
        return []
    if within is None:  # per unit: the depth-2 orgs the user sees, or their own subtree roots
        level = list(
            Org.objects.filter(_path_q(roots, "path"), depth=2).values_list("pk", "path", "name")
        )
        if not level:
            level = list(Org.objects.filter(path__in=roots).values_list("pk", "path", "name"))
    else:
        level = list(
            Org.objects.filter(path__startswith=within.path, kind=OrgKind.BRANCH).values_list(
                "pk", "path", "name"
            )
        )
    rows = {path: FigureRow(pk, name) for pk, path, name in sorted(level, key=lambda x: x[1])}

    def owner(path: str) -> FigureRow | None:
        for n in range(len(path), 0, -Org.steplen):
            if path[:n] in rows:
                return rows[path[:n]]
        return None

    tz = timezone.get_current_timezone()
    held = Meeting.objects.filter(
        _path_q(roots, "org__path"),
        state__in=(MeetingState.SUBMITTED, *COUNTED_STATES),
        held_at__gte=dt.datetime(year, 1, 1, tzinfo=tz),
        held_at__lt=dt.datetime(year + 1, 1, 1, tzinfo=tz),
    )
    for path, kind, n in held.values_list("org__path", "kind").annotate(n=Count("id")).order_by():
        row = owner(path)
        if row is not None:
            row.by_kind[kind] = row.by_kind.get(kind, 0) + n
    attendance = (
        Attendance.objects.filter(meeting__in=held)
        .values_list("meeting__org__path")
        .annotate(
            n=Count("id"),
            present=Count("id", filter=Q(status=AttendanceStatus.PRESENT)),
        )
        .order_by()
    )
    for path, n, present in attendance:
        row = owner(path)
        if row is not None:
            row.expected += n
            row.present += present
    return list(rows.values())
