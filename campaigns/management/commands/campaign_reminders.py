"""`manage.py campaign_reminders`: the daily deadline reminders.

Run it once a day from cron, e.g. `0 8 * * * cd /srv/dangjian && .venv/bin/python manage.py
campaign_reminders`. It enqueues campaigns.tasks.send_deadline_reminders for the db_worker;
`--now` runs it in this process instead.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from campaigns.services import reminders_send
from campaigns.tasks import send_deadline_reminders


class Command(BaseCommand):
    help = "向截止前 3 天内仍未报送的单位发送提醒：通知、邮件和群机器人（每日由 cron 调用）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--now", action="store_true", help="在本进程中立即执行，不入队")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["now"]:
            sent = reminders_send()
            self.stdout.write(f"已发送 {len(sent)} 条提醒。")
            return
        result = send_deadline_reminders.enqueue()
        self.stdout.write(f"已加入任务队列（{result.id}）。")
