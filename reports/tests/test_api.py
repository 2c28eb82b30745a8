"""/api/reports: a member submits (once per period), managers read who is overdue."""

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from conftest import Cast
from reports.models import Report
from reports.tests.helpers import HEALTHY, schedule

pytestmark = pytest.mark.django_db


def _submit(cast: Cast, who: str, sched: Any, answers: dict[str, Any]) -> Any:
    return cast.client(who).post(
        f"/api/reports/schedules/{sched.pk}/submit",
        {"answers": answers},
        content_type="application/json",
    )


def test_a_member_submits_once_per_period(cast: Cast) -> None:
    sched = schedule(cast)
    first = _submit(cast, "member_a", sched, HEALTHY)
    assert first.status_code == 201, first.content
    body = first.json()
    assert body["temperature"] == 36.5 and body["late"] is False
    again = _submit(cast, "member_a", sched, {**HEALTHY, "temperature": 37.0})
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    assert Report.objects.count() == 1


def test_a_bad_answer_is_refused_with_the_fields_reason(cast: Cast) -> None:
    sched = schedule(cast)
    response = _submit(cast, "member_a", sched, {"temperature": 50, "symptoms": ["发烧了"]})
    assert response.status_code == 400
    errors = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert "43" in errors["temperature"]
    assert "symptoms" in errors
    assert not Report.objects.exists()


def test_the_conditional_field_is_asked_when_its_condition_holds(cast: Cast) -> None:
    sched = schedule(cast)
    response = _submit(cast, "member_a", sched, {"temperature": 38.0, "symptoms": ["发热"]})
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["symptom_note"]
    response = _submit(
        cast,
        "member_a",
        sched,
        {"temperature": 38.0, "symptoms": ["发热"], "symptom_note": "昨晚起"},
    )
    assert response.status_code == 201


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("school_admin", 403),
        ("branch_secretary", 403),
        ("member_b", 404),  # branch B1 is outside a unit A schedule
        ("anonymous", 401),
    ],
)
def test_submit_is_for_the_member_only(cast: Cast, who: str, status: int) -> None:
    sched = schedule(cast, org=cast.unit_a)
    before = AuditEvent.objects.count()
    response = _submit(cast, who, sched, HEALTHY)
    assert response.status_code == status
    assert "detail" in response.json()
    assert not Report.objects.exists() and AuditEvent.objects.count() == before


def test_overdue_counts_the_users_scope(cast: Cast) -> None:
    sched = schedule(cast)
    _submit(cast, "member_a", sched, HEALTHY)
    day = timezone.localdate().isoformat()
    school = cast.client("school_admin").get(f"/api/reports/overdue?schedule={sched.pk}&day={day}")
    assert school.status_code == 200
    data = school.json()
    assert (data["expected"], data["reported"], data["missing"]) == (4, 1, 3)
    unit_a = cast.client("unit_a_admin").get(f"/api/reports/overdue?schedule={sched.pk}").json()
    assert (unit_a["expected"], unit_a["missing"]) == (2, 1)
    assert [m["number"] for m in unit_a["members"]] == ["A0002"]
    assert (
        cast.client("member_a").get(f"/api/reports/overdue?schedule={sched.pk}").status_code == 403
    )
    past = (timezone.localdate() - dt.timedelta(days=2)).isoformat()
    old = cast.client("school_admin").get(f"/api/reports/overdue?schedule={sched.pk}&day={past}")
    assert old.json()["missing"] == 4
