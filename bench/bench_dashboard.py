"""数据看板 at the large university: the school's dashboard as bench_school (组织部: 40 unit rows)
and a unit's as bench_unit (its branches), through Django's test client (`force_login`), so
the figures include middleware, the session, every query and the template, not the network.

The activity comes from seed_large (demo/large_activity.py, when it is there). Whatever is
still missing is added here in bulk once: talks (bench_talks's builder) and a month of duty
shifts with check-ins. After a warm-up each dashboard (this month's range) is requested
`repeat` times (at least 30): p95 and median in ms. The query count is measured on the largest
and on the smallest unit's dashboard (as 组织部): the same number, whatever the size.
"""

import datetime as dt
import random
import time
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from access.models import Grant
from bench import Figure, median, p95, settle_heap
from bench.bench_talks import _build as build_talks
from duty.models import DutyCheck
from members.models import Member
from orgs.models import Org
from rosters.models import Assignment, Phase, Post, PostKind, PostLevel, Roster

WARM_UP = 5
MIN_REPEAT = 30
SHIFTS = 20_000
DAYS = 30


@transaction.atomic
def _build_shifts() -> int:
    """A month of published shifts on one school post, two in three checked in."""
    existing = Assignment.objects.count()
    if existing:
        return existing
    rng = random.Random(2020)
    today = timezone.localdate()
    school = Org.objects.get(depth=1)
    post = Post.objects.create(
        name="基准值守岗", kind=PostKind.GATE_DUTY, level=PostLevel.SCHOOL, org=school
    )
    phase = Phase.objects.create(
        name="基准阶段", org=school, starts_on=today - dt.timedelta(days=DAYS), ends_on=today
    )
    roster = Roster.objects.create(phase=phase, org=school, state=Roster.State.PUBLISHED)
    members = list(Member.objects.values_list("pk", flat=True))
    slot = post.slots[0]["name"] if post.slots else "全天"
    picked = {
        (today - dt.timedelta(days=rng.randint(0, DAYS)), rng.choice(members))
        for _ in range(SHIFTS)
    }
    shifts = [
        Assignment(roster=roster, post=post, date=day, slot=slot, member_id=member)
        for day, member in sorted(picked)
    ]
    Assignment.objects.bulk_create(shifts, batch_size=2000)
    now = timezone.now()
    checks = [
        DutyCheck(
            assignment=a,
            roster=roster,
            phase=phase,
            member_id=a.member_id,
            post=post,
            date=a.date,
            slot=a.slot,
            checked_in_at=now,
        )
        for a in shifts
        if rng.random() < 0.67
    ]
    DutyCheck.objects.bulk_create(checks, batch_size=2000)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE rosters_assignment, duty_dutycheck")
    return len(shifts)


def _get(client: Client, url: str) -> tuple[float, int]:
    started = time.perf_counter()
    response = client.get(url)
    return (time.perf_counter() - started) * 1000, response.status_code


def _time(client: Client, url: str, n: int) -> list[float]:
    for _ in range(WARM_UP):
        _get(client, url)
    settle_heap()
    times, statuses = [], set()
    for _ in range(n):
        ms, status = _get(client, url)
        times.append(ms)
        statuses.add(status)
    if statuses != {200}:
        print(f"WARNING: {url} answered {sorted(statuses)}, not only 200")
    return times


def _queries(client: Client, url: str) -> int:
    _get(client, url)
    with CaptureQueriesContext(connection) as queries:
        _get(client, url)
    return len(queries)


def _client(username: str) -> Client:
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client


def _unit_sizes() -> list[tuple[Org, int]]:
    """Units by their number of members, largest first."""
    counts: dict[str, int] = {}
    rows = Member.objects.values("branch__path").annotate(n=Count("id")).order_by()
    for row in rows:
        unit_path = row["branch__path"][: 2 * Org.steplen]
        counts[unit_path] = counts.get(unit_path, 0) + row["n"]
    units = list(Org.objects.filter(depth=2))
    return sorted(((u, counts.get(u.path, 0)) for u in units), key=lambda p: -p[1])


def run(*, repeat: int | None = None) -> list[Figure]:
    n = max(MIN_REPEAT, repeat or MIN_REPEAT)
    school_user: Any = get_user_model().objects.get(username="bench_school")
    started = time.perf_counter()
    talks = build_talks(school_user)
    shifts = _build_shifts()
    print(
        f"activity ready in {time.perf_counter() - started:.1f} s: {talks} talks, {shifts} shifts"
    )

    school = Org.objects.get(depth=1)
    unit = Grant.objects.filter(user__username="bench_unit").select_related("org").first()
    assert unit is not None, "seed_large makes bench_unit"
    school_url = reverse("dashboard_org", args=[school.pk])
    unit_url = reverse("dashboard_org", args=[unit.org_id])

    school_client, unit_client = _client("bench_school"), _client("bench_unit")
    school_times = _time(school_client, school_url, n)
    unit_times = _time(unit_client, unit_url, n)

    sizes = _unit_sizes()
    (big, big_n), (small, small_n) = sizes[0], sizes[-1]
    big_q = _queries(school_client, reverse("dashboard_org", args=[big.pk]))
    small_q = _queries(school_client, reverse("dashboard_org", args=[small.pk]))
    school_q = _queries(school_client, school_url)
    print(
        f"school dashboard ({Member.objects.count()} members, {len(sizes)} units): "
        f"median {median(school_times):.1f} ms   p95 {p95(school_times):.1f} ms   "
        f"queries {school_q}   (n={n})"
    )
    print(
        f"unit dashboard ({unit.org.name}): median {median(unit_times):.1f} ms   "
        f"p95 {p95(unit_times):.1f} ms   (n={n})"
    )
    print(
        f"queries: largest unit {big.name} ({big_n} members) {big_q}, "
        f"smallest unit {small.name} ({small_n} members) {small_q}"
    )
    return [
        Figure("dashboard_school_p95_ms", p95(school_times), "ms", "≤ 200 (issue 12)"),
        Figure("dashboard_school_median_ms", median(school_times), "ms"),
        Figure("dashboard_unit_p95_ms", p95(unit_times), "ms", "≤ 100 (issue 12)"),
        Figure("dashboard_unit_median_ms", median(unit_times), "ms"),
        Figure("dashboard_queries", big_q, "queries", "fixed (largest unit)"),
        Figure("dashboard_queries_small", small_q, "queries", "= dashboard_queries"),
    ]
