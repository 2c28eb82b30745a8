"""Escalation lag: 20 situation reports with short limits and a real `manage.py db_worker`
running on the benchmark database; how long after each deadline the report rose.

A branch secretary (bench_branch, on the first unit's first branch) reports 20 特急 matters to
the unit with limits of 3 to 12 seconds. Each report queues its rise task for its deadline
(django-tasks, database backend); the worker, started as a separate process as `make run`
does, runs them. Nobody acknowledges, so each rises to 组织部. We read each report's rise
event and report the median and the worst of (rise time − deadline).

Before the worker starts, 5 more reports pass their deadline with no task queued for them (as
if the worker had been down and the queue lost): the sweep the worker runs as it starts must
raise them; `escalation_catchup_s` is the time from starting the worker to the last of them.
"""

import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.contrib.auth import get_user_model
from django.test import override_settings
from django.utils import timezone

from access.models import Grant, Role
from bench import Figure, median
from bench.server import ROOT
from escalations import services
from escalations.models import Escalation, EscalationEvent, EventAction
from orgs.models import Org, OrgKind

REPORTS = 20
MISSED = 5
TIMEOUT = 120
NO_DEFER = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
        "QUEUES": ["default"],
    }
}


def _reporter() -> tuple[Any, Org]:
    unit = Org.objects.filter(depth=2).order_by("path").first()
    assert unit is not None, "seed_large made no unit"
    branch = Org.objects.filter(path__startswith=unit.path, kind=OrgKind.BRANCH).order_by("path")[0]
    user, _ = get_user_model().objects.get_or_create(username="bench_branch")
    Grant.objects.get_or_create(user=user, org=branch, role=Role.BRANCH_SECRETARY)
    return user, branch


def _worker() -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--interval", "1"],
        cwd=ROOT,
        env={**os.environ, "DEBUG": "false", "DJANGO_SETTINGS_MODULE": "config.settings"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def _report(user: Any, branch: Org, title: str) -> Escalation:
    return services.escalation_create(
        actor=user,
        org=branch,
        kind="situation",
        category="epidemic",
        urgency="critical",
        title=title,
        body="无人确认，到时限后应上报组织部。",
        source="bench",
    )


def _rises(ids: list[int]) -> dict[int, Any]:
    return dict(
        EscalationEvent.objects.filter(escalation_id__in=ids, action=EventAction.RISEN).values_list(
            "escalation_id", "at"
        )
    )


def run(repeat: int | None = None) -> list[Figure]:
    user, branch = _reporter()
    # while the worker is down: deadlines pass and no task is queued for them
    with override_settings(ESCALATION_LIMITS={"critical": 1}, TASKS=NO_DEFER):
        missed = [_report(user, branch, f"基准测试：停机期间到期 {i + 1}") for i in range(MISSED)]
    time.sleep(1.5)
    started = timezone.now()
    worker = _worker()
    try:
        made: list[Escalation] = []
        for i in range(REPORTS):
            with override_settings(ESCALATION_LIMITS={"critical": 3 + i // 2}):
                made.append(_report(user, branch, f"基准测试情况报告 {i + 1}"))
        ids = [e.pk for e in made + missed]
        deadline = time.time() + TIMEOUT
        while time.time() < deadline:
            risen = EscalationEvent.objects.filter(
                escalation_id__in=ids, action=EventAction.RISEN
            ).count()
            if risen >= REPORTS + MISSED:
                break
            time.sleep(0.5)
        rises = _rises(ids)
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)
    caught = [(rises[e.pk] - started).total_seconds() for e in missed if e.pk in rises]
    lags = [(rises[e.pk] - e.due_at).total_seconds() for e in made if e.pk in rises and e.due_at]
    lost = REPORTS + MISSED - len(lags) - len(caught)
    print(
        f"{REPORTS} reports, limits 3–12 s: risen {len(lags)}; "
        f"lag median {median(lags) if lags else float('nan'):.2f} s, "
        f"max {max(lags) if lags else float('nan'):.2f} s"
    )
    print(
        f"{MISSED} reports due while the worker was down (no task queued): risen {len(caught)}, "
        f"the last {max(caught) if caught else float('nan'):.2f} s after the worker started"
    )
    if lost:
        raise RuntimeError(f"{lost} reports did not rise within {TIMEOUT} s")
    return [
        Figure("escalation_lag_s", median(lags), "s", "≤ 60"),
        Figure("escalation_lag_max_s", max(lags), "s", ""),
        Figure("escalation_catchup_s", max(caught), "s", "≤ 60"),
    ]
