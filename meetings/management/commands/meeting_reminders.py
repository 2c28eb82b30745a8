"""`manage.py meeting_reminders`: the daily reminders to branch secretaries.

Run it once a day from cron, like `campaign_reminders`. It enqueues
meetings.tasks.send_meeting_reminders for the db_worker; `--now` runs it in this process.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from meetings.reminders import reminders_send
from meetings.tasks import send_meeting_reminders


class Command(BaseCommand):
    help = "提醒支部书记本期尚未完成的规定会议和即将届满的支委任期（每日由 cron 调用一次）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--now", action="store_true", help="在本进程中立即执行，不入队")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["now"]:
            self.stdout.write(f"已发送 {reminders_send()} 条提醒。")
            return
        result = send_meeting_reminders.enqueue()
        self.stdout.write(f"已加入任务队列（{result.id}）。")
