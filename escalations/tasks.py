"""Background work of escalations (django-tasks; `manage.py db_worker` runs it).

Each open escalation has a task due at its deadline (`run_after`); a sweep runs when the
worker starts and then every SWEEP_EVERY, so a deadline passed while the worker was down is
caught at once. No cron (docs/adr/0015)."""

import datetime as dt

from django.utils import timezone
from django_tasks import default_task_backend, task

from escalations.services import escalation_rise, escalations_sweep

SWEEP_EVERY = dt.timedelta(minutes=5)


@task()
def escalation_rise_task(escalation_id: int, level: int) -> bool:
    """At the deadline: rise to the next level unless acknowledged (or moved on) meanwhile."""
    return escalation_rise(escalation_id=escalation_id, level=level)


@task()
def escalation_sweep_task() -> int:
    """Rise everything past its deadline, then come back in SWEEP_EVERY."""
    risen = escalations_sweep()
    _schedule_next_sweep()
    return risen


def _deferrable() -> bool:
    return bool(default_task_backend.supports_defer)


def schedule_rise(escalation_id: int, level: int, due_at: dt.datetime) -> None:
    """Queue the rise for the deadline. A backend that cannot defer (the immediate one in
    tests) gets nothing queued: the sweep, or the test, does it."""
    if _deferrable():
        escalation_rise_task.using(run_after=due_at).enqueue(escalation_id, level)


def _pending_sweeps() -> bool:
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(
        task_path=escalation_sweep_task.module_path, status="READY"
    ).exists()


def _schedule_next_sweep() -> None:
    if _deferrable() and not _pending_sweeps():
        escalation_sweep_task.using(run_after=timezone.now() + SWEEP_EVERY).enqueue()


def sweep_soon() -> None:
    """Queue a sweep to run now (the worker starting)."""
    if _deferrable():
        escalation_sweep_task.enqueue()
