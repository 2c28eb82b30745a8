"""Talk coverage for the whole school: 20,000 members in 400 branches with 20,000 talks over the
past year, through Django's test client as bench_school (组织部, sees every branch).

The talks are created once in the bench database (bulk inserts, then ANALYZE as autovacuum
would after such a load); after a warm-up the coverage
page (`talk_coverage`, 90 days: counts per unit and branch, the first 50 members due with the
stranded and quarantined first, follow-ups due) is requested `repeat` times (at least 30). We
report p95 and median in ms and the page's query count, which does not depend on the size.
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
from members.models import Member
from talks.models import Talk, TalkMethod

TALKS = 20_000
WARM_UP = 5
MIN_REPEAT = 30


@transaction.atomic
def _build(user: Any) -> int:
    existing = Talk.objects.count()
    if existing >= TALKS:
        return existing
    rng = random.Random(919)
    today = timezone.localdate()
    members = list(Member.objects.values_list("pk", "branch_id"))
    talkers: dict[int, int] = {}
    for pk, branch_id in members:
        talkers.setdefault(branch_id, pk)
    methods = list(TalkMethod.values)
    rows = []
    for _ in range(TALKS):
        pk, branch_id = rng.choice(members)
        talker = talkers[branch_id]
        if talker == pk:
            continue
        day = today - dt.timedelta(days=rng.randint(0, 365))
        follow = day + dt.timedelta(days=14) if rng.random() < 0.2 else None
        rows.append(
            Talk(
                member_id=pk,
                branch_id=branch_id,
                talker_id=talker,
                talked_on=day,
                method=rng.choice(methods),
                thoughts="思想稳定",
                follow_up_on=follow,
                followed_up_on=follow
                if follow and rng.random() < 0.5 and follow <= today
                else None,
                recorded_by=user,
            )
        )
    Talk.objects.bulk_create(rows, batch_size=2000)
    if connection.vendor == "postgresql":
        # What autovacuum does after a bulk load: fresh statistics for the planner.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE talks_talk, members_member, orgs_org")
    return Talk.objects.count()


def _get(client: Client, url: str) -> tuple[float, int]:
    started = time.perf_counter()
    response = client.get(url)
    return (time.perf_counter() - started) * 1000, response.status_code


def run(*, repeat: int | None = None) -> list[Figure]:
    n = max(MIN_REPEAT, repeat or MIN_REPEAT)
    user: Any = get_user_model().objects.get(username="bench_school")
    started = time.perf_counter()
    talks = _build(user)
    print(f"talks ready in {time.perf_counter() - started:.1f} s")
    client = Client()
    client.force_login(user)
    url = reverse("talk_coverage")
    for _ in range(WARM_UP):
        _get(client, url)
    settle_heap()
    times, statuses = [], set()
    for _ in range(n):
        ms, status = _get(client, url)
        times.append(ms)
        statuses.add(status)
    with CaptureQueriesContext(connection) as queries:
        _, status = _get(client, url)
    statuses.add(status)
    print(
        f"talk coverage ({Member.objects.count()} members, {talks} talks): "
        f"median {median(times):.1f} ms   p95 {p95(times):.1f} ms   "
        f"queries {len(queries)}   (n={n})"
    )
    if statuses != {200}:
        print(f"WARNING: the coverage page answered {sorted(statuses)}, not only 200")
    return [
        Figure("talk_coverage_p95_ms", p95(times), "ms", "≤ 150 (issue 9)"),
        Figure("talk_coverage_median_ms", median(times), "ms"),
        Figure("talk_coverage_queries", len(queries), "queries", "fixed"),
    ]
