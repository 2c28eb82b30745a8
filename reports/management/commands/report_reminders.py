"""`manage.py report_reminders [--day YYYY-MM-DD]`: queue a day's 报备 reminders (today's by
default). Safe to run again: each reminder is sent once."""

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from reports import reminders


class Command(BaseCommand):
    help = "安排某天（默认今天）的报备提醒：截止前提醒党员，截止后提醒支部书记。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--day", default="", help="日期，YYYY-MM-DD")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            day = dt.date.fromisoformat(options["day"]) if options["day"] else timezone.localdate()
        except ValueError as e:
            raise CommandError("日期格式应为 YYYY-MM-DD。") from e
        n = reminders.plan(day)
        self.stdout.write(f"已安排 {day} 的报备提醒 {n} 条。")
