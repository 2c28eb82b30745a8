"""Reminders to branch secretaries through notices.notify, once each, in the home page's words."""

import datetime as dt
from io import StringIO
from typing import Any

from django.core.management import call_command
from django.utils import timezone

from conftest import Cast
from meetings import compliance
from meetings.models import CommitteeSeat, SeatTitle
from meetings.reminders import reminders_send
from members.tests.factories import MemberFactory
from notices.models import Notice


def test_secretaries_are_told_once_of_meetings_due_and_terms_ending(
    cast: Cast, monkeypatch: Any
) -> None:
    monkeypatch.setattr(compliance, "REMIND_BEFORE", dt.timedelta(days=400))
    monkeypatch.setattr("meetings.reminders.REMIND_BEFORE", dt.timedelta(days=400))
    today = timezone.localdate()
    CommitteeSeat.objects.create(
        branch=cast.branch_a1,
        member=MemberFactory.create(branch=cast.branch_a1),
        title=SeatTitle.SECRETARY,
        term_start=today - dt.timedelta(days=1000),
        term_end=today + dt.timedelta(days=30),
    )
    first = reminders_send()
    assert reminders_send() == 0
    mine = Notice.objects.filter(recipient=cast.users["branch_secretary"])
    assert first == mine.count() == 6  # five default rules (no groups) and the term
    due = mine.filter(kind="meeting.due").first()
    assert due is not None and due.title.startswith("本期尚未完成的规定会议：")
    assert due.url == f"/meetings/compliance/branch/{cast.branch_a1.pk}/"
    term = mine.get(kind="meeting.term")
    assert term.title == "任期即将届满的支委，请及时换届" and "届满" in term.body
    assert not Notice.objects.exclude(recipient=cast.users["branch_secretary"]).exists()


def test_the_daily_command_sends_them(cast: Cast) -> None:
    out = StringIO()
    call_command("meeting_reminders", "--now", stdout=out)
    assert "已发送" in out.getvalue()
