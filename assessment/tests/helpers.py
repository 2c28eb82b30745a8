import datetime as dt

from django.utils import timezone

from conftest import Cast
from duty.models import DutyCheck
from duty.tests.helpers import assign, make_post, make_roster
from rosters.models import Phase


def phase_with_shift(cast: Cast) -> Phase:
    """A school phase in which member_a checked in on time to one 06–12 shift."""
    today = timezone.localdate()
    post = make_post(cast.school)
    roster = make_roster(cast.school, starts_on=today - dt.timedelta(days=5), ends_on=today)
    day = today - dt.timedelta(days=2)
    a = assign(roster, post, cast.member_a, day, "06–12")
    start = timezone.make_aware(dt.datetime.combine(day, dt.time(6, 0)))
    DutyCheck.objects.create(**DutyCheck.shift_fields(a), checked_in_at=start)
    return roster.phase
