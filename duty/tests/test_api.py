"""/api/duty: the same scope as the pages."""

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from conftest import ROLES, Cast
from duty import services
from duty.models import DutyCheck, Pledge, ResponsibilityZone, Team, TeamKind, ZoneKind
from duty.tests.helpers import assign, make_post, make_roster


@pytest.fixture
def data(cast: Cast) -> dict[str, Any]:
    roster = make_roster(cast.school)
    post = make_post(cast.school)
    for member in (cast.member_a, cast.other_a, cast.member_b):
        a = assign(roster, post, member, dt.date(2020, 9, 18))
        DutyCheck.objects.create(**DutyCheck.shift_fields(a), checked_in_at=timezone.now())
    assign(roster, post, cast.other_b, dt.date(2020, 9, 18))  # scheduled, not worked
    pledge = Pledge.objects.create(title="党员疫情防控承诺书", body="…", org=cast.school)
    services.pledge_sign(
        actor=cast.users["member_a"], pledge=pledge, signed_name="张三", confirmed=True
    )
    zone = ResponsibilityZone.objects.create(name="1号楼", kind=ZoneKind.DORMITORY, org=cast.unit_a)
    zone.members.set([cast.member_a])
    team = Team.objects.create(
        name="化学先锋队", kind=TeamKind.VANGUARD, org=cast.unit_b, leader=cast.member_b
    )
    team.members.set([cast.member_b])
    return {"pledge": pledge, "zone": zone, "team": team}


# role: person-times total (None: 403), pledge counts (None: no counts), zones, teams
EXPECTED: dict[str, tuple[int | None, tuple[int, int] | None, set[str], set[str]]] = {
    "school_admin": (3, (1, 4), {"1号楼"}, {"化学先锋队"}),
    "unit_a_admin": (2, (1, 2), {"1号楼"}, set()),
    "unit_b_admin": (1, (0, 2), set(), {"化学先锋队"}),
    "branch_secretary": (1, (1, 1), set(), set()),
    "duty_office": (3, None, {"1号楼"}, {"化学先锋队"}),
    "reviewer": (None, None, set(), set()),
    "member_a": (None, None, {"1号楼"}, set()),
}


@pytest.mark.parametrize("role", [r for r in ROLES if r != "anonymous"])
def test_api_scope(cast: Cast, data: dict[str, Any], role: str) -> None:
    total, counts, zones, teams = EXPECTED[role]
    client = cast.client(role)

    figures = client.get("/api/duty/person-times")
    if total is None:
        assert figures.status_code == 403
    else:
        assert figures.status_code == 200 and figures.json()["total"] == total

    pledges = client.get("/api/duty/pledges").json()
    if role in ("duty_office", "reviewer"):
        assert pledges == []
    else:
        got = pledges[0]["counts"]
        assert (got["signed"], got["expected"]) == counts if counts else got is None
        assert pledges[0]["signed_by_me"] is (role == "member_a")

    assert {z["name"] for z in client.get("/api/duty/zones").json()} == zones
    assert {t["name"] for t in client.get("/api/duty/teams").json()} == teams
    zone = client.get(f"/api/duty/zones/{data['zone'].pk}")
    assert zone.status_code == (200 if zones else 404)
    team = client.get(f"/api/duty/teams/{data['team'].pk}")
    assert team.status_code == (200 if teams else 404)


def test_anonymous_gets_401(data: dict[str, Any], cast: Cast) -> None:
    for url in ("/api/duty/person-times", "/api/duty/pledges", "/api/duty/zones"):
        assert cast.client("anonymous").get(url).status_code == 401


def test_scheduled_toggle_and_pledge_branches(cast: Cast, data: dict[str, Any]) -> None:
    client = cast.client("school_admin")
    assert client.get("/api/duty/person-times?scheduled=true").json()["total"] == 4
    body = client.get(f"/api/duty/pledges/{data['pledge'].pk}").json()
    assert body["counts"] == {"expected": 4, "signed": 1, "unsigned": 3}
    assert {b["name"]: b["unsigned"] for b in body["branches"]} == {
        "计算机教工第一党支部": 0,
        "计算机学生党支部": 1,
        "化学教工党支部": 2,
    }
    assert (
        cast.client("duty_office").get(f"/api/duty/pledges/{data['pledge'].pk}").status_code == 404
    )


def test_bad_date_is_a_400(cast: Cast, data: dict[str, Any]) -> None:
    response = cast.client("school_admin").get("/api/duty/person-times?date_from=9月17日")
    assert response.status_code == 400
