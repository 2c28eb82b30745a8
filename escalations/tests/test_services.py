"""Situation reports and requests: sent to the org above, rising branch → unit → 组织部 while
nobody acknowledges, stopped by 已阅 or a 批复; handling apart from reading; fever alerts."""

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from conftest import Cast
from escalations import services
from escalations.models import Escalation, EscalationEvent, EscalationState, Reply
from escalations.tests.helpers import branch_request, member_report, overdue
from notices.models import Notice


def _notices(cast: Cast, who: str) -> list[str]:
    return list(Notice.objects.filter(recipient=cast.users[who]).values_list("title", flat=True))


def _timeline(e: Escalation) -> list[str]:
    return list(EscalationEvent.objects.filter(escalation=e).values_list("action", flat=True))


def test_a_members_report_goes_to_their_branch_with_the_urgencys_limit(cast: Cast) -> None:
    before = timezone.now()
    e = member_report(cast, urgency="critical")
    assert e.to_org == e.current_org == cast.branch_a1
    assert e.state == EscalationState.OPEN and e.level == 0
    assert e.due_at is not None
    assert dt.timedelta(minutes=30) <= e.due_at - before < dt.timedelta(minutes=31)
    assert _notices(cast, "branch_secretary") == ["收到特急情况报告：宿舍同学发热"]
    assert _notices(cast, "unit_a_admin") == []


def test_limits_come_from_settings(cast: Cast, settings: Any) -> None:
    settings.ESCALATION_LIMITS = {"normal": 90}
    e = member_report(cast, urgency="normal")
    assert e.due_at is not None
    assert e.due_at - e.created_at == dt.timedelta(seconds=90)
    assert services.limit_text("normal") == "90 秒"
    assert services.limit_text("urgent") == "2 小时"


def test_unacknowledged_it_rises_branch_then_unit_then_stays_at_school(cast: Cast) -> None:
    e = member_report(cast)
    assert services.escalations_sweep(now=overdue(e, dt.timedelta(seconds=-5))) == 0

    assert services.escalations_sweep(now=overdue(e)) == 1
    e.refresh_from_db()
    assert (e.current_org, e.level, e.state) == (cast.unit_a, 1, EscalationState.OPEN)
    assert _notices(cast, "unit_a_admin") == [
        f"下级超时未阅，上报至{cast.unit_a.name}：宿舍同学发热"
    ]
    assert _notices(cast, "unit_b_admin") == []

    assert services.escalations_sweep(now=overdue(e)) == 1
    e.refresh_from_db()
    assert (e.current_org, e.level) == (cast.school, 2)
    assert len(_notices(cast, "school_admin")) == 1

    # nothing above the school: marked overdue once, then left for 组织部
    assert services.escalations_sweep(now=overdue(e)) == 1
    e.refresh_from_db()
    assert (e.current_org, e.level, e.due_at) == (cast.school, 3, None)
    assert services.escalations_sweep(now=timezone.now() + dt.timedelta(days=30)) == 0
    assert _timeline(e) == ["created", "risen", "risen", "overdue"]
    # the reporter is told each time it rises
    assert len(_notices(cast, "member_a")) == 2


def test_acknowledgement_stops_the_rise_and_tells_the_reporter(cast: Cast) -> None:
    e = member_report(cast)
    services.escalation_acknowledge(actor=cast.users["branch_secretary"], escalation=e)

    assert services.escalations_sweep(now=overdue(e)) == 0
    e.refresh_from_db()
    assert e.state == EscalationState.ACKNOWLEDGED
    assert e.acknowledged_org == cast.branch_a1
    assert e.acknowledged_by == cast.users["branch_secretary"]
    assert _notices(cast, "unit_a_admin") == []
    assert any("已阅" in t for t in _notices(cast, "member_a"))


def test_an_acknowledgement_of_a_level_it_has_left_is_refused_and_writes_nothing(
    cast: Cast,
) -> None:
    e = member_report(cast)
    services.escalations_sweep(now=overdue(e))  # risen to unit A while the page was open
    events = EscalationEvent.objects.count()

    with pytest.raises(ValidationError) as refused:
        services.escalation_acknowledge(actor=cast.users["branch_secretary"], escalation=e, level=0)

    assert "已超时上报至计算机学院党委" in refused.value.messages[0]
    e.refresh_from_db()
    assert e.state == EscalationState.OPEN and EscalationEvent.objects.count() == events
    # read again at the new level, the branch may still acknowledge it
    services.escalation_acknowledge(actor=cast.users["branch_secretary"], escalation=e, level=1)
    e.refresh_from_db()
    assert e.state == EscalationState.ACKNOWLEDGED and e.acknowledged_org == cast.unit_a


def test_acknowledging_twice_says_it_is_done(cast: Cast) -> None:
    e = member_report(cast)
    services.escalation_acknowledge(actor=cast.users["branch_secretary"], escalation=e)
    with pytest.raises(ValidationError, match="已阅"):
        services.escalation_acknowledge(actor=cast.users["unit_a_admin"], escalation=e)


@pytest.mark.parametrize("who", ["member_a", "unit_b_admin", "duty_office", "member_b"])
def test_reporter_and_outsiders_may_not_acknowledge(cast: Cast, who: str) -> None:
    e = member_report(cast)
    with pytest.raises(PermissionDenied):
        services.escalation_acknowledge(actor=cast.users[who], escalation=e)


def test_handling_is_separate_from_reading(cast: Cast) -> None:
    e = member_report(cast)
    secretary = cast.users["branch_secretary"]
    with pytest.raises(ValidationError, match="请先确认已阅"):
        services.escalation_handle(actor=secretary, escalation=e, note="已安排就医")
    services.escalation_acknowledge(actor=secretary, escalation=e)
    with pytest.raises(ValidationError, match="请填写处理情况"):
        services.escalation_handle(actor=secretary, escalation=e, note="  ")

    services.escalation_handle(actor=secretary, escalation=e, note="已安排就医，同宿舍同学居家观察")

    e.refresh_from_db()
    assert e.state == EscalationState.HANDLED and e.handled_note.startswith("已安排就医")
    assert _timeline(e) == ["created", "acknowledged", "handled"]
    with pytest.raises(ValidationError, match="已处理"):
        services.escalation_handle(actor=secretary, escalation=e, note="再次")


def test_a_branch_request_goes_to_the_unit_and_a_reply_answers_it(cast: Cast) -> None:
    r = branch_request(cast)
    assert r.to_org == cast.unit_a
    assert _notices(cast, "unit_a_admin") == ["收到紧急请示：关于支部线上组织生活的请示"]
    with pytest.raises(ValidationError, match="批复"):
        services.escalation_acknowledge(actor=cast.users["unit_a_admin"], escalation=r)
    # the secretary adds a line to the thread; it does not answer it
    services.reply_add(actor=cast.users["branch_secretary"], escalation=r, body="会议议程见附件。")
    r.refresh_from_db()
    assert r.state == EscalationState.OPEN

    answer = services.reply_add(actor=cast.users["unit_a_admin"], escalation=r, body="同意。")

    r.refresh_from_db()
    assert answer.is_answer and answer.org == cast.unit_a
    assert r.state == EscalationState.REPLIED and r.state_label == "已批复"
    assert services.escalations_sweep(now=timezone.now() + dt.timedelta(days=3)) == 0
    assert [x.is_answer for x in Reply.objects.filter(escalation=r)] == [False, True]
    assert any("批复了您的请示" in t for t in _notices(cast, "branch_secretary"))
    assert _timeline(r) == ["created", "message", "replied"]


def test_an_unanswered_request_rises_to_school(cast: Cast) -> None:
    r = branch_request(cast)
    services.escalations_sweep(now=overdue(r))
    r.refresh_from_db()
    assert r.current_org == cast.school and r.state_label == "待批复"
    services.reply_add(
        actor=cast.users["school_admin"], escalation=r, body="请按防控要求线上召开。"
    )
    r.refresh_from_db()
    assert r.state == EscalationState.REPLIED and r.acknowledged_org == cast.school


def test_a_unit_reports_to_the_school_and_nobody_reports_above_it(cast: Cast) -> None:
    e = services.escalation_create(
        actor=cast.users["unit_a_admin"],
        org=cast.unit_a,
        kind="situation",
        category="safety",
        urgency="normal",
        title="学院楼封闭管理",
        body="即日起学院楼实行封闭管理。",
    )
    assert e.to_org == cast.school
    with pytest.raises(PermissionDenied):
        services.escalation_create(
            actor=cast.users["school_admin"],
            org=cast.school,
            kind="situation",
            category="safety",
            urgency="normal",
            title="x",
            body="x",
        )
    with pytest.raises(PermissionDenied):  # not their org
        services.escalation_create(
            actor=cast.users["unit_b_admin"],
            org=cast.unit_a,
            kind="situation",
            category="safety",
            urgency="normal",
            title="x",
            body="x",
        )


def test_bad_input_is_refused_in_chinese(cast: Cast) -> None:
    with pytest.raises(ValidationError, match="紧急程度"):
        member_report(cast, urgency="soon")
    with pytest.raises(ValidationError, match="标题"):
        member_report(cast, title=" ")
    assert not Escalation.objects.exists()


# --- fever -----------------------------------------------------------------------------------


def test_a_fever_raises_one_urgent_report_per_member_per_day(cast: Cast) -> None:
    at = timezone.now()
    e = services.raise_fever(
        member=cast.member_a, temperature=37.8, measured_at=at, source="report"
    )
    assert e is not None
    assert (e.urgency, e.category, e.to_org) == ("urgent", "fever", cast.branch_a1)
    assert e.temperature == Decimal("37.8") and e.source == "report"
    assert _notices(cast, "branch_secretary") == [
        f"紧急情况报告：发热：{cast.member_a.name} 37.8 ℃"
    ]

    again = services.raise_fever(
        member=cast.member_a, temperature="38.5", measured_at=at, source="gate", detail="东门"
    )
    assert again is None
    assert services.raise_fever(
        member=cast.member_a,
        temperature=38,
        measured_at=at + dt.timedelta(days=1),
        source="gate",
    )
    assert Escalation.objects.filter(fever_member=cast.member_a).count() == 2


def test_below_the_threshold_raises_nothing(cast: Cast, settings: Any) -> None:
    at = timezone.now()
    assert (
        services.raise_fever(member=cast.member_a, temperature=37.2, measured_at=at, source="x")
        is None
    )
    settings.FEVER_THRESHOLD = "37.0"
    assert services.raise_fever(member=cast.member_a, temperature=37.2, measured_at=at, source="x")


def test_the_database_keeps_one_fever_alert_per_member_and_day(cast: Cast) -> None:
    e = services.raise_fever(
        member=cast.member_a, temperature=38, measured_at=timezone.now(), source="report"
    )
    assert e is not None
    e.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        e.save(force_insert=True)


# --- scheduling -------------------------------------------------------------------------------

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def test_a_task_is_queued_for_the_deadline_and_the_sweep_queues_itself_once(
    cast: Cast, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from django_tasks_db.models import DBTaskResult

    from escalations import tasks

    settings.TASKS = DB_TASKS
    with django_capture_on_commit_callbacks(execute=True):
        e = member_report(cast)
    queued = DBTaskResult.objects.get(task_path=tasks.escalation_rise_task.module_path)
    assert queued.run_after == e.due_at
    assert queued.args_kwargs["args"] == [e.pk, 0]

    tasks.escalation_sweep_task.call()
    tasks.escalation_sweep_task.call()
    sweeps = DBTaskResult.objects.filter(task_path=tasks.escalation_sweep_task.module_path)
    assert sweeps.count() == 1
    assert sweeps.get().run_after > timezone.now() + dt.timedelta(minutes=4)


def test_the_rise_task_does_nothing_for_a_level_already_left(cast: Cast) -> None:
    from escalations import tasks

    e = member_report(cast, urgency="critical")
    e.due_at = timezone.now() - dt.timedelta(seconds=1)
    e.save(update_fields=["due_at"])
    assert tasks.escalation_rise_task.call(e.pk, 1) is False
    assert tasks.escalation_rise_task.call(e.pk, 0) is True
    e.refresh_from_db()
    assert e.current_org == cast.unit_a


@pytest.mark.django_db(transaction=True)
def test_the_worker_queues_a_sweep_as_it_starts(cast: Cast, settings: Any) -> None:
    from django.core.management import call_command
    from django_tasks_db.models import DBTaskResult

    from escalations import tasks

    settings.TASKS = DB_TASKS
    assert "escalations.tasks.sweep_soon" in settings.TASKS_ON_WORKER_START

    call_command("db_worker", batch=True, interval=0.1, startup_delay=False, verbosity=0)

    sweeps = DBTaskResult.objects.filter(task_path=tasks.escalation_sweep_task.module_path)
    assert sweeps.filter(status="SUCCESSFUL").exists()  # queued at start and run by the worker


def test_limits_from_the_environment_are_checked() -> None:
    from django.core.exceptions import ImproperlyConfigured

    from config.settings import escalation_limits

    assert escalation_limits("critical=60, normal=600") == {"critical": 60, "normal": 600}
    assert escalation_limits("") == {}
    for bad in ("critical=soon", "fast=60", "urgent"):
        with pytest.raises(ImproperlyConfigured, match="ESCALATION_LIMITS"):
            escalation_limits(bad)
