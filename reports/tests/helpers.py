import datetime as dt
from typing import Any

from django.utils import timezone

from conftest import Cast
from reports import services
from reports.builtin import HEALTH
from reports.models import Frequency, ReportForm, ReportSchedule


def health_form(cast: Cast) -> ReportForm:
    return services.form_create(
        actor=cast.users["school_admin"], owner=cast.school, name="每日健康报备", schema=HEALTH
    )


def schedule(
    cast: Cast, form: ReportForm | None = None, *, due: dt.time = dt.time(23, 59), **extra: Any
) -> ReportSchedule:
    """A daily schedule for the whole school from a week ago, due `due` (late at night, so a
    test's report is on time unless it says otherwise)."""
    return services.schedule_create(
        actor=cast.users["school_admin"],
        form=form or health_form(cast),
        org=extra.pop("org", cast.school),
        frequency=extra.pop("frequency", Frequency.DAILY),
        starts_on=timezone.localdate() - dt.timedelta(days=7),
        due_time=due,
        **extra,
    )


HEALTHY = {"temperature": 36.5, "symptoms": ["无"], "last_test_on": "2026-11-30"}
