"""/api/dashboard: the page's figures as JSON, over the same scope."""

import pytest

from conftest import FORBIDDEN, HIDDEN, OK, Cast
from dashboard.tests.helpers import Spread, seed

ROLE_STATUS = [
    ("school_admin", "school", OK),
    ("unit_a_admin", "unit_a", OK),
    ("unit_a_admin", "school", HIDDEN),
    ("unit_b_admin", "branch_a1", HIDDEN),
    ("branch_secretary", "branch_a1", OK),
    ("duty_office", "unit_b", OK),
    ("member_a", "branch_a1", FORBIDDEN),
]


@pytest.mark.parametrize(("role", "org", "status"), ROLE_STATUS)
def test_dashboard_api_follows_the_pages_scope(
    cast: Cast, role: str, org: str, status: int
) -> None:
    response = cast.client(role).get(f"/api/dashboard/{getattr(cast, org).pk}")
    assert response.status_code == status
    if status != OK:
        assert response.json()["detail"]  # a Chinese reason, never the org's data


def test_dashboard_api_gives_each_tile_with_its_childrens_numbers(cast: Cast) -> None:
    seed(cast, {"branch_a1": Spread(members=2, talks=2), "branch_a2": Spread(members=1, talks=0)})
    body = cast.client("unit_a_admin").get(f"/api/dashboard/{cast.unit_a.pk}?range=all").json()
    assert body["org"]["id"] == cast.unit_a.pk
    assert body["range"]["preset"] == "all"
    tiles = {t["key"]: t for t in body["tiles"]}
    members = tiles["members"]
    assert members["total"] == 2 + 1 + 2  # seeded, and the cast's member_a and other_a
    by_org = {c["org_id"]: c["n"] for c in members["children"]}
    assert by_org == {cast.branch_a1.pk: 3, cast.branch_a2.pk: 2}
    assert (tiles["coverage"]["total"], tiles["coverage"]["of"]) == (2, 5)
    assert tiles["compliance"]["of"] == 2  # the unit's branches
    assert [c["id"] for c in body["children"]] == [cast.branch_a1.pk, cast.branch_a2.pk]


def test_my_dashboard_is_the_widest_org_and_a_member_has_none(cast: Cast) -> None:
    assert cast.client("unit_b_admin").get("/api/dashboard").json()["org"]["id"] == cast.unit_b.pk
    assert cast.client("member_a").get("/api/dashboard").status_code == FORBIDDEN
    assert cast.client("anonymous").get("/api/dashboard").status_code == 401


def test_a_huge_org_id_is_not_found(cast: Cast) -> None:
    response = cast.client("school_admin").get("/api/dashboard/99999999999999999999999")
    assert response.status_code == HIDDEN
