"""Reads of the development pipeline, scoped by the acting user (development.scope)."""

import calendar
import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet
from django.utils import timezone

from access.scope import Perm, _path_q, paths_with
from development.models import Candidate, DevelopmentStage, IntervalRule, add_months, next_stage
from development.scope import candidates_for_user
from duty.models import DutyCheck, PledgeSignature, Team
from meetings.models import MeetingStory
from orgs.models import Org


def candidate_list(
    *, user: Any, stage: str = "", branch_id: int | None = None, q: str = ""
) -> QuerySet[Candidate]:
    qs = candidates_for_user(user).select_related("member__branch")
    if stage:
        qs = qs.filter(stage=stage)
    if branch_id:  # a branch, or any org: its subtree (the dashboard's link)
        path = Org.objects.filter(pk=branch_id).values_list("path", flat=True).first()
        qs = qs.filter(member__branch__path__startswith=path) if path else qs.none()
    if q:
        qs = qs.filter(member__name__contains=q) | qs.filter(member__number=q)
    return qs.order_by("member__branch__path", "member__number")


def stage_counts(*, user: Any) -> dict[str, int]:
    """How many files are at each stage, in the user's scope: one query."""
    rows = candidates_for_user(user).values_list("stage").annotate(n=Count("id")).order_by()
    counts = dict.fromkeys(DevelopmentStage.values, 0)
    counts.update(dict(rows))
    return counts


@dataclass
class Due:
    candidate: Candidate
    to_stage: DevelopmentStage
    eligible_on: dt.date
    overdue_on: dt.date | None  # the latest date the rules allow, when there is one


def _month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def due_list(*, user: Any, today: dt.date | None = None) -> list[Due]:
    """Who becomes eligible for their next stage by the end of this month (or is already), by
    the interval rules: two queries. A step without a minimum interval (申请人 → 积极分子)
    lists only files older than a month, so the list is about who is waiting."""
    today = today or timezone.localdate()
    end = _month_end(today)
    rules = list(IntervalRule.objects.filter(active=True))
    out = []
    for c in (
        candidates_for_user(user)
        .exclude(stage=DevelopmentStage.FULL)
        .select_related("member__branch")
    ):
        to = next_stage(c.stage)
        assert to is not None
        eligible, latest = None, None
        for rule in rules:
            if rule.to_stage != to:
                continue
            start = c.reached_on(rule.from_stage)
            if start is None:
                continue
            at = add_months(start, rule.min_months)
            eligible = at if eligible is None or at > eligible else eligible
            if rule.max_months is not None:
                last = add_months(start, rule.max_months)
                latest = last if latest is None or last < latest else latest
        if eligible is None:
            since = c.reached_on(c.stage)
            assert since is not None
            eligible = add_months(since, 1)
        if eligible <= end:
            out.append(Due(c, to, eligible, latest))
    return sorted(out, key=lambda d: (d.eligible_on, d.candidate.member.number))


def due_count(*, user: Any, today: dt.date | None = None) -> int:
    return len(due_list(user=user, today=today))


@dataclass
class Frontline:
    """A candidate's front-line conduct (004): duty shifts, pledges signed, teams, stories."""

    shifts: int
    last_shifts: list[DutyCheck]
    pledges: list[PledgeSignature]
    teams: list[Team]
    stories: list[MeetingStory]


def frontline(*, member_id: int) -> Frontline:
    checks = DutyCheck.objects.filter(member_id=member_id)
    return Frontline(
        shifts=checks.count(),
        last_shifts=list(checks.select_related("post").order_by("-date")[:10]),
        pledges=list(
            PledgeSignature.objects.filter(member_id=member_id)
            .select_related("pledge")
            .order_by("-signed_at")
        ),
        teams=list(Team.objects.filter(members__id=member_id)),
        stories=list(MeetingStory.objects.filter(member_id=member_id).select_related("meeting")),
    )


@dataclass
class StageFigure:
    pk: int
    name: str
    counts: dict[str, int]

    @property
    def row(self) -> list[int]:
        return [self.counts.get(s, 0) for s in DevelopmentStage.values]


def stage_figures(*, user: Any) -> list[StageFigure]:
    """Files at each stage per unit of the user's scope (per branch for one unit's staff):
    two queries."""
    roots = paths_with(user, Perm.DEVELOPMENT_VIEW)
    if not roots:
        return []
    # the level to count at: units, or the branches when the user sees a single unit or less
    depth = 2 if any(len(r) == Org.steplen for r in roots) or len(roots) > 1 else 3
    level = {
        path: (pk, name)
        for pk, path, name in Org.objects.filter(_path_q(roots, "path"), depth=depth)
        .order_by("path")
        .values_list("pk", "path", "name")
    }
    out = {path: StageFigure(pk, name, {}) for path, (pk, name) in level.items()}
    size = depth * Org.steplen
    rows = (
        candidates_for_user(user)
        .values_list("member__branch__path", "stage")
        .annotate(n=Count("id"))
        .order_by()
    )
    for path, stage, n in rows:
        fig = out.get(path[:size])
        if fig is not None:
            fig.counts[stage] = fig.counts.get(stage, 0) + n
    return list(out.values())
