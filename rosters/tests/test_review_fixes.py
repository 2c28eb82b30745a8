"""Holes found in review: guessed ids and problem files that reached past the roster, a solve
whose worker died, a stop that was not all-or-nothing."""

import datetime as dt
import io
import json
from typing import Any
from unittest import mock

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from conftest import Cast
from members.tests.factories import MemberFactory
from rosters import services
from rosters.models import Allocation, Assignment, Post, PostKind, PostLevel, Roster, SwapRequest
from rosters.tests.conftest import DAY1, SLOTS, Small, add_signup


def _unit_post(cast: Cast, org: Any, name: str) -> Post:
    return Post.objects.create(
        name=name, kind=PostKind.BUILDING, level=PostLevel.UNIT, org=org, slots=SLOTS, headcount=1
    )


def test_adding_a_guessed_member_allocated_elsewhere_in_the_phase_reveals_nothing(
    cast: Cast, small: Small
) -> None:
    # The phase also has unit A's post with unit A's own roster; 李四 (unit B) is allocated to
    # the school post only.
    unit_post = _unit_post(cast, cast.unit_a, "计算机学院楼栋岗")
    small.phase.posts.add(unit_post)
    unit_roster = Roster.objects.create(phase=small.phase, org=cast.unit_a)
    key = f"{unit_post.pk}|{DAY1.isoformat()}|08–14"

    response = cast.client("unit_a_admin").post(
        reverse("roster_edit", args=[unit_roster.pk]),
        {"version": unit_roster.version, "op": f"add:{key}", f"member_{key}": cast.member_b.pk},
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 404
    assert "李四" not in response.content.decode()
    assert not unit_roster.assignments.exists()


def test_swap_replacement_allocated_only_elsewhere_in_the_phase_reveals_nothing(
    cast: Cast, small: Small
) -> None:
    stranger = MemberFactory.create(name="孙七", number="B0099", branch=cast.branch_b1)
    unit_post = _unit_post(cast, cast.unit_b, "化学学院楼栋岗")
    small.phase.posts.add(unit_post)
    add_signup(small.phase, stranger)
    Allocation.objects.create(phase=small.phase, post=unit_post, member=stranger)
    Roster.objects.filter(pk=small.roster.pk).update(state=Roster.State.PUBLISHED)
    a = Assignment.objects.create(
        roster=small.roster,
        post=small.post,
        date=timezone.localdate() + dt.timedelta(days=2),
        slot="08–14",
        member=cast.member_a,
    )
    swap = SwapRequest.objects.create(assignment=a, requested_by=cast.member_a, reason="出差")

    response = cast.client("duty_office").post(
        reverse("swap_decide", args=[swap.pk]), {"approve": "1", "replacement": "B0099"}
    )

    shown = " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert "孙七" not in shown
    assert "本阶段没有学工号为 B0099 的值班人员" in shown
    a.refresh_from_db()
    assert a.member == cast.member_a


def _upload_problem(client: Any, roster: Roster, problem: dict[str, Any]) -> Any:
    upload = io.BytesIO(json.dumps(problem).encode())
    upload.name = "problem.json"
    return client.post(
        reverse("roster_import", args=[roster.pk]), {"version": roster.version, "file": upload}
    )


def test_a_problem_file_cannot_bring_in_someone_outside_the_roster(
    cast: Cast, small: Small
) -> None:
    client = cast.client("duty_office")
    problem = json.loads(client.get(reverse("roster_problem", args=[small.roster.pk])).content)
    outsider = MemberFactory.create(name="钱八", number="B0100", branch=cast.branch_b1)
    problem["people"].append(
        {"id": str(outsider.pk), "name": "钱八", "allocated_posts": [str(small.post.pk)]}
    )

    response = _upload_problem(client, small.roster, problem)

    shown = " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert "不属于本值班表" in shown
    assert Roster.objects.get(pk=small.roster.pk).solve_state == Roster.SolveState.IDLE


def test_a_problem_file_cannot_widen_anyones_allocation(cast: Cast, small: Small) -> None:
    second = Post.objects.create(
        name="南门值班值守岗",
        kind=PostKind.GATE_DUTY,
        level=PostLevel.SCHOOL,
        org=cast.school,
        slots=SLOTS,
        headcount=1,
    )
    small.phase.posts.add(second)
    client = cast.client("duty_office")
    problem = json.loads(client.get(reverse("roster_problem", args=[small.roster.pk])).content)
    for person in problem["people"]:
        person["allocated_posts"] = [str(small.post.pk), str(second.pk)]

    response = _upload_problem(client, small.roster, problem)

    shown = " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert "岗位分配与本阶段的调配不一致" in shown
    assert Roster.objects.get(pk=small.roster.pk).solve_state == Roster.SolveState.IDLE


def test_a_solve_whose_worker_died_stops_spinning(cast: Cast, small: Small) -> None:
    Roster.objects.filter(pk=small.roster.pk).update(
        solve_state=Roster.SolveState.RUNNING,
        solve_queued_at=timezone.now() - dt.timedelta(hours=1),
        solve_started_at=timezone.now() - dt.timedelta(hours=1),
    )

    response = cast.client("duty_office").get(
        reverse("roster_status", args=[small.roster.pk]) + "?polling=1", HTTP_HX_REQUEST="true"
    )

    assert response["HX-Refresh"] == "true"
    roster = Roster.objects.get(pk=small.roster.pk)
    assert roster.solve_state == Roster.SolveState.FAILED
    assert "可能已中断" in roster.solve_message


def test_a_solve_within_its_time_limit_keeps_running(cast: Cast, small: Small) -> None:
    Roster.objects.filter(pk=small.roster.pk).update(
        solve_state=Roster.SolveState.RUNNING, solve_started_at=timezone.now()
    )

    response = cast.client("duty_office").get(
        reverse("roster_status", args=[small.roster.pk]) + "?polling=1", HTTP_HX_REQUEST="true"
    )

    assert "HX-Refresh" not in response
    assert Roster.objects.get(pk=small.roster.pk).solve_state == Roster.SolveState.RUNNING


def test_stopping_a_solve_is_all_or_nothing(cast: Cast, small: Small) -> None:
    Roster.objects.filter(pk=small.roster.pk).update(solve_state=Roster.SolveState.QUEUED)

    with (
        mock.patch("rosters.services.audit_record", side_effect=RuntimeError("audit down")),
        pytest.raises(RuntimeError),
    ):
        services.roster_solve_stop(actor=cast.users["duty_office"], roster=small.roster)

    roster = Roster.objects.get(pk=small.roster.pk)
    assert roster.solve_state == Roster.SolveState.QUEUED
    assert not roster.solve_stop
