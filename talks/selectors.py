"""Reads of talks and deliberations, always through talks.scope, in a fixed number of queries.

Talk coverage (谈心谈话覆盖): who, among the members whose talks the user reads (TALK_VIEW),
has had no talk in the last N days — those 滞留外地 or 隔离 first, as the school asked — and
which follow-ups (回访) are due; with counts per branch and per unit."""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone

from access.scope import Perm, members_for_user
from members.models import Member, Whereabouts
from orgs.models import Org
from talks.models import Deliberation, Talk
from talks.scope import deliberations_for_user, talk_notes_q, talks_for_user

DEFAULT_DAYS = 90
MAX_DAYS = 3650
AWAY = (Whereabouts.STRANDED, Whereabouts.QUARANTINED)
UNIT_PATH_LEN = 2 * Org.steplen


def _cutoff(days: int, today: dt.date | None = None) -> dt.date:
    return (today or timezone.localdate()) - dt.timedelta(days=days)


def coverage_members(user: Any, *, org: Org | None = None) -> QuerySet[Member]:
    """The members whose talk coverage the user answers for (TALK_VIEW over their branch)."""
    members = members_for_user(user, Perm.TALK_VIEW)
    if org is not None:
        members = members.filter(branch__path__startswith=org.path)
    return members


def _talked_since(cutoff: dt.date) -> Exists:
    return Exists(Talk.objects.filter(member_id=OuterRef("pk"), talked_on__gte=cutoff))


def talks_due(
    user: Any, *, days: int = DEFAULT_DAYS, org: Org | None = None, today: dt.date | None = None
) -> QuerySet[Member]:
    """Members with no talk in the last `days` days: 滞留外地 and 隔离 first, then by branch
    and 学工号; each with `last_talk` (their latest talk, if any) and `away` (0 if away).

    `last_talk` is a subquery the database evaluates only for the rows of a page, so a page
    of a school of 20,000 costs the same as a branch's."""
    cutoff = _cutoff(days, today)
    latest = Talk.objects.filter(member_id=OuterRef("pk")).order_by("-talked_on")
    return (
        coverage_members(user, org=org)
        .filter(~_talked_since(cutoff))
        .annotate(
            last_talk=Subquery(latest.values("talked_on")[:1]),
            away=Case(
                When(whereabouts__in=AWAY, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            ),
        )
        .select_related("branch")
        .order_by("away", "branch__path", "number")
    )


def follow_ups_due(user: Any, *, today: dt.date | None = None) -> QuerySet[Talk]:
    """Talks whose follow-up date has come and that were not followed up, among the talks
    whose notes the user reads (the follow-up is part of the notes)."""
    return (
        Talk.objects.filter(
            talk_notes_q(user),
            follow_up_on__lte=today or timezone.localdate(),
            followed_up_on__isnull=True,
        )
        .select_related("member", "talker", "branch")
        .order_by("follow_up_on", "id")
    )


@dataclass
class Counts:
    members: int = 0
    due: int = 0
    away_due: int = 0

    @property
    def covered(self) -> int:
        return self.members - self.due

    @property
    def rate(self) -> float:
        return round(100 * self.covered / self.members, 1) if self.members else 0.0


def due_counts(
    user: Any, *, days: int = DEFAULT_DAYS, today: dt.date | None = None
) -> tuple[int, int]:
    """(members of the user's with no talk in `days` days, those of them 滞留外地 or 隔离):
    one query, an anti-join (for the home page)."""
    talked = _talked_since(_cutoff(days, today))
    row = (
        coverage_members(user)
        .filter(~talked)
        .aggregate(due=Count("id"), away_due=Count("id", filter=Q(whereabouts__in=AWAY)))
    )
    return row["due"], row["away_due"]


@dataclass
class CoverageRow:
    org_id: int
    name: str
    path: str
    counts: Counts = field(default_factory=Counts)


@dataclass
class Coverage:
    days: int
    cutoff: dt.date
    total: Counts
    branches: list[CoverageRow]
    units: list[CoverageRow]
    follow_ups_due: int


def coverage(
    *, user: Any, days: int = DEFAULT_DAYS, org: Org | None = None, today: dt.date | None = None
) -> Coverage:
    """Counts per branch and per unit: four queries, whatever the size of the school.

    Members per branch, then those due per branch (an anti-join on the talks since the
    cutoff: cheaper than counting a NOT EXISTS per member inside the aggregate)."""
    cutoff = _cutoff(days, today)
    members = coverage_members(user, org=org)
    rows = (
        members.values("branch_id", "branch__name", "branch__path")
        .annotate(n=Count("id"))
        .order_by("branch__path")
    )
    due_rows = (
        members.filter(~_talked_since(cutoff))
        .values("branch_id")
        .annotate(due=Count("id"), away_due=Count("id", filter=Q(whereabouts__in=AWAY)))
        .order_by()
    )
    due = {r["branch_id"]: (r["due"], r["away_due"]) for r in due_rows}
    branches = [
        CoverageRow(
            r["branch_id"],
            r["branch__name"],
            r["branch__path"],
            Counts(r["n"], *due.get(r["branch_id"], (0, 0))),
        )
        for r in rows
    ]
    unit_paths = sorted({b.path[:UNIT_PATH_LEN] for b in branches})
    found = Org.objects.filter(path__in=unit_paths).values_list("path", "pk", "name")
    units = {path: CoverageRow(pk, name, path) for path, pk, name in found}
    total = Counts()
    for b in branches:
        u = units[b.path[:UNIT_PATH_LEN]].counts
        for c in (u, total):
            c.members += b.counts.members
            c.due += b.counts.due
            c.away_due += b.counts.away_due
    follow_ups = follow_ups_due(user, today=today)
    if org is not None:
        follow_ups = follow_ups.filter(branch__path__startswith=org.path)
    return Coverage(
        days=days,
        cutoff=cutoff,
        total=total,
        branches=branches,
        units=list(units.values()),
        follow_ups_due=follow_ups.count(),
    )


# --- lists --------------------------------------------------------------------------------


@dataclass(frozen=True)
class TalkFilters:
    branch: Org | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    method: str = ""
    member: Member | None = None


def talk_list(*, user: Any, filters: TalkFilters | None = None) -> QuerySet[Talk]:
    """Talks the user knows of (notes flagged by `notes_visible`), newest first."""
    f = filters or TalkFilters()
    talks = talks_for_user(user)
    if f.branch is not None:
        talks = talks.filter(branch__path__startswith=f.branch.path)
    if f.date_from:
        talks = talks.filter(talked_on__gte=f.date_from)
    if f.date_to:
        talks = talks.filter(talked_on__lte=f.date_to)
    if f.method:
        talks = talks.filter(method=f.method)
    if f.member is not None:
        talks = talks.filter(member=f.member)
    return talks.select_related("member", "talker", "branch").order_by("-talked_on", "-id")


def deliberation_list(
    *, user: Any, branch: Org | None = None, state: str = ""
) -> QuerySet[Deliberation]:
    items = deliberations_for_user(user)
    if branch is not None:
        items = items.filter(branch__path__startswith=branch.path)
    if state:
        items = items.filter(state=state)
    return items.select_related("branch", "owner").order_by("-held_on", "-id")
