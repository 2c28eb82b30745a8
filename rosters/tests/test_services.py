"""Roster services: every edit is checked, stale versions are refused, pinned survive a re-solve."""

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from conftest import Cast
from lib.roster import check, solve
from members.models import Gender
from rosters import services
from rosters.models import Allocation, Assignment, Roster, SignUp, SwapRequest
from rosters.problems import problem_build
from rosters.tests.conftest import DAY1, DAY2, Small


def _add(cast: Cast, small: Small, member: Any, date: dt.date, slot: str) -> Assignment:
    small.roster.refresh_from_db()
    return services.assignment_add(
        actor=cast.users["duty_office"],
        roster=small.roster,
        version=small.roster.version,
        post=small.post,
        date=date,
        slot=slot,
        member=member,
    )


def test_assign_then_stale_version_is_refused(cast: Cast, small: Small) -> None:
    version = small.roster.version
    _add(cast, small, cast.member_a, DAY1, "08–14")
    with pytest.raises(ValidationError, match="值班表已被他人修改"):
        services.assignment_add(
            actor=cast.users["duty_office"],
            roster=small.roster,
            version=version,
            post=small.post,
            date=DAY2,
            slot="08–14",
            member=cast.other_a,
        )
    assert small.roster.assignments.count() == 1


def test_assign_on_an_unavailable_day_is_refused_with_the_rule(cast: Cast, small: Small) -> None:
    SignUp.objects.filter(member=cast.other_a).update(unavailable_dates=[DAY1.isoformat()])
    with pytest.raises(ValidationError, match="2月3日 不能值班"):
        _add(cast, small, cast.other_a, DAY1, "08–14")
    assert not small.roster.assignments.exists()


def test_assign_without_rest_is_refused(cast: Cast, small: Small) -> None:
    SignUp.objects.filter(phase=small.phase).update(unavailable_dates=[])
    _add(cast, small, cast.member_a, DAY1, "08–14")
    with pytest.raises(ValidationError, match="只休息"):
        _add(cast, small, cast.member_a, DAY1, "20–02")


def test_assign_someone_not_allocated_is_refused(cast: Cast, small: Small) -> None:
    Allocation.objects.filter(member=cast.other_b).delete()
    with pytest.raises(ValidationError, match="未分配到岗位"):
        _add(cast, small, cast.other_b, DAY1, "08–14")


def test_assign_against_the_gender_rule_is_refused(cast: Cast, small: Small) -> None:
    small.post.gender = Gender.MALE
    small.post.save()
    cast.other_a.gender = Gender.FEMALE
    cast.other_a.save()
    with pytest.raises(ValidationError, match="只限男性"):
        _add(cast, small, cast.other_a, DAY1, "08–14")


def test_a_full_shift_without_a_cadre_is_refused(cast: Cast, small: Small) -> None:
    small.post.min_cadres = 1
    small.post.save()
    with pytest.raises(ValidationError, match="干部"):
        _add(cast, small, cast.other_a, DAY1, "08–14")
    _add(cast, small, cast.member_a, DAY1, "08–14")  # member_a is a cadre


def test_swap_that_breaks_rest_is_refused(cast: Cast, small: Small) -> None:
    small.post.headcount = 2
    small.post.save()
    a = _add(cast, small, cast.member_a, DAY1, "08–14")
    _add(cast, small, cast.other_a, DAY1, "08–14")
    b = _add(cast, small, cast.other_a, DAY2, "20–02")
    # member_a to DAY2 20–02 and other_a to DAY1 08–14 (where other_a already is): duplicate
    small.roster.refresh_from_db()
    with pytest.raises(ValidationError):
        services.assignment_swap(
            actor=cast.users["duty_office"],
            roster=small.roster,
            version=small.roster.version,
            first=a,
            second=b,
        )


def test_pinned_assignments_survive_a_re_solve(cast: Cast, small: Small) -> None:
    a = _add(cast, small, cast.other_b, DAY2, "08–14")
    small.roster.refresh_from_db()
    services.assignment_pin(
        actor=cast.users["duty_office"],
        roster=small.roster,
        version=small.roster.version,
        assignment=a,
        pinned=True,
    )
    built = problem_build(small.roster)
    assert built.problem.rules.pinned == [(f"{small.post.pk}|{DAY2}|08–14", str(cast.other_b.pk))]
    result = solve(
        built.problem, time_limit=5, on_progress=lambda p: None, should_stop=lambda: False
    )
    services.roster_store_result(roster=small.roster, built=built, result=result)
    assert Assignment.objects.filter(pk=a.pk, pinned=True, member=cast.other_b).exists()
    assert small.roster.assignments.count() == 4
    rebuilt = problem_build(small.roster)
    assert check(rebuilt.problem, rebuilt.assignments) == []


def test_pinned_assignment_cannot_be_removed(cast: Cast, small: Small) -> None:
    a = _add(cast, small, cast.other_b, DAY2, "08–14")
    small.roster.refresh_from_db()
    services.assignment_pin(
        actor=cast.users["duty_office"],
        roster=small.roster,
        version=small.roster.version,
        assignment=a,
        pinned=True,
    )
    a.refresh_from_db()
    with pytest.raises(ValidationError, match="已锁定"):
        services.assignment_remove(
            actor=cast.users["duty_office"],
            roster=small.roster,
            version=small.roster.version,
            assignment=a,
        )


def test_swap_request_approval_rechecks_the_rules(cast: Cast, small: Small) -> None:
    a = _add(cast, small, cast.member_a, DAY1, "08–14")
    Assignment.objects.filter(pk=a.pk).update(date=DAY1)
    SignUp.objects.filter(member=cast.other_a).update(unavailable_dates=[DAY1.isoformat()])
    swap = SwapRequest.objects.create(
        assignment=a, requested_by=cast.member_a, with_member=cast.other_a, reason="出差"
    )
    with pytest.raises(ValidationError, match="不能值班"):
        services.swap_request_decide(
            actor=cast.users["duty_office"], swap=swap, approve=True, today=DAY1
        )
    swap.refresh_from_db()
    assert swap.state == SwapRequest.State.PENDING
    services.swap_request_decide(
        actor=cast.users["duty_office"],
        swap=swap,
        approve=True,
        replacement=cast.member_b,
        today=DAY1,
    )
    a.refresh_from_db()
    assert a.member == cast.member_b


def test_swap_request_only_for_own_future_shift(cast: Cast, small: Small) -> None:
    a = _add(cast, small, cast.member_a, DAY1, "08–14")
    with pytest.raises(ValidationError, match="只能为自己的班次"):
        services.swap_request_create(
            actor=cast.users["member_b"],
            assignment=a,
            member=cast.member_b,
            with_member=None,
            reason="x",
        )
    with pytest.raises(ValidationError, match="该班次已过"):
        services.swap_request_create(
            actor=cast.users["member_a"],
            assignment=a,
            member=cast.member_a,
            with_member=None,
            reason="x",
        )


def test_signup_after_the_deadline_is_refused(cast: Cast, small: Small) -> None:
    small.phase.signup_deadline = timezone.now() - dt.timedelta(hours=1)
    small.phase.save()
    with pytest.raises(ValidationError, match="报名已截止"):
        services.signup_save(
            actor=cast.users["member_a"],
            phase=small.phase,
            member=cast.member_a,
            wanted_posts=[small.post.pk],
            unavailable_dates=[],
            unavailable_slots=[],
            campus=None,
            health_ok=True,
            health_note="",
            phone="13800000001",
            avoid_night=False,
        )


def test_school_post_takes_only_recommended_people(cast: Cast, small: Small) -> None:
    SignUp.objects.filter(member=cast.other_b).update(recommended=False)
    Allocation.objects.filter(member=cast.other_b).delete()
    with pytest.raises(ValidationError, match="未经单位推荐"):
        services.allocation_add(
            actor=cast.users["duty_office"],
            phase=small.phase,
            post=small.post,
            member=cast.other_b,
        )


def test_publish_refuses_an_incomplete_roster(cast: Cast, small: Small) -> None:
    with pytest.raises(ValidationError, match="不能发布"):
        services.roster_publish(
            actor=cast.users["duty_office"], roster=small.roster, version=small.roster.version
        )
    assert Roster.objects.get(pk=small.roster.pk).state == Roster.State.DRAFT


def test_editing_a_published_roster_is_refused(cast: Cast, small: Small) -> None:
    Roster.objects.filter(pk=small.roster.pk).update(state=Roster.State.PUBLISHED)
    with pytest.raises(ValidationError, match="已发布"):
        _add(cast, small, cast.member_a, DAY1, "08–14")


def test_unit_signup_roundtrip(cast: Cast, small: Small) -> None:
    SignUp.objects.filter(member=cast.member_a).delete()
    signup = services.signup_save(
        actor=cast.users["member_a"],
        phase=small.phase,
        member=cast.member_a,
        wanted_posts=[small.post.pk],
        unavailable_dates=[DAY2.isoformat()],
        unavailable_slots=[[DAY1.isoformat(), "20–02"]],
        campus=None,
        health_ok=True,
        health_note="",
        phone="13800000001",
        avoid_night=True,
    )
    built = problem_build(small.roster)
    person = built.problem.person(str(cast.member_a.pk))
    assert person.unavailable_dates == [DAY2.isoformat()]
    assert person.unavailable_shifts == [f"{small.post.pk}|{DAY1}|20–02"]
    assert person.avoid_night and person.is_cadre
    assert signup.recommended is False
