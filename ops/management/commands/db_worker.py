"""`manage.py db_worker`: django-tasks-db's worker, which first runs the start-up hooks.

Each dotted path in settings.TASKS_ON_WORKER_START is called once before the worker takes its
first task: the heartbeat that /healthz reads (ops.heartbeat), the notices that fell due while
no worker ran (notices), the situation reports past their limit (escalations). A hook that
returns a threading.Event (the heartbeat) is told to stop when the worker stops. Everything
else is django-tasks-db's; `make run` and deploy/ run this command.
"""

import threading
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string
from django_tasks_db.management.commands.db_worker import Command as WorkerCommand


class Command(WorkerCommand):
    help = "运行后台任务进程（排班求解、提醒、通知、情况报告超时上报），并写心跳供 /healthz 检查。"

    def handle(self, *args: Any, **options: Any) -> None:
        stops = []
        for path in getattr(settings, "TASKS_ON_WORKER_START", []):
            result = import_string(path)()
            if isinstance(result, threading.Event):
                stops.append(result)
        try:
            super().handle(*args, **options)
        finally:
            for stop in stops:
                stop.set()
