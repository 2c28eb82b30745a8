"""Given-steps for escalation tests."""

import datetime as dt
from typing import Any

from django.utils import timezone

from conftest import Cast
from escalations import services
from escalations.models import Escalation


def member_report(cast: Cast, **kw: Any) -> Escalation:
    """member_a reports to their branch (A1): a 特急 situation by default."""
    data: dict[str, Any] = {
        "kind": "situation",
        "category": "epidemic",
        "urgency": "critical",
        "title": "宿舍同学发热",
        "body": "同宿舍同学体温 38.2 ℃，已报告辅导员。",
    }
    data.update(kw)
    return services.escalation_create(actor=cast.users["member_a"], member=cast.member_a, **data)


def branch_request(cast: Cast, **kw: Any) -> Escalation:
    """Branch A1's secretary asks unit A for instructions (a 紧急 请示)."""
    data: dict[str, Any] = {
        "kind": "request",
        "category": "work",
        "urgency": "urgent",
        "title": "关于支部线上组织生活的请示",
        "body": "拟于下周以视频方式召开支部党员大会，妥否，请批示。",
    }
    data.update(kw)
    return services.escalation_create(
        actor=cast.users["branch_secretary"], org=cast.branch_a1, **data
    )


def overdue(escalation: Escalation, by: dt.timedelta = dt.timedelta(seconds=1)) -> dt.datetime:
    """The moment just past the escalation's current deadline."""
    escalation.refresh_from_db()
    assert escalation.due_at is not None
    return escalation.due_at + by


def later(seconds: int) -> dt.datetime:
    return timezone.now() + dt.timedelta(seconds=seconds)
