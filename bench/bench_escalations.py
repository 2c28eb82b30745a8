"""Escalation lag: 20 situation reports with short limits and a real `manage.py db_worker`
running on the benchmark database; how long after each deadline the report rose.

A branch secretary (bench_branch, on the first unit's first branch) reports 20 特急 matters to
the unit with limits of 3 to 12 seconds. Each report queues its rise task for its deadline
(django-tasks, database backend); the worker, started as a separate process as `make run`
does, runs them. Nobody acknowledges, so each rises to 组织部. We read each report's rise
event and report the median and the worst of (rise time − deadline).
"""

import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.contrib.auth import get_user_model
from django.test import override_settings

from access.models import Grant, Role
from bench import Figure, median
from bench.server import ROOT
from escalations import services
from escalations.models import Escalation, EscalationEvent, EventAction
from orgs.models import Org, OrgKind

REPORTS = 20
TIMEOUT = 120


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


def run(repeat: int | None = None) -> list[Figure]:
    user, branch = _reporter()
    worker = _worker()
    try:
        made: list[Escalation] = []
        for i in range(REPORTS):
            with override_settings(ESCALATION_LIMITS={"critical": 3 + i // 2}):
                made.append(
                    services.escalation_create(
                        actor=user,
                        org=branch,
                        kind="situation",
                        category="epidemic",
                        urgency="critical",
                        title=f"基准测试情况报告 {i + 1}",
                        body="无人确认，到时限后应上报组织部。",
                        source="bench",
                    )
                )
        ids = [e.pk for e in made]
        deadline = time.time() + TIMEOUT
        while time.time() < deadline:
            risen = EscalationEvent.objects.filter(
                escalation_id__in=ids, action=EventAction.RISEN
            ).count()
            if risen >= REPORTS:
                break
            time.sleep(0.5)
        rises = dict(
            EscalationEvent.objects.filter(
                escalation_id__in=ids, action=EventAction.RISEN
            ).values_list("escalation_id", "at")
        )
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)
    lags = [(rises[e.pk] - e.due_at).total_seconds() for e in made if e.pk in rises and e.due_at]
    missed = REPORTS - len(lags)
    print(
        f"{REPORTS} reports, limits 3–12 s; risen {len(lags)}, missed {missed}; "
        f"lag median {median(lags) if lags else float('nan'):.2f} s, "
        f"max {max(lags) if lags else float('nan'):.2f} s"
    )
    if missed:
        raise RuntimeError(f"{missed} reports did not rise within {TIMEOUT} s")
    return [
        Figure("escalation_lag_s", median(lags), "s", "≤ 60"),
        Figure("escalation_lag_max_s", max(lags), "s", ""),
    ]
