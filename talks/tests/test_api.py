"""/api/talks: the same privacy as the pages; recording a talk writes once per client_token."""

import datetime as dt
import uuid
from typing import Any

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from conftest import ROLES, Cast
from talks.models import Talk
from talks.tests.helpers import talk

# role: (talk ids it lists as "notes"/"exists"); built from one talk with member_a by other_a
# and one with member_b by member_a.
EXPECTED: dict[str, dict[str, str]] = {
    "school_admin": {"a": "notes", "b": "notes"},
    "unit_a_admin": {"a": "notes"},
    "unit_b_admin": {"b": "notes"},
    "branch_secretary": {"a": "notes"},
    "duty_office": {},
    "reviewer": {},
    "member_a": {"a": "exists", "b": "notes"},  # talked with in a; the talker in b
}


@pytest.mark.parametrize("role", [r for r in ROLES if r != "anonymous"])
def test_list_shows_notes_only_where_allowed(cast: Cast, role: str) -> None:
    talks = {
        "a": talk(cast, cast.member_a, talker=cast.other_a, thoughts="甲的思想"),
        "b": talk(cast, cast.member_b, talker=cast.member_a, thoughts="乙的思想"),
    }
    body = cast.client(role).get("/api/talks").json()

    got = {
        name: ("notes" if row["notes"] else "exists")
        for name, t in talks.items()
        for row in body["items"]
        if row["id"] == t.pk
    }
    assert got == EXPECTED[role]
    assert body["count"] == len(EXPECTED[role])
    for name, t in talks.items():
        detail = cast.client(role).get(f"/api/talks/{t.pk}")
        if name in EXPECTED[role]:
            assert detail.status_code == 200
            assert (detail.json()["notes"] is not None) == (EXPECTED[role][name] == "notes")
        else:
            assert detail.status_code == 404


def test_anonymous_is_401(client: Any) -> None:
    assert client.get("/api/talks").status_code == 401
    assert client.post("/api/talks", {}, content_type="application/json").status_code == 401


def _payload(cast: Cast, **kw: Any) -> dict[str, Any]:
    data = {
        "member": cast.member_a.pk,
        "talker": cast.other_a.pk,
        "talked_on": str(timezone.localdate()),
        "method": "wechat",
        "thoughts": "居家学习，状态良好",
        "follow_up_on": str(timezone.localdate() + dt.timedelta(days=14)),
    }
    data.update(kw)
    return data


def test_unit_admin_records_a_talk_once_per_client_token(cast: Cast) -> None:
    client = cast.client("unit_a_admin")
    data = _payload(cast, client_token=str(uuid.uuid4()))

    first = client.post("/api/talks", data, content_type="application/json")
    again = client.post("/api/talks", data, content_type="application/json")

    assert first.status_code == 201 and again.status_code == 200
    assert first.json()["id"] == again.json()["id"] == Talk.objects.get().pk
    assert first.json()["notes"]["thoughts"] == "居家学习，状态良好"
    assert AuditEvent.objects.filter(action="talk.record").count() == 1


@pytest.mark.parametrize(
    ("who", "kw", "status"),
    [
        ("unit_b_admin", {}, 404),  # member_a is outside unit B
        ("member_a", {}, 403),
        ("reviewer", {}, 403),
        ("branch_secretary", {}, 400),  # other_a (branch A2) is not theirs to name
        ("branch_secretary", {"talker": None}, 400),  # no member record: a talker is needed
        ("school_admin", {"method": "letter"}, 400),
        ("school_admin", {"thoughts": ""}, 400),
        ("school_admin", {"talked_on": "2099-01-01"}, 400),
        ("school_admin", {"member": 2**40}, 400),
    ],
)
def test_bad_or_refused_records_write_nothing(
    cast: Cast, who: str, kw: dict[str, Any], status: int
) -> None:
    response = cast.client(who).post(
        "/api/talks", _payload(cast, **kw), content_type="application/json"
    )

    assert response.status_code == status
    assert response.json()["detail"]
    assert not Talk.objects.exists()


def test_coverage_endpoint_counts_in_scope(cast: Cast) -> None:
    talk(cast, cast.member_a, talker=cast.other_a)

    body = cast.client("unit_a_admin").get("/api/talks/coverage", {"days": 30}).json()

    assert (body["members"], body["due"]) == (2, 1)
    assert [b["name"] for b in body["branches"]] == [cast.branch_a1.name, cast.branch_a2.name]
    assert cast.client("member_a").get("/api/talks/coverage").status_code == 403
    hidden = cast.client("unit_a_admin").get("/api/talks/coverage", {"org": cast.unit_b.pk})
    assert hidden.status_code == 404
