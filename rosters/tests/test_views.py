"""Pages: sign-up, recommendation, editing through htmx, solving with the immediate backend,
the calendar feed and the exports."""

import datetime as dt
import io
import json
from typing import Any

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar
from python_calamine import CalamineWorkbook

from conftest import Cast
from rosters.models import Assignment, CalendarFeed, Roster, SignUp
from rosters.tests.conftest import DAY1, DAY2, Small

IMMEDIATE = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
        "QUEUES": ["default"],
    }
}


def _rows(content: bytes) -> list[list[Any]]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    return book.get_sheet_by_index(0).to_python()


def test_member_signs_up_and_edits_until_the_deadline(cast: Cast, small: Small) -> None:
    SignUp.objects.filter(member=cast.member_a).delete()
    client = cast.client("member_a")
    url = reverse("signup_form", args=[small.phase.pk])
    response = client.post(
        url,
        {
            "wanted": [small.post.pk],
            f"order_{small.post.pk}": "1",
            "unavailable_dates": [DAY2.isoformat()],
            "unavailable_slots": [f"{DAY1.isoformat()}|20–02"],
            "phone": "138 0000 0001",
            "health_ok": "on",
            "avoid_night": "on",
        },
    )
    assert response.status_code == 302
    signup = SignUp.objects.get(phase=small.phase, member=cast.member_a)
    assert signup.wanted_posts == [small.post.pk]
    assert signup.unavailable_dates == [DAY2.isoformat()]
    assert signup.unavailable_slots == [[DAY1.isoformat(), "20–02"]]
    assert signup.phone == "13800000001" and signup.avoid_night
    # without the health statement it is refused with the reason
    response = client.post(url, {"wanted": [small.post.pk], "phone": "13800000001"})
    assert "请确认健康状况声明" in response.content.decode()


def test_unit_admin_recommends_with_htmx_and_not_other_units(cast: Cast, small: Small) -> None:
    SignUp.objects.update(recommended=False)
    signup = SignUp.objects.get(member=cast.member_a)
    client = cast.client("unit_a_admin")
    response = client.post(
        reverse("signup_recommend", args=[signup.pk]), {"recommended": "1"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and "已推荐" in response.content.decode()
    signup.refresh_from_db()
    assert signup.recommended
    page = client.get(reverse("signup_list", args=[small.phase.pk])).content.decode()
    assert "张三" in page and "李四" not in page  # member_b is in unit B


def test_signup_exports_are_laid_out_as_the_forms(cast: Cast, small: Small) -> None:
    client = cast.client("unit_a_admin")
    url = reverse("signup_export", args=[small.phase.pk])
    rows = _rows(client.get(url).content)
    assert rows[0][0] == "「党员先锋岗」报名表"
    assert rows[2][:8] == [
        "序号",
        "姓名",
        "性别",
        "政治面貌",
        "单位/支部",
        "职务(干部职级)",
        "联系电话",
        "意向岗位",
    ]
    names = [r[1] for r in rows[3:]]
    assert "张三" in names and "李四" not in names
    rollup = _rows(client.get(url + "?form=rollup").content)
    assert rollup[0][0] == "「党员先锋岗」汇总表" and rollup[2][-1] == "是否推荐校级岗位"


def test_edit_through_the_page_refuses_a_stale_version(cast: Cast, small: Small) -> None:
    client = cast.client("duty_office")
    url = reverse("roster_edit", args=[small.roster.pk])
    key = f"{small.post.pk}|{DAY1.isoformat()}|08–14"
    data = {"version": small.roster.version, "op": f"add:{key}", f"member_{key}": cast.member_a.pk}
    response = client.post(url, data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert Assignment.objects.filter(roster=small.roster, member=cast.member_a).exists()
    data[f"member_{key}"] = cast.other_a.pk  # the same, stale, version
    response = client.post(url, data, HTTP_HX_REQUEST="true")
    assert "值班表已被他人修改，请刷新后再试" in response.content.decode()
    assert small.roster.assignments.count() == 1


def test_solve_task_writes_progress_and_assignments(
    cast: Cast, small: Small, django_capture_on_commit_callbacks: Any
) -> None:
    client = cast.client("duty_office")
    with override_settings(TASKS=IMMEDIATE), django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("roster_solve", args=[small.roster.pk]))
    assert response.status_code == 302
    roster = Roster.objects.get(pk=small.roster.pk)
    assert roster.solve_state == Roster.SolveState.DONE, roster.solve_message
    assert roster.solve_progress["score"] is not None and "bound" in roster.solve_progress
    assert roster.assignments.count() == 4
    page = client.get(reverse("roster_detail", args=[roster.pk])).content.decode()
    assert "已完成" in page and "下界" in page
    # publish, then the member sees it and the feed holds it
    response = client.post(reverse("roster_publish", args=[roster.pk]), {"version": roster.version})
    assert Roster.objects.get(pk=roster.pk).state == Roster.State.PUBLISHED


def test_infeasible_solve_shows_the_reasons(
    cast: Cast, small: Small, django_capture_on_commit_callbacks: Any
) -> None:
    small.post.min_cadres = 1  # only member_a is a cadre, and she cannot do both shifts a day
    small.post.save()
    client = cast.client("duty_office")
    with override_settings(TASKS=IMMEDIATE), django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("roster_solve", args=[small.roster.pk]))
    roster = Roster.objects.get(pk=small.roster.pk)
    assert roster.solve_state == Roster.SolveState.INFEASIBLE
    assert roster.solve_message
    page = client.get(reverse("roster_detail", args=[roster.pk])).content.decode()
    assert "无法排出满足全部规则的值班表" in page
    assert roster.solve_message.splitlines()[0] in page


def test_a_queued_solve_without_a_worker_says_so(cast: Cast, small: Small) -> None:
    Roster.objects.filter(pk=small.roster.pk).update(
        solve_state=Roster.SolveState.QUEUED,
        solve_queued_at=timezone.now() - dt.timedelta(seconds=30),
    )
    client = cast.client("duty_office")
    response = client.get(
        reverse("roster_status", args=[small.roster.pk]) + "?polling=1", HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert "后台任务未运行，请联系管理员启动 db_worker" in body
    assert 'hx-trigger="every 1s"' in body
    # stopping a queued solve cancels it, and the page stops polling
    client.post(reverse("roster_stop", args=[small.roster.pk]))
    response = client.get(reverse("roster_status", args=[small.roster.pk]) + "?polling=1")
    assert response["HX-Refresh"] == "true"


def _published(cast: Cast, small: Small) -> Assignment:
    small.phase.starts_on = timezone.localdate()
    small.phase.ends_on = timezone.localdate() + dt.timedelta(days=3)
    small.phase.save()
    Roster.objects.filter(pk=small.roster.pk).update(state=Roster.State.PUBLISHED)
    return Assignment.objects.create(
        roster=small.roster,
        post=small.post,
        date=timezone.localdate() + dt.timedelta(days=2),
        slot="20–02",
        member=cast.member_a,
    )


def test_my_shifts_and_the_calendar_feed(cast: Cast, small: Small) -> None:
    a = _published(cast, small)
    client = cast.client("member_a")
    page = client.get(reverse("my_shifts")).content.decode()
    assert f"/duty/shifts/{a.pk}/" in page
    feed = CalendarFeed.objects.get(member=cast.member_a)
    response = cast.client("anonymous").get(reverse("calendar_feed", args=[feed.key]))
    assert response.status_code == 200
    cal = Calendar.from_ical(response.content)
    events = [e for e in cal.walk("VEVENT")]
    assert len(events) == 1
    start = events[0].decoded("dtstart")
    assert start.date() == a.date and start.hour == 20
    assert events[0].decoded("dtend") - start == dt.timedelta(hours=6)
    assert "北门值班值守岗" in str(events[0]["summary"])
    # a new link: the old one stops working
    client.post(reverse("feed_regenerate"))
    assert (
        cast.client("anonymous").get(reverse("calendar_feed", args=[feed.key])).status_code == 404
    )


def test_member_asks_to_swap_and_office_approves(cast: Cast, small: Small) -> None:
    a = _published(cast, small)
    response = cast.client("member_a").post(
        reverse("swap_request", args=[a.pk]),
        {"reason": "出差", "with_number": cast.member_b.number},
    )
    assert response.status_code == 302
    swap = a.swaps.get()
    office = cast.client("duty_office")
    assert "出差" in office.get(reverse("swap_list")).content.decode()
    office.post(reverse("swap_decide", args=[swap.pk]), {"approve": "1"})
    a.refresh_from_db()
    assert a.member == cast.member_b


def test_roster_exports_print_and_problem_file(cast: Cast, small: Small) -> None:
    Assignment.objects.create(
        roster=small.roster, post=small.post, date=DAY1, slot="08–14", member=cast.member_a
    )
    client = cast.client("duty_office")
    rows = _rows(client.get(reverse("roster_export", args=[small.roster.pk])).content)
    assert rows[2] == ["日期", "班次", "校区", "岗位", "地点", "值班人员", "联系电话"]
    assert rows[3][5] == "张三"
    for by in ("day", "post", "campus"):
        page = client.get(reverse("roster_print", args=[small.roster.pk]) + f"?by={by}")
        assert "size: A4 landscape" in page.content.decode()
    problem = json.loads(client.get(reverse("roster_problem", args=[small.roster.pk])).content)
    assert len(problem["shifts"]) == 4 and len(problem["people"]) == 4


def test_uploading_a_solution_file_imports_its_assignments(cast: Cast, small: Small) -> None:
    sid = f"{small.post.pk}|{DAY1.isoformat()}|08–14"
    solution = {
        "version": 1,
        "status": "feasible",
        "assignments": [{"shift": sid, "person": str(cast.member_a.pk)}],
    }
    client = cast.client("duty_office")
    upload = io.BytesIO(json.dumps(solution).encode())
    upload.name = "solution.json"
    client.post(
        reverse("roster_import", args=[small.roster.pk]),
        {"version": small.roster.version, "file": upload},
    )
    assert list(small.roster.assignments.values_list("member_id", flat=True)) == [cast.member_a.pk]


@pytest.mark.parametrize("role", ["unit_a_admin", "member_a"])
def test_roster_status_is_hidden_outside_scope(cast: Cast, small: Small, role: str) -> None:
    response = cast.client(role).get(reverse("roster_status", args=[small.roster.pk]))
    assert response.status_code == 404


def test_allocating_a_guessed_member_of_another_unit_reveals_nothing(cast: Cast) -> None:
    from rosters.models import Allocation, Phase, Post, PostKind, PostLevel

    post = Post.objects.create(
        name="计算机学院楼栋管理岗",
        kind=PostKind.BUILDING,
        level=PostLevel.UNIT,
        org=cast.unit_a,
        headcount=1,
    )
    phase = Phase.objects.create(
        name="学院阶段", org=cast.unit_a, starts_on="2020-02-03", ends_on="2020-02-04"
    )
    phase.posts.set([post])

    response = cast.client("unit_a_admin").post(
        reverse("allocation_page", args=[phase.pk]) + f"?post={post.pk}",
        {"member": cast.member_b.pk},
    )

    assert response.status_code == 404
    assert "李四" not in response.content.decode()
    assert not Allocation.objects.exists()
