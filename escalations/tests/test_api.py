"""/api/escalations: the list and detail over the same scope as the pages; acknowledging."""

from typing import Any

import pytest

from conftest import ROLES, Cast
from escalations import services
from escalations.models import EscalationState
from escalations.tests.helpers import branch_request, member_report, overdue

SEES = {
    "school_admin": {"report", "request"},
    "unit_a_admin": {"report", "request"},
    "unit_b_admin": set(),
    "branch_secretary": {"report", "request"},
    "duty_office": set(),
    "reviewer": set(),
    "member_a": {"report"},
}


@pytest.mark.parametrize("role", [r for r in ROLES if r != "anonymous"])
def test_list_and_detail_show_only_what_the_role_sees(cast: Cast, role: str) -> None:
    made = {"report": member_report(cast), "request": branch_request(cast)}
    client = cast.client(role)

    body = client.get("/api/escalations").json()

    assert {k for k, e in made.items() if e.pk in {i["id"] for i in body["items"]}} == SEES[role]
    assert body["count"] == len(SEES[role])
    for name, e in made.items():
        status = client.get(f"/api/escalations/{e.pk}").status_code
        assert status == (200 if name in SEES[role] else 404)


def test_desk_lists_what_waits_on_the_users_own_org(cast: Cast) -> None:
    report, request = member_report(cast), branch_request(cast)
    desk = {
        who: [i["id"] for i in cast.client(who).get("/api/escalations?view=desk").json()["items"]]
        for who in ("branch_secretary", "unit_a_admin", "school_admin")
    }
    assert desk == {
        "branch_secretary": [report.pk],
        "unit_a_admin": [request.pk],
        "school_admin": [],
    }
    bad = cast.client("unit_a_admin").get("/api/escalations?view=everything")
    assert bad.status_code == 400


EXPECTED_ACK = {
    "anonymous": 401,
    "school_admin": 200,
    "unit_a_admin": 200,
    "unit_b_admin": 404,
    "branch_secretary": 200,
    "duty_office": 404,
    "reviewer": 404,
    "member_a": 403,
}


def test_acknowledge_through_the_api_for_every_role(cast: Cast) -> None:
    from django.db import transaction

    from audit.models import AuditEvent

    e = member_report(cast)
    got = {}
    for role in ROLES:
        with transaction.atomic():
            before = AuditEvent.objects.count()
            r = cast.client(role).post(
                f"/api/escalations/{e.pk}/acknowledge", {}, content_type="application/json"
            )
            got[role] = r.status_code
            if r.status_code == 200:
                assert r.json()["state"] == "acknowledged"
            else:
                assert AuditEvent.objects.count() == before
            transaction.set_rollback(True)
    assert got == EXPECTED_ACK


def test_acknowledge_with_a_level_it_has_left_is_a_chinese_409(cast: Cast) -> None:
    e = member_report(cast)
    services.escalations_sweep(now=overdue(e))
    client = cast.client("branch_secretary")

    stale = client.post(
        f"/api/escalations/{e.pk}/acknowledge", {"level": 0}, content_type="application/json"
    )
    assert stale.status_code == 409
    assert "已超时上报至" in stale.json()["detail"]

    ok = client.post(
        f"/api/escalations/{e.pk}/acknowledge", {"level": 1}, content_type="application/json"
    )
    assert ok.status_code == 200 and ok.json()["current_org"] == cast.unit_a.name
    again = client.post(f"/api/escalations/{e.pk}/acknowledge", {}, content_type="application/json")
    assert again.status_code == 409


def test_a_request_is_not_acknowledged_but_answered(cast: Cast) -> None:
    r = branch_request(cast)
    res = cast.client("unit_a_admin").post(
        f"/api/escalations/{r.pk}/acknowledge", {}, content_type="application/json"
    )
    assert res.status_code == 400 and "批复" in res.json()["detail"]
    r.refresh_from_db()
    assert r.state == EscalationState.OPEN


def test_anonymous_is_401(client: Any) -> None:
    assert client.get("/api/escalations").status_code == 401


def test_the_list_makes_a_fixed_number_of_queries(cast: Cast) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = cast.client("school_admin")
    member_report(cast)
    client.get("/api/escalations")
    with CaptureQueriesContext(connection) as few:
        client.get("/api/escalations")
    for i in range(5):
        member_report(cast, title=f"情况{i}")
        branch_request(cast, title=f"请示{i}")
    with CaptureQueriesContext(connection) as many:
        body = client.get("/api/escalations").json()
    assert body["count"] == 11
    assert len(many) == len(few)
