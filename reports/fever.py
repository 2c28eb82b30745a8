"""The fever rule: a temperature at or above FEVER_THRESHOLD (37.3 ℃ unless set) in a
submitted report raises a 紧急 situation report to the member's branch
(`escalations.services.raise_fever`), which tells the branch's desk in the notice centre and
rises if nobody reads it. Once per member and day, whatever the source (a report or a gate).
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings

from escalations.models import Escalation
from escalations.services import raise_fever
from members.models import Member


def threshold() -> Decimal:
    return Decimal(str(getattr(settings, "FEVER_THRESHOLD", "37.3")))


def on_fever(
    *, member: Member, temperature: Decimal, measured_at: dt.datetime, report: Any
) -> Escalation | None:
    """Raise the member's fever report; None when one was raised already today."""
    detail = f"来自报备「{report.schedule.form.name}」。" if report is not None else ""
    return raise_fever(
        member=member,
        temperature=temperature,
        measured_at=measured_at,
        source="报备",
        detail=detail,
    )
