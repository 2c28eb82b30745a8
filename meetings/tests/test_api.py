"""/api/meetings: the same scope and rules as the pages."""

import datetime as dt
import json
from typing import Any

import pytest
from django.utils import timezone

from conftest import ROLES, Cast
from meetings import services
from meetings.models import AttendanceStatus, Meeting, MeetingState
from meetings.tests.factories import held_meeting

# role: sees meeting_a1 (member_a attended it), sees meeting_b1
SEES = {
    "school_admin": (True, True),
    "unit_a_admin": (True, False),
    "unit_b_admin": (False, True),
    "branch_secretary": (True, False),
    "member_a": (True, False),
}


def _post(client: Any, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, json.dumps(body, default=str), content_type="application/json")


@pytest.mark.parametrize("role", ROLES)
def test_each_role_sees_its_meetings_and_no_others(cast: Cast, role: str) -> None:
    a1 = held_meeting(cast.branch_a1)
    services.meeting_update(
        actor=None, meeting=a1, data={}, marks={cast.member_a.pk: (AttendanceStatus.PRESENT, "")}
    )
    b1 = held_meeting(cast.branch_b1)
    client = cast.client(role)
    response = client.get("/api/meetings")
    if role == "anonymous":
        assert response.status_code == 401
        return
    if role not in SEES:
        assert response.status_code == 403
        return
    sees_a, sees_b = SEES[role]
    ids = {m["id"] for m in response.json()["items"]}
    assert ids == {m.pk for m, seen in ((a1, sees_a), (b1, sees_b)) if seen}
    assert client.get(f"/api/meetings/{b1.pk}").status_code == (200 if sees_b else 404)


def test_a_secretary_records_a_meeting_with_attendance_and_submits_it(cast: Cast) -> None:
    client = cast.client("branch_secretary")
    body = {
        "org": cast.branch_a1.pk,
        "kind": "theme_day",
        "topic": "线上主题党日",
        "held_at": timezone.now() - dt.timedelta(hours=3),
        "mode": "online",
        "platform": "腾讯会议",
        "agenda": ["讲评战疫故事"],
        "minutes": "每人讲述一个故事。",
        "attendance": [{"member": cast.member_a.pk, "status": "leave", "reason": "隔离"}],
        "submit": True,
    }
    response = _post(client, "/api/meetings", body)
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["state"] == MeetingState.SUBMITTED
    assert data["attendance"][0]["reason"] == "隔离"
    assert [e["to_state"] for e in data["events"]] == ["draft", "submitted"]


def test_a_refused_record_writes_nothing_and_says_why(cast: Cast) -> None:
    client = cast.client("branch_secretary")
    body = {
        "org": cast.branch_a1.pk,
        "kind": "theme_day",
        "topic": "主题党日",
        "held_at": timezone.now(),
        "mode": "offline",
        "place": "会议室",
        "attendance": [{"member": cast.member_a.pk, "status": "leave"}],
    }
    response = _post(client, "/api/meetings", body)
    assert response.status_code == 400
    assert "请假须填写原因" in response.json()["detail"]
    assert not Meeting.objects.exists()
    other_unit = {**body, "org": cast.branch_b1.pk, "attendance": []}
    assert _post(client, "/api/meetings", other_unit).status_code == 404
    assert _post(cast.client("duty_office"), "/api/meetings", body).status_code == 403
    assert not Meeting.objects.exists()


def test_a_member_checks_in_with_the_code(cast: Cast) -> None:
    meeting = held_meeting(cast.branch_a1, days_ago=0)
    client = cast.client("member_a")
    assert _post(client, "/api/meetings/check-in", {"code": "nope"}).status_code == 400
    response = _post(client, "/api/meetings/check-in", {"code": meeting.checkin_code})
    assert response.status_code == 200
    assert meeting.attendance.get().status == AttendanceStatus.PRESENT
    assert (
        _post(cast.client("unit_a_admin"), "/api/meetings/check-in", {"code": "1"}).status_code
        == 403
    )


def _submitted(cast: Cast) -> Meeting:
    meeting = held_meeting(cast.branch_a1)
    services.meeting_update(
        actor=None,
        meeting=meeting,
        data={},
        marks={cast.member_a.pk: (AttendanceStatus.PRESENT, "")},
    )
    return services.meeting_submit(actor=cast.users["branch_secretary"], meeting=meeting)


def test_the_unit_then_the_school_approve_through_the_api(cast: Cast) -> None:
    meeting = _submitted(cast)
    url = f"/api/meetings/{meeting.pk}/approve"
    queue = cast.client("unit_a_admin").get("/api/meetings/queue").json()
    assert [m["id"] for m in queue["items"]] == [meeting.pk]
    # 组织部 does not take the unit's step; the secretary takes neither
    assert _post(cast.client("school_admin"), url, {}).status_code == 403
    assert _post(cast.client("branch_secretary"), url, {}).status_code == 403
    assert _post(cast.client("unit_b_admin"), url, {}).status_code == 404
    response = _post(cast.client("unit_a_admin"), url, {"comment": "记录完整"})
    assert response.status_code == 200 and response.json()["state"] == MeetingState.UNIT_APPROVED
    assert _post(cast.client("unit_a_admin"), url, {}).status_code == 403
    assert cast.client("school_admin").get("/api/meetings/queue").json()["count"] == 1
    response = _post(cast.client("school_admin"), url, {})
    assert response.status_code == 200 and response.json()["state"] == MeetingState.APPROVED
    steps = [(e["to_state"], e["actor"]) for e in response.json()["events"]]
    assert steps[-2:] == [("unit_approved", "unit_a_admin"), ("approved", "school_admin")]
    assert _post(cast.client("school_admin"), url, {}).status_code == 400


@pytest.mark.parametrize("step_by", ["unit_a_admin", "school_admin"])
def test_a_meeting_is_returned_with_a_reason_at_either_step(cast: Cast, step_by: str) -> None:
    meeting = _submitted(cast)
    if step_by == "school_admin":
        services.meeting_approve(actor=cast.users["unit_a_admin"], meeting=meeting, step="unit")
    url = f"/api/meetings/{meeting.pk}/return"
    client = cast.client(step_by)
    assert _post(client, url, {"reason": ""}).status_code in (400, 422)
    meeting.refresh_from_db()
    assert meeting.state != MeetingState.RETURNED
    response = _post(client, url, {"reason": "缺少签到表照片"})
    assert response.status_code == 200
    assert response.json()["state"] == MeetingState.RETURNED
    assert response.json()["events"][-1]["comment"] == "缺少签到表照片"
