"""The worker's heartbeat: a row per worker process, touched every HEARTBEAT_EVERY seconds."""

import os
import socket
import threading
from datetime import datetime, timedelta

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone

from ops.models import Heartbeat

HEARTBEAT_EVERY = 30  # seconds


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:200]


def beat(name: str, *, started_at: datetime) -> None:
    Heartbeat.objects.update_or_create(
        worker=name, defaults={"beat_at": timezone.now(), "started_at": started_at}
    )


def start_heartbeat(*, every: float = HEARTBEAT_EVERY) -> threading.Event:
    """Beat now and then every `every` seconds on a daemon thread (its own database
    connection); set the returned event to stop it."""
    name, started_at, stop = worker_name(), timezone.now(), threading.Event()
    beat(name, started_at=started_at)

    def run() -> None:
        try:
            while not stop.wait(every):
                close_old_connections()
                try:
                    beat(name, started_at=started_at)
                except Exception:  # a database hiccup: try again at the next beat
                    connection.close()
        finally:
            connection.close()

    threading.Thread(target=run, name="worker-heartbeat", daemon=True).start()
    return stop


def worker_alive() -> bool:
    """Has any worker beaten within WORKER_HEARTBEAT_MAX_AGE_SECONDS?"""
    since = timezone.now() - timedelta(seconds=settings.WORKER_HEARTBEAT_MAX_AGE_SECONDS)
    return Heartbeat.objects.filter(beat_at__gte=since).exists()
