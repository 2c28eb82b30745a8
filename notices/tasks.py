"""Background delivery of notices (django-tasks; `manage.py db_worker` runs it).

`notify` queues `deliver_task` when its transaction commits; the task sends what is due and,
while something is still pending (a retry, a robot's full minute), queues itself again for
the moment it becomes due. The worker runs `sweep` when it starts (ops' db_worker runs
settings.TASKS_ON_WORKER_START), so whatever was due while no worker ran is sent then.
"""

import datetime as dt

from django.utils import timezone
from django_tasks import default_task_backend, task

from notices.delivery import deliver_due

# A queued run this close to the wanted moment is good enough; another is not queued.
SLACK = dt.timedelta(seconds=5)


@task()
def deliver_task() -> dict[str, int]:
    """Send the e-mails and robot digests that are due; come back when more are due."""
    out = deliver_due()
    if out.next_at is not None:
        deliver_at(out.next_at)
    return {"sent": out.sent, "failed": out.failed, "posts": out.posts}


def _queued_by(moment: dt.datetime) -> bool:
    """A run is already waiting in the queue that starts no later than `moment` (DB backend)."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult, get_date_max

    waiting = DBTaskResult.objects.filter(
        task_path=deliver_task.module_path, status=TaskResultStatus.READY
    )
    return waiting.filter(run_after__lte=moment + SLACK).exists() or (
        moment <= timezone.now() + SLACK and waiting.filter(run_after=get_date_max()).exists()
    )


def deliver_at(moment: dt.datetime) -> None:
    """Queue a delivery run for `moment`, unless one is queued by then already."""
    backend = default_task_backend
    if not backend.supports_defer:  # the immediate backend (tests): nothing to come back to
        return
    if _queued_by(moment):
        return
    deliver_task.using(run_after=moment).enqueue()


def deliver_soon() -> None:
    """Queue a delivery run now (after `notify` commits), unless one is waiting already."""
    backend = default_task_backend
    if backend.supports_defer and _queued_by(timezone.now()):
        return
    deliver_task.enqueue()


def sweep() -> None:
    """At the worker's start: send what fell due while no worker ran."""
    deliver_soon()
