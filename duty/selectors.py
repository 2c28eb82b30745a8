"""Reads of the duty app, always scoped by the acting user, in a fixed number of queries."""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Substr
from django.utils import timezone

from access.scope import Perm, members_for_user, own_member_id, paths_with
from duty.models import DutyCheck, DutyLog, Pledge, PledgeSignature
from duty.scope import (
    assignments_in_stats_scope,
    checks_in_stats_scope,
    pledge_view_roots,
    pledges_for_user,
)
from duty.services import shift_times
from members.models import Member
from orgs.models import Org
from rosters.models import Assignment, Phase, Roster

# --- a member's shifts ----------------------------------------------------------------------


def my_shifts(*, user: Any, days_ahead: int = 7, today: dt.date | None = None) -> list[Any]:
    """The user's shifts from yesterday (a night shift may still be open) to `days_ahead`,
    published rosters only, each with its times and check."""
    member_id = own_member_id(user)
    if member_id is None:
        return []
    today = today or timezone.localdate()
    rows = list(
        Assignment.objects.filter(
            member_id=member_id,
            roster__state=Roster.State.PUBLISHED,
            date__gte=today - dt.timedelta(days=1),
            date__lte=today + dt.timedelta(days=days_ahead),
        )
        .select_related("post", "post__campus", "roster")
        .order_by("date", "post_id")
    )
    # Checks are looked up by shift, not by link: a record outlives the assignment it was made on.
    checks = {
        (c.post_id, c.date, c.slot): c
        for c in DutyCheck.objects.filter(
            member_id=member_id,
            date__gte=today - dt.timedelta(days=1),
            date__lte=today + dt.timedelta(days=days_ahead),
        )
    }
    now = timezone.now()
    shown = []
    for a in rows:
        a.times = shift_times(a)  # type: ignore[attr-defined]
        check = checks.get((a.post_id, a.date, a.slot))
        a.check_row = check  # type: ignore[attr-defined]
        if a.times.check_out_closes < now and check is None:  # type: ignore[attr-defined]
            continue  # missed and closed: not "today or next"
        if check is not None and check.checked_out_at and a.date < today:
            continue
        a.can_check_in = (  # type: ignore[attr-defined]
            check is None and a.times.check_in_opens <= now <= a.times.check_in_closes  # type: ignore[attr-defined]
        )
        shown.append(a)
    shown.sort(key=lambda a: a.times.start)  # type: ignore[attr-defined]
    return shown


def handover_for(assignment: Assignment) -> list[DutyLog]:
    """Handover notes left on the previous shift of the same post (the latest one before)."""
    start = shift_times(assignment).start
    logs = list(
        DutyLog.objects.filter(
            post_id=assignment.post_id,
            date__gte=assignment.date - dt.timedelta(days=2),
            date__lte=assignment.date,
        )
        .exclude(handover="")
        .select_related("post", "member")
        .order_by("written_at")
    )
    earlier = [(shift_times(log).start, log) for log in logs if shift_times(log).start < start]
    if not earlier:
        return []
    latest = max(s for s, _ in earlier)
    return [log for s, log in earlier if s == latest]


def my_records(*, user: Any, limit: int = 50) -> list[DutyCheck]:
    """The member's own check-ins, newest first, each with its logs: the history of what they
    worked, whatever became of the rosters since."""
    member_id = own_member_id(user)
    if member_id is None:
        return []
    checks = list(
        DutyCheck.objects.filter(member_id=member_id)
        .select_related("post__campus", "phase")
        .order_by("-date", "-checked_in_at")[:limit]
    )
    logs: dict[tuple[int, dt.date, str], list[DutyLog]] = {}
    if checks:
        for log in DutyLog.objects.filter(
            member_id=member_id, date__gte=min(c.date for c in checks)
        ).order_by("written_at"):
            logs.setdefault((log.post_id, log.date, log.slot), []).append(log)
    for c in checks:
        c.log_rows = logs.get((c.post_id, c.date, c.slot), [])  # type: ignore[attr-defined]
    return checks


# --- person-times (人次) --------------------------------------------------------------------


@dataclass
class StatsFilters:
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    scheduled: bool = False  # count scheduled shifts instead of those worked (checked in)
    phase: int | None = None
    post: int | None = None
    campus: int | None = None
    unit: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def stats_queryset(*, user: Any, filters: StatsFilters) -> QuerySet[Any]:
    """The rows person-times count: check-in records (shifts worked), which outlive every
    roster change; with `scheduled`, the assignments of published rosters instead. Both carry
    `date`, `post`, `member` and, annotated, `phase_ref` / `phase_name`."""
    qs: QuerySet[Any]
    if filters.scheduled:
        qs = assignments_in_stats_scope(user).filter(roster__state=Roster.State.PUBLISHED)
        qs = qs.annotate(phase_ref=F("roster__phase_id"), phase_name=F("roster__phase__name"))
    else:
        qs = checks_in_stats_scope(user).annotate(
            phase_ref=F("phase_id"), phase_name=F("phase__name")
        )
    if filters.date_from:
        qs = qs.filter(date__gte=filters.date_from)
    if filters.date_to:
        qs = qs.filter(date__lte=filters.date_to)
    if filters.phase:
        qs = qs.filter(phase_ref=filters.phase)
    if filters.post:
        qs = qs.filter(post_id=filters.post)
    if filters.campus:
        qs = qs.filter(post__campus_id=filters.campus)
    if filters.unit:
        unit = Org.objects.filter(pk=filters.unit).values_list("path", flat=True).first()
        qs = qs.filter(member__branch__path__startswith=unit) if unit else qs.none()
    return qs


UNIT_PATH_LENGTH = 2 * Org.steplen


@dataclass
class PersonTimes:
    total: int
    members: int
    by_day: list[dict[str, Any]]
    by_unit: list[dict[str, Any]]
    by_post: list[dict[str, Any]]
    by_campus: list[dict[str, Any]]
    by_phase: list[dict[str, Any]]
    by_member: list[dict[str, Any]]

    def chart(self) -> dict[str, Any]:
        """What the page's ECharts draw: a line by day, bars by unit."""
        return {
            "days": [str(r["date"]) for r in self.by_day],
            "day_counts": [r["n"] for r in self.by_day],
            "units": [r["name"] for r in self.by_unit],
            "unit_counts": [r["n"] for r in self.by_unit],
        }


def person_times(
    *, user: Any, filters: StatsFilters, member_limit: int | None = None
) -> PersonTimes:
    """Person-times grouped every way the page shows them: seven queries, whatever the data."""
    qs = stats_queryset(user=user, filters=filters).order_by()
    by_day: list[dict[str, Any]] = [
        dict(r) for r in qs.values("date").annotate(n=Count("id")).order_by("date")
    ]
    unit_rows = list(
        qs.annotate(unit_path=Substr("member__branch__path", 1, UNIT_PATH_LENGTH))
        .values("unit_path")
        .annotate(n=Count("id"))
        .order_by("-n", "unit_path")
    )
    names = dict(
        Org.objects.filter(path__in=[r["unit_path"] for r in unit_rows]).values_list("path", "name")
    )
    by_unit = [
        {"path": r["unit_path"], "name": names.get(r["unit_path"], "—"), "n": r["n"]}
        for r in unit_rows
    ]
    by_post = [
        {"id": r["post_id"], "name": r["post__name"], "n": r["n"]}
        for r in qs.values("post_id", "post__name").annotate(n=Count("id")).order_by("-n")
    ]
    by_campus = [
        {"id": r["post__campus_id"], "name": r["post__campus__name"] or "未指定校区", "n": r["n"]}
        for r in qs.values("post__campus_id", "post__campus__name")
        .annotate(n=Count("id"))
        .order_by("-n")
    ]
    by_phase = [
        {"id": r["phase_ref"], "name": r["phase_name"], "n": r["n"]}
        for r in qs.values("phase_ref", "phase_name").annotate(n=Count("id")).order_by("-n")
    ]
    member_qs = (
        qs.values(
            "member_id",
            "member__number",
            "member__name",
            "member__branch__name",
            branch_path=F("member__branch__path"),
        )
        .annotate(n=Count("id"))
        .order_by("-n", "member__number")
    )
    by_member: list[dict[str, Any]] = [
        dict(r) for r in (member_qs[:member_limit] if member_limit else member_qs)
    ]
    total = sum(int(r["n"]) for r in by_day)
    # The member count comes from the member rows when they are all read; otherwise count.
    members = len(by_member) if not member_limit else qs.values("member_id").distinct().count()
    return PersonTimes(
        total=total,
        members=members,
        by_day=by_day,
        by_unit=by_unit,
        by_post=by_post,
        by_campus=by_campus,
        by_phase=by_phase,
        by_member=by_member,
    )


def stats_choices(user: Any) -> dict[str, Any]:
    """The filter menus of the figures page."""
    from orgs.models import Campus
    from rosters.models import Post

    roots = paths_with(user, Perm.DUTY_STATS)
    unit_q = Q(pk__in=[])
    for root in roots:
        unit_q |= (
            Q(path__startswith=root[:UNIT_PATH_LENGTH])
            if len(root) > UNIT_PATH_LENGTH
            else Q(path__startswith=root)
        )
    return {
        "phases": list(Phase.objects.order_by("-starts_on").values_list("pk", "name")),
        "posts": list(Post.objects.order_by("name").values_list("pk", "name")),
        "campuses": list(Campus.objects.values_list("pk", "name")),
        "units": list(
            Org.objects.filter(unit_q, depth=2).order_by("path").values_list("pk", "name")
        ),
    }


# --- pledges --------------------------------------------------------------------------------


def pledge_list(*, user: Any) -> list[Pledge]:
    """Visible pledges with the user's signature state and, for PLEDGE_VIEW holders, the
    signed / expected counts within their scope."""
    pledges = list(pledges_for_user(user).order_by("-created_at"))
    own = own_member_id(user)
    signed_ids = (
        set(PledgeSignature.objects.filter(member_id=own).values_list("pledge_id", flat=True))
        if own
        else set()
    )
    counts = _pledge_counts_many(user, pledges)
    for p in pledges:
        p.signed_by_me = p.pk in signed_ids  # type: ignore[attr-defined]
        p.counts = counts.get(p.pk)  # type: ignore[attr-defined]
    return pledges


def _pledge_counts_many(user: Any, pledges: list[Pledge]) -> dict[int, dict[str, int]]:
    """pledge_counts for many pledges in two queries: members and signatures per branch, summed
    per pledge over the branches inside its view roots."""
    roots = {p.pk: pledge_view_roots(user, p) for p in pledges}
    all_roots = sorted({r for rs in roots.values() for r in rs})
    if not all_roots:
        return {}
    q = Q(pk__in=[])
    for root in all_roots:
        q |= Q(branch__path__startswith=root)
    expected = list(
        Member.objects.filter(q).values_list("branch__path").annotate(n=Count("id")).order_by()
    )
    # The signer's branch is filtered through the join, not an IN (subquery): with no
    # statistics yet (a fresh seed) PostgreSQL planned the subquery per row, for minutes.
    signed_q = Q(pk__in=[])
    for root in all_roots:
        signed_q |= Q(member__branch__path__startswith=root)
    signed = list(
        PledgeSignature.objects.filter(signed_q, pledge__in=[pk for pk, rs in roots.items() if rs])
        .values_list("pledge_id", "member__branch__path")
        .annotate(n=Count("id"))
        .order_by()
    )
    out = {}
    for pk, rs in roots.items():
        if not rs:
            continue
        n_expected = sum(n for path, n in expected if any(path.startswith(r) for r in rs))
        n_signed = sum(
            n for pid, path, n in signed if pid == pk and any(path.startswith(r) for r in rs)
        )
        out[pk] = {"expected": n_expected, "signed": n_signed, "unsigned": n_expected - n_signed}
    return out


def _pledge_members(user: Any, pledge: Pledge) -> QuerySet[Member]:
    roots = pledge_view_roots(user, pledge)
    q = Q(pk__in=[])
    for root in roots:
        q |= Q(branch__path__startswith=root)
    return Member.objects.filter(q)


def pledge_counts(*, user: Any, pledge: Pledge) -> dict[str, int] | None:
    """{expected, signed, unsigned} within the user's PLEDGE_VIEW scope, or None."""
    if not pledge_view_roots(user, pledge):
        return None
    row = _pledge_members(user, pledge).aggregate(
        expected=Count("id", distinct=True),
        signed=Count("pledge_signatures", filter=Q(pledge_signatures__pledge=pledge)),
    )
    return {
        "expected": row["expected"],
        "signed": row["signed"],
        "unsigned": row["expected"] - row["signed"],
    }


def pledge_members(
    user: Any, pledge: Pledge, *, unsigned_only: bool = False, branch_id: int | None = None
) -> QuerySet[Member]:
    """The members the pledge addresses within the user's view, in branch order."""
    qs = _pledge_members(user, pledge).select_related("branch").order_by("branch__path", "number")
    if unsigned_only:
        signature = PledgeSignature.objects.filter(pledge=pledge, member=OuterRef("pk"))
        qs = qs.filter(~Exists(signature))
    if branch_id is not None:
        qs = qs.filter(branch_id=branch_id)
    return qs


def pledge_branches(*, user: Any, pledge: Pledge) -> list[dict[str, Any]]:
    """Per branch: expected, signed, unsigned. One query."""
    rows = (
        _pledge_members(user, pledge)
        .values("branch_id", "branch__name", "branch__path")
        .annotate(
            expected=Count("id", distinct=True),
            signed=Count("pledge_signatures", filter=Q(pledge_signatures__pledge=pledge)),
        )
        .order_by("branch__path")
    )
    return [
        {
            "id": r["branch_id"],
            "name": r["branch__name"],
            "path": r["branch__path"],
            "expected": r["expected"],
            "signed": r["signed"],
            "unsigned": r["expected"] - r["signed"],
        }
        for r in rows
    ]


def pledge_signatures(pledge: Pledge, members: QuerySet[Member]) -> dict[int, PledgeSignature]:
    return {
        s.member_id: s
        for s in PledgeSignature.objects.filter(pledge=pledge, member__in=members.values("pk"))
    }


def pledges_to_sign(*, user: Any) -> list[Pledge]:
    """Open pledges addressed to the user's branch that they have not signed."""
    own = own_member_id(user)
    if own is None:
        return []
    today = timezone.localdate()
    from duty.scope import _ancestor_paths, _own_branch_path

    branch = _own_branch_path(user)
    if not branch:
        return []
    return list(
        Pledge.objects.filter(org__path__in=_ancestor_paths(branch))
        .filter(Q(closes_on__isnull=True) | Q(closes_on__gte=today))
        .exclude(signatures__member_id=own)
        .order_by("-created_at")
    )


# --- zones and teams ------------------------------------------------------------------------


def unit_names_for(paths: set[str]) -> dict[str, str]:
    units = {p[:UNIT_PATH_LENGTH] for p in paths}
    return dict(Org.objects.filter(path__in=units).values_list("path", "name"))


def member_choices(user: Any) -> QuerySet[Member]:
    """Members a manager may put into a zone or team: those under their TEAM_MANAGE roots."""
    return (
        members_for_user(user, Perm.TEAM_MANAGE).select_related("branch").order_by("branch__path")
    )
