"""`manage.py db_worker` (ops): django-tasks' worker with a heartbeat for /healthz."""

from typing import Any

import pytest
from django.core.management import call_command

from ops.heartbeat import start_heartbeat, worker_alive, worker_name
from ops.models import Heartbeat


# db_worker closes a connection that is inside a transaction (close_old_connections), as a
# test's would be: this test commits.
@pytest.mark.django_db(transaction=True)
def test_the_worker_beats_at_start_and_runs_the_queue(settings: Any) -> None:
    assert not worker_alive()
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)
    beat = Heartbeat.objects.get(worker=worker_name())
    assert beat.started_at <= beat.beat_at
    assert worker_alive()


@pytest.mark.django_db
def test_a_second_beat_updates_the_same_row() -> None:
    stop = start_heartbeat(every=3600)
    first = Heartbeat.objects.get().beat_at
    stop.set()
    start_heartbeat(every=3600).set()
    assert Heartbeat.objects.count() == 1
    assert Heartbeat.objects.get().beat_at >= first
