import datetime as dt

from django.utils import timezone

from conftest import Cast
from duty.models import DutyCheck
from duty.tests.helpers import assign, make_post, make_roster
from members.models import CadreRank


def cadre_with_shifts(cast: Cast, *, late_on: int | None = None) -> list[DutyCheck]:
    """member_a made a 副处级 cadre, with three 06–12 shifts on the north gate checked in
    (on time, but `late_on` an hour late)."""
    cast.member_a.cadre_rank = CadreRank.DIVISION_DEPUTY
    cast.member_a.save()
    today = timezone.localdate()
    post = make_post(cast.school)
    roster = make_roster(cast.school, starts_on=today - dt.timedelta(days=10), ends_on=today)
    checks = []
    for i, back in enumerate((9, 6, 3)):
        day = today - dt.timedelta(days=back)
        a = assign(roster, post, cast.member_a, day, "06–12")
        start = timezone.make_aware(dt.datetime.combine(day, dt.time(6, 0)))
        late = dt.timedelta(hours=1) if i == late_on else dt.timedelta(minutes=-10)
        checks.append(
            DutyCheck.objects.create(**DutyCheck.shift_fields(a), checked_in_at=start + late)
        )
    return checks
