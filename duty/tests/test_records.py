"""Check-ins and duty logs are records of what happened: no roster change removes them or
points them at someone else, and person-times count from them."""

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from conftest import Cast
from duty import services
from duty.models import DutyCheck, DutyLog
from duty.selectors import StatsFilters, person_times
from duty.tests.helpers import assign, make_post, make_roster
from lib.roster import Result
from rosters import services as rosters
from rosters.models import Allocation, Assignment, Roster, SwapRequest
from rosters.problems import problem_build, shift_id

DAY = dt.date(2020, 9, 18)


def at(hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(DAY, dt.time(hour, minute)))


@pytest.fixture
def worked(cast: Cast) -> Any:
    """A published roster: member_a worked 06–12 (checked in, wrote a log); other_a is on
    12–18 and has not come yet."""
    roster = make_roster(cast.school, starts_on=DAY, ends_on=DAY)
    post = make_post(cast.school, headcount=1)
    roster.phase.posts.set([post])
    for m in (cast.member_a, cast.other_a):
        Allocation.objects.create(phase=roster.phase, post=post, member=m)
    mine = assign(roster, post, cast.member_a, DAY, "06–12")
    theirs = assign(roster, post, cast.other_a, DAY, "12–18")
    user = cast.users["member_a"]
    services.duty_check_in(actor=user, assignment=mine, now=at(6, 5))
    services.duty_log_create(
        actor=user, assignment=mine, temperatures_taken=30, people_registered=4, handover="交接"
    )
    return roster, post, mine, theirs


def _figure(cast: Cast) -> int:
    return person_times(user=cast.users["school_admin"], filters=StatsFilters()).total


def _records_intact(cast: Cast, post: Any) -> None:
    check = DutyCheck.objects.get()
    log = DutyLog.objects.get()
    for record in (check, log):
        assert (record.member, record.post, record.date, record.slot) == (
            cast.member_a,
            post,
            DAY,
            "06–12",
        )
    assert check.checked_in_at == at(6, 5)
    assert log.temperatures_taken == 30 and log.handover == "交接"


def test_check_in_freezes_the_shift_and_records_keep_it(cast: Cast, worked: Any) -> None:
    roster, post, mine, theirs = worked
    office = cast.users["duty_office"]
    mine.refresh_from_db()
    assert mine.pinned  # kept by every re-solve
    assert _figure(cast) == 1

    # Unpublish: nothing is lost; then every hand edit of the worked shift is refused.
    roster = rosters.roster_publish(
        actor=office, roster=roster, version=roster.version, publish=False
    )
    for edit in (
        lambda: rosters.assignment_remove(
            actor=office, roster=roster, version=roster.version, assignment=mine
        ),
        lambda: rosters.assignment_pin(
            actor=office, roster=roster, version=roster.version, assignment=mine, pinned=False
        ),
        lambda: rosters.assignment_swap(
            actor=office, roster=roster, version=roster.version, first=mine, second=theirs
        ),
        lambda: rosters.assignment_replace(
            actor=office,
            roster=roster,
            version=roster.version,
            assignment=mine,
            member=cast.other_a,
        ),
    ):
        with pytest.raises(ValidationError, match="已签到，不能调整"):
            edit()
    with pytest.raises(ValidationError, match=r"已过|已签到"):
        rosters.swap_request_create(
            actor=cast.users["member_a"],
            assignment=mine,
            member=cast.member_a,
            with_member=cast.other_a,
            reason="出差",
        )

    # A re-solve whose result leaves her out keeps her shift; an imported solution too.
    built = problem_build(roster)
    rosters.roster_store_result(
        roster=roster,
        built=built,
        result=Result(status="optimal", score=0, assignments=[]),
    )
    assert Assignment.objects.filter(pk=mine.pk, member=cast.member_a).exists()
    assert not Assignment.objects.filter(pk=theirs.pk).exists()  # not worked: replaced
    roster.refresh_from_db()
    rosters.roster_import_result(
        actor=office,
        roster=roster,
        version=roster.version,
        result=Result(
            status="optimal",
            score=0,
            assignments=[(shift_id(post.pk, DAY, "12–18"), str(cast.other_a.pk))],
        ),
    )
    assert Assignment.objects.filter(pk=mine.pk, member=cast.member_a).exists()
    _records_intact(cast, post)
    assert _figure(cast) == 1

    # Delete the roster: every check-in and log stays, with its person and shift.
    summary = rosters.roster_delete(actor=office, roster=roster)
    assert summary == {"assignments": 2, "check_ins": 1, "logs": 1}
    assert not Roster.objects.filter(pk=roster.pk).exists()
    _records_intact(cast, post)
    assert DutyCheck.objects.get().assignment is None
    assert _figure(cast) == 1


def test_a_published_roster_is_not_deleted(cast: Cast, worked: Any) -> None:
    roster = worked[0]
    with pytest.raises(ValidationError, match="撤回发布"):
        rosters.roster_delete(actor=cast.users["duty_office"], roster=roster)
    assert Roster.objects.filter(pk=roster.pk).exists()


def test_a_re_created_shift_is_not_checked_in_twice(cast: Cast, worked: Any) -> None:
    """A record is matched by its shift, not by the assignment row it was made on."""
    roster, post, _, _ = worked
    roster = rosters.roster_publish(
        actor=cast.users["duty_office"], roster=roster, version=roster.version, publish=False
    )
    rosters.roster_delete(actor=cast.users["duty_office"], roster=roster)
    again = make_roster(cast.school, starts_on=DAY, ends_on=DAY, name="重建")
    a = assign(again, post, cast.member_a, DAY, "06–12")
    with pytest.raises(ValidationError, match="重复签到"):
        services.duty_check_in(actor=cast.users["member_a"], assignment=a, now=at(6, 30))
    assert DutyCheck.objects.count() == 1


def test_an_approved_swap_of_a_past_shift_is_refused(cast: Cast, worked: Any) -> None:
    _, _, _, theirs = worked
    swap = SwapRequest.objects.create(
        assignment=theirs, requested_by=cast.other_a, with_member=cast.member_a, reason="出差"
    )
    with pytest.raises(ValidationError, match="已过"):
        rosters.swap_request_decide(actor=cast.users["duty_office"], swap=swap, approve=True)
    theirs.refresh_from_db()
    assert theirs.member == cast.other_a
