"""Reads of study, scoped by the acting user (study.scope)."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from access.scope import Perm, _path_q, paths_with
from members.models import Member, PoliticalStatus
from orgs.models import Org
from study.models import StudyAttendance, StudySession
from study.scope import sessions_for_user

ON_ROLL = (PoliticalStatus.FULL, PoliticalStatus.PROBATIONARY)


def session_list(*, user: Any, year: int | None = None) -> QuerySet[StudySession]:
    qs = sessions_for_user(user).select_related("org", "plan").annotate(people=Count("attendance"))
    if year:
        qs = qs.filter(held_on__year=year)
    return qs.order_by("-held_on", "-id")


def _year_q(year: int) -> Q:
    return Q(
        study_attendance__on__gte=dt.date(year, 1, 1),
        study_attendance__on__lte=dt.date(year, 12, 31),
    )


def hours_by_member(*, user: Any, year: int, within: Org | None = None) -> QuerySet[Member]:
    """The members (正式 and 预备) the user sees study for, each with `study_hours` in `year`
    and `study_count`: one query."""
    q = _path_q(paths_with(user, Perm.STUDY_VIEW), "branch__path")
    qs = Member.objects.filter(q, political_status__in=ON_ROLL)
    if within is not None:
        qs = qs.filter(branch__path__startswith=within.path)
    return (
        qs.select_related("branch")
        .annotate(
            study_hours=Coalesce(
                Sum("study_attendance__hours", filter=_year_q(year)),
                Value(Decimal("0")),
                output_field=DecimalField(max_digits=6, decimal_places=1),
            ),
            study_count=Count("study_attendance", filter=_year_q(year)),
        )
        .order_by("branch__path", "number")
    )


@dataclass
class MyStudy:
    hours: Decimal
    rows: list[StudyAttendance]
    open_items: list[StudySession]


def my_study(*, member: Member, year: int, today: dt.date) -> MyStudy:
    """A member's year: their hours, what they took part in, self-study items still open."""
    rows = list(
        StudyAttendance.objects.filter(member=member, on__year=year)
        .select_related("session")
        .order_by("-on")
    )
    done = {r.session_id for r in rows}
    paths = [
        member.branch.path[:n] for n in range(Org.steplen, len(member.branch.path) + 1, Org.steplen)
    ]
    open_items = [
        s
        for s in StudySession.objects.filter(
            org__path__in=paths, kind="self_study", held_on__lte=today
        ).filter(Q(due_on__isnull=True) | Q(due_on__gte=today))
        if s.pk not in done
    ]
    return MyStudy(sum((r.hours for r in rows), Decimal("0")), rows, open_items)


def open_self_study_count(*, member_id: int, today: dt.date) -> int:
    """Self-study items of the member's own branch that are open and not yet done: one query."""
    branch = Member.objects.filter(pk=member_id).values("branch_id")
    return (
        StudySession.objects.filter(
            org_id=Subquery(branch[:1]), kind="self_study", held_on__lte=today
        )
        .filter(Q(due_on__isnull=True) | Q(due_on__gte=today))
        .exclude(attendance__member_id=member_id)
        .count()
    )


@dataclass
class HoursFigure:
    pk: int
    name: str
    members: int
    hours: Decimal

    @property
    def average(self) -> Decimal:
        return (self.hours / self.members).quantize(Decimal("0.1")) if self.members else Decimal(0)


def hours_figures(*, user: Any, year: int) -> list[HoursFigure]:
    """Study hours in `year` per unit of the user's scope (per branch for one unit's staff),
    with members on the roll and the average per member: three queries."""
    roots = paths_with(user, Perm.STUDY_VIEW)
    if not roots:
        return []
    depth = 2 if any(len(r) == Org.steplen for r in roots) or len(roots) > 1 else 3
    size = depth * Org.steplen
    out = {
        path: HoursFigure(pk, name, 0, Decimal(0))
        for pk, path, name in Org.objects.filter(_path_q(roots, "path"), depth=depth)
        .order_by("path")
        .values_list("pk", "path", "name")
    }
    scope = _path_q(roots, "branch__path")
    for path, n in (
        Member.objects.filter(scope, political_status__in=ON_ROLL)
        .values_list("branch__path")
        .annotate(n=Count("id"))
        .order_by()
    ):
        if (fig := out.get(path[:size])) is not None:
            fig.members += n
    for path, total in (
        StudyAttendance.objects.filter(_path_q(roots, "member__branch__path"), on__year=year)
        .values_list("member__branch__path")
        .annotate(total=Sum("hours"))
        .order_by()
    ):
        if (fig := out.get(path[:size])) is not None:
            fig.hours += total or 0
    return list(out.values())
