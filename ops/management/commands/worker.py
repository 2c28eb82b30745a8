"""`manage.py worker`: the background worker (django-tasks' db_worker) with a heartbeat that
/healthz reads. Takes db_worker's options. The deployment runs this one (deploy/)."""

from typing import Any

from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from ops.heartbeat import start_heartbeat


class Command(DbWorkerCommand):
    help = "运行后台任务进程（排班求解、提醒），并每 30 秒写一次心跳供 /healthz 检查。"

    def handle(self, *args: Any, **options: Any) -> None:
        stop = start_heartbeat()
        try:
            super().handle(*args, **options)
        finally:
            stop.set()
