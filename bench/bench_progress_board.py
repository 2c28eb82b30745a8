"""The progress board at 40 units × 10 deliverables × 2,000 submissions, through Django's
test client as bench_school (组织部, sees every unit).

The campaign is created once in the bench database (bulk inserts); after a warm-up the board
is requested `repeat` times (at least 30). We report p95 and median in ms and the page's query
count, which does not depend on the number of units, deliverables or submissions.
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
from campaigns.models import (
    COUNTED_STATES,
    Campaign,
    Deliverable,
    DeliverableKind,
    LatePolicy,
    MaterialType,
    Reminder,
    Submission,
    SubmissionState,
)
from orgs.models import Org

CAMPAIGN = "基准「四个一」行动（看板）"
DELIVERABLES = 10
SUBMISSIONS = 2_000
WARM_UP = 5
MIN_REPEAT = 30


@transaction.atomic
def _build() -> Campaign:
    existing = Campaign.objects.filter(name=CAMPAIGN).first()
    if existing is not None:
        return existing
    school = Org.objects.get(depth=1, name="基准大学党委")
    units = list(Org.objects.filter(depth=2, path__startswith=school.path).order_by("path"))
    rng = random.Random(2020)
    now = timezone.now()
    campaign = Campaign.objects.create(name=CAMPAIGN, year=now.year, org=school)
    kinds = list(DeliverableKind.values)
    deliverables = Deliverable.objects.bulk_create(
        Deliverable(
            campaign=campaign,
            kind=kinds[i % len(kinds)],
            name=f"任务项 {i + 1}",
            deadline=now + dt.timedelta(days=i * 10 - 40),
            quota=[1, 5, None][i % 3],
            material_types=[MaterialType.TEXT, MaterialType.VIDEO],
            late_policy=LatePolicy.MARK_LATE,
            requires_summary=i == 1,
            order=i,
        )
        for i in range(DELIVERABLES)
    )
    states = [*COUNTED_STATES, SubmissionState.DRAFT, SubmissionState.WITHDRAWN]
    Submission.objects.bulk_create(
        Submission(
            deliverable=rng.choice(deliverables),
            org=rng.choice(units),
            title=f"基准报送 {n}",
            state=rng.choice(states),
            is_late=rng.random() < 0.1,
            submitted_at=now,
        )
        for n in range(SUBMISSIONS)
    )
    Reminder.objects.bulk_create(
        Reminder(deliverable=d, org=u, recipients=u.email)
        for d in deliverables[4:6]
        for u in units[::3]
    )
    return campaign


def _get(client: Client, url: str) -> tuple[float, int]:
    started = time.perf_counter()
    response = client.get(url)
    return (time.perf_counter() - started) * 1000, response.status_code


def run(*, repeat: int | None = None) -> list[Figure]:
    n = max(MIN_REPEAT, repeat or MIN_REPEAT)
    started = time.perf_counter()
    campaign = _build()
    print(f"campaign ready in {time.perf_counter() - started:.1f} s")
    user: Any = get_user_model().objects.get(username="bench_school")
    client = Client()
    client.force_login(user)
    url = reverse("campaign_board", args=[campaign.pk])
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
    units = Org.objects.filter(depth=2, path__startswith=campaign.org.path).count()
    print(
        f"board ({units} units × {campaign.deliverables.count()} deliverables × "
        f"{Submission.objects.filter(deliverable__campaign=campaign).count()} submissions): "
        f"median {median(times):.1f} ms   p95 {p95(times):.1f} ms   "
        f"queries {len(queries)}   (n={n})"
    )
    if statuses != {200}:
        print(f"WARNING: the board answered {sorted(statuses)}, not only 200")
    return [
        Figure("progress_board_p95_ms", p95(times), "ms", "≤ 150 (issue 3)"),
        Figure("progress_board_median_ms", median(times), "ms"),
        Figure("progress_board_queries", len(queries), "queries", "fixed"),
    ]
