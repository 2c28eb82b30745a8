import datetime as dt
import threading
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connections
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from audit.models import AuditEvent
from conftest import IMMEDIATE_TASKS, Cast
from escalations.models import Escalation
from notices.models import Notice
from reports import fever, reminders, services
from reports.builtin import HEALTH
from reports.models import Frequency, ReminderPhase, Report, ReportReminder
from reports.tests.helpers import HEALTHY, health_form, schedule

pytestmark = pytest.mark.django_db


def submit(cast: Cast, sched: Any, answers: dict[str, Any], *, days_ago: int = 0, **kw: Any):
    return services.report_submit(
        actor=cast.users["member_a"],
        member=cast.member_a,
        schedule=sched,
        period=timezone.localdate() - dt.timedelta(days=days_ago),
        answers=answers,
        **kw,
    )


def test_a_report_keeps_its_version_when_the_form_changes(cast: Cast) -> None:
    sched = schedule(cast)
    old, created = submit(cast, sched, HEALTHY, days_ago=1)
    assert created and old.version.number == 1
    changed = {
        "fields": [
            *HEALTH["fields"],
            {"name": "vaccinated", "label": "已接种疫苗", "kind": "yesno"},
        ]
    }
    version = services.form_revise(
        actor=cast.users["school_admin"], form=sched.form, schema=changed
    )
    assert version.number == 2
    new, _ = submit(cast, sched, {**HEALTHY, "vaccinated": True})
    old.refresh_from_db()
    assert (old.version.number, new.version.number) == (1, 2)


def test_an_unchanged_form_makes_no_version(cast: Cast) -> None:
    form = health_form(cast)
    with pytest.raises(ValidationError, match="没有变化"):
        services.form_revise(actor=cast.users["school_admin"], form=form, schema=HEALTH)


def test_a_bad_schema_is_refused_in_chinese(cast: Cast) -> None:
    with pytest.raises(ValidationError, match="kind"):
        services.form_create(
            actor=cast.users["school_admin"],
            owner=cast.school,
            name="x",
            schema={"fields": [{"name": "a", "label": "A", "kind": "colour"}]},
        )


def test_a_unit_cannot_define_a_form_for_the_school(cast: Cast) -> None:
    with pytest.raises(PermissionDenied):
        services.form_create(
            actor=cast.users["unit_a_admin"], owner=cast.school, name="x", schema=HEALTH
        )


def test_one_report_per_member_form_and_period(cast: Cast) -> None:
    sched = schedule(cast)
    first, created = submit(cast, sched, HEALTHY)
    again, created_again = submit(cast, sched, {**HEALTHY, "temperature": 36.8})
    assert created and not created_again and again.pk == first.pk
    assert Report.objects.count() == 1
    assert AuditEvent.objects.filter(action="report.submit").count() == 1


def test_a_report_after_the_due_time_is_marked_late(cast: Cast) -> None:
    sched = schedule(cast, due=dt.time(0, 0))
    report, _ = submit(cast, sched, HEALTHY)
    assert report.late
    on_time, _ = submit(cast, schedule(cast, due=dt.time(23, 59)), HEALTHY, days_ago=0)
    assert not on_time.late


def test_a_member_outside_the_schedule_cannot_report(cast: Cast) -> None:
    sched = schedule(cast, org=cast.unit_b)
    with pytest.raises(ValidationError, match="范围"):
        submit(cast, sched, HEALTHY)


def test_whereabouts_narrow_who_reports(cast: Cast) -> None:
    sched = schedule(cast, whereabouts=["stranded"])
    with pytest.raises(ValidationError):
        submit(cast, sched, HEALTHY)
    cast.member_a.whereabouts = "stranded"
    cast.member_a.save()
    assert submit(cast, sched, HEALTHY)[1]


def test_nobody_reports_for_someone_else(cast: Cast) -> None:
    sched = schedule(cast)
    with pytest.raises(PermissionDenied):
        services.report_submit(
            actor=cast.users["member_b"],
            member=cast.member_a,
            schedule=sched,
            period=timezone.localdate(),
            answers=HEALTHY,
        )


def test_a_future_period_is_refused(cast: Cast) -> None:
    with pytest.raises(ValidationError, match="还没到"):
        submit(cast, schedule(cast), HEALTHY, days_ago=-1)


def test_weekly_periods_start_on_monday(cast: Cast) -> None:
    sched = schedule(cast, frequency=Frequency.WEEKLY)
    day = dt.date(2026, 12, 3)  # a Thursday
    assert sched.period_of(day) == dt.date(2026, 11, 30)
    assert sched.last_day(sched.period_of(day)) == dt.date(2026, 12, 6)


# --- fever ------------------------------------------------------------------------------------


def test_a_fever_raises_one_situation_report_to_the_branch_a_day(cast: Cast) -> None:
    sched = schedule(cast)
    report, _ = submit(cast, sched, {**HEALTHY, "temperature": 37.8})
    raised = Escalation.objects.get(fever_member=cast.member_a)
    assert raised.current_org == cast.member_a.branch and raised.urgency == "urgent"
    assert "37.8" in raised.title and "张三" in raised.title
    notices = Notice.objects.filter(kind="situation.fever")
    assert [n.recipient.username for n in notices] == ["branch_secretary"]
    assert report.temperature == Decimal("37.8")
    second = schedule(
        cast,
        form=services.form_create(
            actor=cast.users["school_admin"], owner=cast.school, name="晚间体温", schema=HEALTH
        ),
    )
    submit(cast, second, {**HEALTHY, "temperature": 38.2})
    assert Escalation.objects.filter(fever_member=cast.member_a).count() == 1
    assert notices.count() == 1


@pytest.mark.parametrize(("temperature", "raised"), [(37.2, 0), (37.3, 1), (39.0, 1)])
def test_the_fever_threshold_is_inclusive(cast: Cast, temperature: float, raised: int) -> None:
    submit(cast, schedule(cast), {**HEALTHY, "temperature": temperature})
    assert Escalation.objects.filter(fever_member=cast.member_a).count() == raised


@override_settings(FEVER_THRESHOLD="38.0")
def test_the_fever_threshold_is_a_setting(cast: Cast) -> None:
    submit(cast, schedule(cast), {**HEALTHY, "temperature": 37.8})
    assert not Escalation.objects.exists()
    assert fever.threshold() == Decimal("38.0")


# --- reminders --------------------------------------------------------------------------------


def test_reminders_go_to_members_before_and_secretaries_after_once(cast: Cast) -> None:
    sched = schedule(cast, org=cast.unit_a)
    today = timezone.localdate()
    told = reminders.remind(schedule=sched, period=today, phase=ReminderPhase.BEFORE)
    assert told == 1  # member_a has a login; other_a has none
    assert Notice.objects.get(kind="report.reminder").recipient == cast.users["member_a"]
    assert reminders.remind(schedule=sched, period=today, phase=ReminderPhase.BEFORE) == 0
    submit(cast, sched, HEALTHY)
    reminders.remind(schedule=sched, period=today, phase=ReminderPhase.AFTER)
    # member_a reported; other_a (branch A2, no secretary) did not: nobody to tell in A1
    assert not Notice.objects.filter(kind="report.overdue").exists()
    assert ReportReminder.objects.count() == 2


def test_secretaries_hear_of_their_branch_overdue(cast: Cast) -> None:
    sched = schedule(cast, org=cast.unit_a)
    reminders.remind(schedule=sched, period=timezone.localdate(), phase=ReminderPhase.AFTER)
    notice = Notice.objects.get(kind="report.overdue")
    assert notice.recipient == cast.users["branch_secretary"]
    assert "1 人" in notice.title


def test_plan_queues_the_days_reminders_at_their_times(cast: Cast) -> None:
    sched = schedule(cast)
    assert reminders.plan(timezone.localdate()) == 2
    due = sched.due_at(timezone.localdate())
    runs = sorted(DBTaskResult.objects.values_list("run_after", flat=True))
    assert runs == [due - dt.timedelta(minutes=60), due]


@override_settings(TASKS=IMMEDIATE_TASKS)
def test_plan_runs_the_reminders_whose_time_has_come(cast: Cast) -> None:
    schedule(cast, due=dt.time(0, 0))
    assert reminders.plan(timezone.localdate()) == 2
    # the immediate backend ran them: before (member_a, member_b) and after (A1's secretary)
    assert Notice.objects.filter(kind="report.reminder").count() == 2
    assert Notice.objects.filter(kind="report.overdue").count() == 1


# --- two submits at once (PostgreSQL) ---------------------------------------------------------


@pytest.mark.postgresql  # needs concurrent transactions
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_submits_write_one_report(cast: Cast) -> None:
    sched = schedule(cast)
    barrier = threading.Barrier(2)
    results: list[Any] = []

    def go() -> None:
        try:
            barrier.wait()
            results.append(submit(cast, sched, HEALTHY))
        except Exception as e:  # pragma: no cover - reported below
            results.append(e)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=go) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(isinstance(r, tuple) for r in results), results
    assert sorted(created for _, created in results) == [False, True]
    assert len({report.pk for report, _ in results}) == 1
    assert Report.objects.count() == 1


def test_a_new_schedule_queues_todays_reminders(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        sched = schedule(cast)
    due = sched.due_at(timezone.localdate())
    assert sorted(DBTaskResult.objects.values_list("run_after", flat=True)) == [
        due - dt.timedelta(minutes=60),
        due,
    ]


def test_the_reminders_command_plans_a_day(cast: Cast) -> None:
    from io import StringIO

    from django.core.management import CommandError, call_command

    schedule(cast)
    out = StringIO()
    call_command("report_reminders", stdout=out)
    assert "2 条" in out.getvalue()
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("report_reminders", "--day", "明天")
