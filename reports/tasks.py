"""Background work of 报备 (django-tasks; `manage.py db_worker` runs it)."""

import datetime as dt

from django_tasks import task

from reports import reminders
from reports.models import ReportSchedule


@task()
def report_remind_task(schedule_id: int, period: str, phase: str) -> int:
    """报备提醒: before the due time to members, after it to their branch secretaries."""
    schedule = (
        ReportSchedule.objects.filter(pk=schedule_id, active=True)
        .select_related("form", "org")
        .first()
    )
    if schedule is None:
        return 0
    return reminders.remind(schedule=schedule, period=dt.date.fromisoformat(period), phase=phase)


@task()
def report_plan_task(day: str) -> int:
    """Queue a day's reminders (run by `manage.py report_reminders`, e.g. at worker start)."""
    return reminders.plan(dt.date.fromisoformat(day))
