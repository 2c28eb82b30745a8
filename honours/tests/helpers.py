import datetime as dt

from django.utils import timezone

from conftest import Cast
from duty.models import DutyCheck
from duty.tests.helpers import assign, make_post, make_roster
from honours import services
from honours.models import CommendationRound


def days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


def make_round(
    cast: Cast, *, kind: str = "member", opens: int = -5, closes: int = 5, review: int = 15
) -> CommendationRound:
    """A round whose nomination window runs from `opens` to `closes` days from today."""
    return services.round_create(
        actor=cast.users["school_admin"],
        year=timezone.localdate().year,
        kind=kind,
        title="",
        nominate_from=days(opens),
        nominate_until=days(closes),
        review_until=days(review),
        default_quota=1,
    )


def shift_checked_in(cast: Cast) -> DutyCheck:
    """member_a checked in to a shift on the north gate three days ago."""
    post = make_post(cast.school)
    roster = make_roster(cast.school, starts_on=days(-10), ends_on=days(0))
    assignment = assign(roster, post, cast.member_a, days(-3))
    return DutyCheck.objects.create(
        **DutyCheck.shift_fields(assignment), checked_in_at=timezone.now()
    )


def move_window(round_: CommendationRound, *, closes: int, review: int = 15) -> None:
    """Time passes: the nomination window closed `-closes` days ago."""
    CommendationRound.objects.filter(pk=round_.pk).update(
        nominate_from=days(closes - 10), nominate_until=days(closes), review_until=days(review)
    )
    round_.refresh_from_db()
