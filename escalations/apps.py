import sys
from typing import Any

from django.apps import AppConfig


class EscalationsConfig(AppConfig):
    name = "escalations"
    verbose_name = "情况报告与请示"

    def ready(self) -> None:
        # The worker sweeps once as it starts (deadlines passed while it was down), then every
        # few minutes (escalations.tasks). No cron: see docs/adr/0015.
        if "db_worker" in sys.argv[1:2]:
            from django.db.backends.signals import connection_created

            connection_created.connect(_sweep_on_start, dispatch_uid="escalations-sweep-on-start")


def _sweep_on_start(sender: Any, connection: Any, **kwargs: Any) -> None:
    from django.db.backends.signals import connection_created

    connection_created.disconnect(dispatch_uid="escalations-sweep-on-start")
    from escalations.tasks import sweep_soon

    sweep_soon()
