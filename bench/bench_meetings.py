"""Organisational life at the large university (issue 9): 400 branches with a year of
meetings (30,000, about 60,000 attendance rows a month), through Django's test client.

- `compliance_p95_ms`: the school-wide compliance page for the year as bench_school (组织部):
  every branch against every rule, units with branches falling short; `compliance_queries`
  its SQL queries (fixed: it does not grow with branches or meetings).
- `meeting_list_p95_ms`: the meeting list of a unit as bench_unit, first page, newest first;
  `meeting_list_queries` its SQL queries.

Each page: 5 warm-up requests, then `repeat` (at least 30) timed ones; p95 and median in ms.
The meetings are created once in the bench database (bulk inserts), over the twelve months
before the current one.
"""

import datetime as dt
import random
import time
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bench import Figure, median, p95, settle_heap
from meetings.models import (
    Attendance,
    AttendanceStatus,
    Meeting,
    MeetingKind,
    MeetingMode,
    MeetingState,
)
from members.models import Member
from orgs.models import Org, OrgKind

MEETINGS = 30_000
ATTENDANCE_PER_MEETING = 24  # 30,000 × 24 ÷ 12 ≈ 60,000 rows a month
WARM_UP = 5
MIN_REPEAT = 30
TOPIC = "基准会议"


@transaction.atomic
def _build() -> None:
    if Meeting.objects.filter(topic__startswith=TOPIC).exists():
        return
    school = Org.objects.get(depth=1, name="基准大学党委")
    branches = list(Org.objects.filter(path__startswith=school.path, kind=OrgKind.BRANCH))
    members: dict[int, list[int]] = {}
    for pk, branch_id in Member.objects.filter(branch__in=branches).values_list("pk", "branch_id"):
        members.setdefault(branch_id, []).append(pk)
    rng = random.Random(1921)
    tz = timezone.get_current_timezone()
    first = (timezone.localdate().replace(day=1) - dt.timedelta(days=365)).replace(day=1)
    kinds = [
        MeetingKind.COMMITTEE,
        MeetingKind.THEME_DAY,
        MeetingKind.COMMITTEE,
        MeetingKind.THEME_DAY,
        MeetingKind.GENERAL_ASSEMBLY,
        MeetingKind.LECTURE,
    ]
    states = [MeetingState.APPROVED] * 6 + [MeetingState.UNIT_APPROVED, MeetingState.SUBMITTED]
    meetings = []
    for n in range(MEETINGS):
        branch = branches[n % len(branches)]
        held = dt.datetime.combine(
            first + dt.timedelta(days=rng.randint(0, 364)), dt.time(15), tzinfo=tz
        )
        meetings.append(
            Meeting(
                org=branch,
                kind=rng.choice(kinds),
                topic=f"{TOPIC} {n}",
                planned_at=held,
                held_at=held,
                mode=MeetingMode.ONLINE,
                platform="腾讯会议",
                minutes="会议记录。",
                state=rng.choice(states),
                quorum_base=ATTENDANCE_PER_MEETING,
                quorum_present=ATTENDANCE_PER_MEETING - 2,
            )
        )
    Meeting.objects.bulk_create(meetings, batch_size=5000)
    rows = []
    for m in Meeting.objects.filter(topic__startswith=TOPIC).values_list("pk", "org_id"):
        people = members.get(m[1], [])[:ATTENDANCE_PER_MEETING]
        rows += [
            Attendance(meeting_id=m[0], member_id=pk, status=AttendanceStatus.PRESENT)
            for pk in people
        ]
        if len(rows) >= 50_000:
            Attendance.objects.bulk_create(rows, batch_size=10_000)
            rows = []
    Attendance.objects.bulk_create(rows, batch_size=10_000)


def _time(client: Client, url: str, n: int) -> tuple[list[float], int, set[int]]:
    for _ in range(WARM_UP):
        client.get(url)
    settle_heap()
    times, statuses = [], set()
    for _ in range(n):
        started = time.perf_counter()
        statuses.add(client.get(url).status_code)
        times.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as queries:
        statuses.add(client.get(url).status_code)
    return times, len(queries), statuses


def _client(username: str) -> Client:
    user: Any = get_user_model().objects.get(username=username)
    client = Client()
    client.force_login(user)
    return client


def run(*, repeat: int | None = None) -> list[Figure]:
    n = max(MIN_REPEAT, repeat or MIN_REPEAT)
    started = time.perf_counter()
    _build()
    print(
        f"meetings ready in {time.perf_counter() - started:.1f} s: "
        f"{Meeting.objects.count()} meetings, {Attendance.objects.count()} attendance rows"
    )
    year = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).year
    compliance, c_queries, c_status = _time(
        _client("bench_school"), f"{reverse('compliance')}?year={year}", n
    )
    listing, l_queries, l_status = _time(_client("bench_unit"), reverse("meeting_list"), n)
    print(
        f"compliance (school, {year}): median {median(compliance):.1f} ms   "
        f"p95 {p95(compliance):.1f} ms   queries {c_queries}\n"
        f"meeting list (unit): median {median(listing):.1f} ms   p95 {p95(listing):.1f} ms   "
        f"queries {l_queries}   (n={n})"
    )
    if c_status | l_status != {200}:
        print(f"WARNING: answered {sorted(c_status | l_status)}, not only 200")
    return [
        Figure("compliance_p95_ms", p95(compliance), "ms", "≤ 150 (issue 9)"),
        Figure("compliance_median_ms", median(compliance), "ms"),
        Figure("compliance_queries", c_queries, "queries", "fixed"),
        Figure("meeting_list_p95_ms", p95(listing), "ms", "≤ 100 (issue 9)"),
        Figure("meeting_list_median_ms", median(listing), "ms"),
        Figure("meeting_list_queries", l_queries, "queries", "fixed"),
    ]
