"""The pages and format version 2: a slot's length sets its units, a person's own weekly cap
and the leaders' own group are roster settings, and an unstaffable rota is explained with its
numbers on the solve page."""

from typing import Any

from django.test import override_settings
from django.urls import reverse

from conftest import Cast
from lib.roster.problem import LEADER_GROUP
from rosters.models import Roster
from rosters.problems import problem_build, slot_units
from rosters.tests.conftest import Small
from rosters.tests.test_views import IMMEDIATE


def _settings(small: Small, **extra: Any) -> dict[str, Any]:
    small.roster.refresh_from_db()
    data = {
        "version": small.roster.version,
        "rest_hours": "12",
        "weekly_cap": "",
        "time_limit": "5",
        "w_spread": "100",
        "w_preference": "1",
        "w_unwanted_day": "1",
        "w_night": "1",
    }
    data.update(extra)
    return data


def test_slot_length_sets_the_units() -> None:
    assert slot_units({"hours": 6}) == 1
    assert slot_units({"hours": 8}) == 1
    assert slot_units({"hours": 12}) == 1
    assert slot_units({"hours": 24}) == 2
    assert slot_units({"hours": 24, "units": 3}) == 3


def test_a_24_hour_slot_counts_twice_in_the_problem(small: Small) -> None:
    small.post.slots = [{"name": "24小时", "start": "08:00", "hours": 24}]
    small.post.is_leader_duty = True
    small.post.save()

    built = problem_build(small.roster)

    assert {s.units for s in built.problem.shifts} == {2}
    # everyone allocated to a leader duty is in the leaders' group by default
    assert {p.fairness_group for p in built.problem.people} == {LEADER_GROUP}


def test_settings_page_sets_a_person_cap_and_the_leaders_group(cast: Cast, small: Small) -> None:
    client = cast.client("duty_office")
    url = reverse("roster_settings", args=[small.roster.pk])
    number = cast.member_a.number

    response = client.post(url, _settings(small, person_caps=f"{number} = 1\n"))

    assert response.status_code == 302
    roster = Roster.objects.get(pk=small.roster.pk)
    assert roster.settings["person_caps"] == {number: 1}
    assert roster.settings["leaders_own_group"] is False  # unticked
    built = problem_build(roster)
    caps = {p.id: p.weekly_cap for p in built.problem.people}
    assert caps[str(cast.member_a.pk)] == 1
    assert caps[str(cast.other_a.pk)] is None
    page = client.get(reverse("roster_detail", args=[roster.pk])).content.decode()
    assert f"{number} = 1" in page


def test_settings_page_refuses_a_malformed_cap_in_chinese(cast: Cast, small: Small) -> None:
    client = cast.client("duty_office")
    url = reverse("roster_settings", args=[small.roster.pk])

    response = client.post(url, _settings(small, person_caps="张三 两次"), follow=True)

    assert "格式不对" in response.content.decode()
    assert "person_caps" not in Roster.objects.get(pk=small.roster.pk).settings


def test_unstaffable_rota_is_explained_with_numbers_on_the_solve_page(
    cast: Cast, small: Small, django_capture_on_commit_callbacks: Any
) -> None:
    # 24-hour duty every day, 4 people, 36 hours' rest: each can do one every other day at best
    small.post.slots = [{"name": "24小时", "start": "08:00", "hours": 24}]
    small.post.headcount = 3
    small.post.save()
    small.roster.settings = {**small.roster.settings, "rest_hours": 36}
    small.roster.save()
    client = cast.client("duty_office")

    with override_settings(TASKS=IMMEDIATE), django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("roster_solve", args=[small.roster.pk]))

    roster = Roster.objects.get(pk=small.roster.pk)
    assert roster.solve_state == Roster.SolveState.INFEASIBLE, roster.solve_message
    page = client.get(reverse("roster_detail", args=[roster.pk])).content.decode()
    assert "最多能值 4 班，需要 6 班" in page, roster.solve_message
    assert "最小的改动" in page
