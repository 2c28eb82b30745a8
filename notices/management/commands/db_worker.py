"""`manage.py db_worker`: django-tasks-db's worker, which first runs the start-up sweeps.

Each dotted path in settings.TASKS_ON_WORKER_START is called once before the worker takes its
first task (notices: queue a delivery run for what fell due while no worker ran), so nothing
waits for a new event to be noticed after a restart. Everything else is django-tasks-db's.
"""

from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string
from django_tasks_db.management.commands.db_worker import Command as WorkerCommand


class Command(WorkerCommand):
    def handle(self, *args: Any, **options: Any) -> None:
        for path in getattr(settings, "TASKS_ON_WORKER_START", []):
            import_string(path)()
        super().handle(*args, **options)
