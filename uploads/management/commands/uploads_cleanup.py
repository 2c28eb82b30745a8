"""manage.py uploads_cleanup [--hours 24]: remove abandoned and unclaimed uploads (for cron)."""

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from uploads.services import uploads_cleanup


class Command(BaseCommand):
    help = "删除超过期限仍未完成或未被提交的上传（默认 24 小时）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--hours", type=float, default=24.0, help="untouched for this long")

    def handle(self, *args: Any, hours: float, **options: Any) -> None:
        removed = uploads_cleanup(older_than=timedelta(hours=hours))
        self.stdout.write(f"已清除 {removed} 个过期上传。")
