"""Reads of the rosters app, always scoped by the acting user (through rosters.scope)."""

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from access.scope import own_member_id, paths_with
from rosters.models import Allocation, Assignment, Phase, Post, Roster, SignUp, SwapRequest
from rosters.problems import days, roster_posts
from rosters.scope import (
    duty_masker,
    phases_for_user,
    posts_for_user,
    rosters_for_user,
    signups_for_user,
    swaps_for_user,
)


def post_list(*, user: Any) -> QuerySet[Post]:
    return (
        posts_for_user(user)
        .select_related("org", "campus")
        .order_by("level", "campus__name", "name")
    )


def phase_list(*, user: Any) -> QuerySet[Phase]:
    return phases_for_user(user).annotate(n_signups=Count("signups", distinct=True))


def open_phases(*, user: Any) -> list[Phase]:
    now = timezone.now()
    return [
        p
        for p in phases_for_user(user).prefetch_related("posts")
        if p.signup_deadline is None or p.signup_deadline >= now
    ]


def signup_list(
    *, user: Any, phase: Phase, org_path: str | None = None, allocated: bool = False
) -> QuerySet[SignUp]:
    """The phase's sign-ups the user sees; `org_path`: one subtree; `allocated`: only those
    allocated to a post of the phase (members mobilised, not only signed up)."""
    qs = (
        signups_for_user(user)
        .filter(phase=phase)
        .select_related("member__branch", "campus", "recommended_by")
    )
    if org_path:
        qs = qs.filter(member__branch__path__startswith=org_path)
    if allocated:
        qs = qs.filter(
            Exists(Allocation.objects.filter(phase_id=phase.pk, member_id=OuterRef("member_id")))
        )
    return qs.order_by("member__branch__path", "member__number")


def roster_list(*, user: Any) -> QuerySet[Roster]:
    return (
        rosters_for_user(user)
        .select_related("phase", "org")
        .annotate(n_assignments=Count("assignments"))
        .order_by("-phase__starts_on", "org__path")
    )


def my_shifts(*, user: Any, upcoming: bool = True) -> QuerySet[Assignment]:
    own = own_member_id(user)
    if own is None:
        return Assignment.objects.none()
    qs = Assignment.objects.filter(member_id=own, roster__state=Roster.State.PUBLISHED)
    if upcoming:
        qs = qs.filter(date__gte=timezone.localdate() - dt.timedelta(days=1))
    return qs.select_related("post__campus", "roster__phase", "duty_check").order_by("date", "slot")


def my_swaps(*, user: Any) -> QuerySet[SwapRequest]:
    return SwapRequest.objects.filter(requested_by_id=own_member_id(user)).select_related(
        "assignment__post", "with_member"
    )


def pending_swaps(*, user: Any) -> QuerySet[SwapRequest]:
    return (
        swaps_for_user(user)
        .filter(state=SwapRequest.State.PENDING)
        .select_related(
            "assignment__post", "assignment__roster__phase", "requested_by", "with_member"
        )
    )


def roster_grid(
    roster: Roster,
    *,
    user: Any,
    post_id: int | None = None,
    campus_id: int | None = None,
    day: dt.date | None = None,
) -> list[dict[str, Any]]:
    """Every shift of the roster (filtered), with its people: one row per shift."""
    posts = roster_posts(roster)
    if post_id:
        posts = [p for p in posts if p.pk == post_id]
    if campus_id:
        posts = [p for p in posts if p.campus_id == campus_id]
    by_shift: dict[tuple[int, dt.date, str], list[Assignment]] = defaultdict(list)
    qs = roster.assignments.select_related("member__branch", "duty_check").order_by("member__name")
    if day:
        qs = qs.filter(date=day)
    for a in qs:
        a.checked_in = hasattr(a, "duty_check")  # type: ignore[attr-defined]
        by_shift[(a.post_id, a.date, a.slot)].append(a)
    masker = duty_masker(user)
    rows = []
    dates = [day] if day else days(roster.phase.starts_on, roster.phase.ends_on)
    for d in dates:
        for p in posts:
            for slot in p.slots:
                people = by_shift.get((p.pk, d, slot["name"]), [])
                rows.append(
                    {
                        "date": d,
                        "slot": slot["name"],
                        "post": p,
                        "campus": p.campus.name if p.campus else "",
                        "place": p.place,
                        "people": people,
                        "names": [a.member.name for a in people],
                        "phones": [masker.phone(a.member, a.member.branch.path) for a in people],
                        "short": len(people) < p.headcount,
                        "headcount": p.headcount,
                    }
                )
    return rows


def roster_change_summary(roster: Roster) -> dict[str, int]:
    """What unpublishing, re-solving or deleting the roster would change, for the page that
    asks first: assignments that go, those kept (pinned, or checked in), records kept."""
    row = roster.assignments.aggregate(
        total=Count("id"),
        checked=Count("id", filter=Q(duty_check__isnull=False)),
        pinned=Count("id", filter=Q(pinned=True, duty_check__isnull=True)),
    )
    return {
        "assignments": row["total"],
        "checked": row["checked"],
        "pinned": row["pinned"],
        "replaced": row["total"] - row["checked"] - row["pinned"],
        "check_ins": roster.duty_checks.count(),  # type: ignore[attr-defined]
        "logs": roster.duty_logs.count(),  # type: ignore[attr-defined]
    }


def roster_load(roster: Roster) -> list[dict[str, Any]]:
    """Shifts per person on the roster, most loaded first (for fairness at a glance)."""
    counts = (
        roster.assignments.values("member_id", "member__name")
        .annotate(n=Count("id"))
        .order_by("-n", "member__name")
    )
    return [dict(row) for row in counts]


def allocation_candidates(*, user: Any, phase: Phase, post: Post) -> QuerySet[SignUp]:
    """Who may be allocated to `post`: recommended sign-ups for a school-level post; the unit's
    own sign-ups for a unit post (分层次)."""
    qs = SignUp.objects.filter(phase=phase).select_related("member__branch")
    if post.level == "school":
        qs = qs.filter(recommended=True)
    else:
        qs = qs.filter(member__branch__path__startswith=post.org.path)
    return qs.order_by("member__branch__path", "member__name")


def units_managed(user: Any, perm: str) -> list[str]:
    return paths_with(user, perm)


__all__ = ["Prefetch"]
