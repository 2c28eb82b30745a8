"""The dashboard's figures: one tile per capability, for an org's subtree and a range of days.

Each tile is counted from the very queryset its list page shows: a tile's `source` calls the
owning app's list selector with the filters that the list's query string spells (the link the
tile carries), so a number and the list it opens cannot drift apart. The whole dashboard is a
fixed number of queries, whatever the size of the org: one GROUP BY per tile over the prefix of
each row's org path (`path` of django-treebeard's materialised path, cut at the children's
depth), which gives the total and every child org's number at once, plus one per trend line.
"""

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, F, QuerySet
from django.db.models.functions import Substr, TruncDate
from django.urls import reverse
from django.utils import timezone

from access.scope import Perm, can
from campaigns import selectors as campaign_selectors
from development import selectors as development_selectors
from duty import selectors as duty_selectors
from escalations import selectors as escalation_selectors
from escalations.models import EscalationState
from gates import selectors as gate_selectors
from lib.params import parse_day
from meetings.compliance import compliance_rows
from members import selectors as member_selectors
from orgs.models import Org, OrgKind
from reports import selectors as report_selectors
from reports.scope import schedules_for_user
from rosters import selectors as roster_selectors
from rosters.models import Phase
from rosters.scope import phases_for_user
from talks import selectors as talk_selectors
from talks.selectors import Counts as TalkCounts

# --- the range of days ----------------------------------------------------------------------

PRESETS = {"today": "今天", "week": "本周", "month": "本月", "all": "全部"}
DEFAULT_PRESET = "month"
# A trend is drawn day by day for ranges up to this long (the "全部" range draws none).
TREND_MAX_DAYS = 93


@dataclass(frozen=True)
class DayRange:
    preset: str  # a key of PRESETS, or "custom"
    date_from: dt.date | None
    date_to: dt.date | None

    def query(self) -> dict[str, str]:
        """The list pages' spelling of the range (date_from / date_to)."""
        out = {}
        if self.date_from:
            out["date_from"] = self.date_from.isoformat()
        if self.date_to:
            out["date_to"] = self.date_to.isoformat()
        return out

    def own_query(self) -> dict[str, str]:
        """The dashboard's own spelling: a preset, or the two days."""
        return self.query() if self.preset == "custom" else {"range": self.preset}

    @property
    def label(self) -> str:
        if self.preset in PRESETS and self.preset != "custom":
            return PRESETS[self.preset]
        start = self.date_from.isoformat() if self.date_from else "最早"
        end = self.date_to.isoformat() if self.date_to else "今天"
        return f"{start} 至 {end}"

    def days(self) -> list[dt.date]:
        if not self.date_from or not self.date_to:
            return []
        n = (self.date_to - self.date_from).days + 1
        if n > TREND_MAX_DAYS:
            return []
        return [self.date_from + dt.timedelta(days=i) for i in range(n)]


def day_range(params: Mapping[str, str], today: dt.date) -> DayRange:
    """The range a query string asks for: ?range=today|week|month|all, or ?date_from=&date_to=
    (either may be left out); 本月 when nothing is given."""
    start, end = parse_day(params.get("date_from")), parse_day(params.get("date_to"))
    preset = params.get("range", "")
    if preset not in PRESETS and (start or end):
        if start and end and start > end:
            start, end = end, start
        return DayRange("custom", start, end)
    if preset not in PRESETS:
        preset = DEFAULT_PRESET
    if preset == "today":
        return DayRange(preset, today, today)
    if preset == "week":
        return DayRange(preset, today - dt.timedelta(days=today.weekday()), today)
    if preset == "month":
        return DayRange(preset, today.replace(day=1), today)
    return DayRange(preset, None, None)


# --- tiles ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """What a tile counts, and the list page that shows the same rows."""

    rows: QuerySet[Any]
    path: str  # lookup of each row's org path, e.g. "branch__path"
    url_name: str
    params: dict[str, str]  # the list's query string, without the org
    org_param: str  # the list's query parameter naming the org (its subtree)
    note: str = ""
    day_field: str = ""  # the rows' day (or moment) for the trend; "" for none
    url_args: tuple[Any, ...] = ()
    unit_param: str = ""  # the list's parameter for a unit, where it has its own (its menu)

    @cached_property
    def base_url(self) -> str:
        return reverse(self.url_name, args=self.url_args)

    def url(self, org: Org) -> str:
        key = self.unit_param if self.unit_param and org.depth == 2 else self.org_param
        query = {**self.params, key: str(org.pk)} if key else self.params
        return f"{self.base_url}?{urlencode(query)}" if query else self.base_url


@dataclass
class Cell:
    key: str
    n: int
    url: str
    of: int | None = None  # the whole the number is a part of (branches, members in scope)
    text: str = ""  # how the cell reads, when not just `n`


@dataclass(frozen=True)
class Figures:
    """A tile whose number is not a count of list rows but a figure that a page computes with
    its own function (compliance, coverage): the tile calls that same function once for the
    page and splits its rows by child org; `url` opens the page that shows the same figure."""

    total: int
    url: str
    by_child: dict[int, Cell]
    of: int
    text: str
    note: str
    own: int = 0


@dataclass(frozen=True)
class Ctx:
    user: Any
    org: Org
    range: DayRange
    today: dt.date
    children: tuple[Org, ...] = ()

    @cached_property
    def _by_path(self) -> dict[str, Org]:
        return {child.path: child for child in self.children}

    @cached_property
    def latest_phase(self) -> Phase | None:
        """The latest phase the user sees that has begun or begins within 60 days (read once
        for the sign-up tiles)."""
        return (
            phases_for_user(self.user)
            .filter(starts_on__lte=self.today + dt.timedelta(days=60))
            .order_by("-starts_on", "-id")
            .first()
        )

    def child_of(self, path: str) -> Org | None:
        """The child org whose subtree holds `path` (None: the org itself or outside)."""
        return self._by_path.get(path[: len(self.org.path) + Org.steplen])


@dataclass(frozen=True)
class TileKind:
    key: str
    label: str
    unit: str  # 人, 人次, 件 …
    perm: str
    source: Callable[[Ctx], Source | Figures | None]
    dated: bool = False  # the range of days applies
    drill: bool = True  # counted per child org too
    root_only: bool = False  # only on the school's dashboard (school-wide figures)


def _members(c: Ctx) -> Source:
    filters = member_selectors.MemberFilters(branch=c.org.pk)
    return Source(
        rows=member_selectors.member_list(user=c.user, filters=filters),
        path="branch__path",
        url_name="member_list",
        params={},
        org_param="branch",
        unit_param="unit",
    )


def _signups(c: Ctx, *, allocated: bool = False) -> Source | None:
    """Sign-ups to the latest phase reaching the org (报名参加先锋岗), or only those allocated
    to a post (已分配上岗): members mobilised."""
    phase = c.latest_phase
    if phase is None:
        return None
    return Source(
        rows=roster_selectors.signup_list(
            user=c.user, phase=phase, org_path=c.org.path, allocated=allocated
        ),
        path="member__branch__path",
        url_name="signup_list",
        params={"allocated": "1"} if allocated else {},
        org_param="org",
        note=phase.name,
        url_args=(phase.pk,),
    )


def _allocated(c: Ctx) -> Source | None:
    return _signups(c, allocated=True)


def _duty(c: Ctx, *, scheduled: bool) -> Source:
    filters = duty_selectors.StatsFilters(
        date_from=c.range.date_from,
        date_to=c.range.date_to,
        scheduled=scheduled,
        unit=c.org.pk,
    )
    return Source(
        rows=duty_selectors.stats_queryset(user=c.user, filters=filters),
        path="member__branch__path",
        url_name="duty_stats",
        params={**c.range.query(), **({"scheduled": "1"} if scheduled else {})},
        org_param="unit",
        day_field="date",
    )


def _duty_worked(c: Ctx) -> Source:
    return _duty(c, scheduled=False)


def _duty_scheduled(c: Ctx) -> Source:
    return _duty(c, scheduled=True)


def _submissions(c: Ctx) -> Source:
    filters = campaign_selectors.SubmissionFilters(
        unit=c.org.pk, counted=True, date_from=c.range.date_from, date_to=c.range.date_to
    )
    return Source(
        rows=campaign_selectors.submission_list(user=c.user, filters=filters),
        path="org__path",
        url_name="submission_list",
        params={"counted": "1", **c.range.query()},
        org_param="unit",
        day_field="submitted_at",
    )


def compliance_year(day_range: DayRange, today: dt.date) -> int:
    """The year of the range's end (this year for 全部), within the compliance page's years."""
    year = (day_range.date_to or today).year
    return year if 2000 <= year <= today.year + 1 else today.year


def _compliance_url(org: Org, year: int) -> str:
    """A branch's own compliance table, or the short branches under any other org."""
    if org.kind == OrgKind.BRANCH:
        return f"{reverse('compliance_branch', args=[org.pk])}?year={year}"
    if org.depth == 1:  # the school: the page's own units table (the same branches)
        return f"{reverse('compliance')}?year={year}"
    return f"{reverse('compliance')}?{urlencode({'year': year, 'unit': org.pk})}"


def _compliance(c: Ctx) -> Figures:
    """规定程序不落项: branches falling short of the compliance rules in the year of the range's
    end, counted by the compliance page's own function (five queries for a whole school). A
    branch's number is 1 if it falls short, else 0: the count of short branches, as for a unit."""
    year = compliance_year(c.range, c.today)
    short = {child.pk: [0, 0] for child in c.children}  # child → [short, branches]
    total = own = 0
    rows = compliance_rows(user=c.user, year=year, within=c.org, gaps_only=True)
    branches = len(rows)
    for row in rows:
        is_short = int(bool(row.missing))
        total += is_short
        child = c.child_of(row.branch.path)
        if child is None:
            own += is_short
        else:
            short[child.pk][0] += is_short
            short[child.pk][1] += 1
    del rows
    cells = {}
    for child in c.children:
        n, of = short[child.pk]
        cells[child.pk] = Cell("compliance", n, _compliance_url(child, year), of, f"{n}/{of}")
    return Figures(
        total=total,
        url=_compliance_url(c.org, year),
        by_child=cells,
        of=branches,
        text=str(total),
        note=f"{year}年，共 {branches} 个党支部",
        own=own,
    )


def _coverage_url(org: Org) -> str:
    query = {"days": talk_selectors.DEFAULT_DAYS, "org": org.pk}
    return f"{reverse('talk_coverage')}?{urlencode(query)}"


def _coverage(c: Ctx) -> Figures:
    """谈心谈话覆盖: members talked with in the coverage page's own period (the last 90 days)
    out of the members in scope, by the coverage page's own function (four queries)."""
    cov = talk_selectors.coverage(user=c.user, org=c.org, today=c.today)
    per_child = {child.pk: TalkCounts() for child in c.children}
    for row in cov.branches:
        child = c.child_of(row.path)
        if child is not None:
            counts = per_child[child.pk]
            counts.members += row.counts.members
            counts.due += row.counts.due
    cells = {}
    for child in c.children:
        counts = per_child[child.pk]
        text = f"{counts.rate}%（{counts.covered}/{counts.members}）"
        cells[child.pk] = Cell(
            "coverage", counts.covered, _coverage_url(child), counts.members, text
        )
    total = cov.total
    own = total.covered - sum(cell.n for cell in cells.values())
    return Figures(
        total=total.covered,
        url=_coverage_url(c.org),
        by_child=cells,
        of=total.members,
        text=f"{total.rate}%",
        note=f"近 {cov.days} 天已谈话 {total.covered}/{total.members} 人",
        own=own,
    )


def _reports_missing(c: Ctx) -> Source | None:
    """Members who have not made today's report of the first active schedule (the overdue
    page's default schedule)."""
    schedule = (
        schedules_for_user(c.user).filter(active=True).select_related("form").order_by("id").first()
    )
    if schedule is None:
        return None
    period = schedule.period_of(c.today)
    return Source(
        rows=report_selectors.missing_members(
            user=c.user, schedule=schedule, period=period, org=c.org
        ),
        path="branch__path",
        url_name="report_overdue",
        params={"schedule": str(schedule.pk), "day": c.today.isoformat()},
        org_param="org",
        note=schedule.form.name,
    )


def _escalations_open(c: Ctx) -> Source:
    filters = escalation_selectors.Filters(view="all", state=EscalationState.OPEN, org=c.org)
    return Source(
        rows=escalation_selectors.escalation_list(user=c.user, filters=filters),
        path="from_org__path",
        url_name="escalation_list",
        params={"view": "all", "state": EscalationState.OPEN},
        org_param="org",
    )


def _candidates(c: Ctx) -> Source:
    """发展党员: the files in the org's pipeline, 入党申请人 to 预备党员 and those done."""
    return Source(
        rows=development_selectors.candidate_list(user=c.user, branch_id=c.org.pk),
        path="member__branch__path",
        url_name="candidate_list",
        params={},
        org_param="branch",
    )


def _gates(c: Ctx, *, fever: bool) -> Source:
    filters = gate_selectors.EntryFilters(day=c.today, fever=fever)
    return Source(
        rows=gate_selectors.entry_list(user=c.user, filters=filters),
        path="member__branch__path",
        url_name="gate_entries",
        params={"day": c.today.isoformat(), **({"fever": "1"} if fever else {})},
        org_param="",
    )


def _gate_entries(c: Ctx) -> Source:
    return _gates(c, fever=False)


def _gate_fevers(c: Ctx) -> Source:
    return _gates(c, fever=True)


TILES: list[TileKind] = [
    TileKind("members", "党员", "人", Perm.MEMBER_VIEW, _members),
    TileKind("signups", "报名先锋岗", "人", Perm.SIGNUP_VIEW, _signups),
    TileKind("allocated", "已分配上岗", "人", Perm.SIGNUP_VIEW, _allocated),
    TileKind("duty_scheduled", "排班", "人次", Perm.DUTY_STATS, _duty_scheduled, dated=True),
    TileKind("duty_worked", "值班签到", "人次", Perm.DUTY_STATS, _duty_worked, dated=True),
    TileKind("submissions", "报送作品", "件", Perm.SUBMISSION_VIEW, _submissions, dated=True),
    TileKind("compliance", "会议达标：未达标支部", "个", Perm.MEETING_VIEW, _compliance),
    TileKind("coverage", "谈心谈话覆盖", "", Perm.TALK_VIEW, _coverage),
    TileKind("candidates", "发展党员档案", "份", Perm.DEVELOPMENT_VIEW, _candidates),
    TileKind("reports_missing", "今日未报", "人", Perm.REPORT_VIEW, _reports_missing),
    TileKind("escalations_open", "待阅请示报告", "件", Perm.ESCALATION_HANDLE, _escalations_open),
    TileKind(
        "gate_entries", "今日门岗进出", "人次", Perm.GATE_MANAGE, _gate_entries, False, False, True
    ),
    TileKind(
        "gate_fevers", "今日门岗发热", "人次", Perm.GATE_MANAGE, _gate_fevers, False, False, True
    ),
]


# --- the page's figures ---------------------------------------------------------------------


@dataclass
class Tile:
    kind: TileKind
    total: int
    url: str
    note: str
    own: int  # rows on the org itself (not under a child), e.g. a unit committee's meetings
    by_child: dict[int, Cell] = field(default_factory=dict)  # child org id → its number
    trend: dict[dt.date, int] = field(default_factory=dict)
    of: int | None = None  # the whole the number is a part of (Figures tiles)
    text: str = ""  # how the number reads, when not just `total` (e.g. a percentage)


@dataclass
class Dashboard:
    org: Org
    range: DayRange
    today: dt.date
    tiles: list[Tile]
    children: list[Org]

    @property
    def drill_tiles(self) -> list[Tile]:
        return [t for t in self.tiles if t.kind.drill and t.by_child]

    def rows(self) -> list[dict[str, Any]]:
        """The child orgs' table: each child with its number per tile counted per child."""
        drill = self.drill_tiles
        return [
            {"org": child, "cells": [t.by_child[child.pk] for t in drill]}
            for child in self.children
        ]

    def chart(self) -> dict[str, Any]:
        """The charts' data (read by static/js/dashboard.js from a json_script node)."""
        days = self.range.days()
        trend = [t for t in self.tiles if t.kind.dated]
        bars = self.drill_tiles[:4]
        return {
            "days": [f"{d.month}-{d.day}" for d in days],
            "trend": [
                {"name": t.kind.label, "data": [t.trend.get(d, 0) for d in days]} for t in trend
            ]
            if days
            else [],
            "orgs": [c.short_name or c.name for c in self.children],
            "org_urls": [reverse("dashboard_org", args=[c.pk]) for c in self.children],
            "bars": [
                {
                    "name": t.kind.label,
                    "data": [
                        t.by_child[c.pk].n if c.pk in t.by_child else 0 for c in self.children
                    ],
                }
                for t in bars
            ],
        }


def children_of(org: Org) -> list[Org]:
    """The org's direct children that hold or lead members (党小组 are not counted apart)."""
    return list(
        Org.objects.filter(path__startswith=org.path, depth=org.depth + 1)
        .exclude(kind=OrgKind.GROUP)
        .order_by("path")
    )


def tile_kinds_for(user: Any, org: Org) -> list[TileKind]:
    return [k for k in TILES if can(user, k.perm, org) and (org.depth == 1 or not k.root_only)]


@dataclass
class Counts:
    total: int = 0
    own: int = 0  # rows on the org itself
    by_path: dict[str, int] = field(default_factory=dict)  # child path → n
    by_day: dict[dt.date, int] = field(default_factory=dict)


def _day_of(source: Source) -> Any:
    """The rows' day: the field itself, or the local date of a moment."""
    model_field = source.rows.model._meta.get_field(source.day_field)
    if model_field.get_internal_type() == "DateTimeField":
        return TruncDate(source.day_field, tzinfo=timezone.get_current_timezone())
    return F(source.day_field)


def _count(source: Source, child_len: int, *, by_day: bool) -> Counts:
    """The total, the org's own rows, each child's and (`by_day`) each day's: one GROUP BY on
    the path prefix (and the day)."""
    rows = (
        source.rows.order_by()
        .select_related(None)
        .prefetch_related(None)
        .annotate(_prefix=Substr(source.path, 1, child_len))
    )
    keys = ["_prefix"]
    if by_day:
        rows = rows.annotate(_day=_day_of(source))
        keys.append("_day")
    counts = Counts()
    for row in rows.values(*keys).annotate(_n=Count("pk")):
        n, prefix = row["_n"], row["_prefix"]
        counts.total += n
        if prefix is None or len(prefix) < child_len:
            counts.own += n
        else:
            counts.by_path[prefix] = counts.by_path.get(prefix, 0) + n
        if by_day:
            counts.by_day[row["_day"]] = counts.by_day.get(row["_day"], 0) + n
    return counts


def dashboard(*, user: Any, org: Org, day_range: DayRange, today: dt.date) -> Dashboard:
    """Every tile the user may see for the org, with the children's numbers and the trends."""
    children = children_of(org)
    ctx = Ctx(user=user, org=org, range=day_range, today=today, children=tuple(children))
    child_len = len(org.path) + Org.steplen
    by_path = {c.path: c for c in children}
    show_trend = bool(day_range.days())
    tiles = []
    for kind in tile_kinds_for(user, org):
        source = kind.source(ctx)
        if source is None:
            continue
        if isinstance(source, Figures):
            tiles.append(
                Tile(
                    kind=kind,
                    total=source.total,
                    url=source.url,
                    note=source.note,
                    own=source.own,
                    by_child=source.by_child if kind.drill else {},
                    of=source.of,
                    text=source.text,
                )
            )
            continue
        by_day = kind.dated and show_trend and bool(source.day_field)
        counts = _count(source, child_len, by_day=by_day)
        tile = Tile(
            kind=kind,
            total=counts.total,
            url=source.url(org),
            note=source.note,
            own=counts.own,
            trend=counts.by_day,
        )
        if kind.drill and source.org_param:
            tile.by_child = {
                by_path[p].pk: Cell(kind.key, n, source.url(by_path[p]))
                for p, n in counts.by_path.items()
                if p in by_path
            }
            # children with nothing still link to their (empty) list
            for child in children:
                tile.by_child.setdefault(child.pk, Cell(kind.key, 0, source.url(child)))
        tiles.append(tile)
    return Dashboard(org=org, range=day_range, today=today, tiles=tiles, children=children)
