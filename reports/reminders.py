"""Reminders: to members who have not reported before the due time, and to their branch
secretaries after it. Each sending is recorded once (ReportReminder), so re-planning a day or
retrying a task never tells anyone twice."""

import datetime as dt
from collections import Counter

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from access.models import Grant, Role
from notices.services import notify
from reports.models import ReminderPhase, Report, ReportReminder, ReportSchedule
from reports.selectors import targeted


def _missing(schedule: ReportSchedule, period: dt.date) -> list[tuple[int, int | None]]:
    """(branch id, login user id) of each targeted member who has not reported."""
    done = Report.objects.filter(form_id=schedule.form_id, period=period).values("member_id")
    return list(
        targeted(schedule, [schedule.org.path])
        .exclude(pk__in=done)
        .values_list("branch_id", "user_id")
    )


@transaction.atomic
def remind(*, schedule: ReportSchedule, period: dt.date, phase: str) -> int:
    """Send one phase's reminders for a period; how many people were told (0 if sent before)."""
    try:
        with transaction.atomic():
            record = ReportReminder.objects.create(schedule=schedule, period=period, phase=phase)
    except IntegrityError:
        return 0
    missing = _missing(schedule, period)
    due = timezone.localtime(schedule.due_at(period))
    form = schedule.form.name
    if phase == ReminderPhase.BEFORE:
        users = [uid for _, uid in missing if uid is not None]
        notify(
            user_ids=users,
            kind="report.reminder",
            title=f"请在 {due:%m月%d日 %H:%M} 前完成{form}",
            body=f"您还没有提交本期的{form}，截止时间 {due:%m月%d日 %H:%M}。",
            url=reverse("report_mine"),
        )
        told = len(set(users))
    else:
        per_branch = Counter(branch for branch, _ in missing)
        secretaries: dict[int, list[int]] = {}
        for org_id, user_id in Grant.objects.filter(
            org_id__in=list(per_branch), role=Role.BRANCH_SECRETARY
        ).values_list("org_id", "user_id"):
            secretaries.setdefault(org_id, []).append(user_id)
        told = 0
        for branch_id, n in per_branch.items():
            users = secretaries.get(branch_id, [])
            if not users:
                continue
            url = reverse("report_overdue") + (
                f"?schedule={schedule.pk}&day={period.isoformat()}&org={branch_id}"
            )
            notify(
                user_ids=users,
                kind="report.overdue",
                title=f"本支部有 {n} 人未按时提交{form}",
                body=f"{form}已于 {due:%m月%d日 %H:%M} 截止，本支部仍有 {n} 人未提交，请督促。",
                url=url,
            )
            told += len(users)
    record.recipients = told
    record.save(update_fields=["recipients"])
    return told


def plan(day: dt.date, schedules: list[ReportSchedule] | None = None) -> int:
    """Queue the day's reminders of every running schedule whose period ends that day: one
    task at the reminder time before the due time, one at the due time. Returns how many."""
    from reports.tasks import report_remind_task

    queued = 0
    now = timezone.now()
    # A backend that cannot defer (the immediate one, in tests and TASKS_IMMEDIATE) gets only
    # the reminders whose time has come.
    defer = report_remind_task.get_backend().supports_defer
    if schedules is None:
        schedules = list(ReportSchedule.objects.filter(active=True).select_related("org", "form"))
    for schedule in schedules:
        if not schedule.runs_on(day):
            continue
        period = schedule.period_of(day)
        if schedule.last_day(period) != day:
            continue
        due = schedule.due_at(period)
        before = due - dt.timedelta(minutes=schedule.remind_minutes)
        for phase, at in ((ReminderPhase.BEFORE, before), (ReminderPhase.AFTER, due)):
            if not defer and at > now:
                continue
            task = (
                report_remind_task.using(run_after=at) if defer and at > now else report_remind_task
            )
            task.enqueue(schedule.pk, period.isoformat(), phase)
            queued += 1
    return queued
