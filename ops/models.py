"""What the operations side keeps in the database: the background workers' heartbeats."""

from django.db import models


class Heartbeat(models.Model):
    """A running worker (`manage.py db_worker`) says it is alive every HEARTBEAT_EVERY seconds;
    /healthz reads the newest beat."""

    worker = models.CharField("工作进程", max_length=200, primary_key=True)  # host:pid
    beat_at = models.DateTimeField("最近心跳", db_index=True)
    started_at = models.DateTimeField("启动时间")

    class Meta:
        verbose_name = "工作进程心跳"
        verbose_name_plural = "工作进程心跳"

    def __str__(self) -> str:
        return self.worker
