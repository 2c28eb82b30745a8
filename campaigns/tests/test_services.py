"""The rules of submissions, written once in campaigns.services."""

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from audit.models import AuditEvent
from campaigns import services
from campaigns.models import (
    TRANSITIONS,
    LatePolicy,
    Reminder,
    Submission,
    SubmissionEvent,
    SubmissionState,
)
from campaigns.tests.helpers import K, draft, four, media_root, submitted, summary_for
from conftest import Cast

S = SubmissionState
__all__ = ["four", "media_root"]

ALL_PAIRS = [(a, b) for a in S.values for b in S.values if a != b]


def _in_state(cast: Cast, d: Any, state: str) -> Submission:
    s = draft(cast, d)
    summary_for(cast, d)
    Submission.objects.filter(pk=s.pk).update(state=state)
    s.refresh_from_db()
    return s


@pytest.mark.parametrize(("from_state", "to_state"), ALL_PAIRS)
def test_every_transition_is_allowed_or_refused_by_the_table(
    cast: Cast, four: dict[str, Any], from_state: str, to_state: str
) -> None:
    # given a story in `from_state`
    s = _in_state(cast, four[K.STORY], from_state)
    events = SubmissionEvent.objects.filter(submission=s).count()
    # when anyone asks for `to_state`
    allowed = to_state in TRANSITIONS[from_state]
    # then it happens exactly when the table allows it, with an event and an audit row
    if not allowed:
        with pytest.raises(ValidationError):
            services.submission_transition(
                submission=s, to_state=to_state, actor=cast.users["reviewer"], comment="理由"
            )
        s.refresh_from_db()
        assert s.state == from_state
        assert SubmissionEvent.objects.filter(submission=s).count() == events
        return
    services.submission_transition(
        submission=s, to_state=to_state, actor=cast.users["reviewer"], comment="理由"
    )
    s.refresh_from_db()
    assert s.state == to_state
    event = SubmissionEvent.objects.filter(submission=s).last()
    assert event is not None
    assert (event.from_state, event.to_state, event.actor) == (
        from_state,
        to_state,
        cast.users["reviewer"],
    )
    assert AuditEvent.objects.filter(action=f"submission.{to_state}", target_id=str(s.pk)).exists()


def test_sixth_story_is_refused_with_a_clear_message(cast: Cast, four: dict[str, Any]) -> None:
    # given five stories of unit A already submitted
    d = four[K.STORY]
    for i in range(5):
        submitted(cast, d, title=f"故事{i}")
    sixth = draft(cast, d, title="第六个故事")
    # when the sixth is submitted
    with pytest.raises(ValidationError) as e:
        services.submission_submit(actor=cast.users["unit_a_admin"], submission=sixth)
    # then it is refused and stays a draft
    assert "本单位「战疫故事汇」已报送 5 个，已达上限" in e.value.messages[0]
    sixth.refresh_from_db()
    assert sixth.state == S.DRAFT


def test_quota_is_per_unit_and_a_withdrawn_one_frees_its_slot(
    cast: Cast, four: dict[str, Any]
) -> None:
    d = four[K.STORY]
    stories = [submitted(cast, d, title=f"故事{i}") for i in range(5)]
    # another unit is not affected
    summary_for(cast, d, "unit_b")
    other = draft(cast, d, unit="unit_b", who="unit_b_admin")
    services.submission_submit(actor=cast.users["unit_b_admin"], submission=other)
    # withdrawing one frees a slot for unit A
    services.submission_withdraw(actor=cast.users["unit_a_admin"], submission=stories[0])
    sixth = draft(cast, d, title="第六个")
    services.submission_submit(actor=cast.users["unit_a_admin"], submission=sixth)
    assert sixth.state == S.SUBMITTED


def test_after_the_deadline_refuse_policy_refuses(cast: Cast, four: dict[str, Any]) -> None:
    d = four[K.STORY]
    assert d.late_policy == LatePolicy.REFUSE
    summary_for(cast, d)
    s = draft(cast, d)
    with pytest.raises(ValidationError) as e:
        services.submission_submit(
            actor=cast.users["unit_a_admin"],
            submission=s,
            now=d.deadline + dt.timedelta(minutes=1),
        )
    assert "截止，不再接收报送" in e.value.messages[0]


def test_after_the_deadline_mark_late_policy_accepts_and_marks(
    cast: Cast, four: dict[str, Any]
) -> None:
    d = four[K.RED_FIREWALL]
    assert d.late_policy == LatePolicy.MARK_LATE
    s = draft(cast, d, subkind="突击队")
    services.submission_submit(
        actor=cast.users["unit_a_admin"], submission=s, now=d.deadline + dt.timedelta(days=1)
    )
    s.refresh_from_db()
    assert (s.state, s.is_late) == (S.SUBMITTED, True)
    assert s.events.last().comment == "逾期报送"  # type: ignore[union-attr]


def test_withdraw_redraft_and_resubmit(cast: Cast, four: dict[str, Any]) -> None:
    s = submitted(cast, four[K.STORY])
    admin = cast.users["unit_a_admin"]
    services.submission_withdraw(actor=admin, submission=s)
    services.submission_redraft(actor=admin, submission=s)
    services.submission_update(actor=admin, submission=s, title="改过的标题")
    services.submission_submit(actor=admin, submission=s)
    s.refresh_from_db()
    assert (s.state, s.title) == (S.SUBMITTED, "改过的标题")
    assert [e.to_state for e in s.events.all()] == [
        S.DRAFT,
        S.SUBMITTED,
        S.WITHDRAWN,
        S.DRAFT,
        S.SUBMITTED,
    ]


def test_withdraw_after_review_started_is_refused(cast: Cast, four: dict[str, Any]) -> None:
    s = submitted(cast, four[K.STORY])
    services.submission_transition(
        submission=s, to_state=S.SHORTLISTED, actor=cast.users["reviewer"]
    )
    with pytest.raises(ValidationError):
        services.submission_withdraw(actor=cast.users["unit_a_admin"], submission=s)


def test_a_submitted_one_cannot_be_edited(cast: Cast, four: dict[str, Any]) -> None:
    s = submitted(cast, four[K.STORY])
    with pytest.raises(ValidationError):
        services.submission_update(actor=cast.users["unit_a_admin"], submission=s, title="x")


def test_story_needs_the_units_summary_first(cast: Cast, four: dict[str, Any]) -> None:
    s = draft(cast, four[K.STORY])
    with pytest.raises(ValidationError) as e:
        services.submission_submit(actor=cast.users["unit_a_admin"], submission=s)
    assert "情况总结" in " ".join(e.value.messages)


def test_lecture_needs_a_video_and_a_topic_from_the_list(cast: Cast, four: dict[str, Any]) -> None:
    d = four[K.MICRO_LECTURE]
    with pytest.raises(ValidationError) as e:
        draft(cast, d, topic="别的主题")
    assert "主题须为以下之一" in str(e.value)
    s = draft(cast, d, topic="其他")
    with pytest.raises(ValidationError) as e:
        services.submission_submit(actor=cast.users["unit_a_admin"], submission=s)
    assert "微党课须上传视频文件" in " ".join(e.value.messages)


def test_firewall_subkind_must_be_one_of_the_four(cast: Cast, four: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        draft(cast, four[K.RED_FIREWALL], subkind="宣传栏")
    assert draft(cast, four[K.RED_FIREWALL], subkind="立项攻关").subkind == "立项攻关"


def test_return_needs_a_reason(cast: Cast, four: dict[str, Any]) -> None:
    s = submitted(cast, four[K.STORY])
    with pytest.raises(ValidationError):
        services.submission_transition(
            submission=s, to_state=S.RETURNED, actor=cast.users["reviewer"], comment=" "
        )


def test_recommend_goes_to_the_lecture_show_for_lectures(cast: Cast, four: dict[str, Any]) -> None:
    s = _in_state(cast, four[K.MICRO_LECTURE], S.SELECTED)
    services.submission_transition(
        submission=s, to_state=S.RECOMMENDED, actor=cast.users["school_admin"]
    )
    assert s.recommended_to == services.RECOMMEND_TO_LECTURE_SHOW
    story = _in_state(cast, four[K.STORY], S.SELECTED)
    with pytest.raises(ValidationError):
        services.submission_transition(
            submission=story,
            to_state=S.RECOMMENDED,
            actor=cast.users["school_admin"],
            recommended_to=services.RECOMMEND_TO_LECTURE_SHOW,
        )


def test_review_records_score_and_comment(cast: Cast, four: dict[str, Any]) -> None:
    s = submitted(cast, four[K.STORY])
    services.submission_review(
        reviewer=cast.users["reviewer"], submission=s, score=Decimal("91.5"), comment="很好"
    )
    s.refresh_from_db()
    assert s.score == Decimal("91.5")
    event = s.events.last()
    assert event is not None and (event.score, event.comment) == (Decimal("91.5"), "很好")
    with pytest.raises(ValidationError):
        services.submission_review(
            reviewer=cast.users["reviewer"], submission=s, score=Decimal("101")
        )


def test_reminders_mail_units_without_submissions_once(
    cast: Cast, four: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    # given a deliverable due in two days; unit A has submitted, unit B has not
    d = four[K.STORY]
    d.deadline = timezone.now() + dt.timedelta(days=2)
    d.save()
    cast.unit_b.email = "hx@example.edu.cn"
    cast.unit_b.save()
    submitted(cast, d)
    # when the daily task runs twice
    with django_capture_on_commit_callbacks(execute=True):
        first = services.reminders_send()
    second = services.reminders_send()
    # then unit B is mailed once (for each deliverable due), unit A is not
    story = [r for r in first if r.deliverable_id == d.pk]
    assert [r.org for r in story] == [cast.unit_b]
    assert second == []
    assert all(m.to == ["hx@example.edu.cn"] for m in mail.outbox)
    assert any("战疫故事汇" in m.subject for m in mail.outbox)
    assert Reminder.objects.filter(deliverable=d, org=cast.unit_a).count() == 0


def test_reminders_fall_back_to_unit_admins_emails(cast: Cast, four: dict[str, Any]) -> None:
    d = four[K.STORY]
    d.deadline = timezone.now() + dt.timedelta(days=1)
    d.save()
    admin = cast.users["unit_b_admin"]
    admin.email = "admin-b@example.edu.cn"
    admin.save()
    sent = services.reminders_send()
    assert {r.org_id: r.recipients for r in sent if r.deliverable_id == d.pk}[
        cast.unit_b.pk
    ] == "admin-b@example.edu.cn"


def test_reminders_skip_deadlines_further_than_three_days(cast: Cast, four: dict[str, Any]) -> None:
    assert services.reminders_send() == []  # all deadlines are ten days away


def test_the_daily_command_sends_the_reminders(cast: Cast, four: dict[str, Any]) -> None:
    from io import StringIO

    from django.core.management import call_command

    d = four[K.STORY]
    d.deadline = timezone.now() + dt.timedelta(days=2)
    d.save()
    out = StringIO()
    call_command("campaign_reminders", "--now", stdout=out)
    assert "已发送 2 条提醒" in out.getvalue()
    assert Reminder.objects.filter(deliverable=d).count() == 2
