"""/api/rosters: the same scope as the pages."""

import datetime as dt

import pytest
from django.utils import timezone

from conftest import Cast
from rosters.models import Assignment, Roster
from rosters.tests.conftest import Small


@pytest.mark.parametrize(
    ("role", "status"),
    [("duty_office", 200), ("school_admin", 200), ("unit_a_admin", 404), ("member_a", 404)],
)
def test_roster_detail_is_scoped(cast: Cast, small: Small, role: str, status: int) -> None:
    response = cast.client(role).get(f"/api/rosters/{small.roster.pk}")
    assert response.status_code == status
    if status == 200:
        assert response.json()["phase_name"] == "第一阶段"


def test_posts_phases_and_my_shifts(cast: Cast, small: Small) -> None:
    Roster.objects.filter(pk=small.roster.pk).update(state=Roster.State.PUBLISHED)
    Assignment.objects.create(
        roster=small.roster,
        post=small.post,
        date=timezone.localdate() + dt.timedelta(days=1),
        slot="08–14",
        member=cast.member_a,
    )
    office = cast.client("duty_office")
    assert [p["name"] for p in office.get("/api/rosters/posts").json()] == ["北门值班值守岗"]
    assert cast.client("unit_a_admin").get("/api/rosters/posts").json() == []
    assert cast.client("member_a").get("/api/rosters/posts").json() == []
    assert [p["id"] for p in cast.client("member_a").get("/api/rosters/phases").json()] == [
        small.phase.pk
    ]
    mine = cast.client("member_a").get("/api/rosters/mine").json()
    assert [s["slot"] for s in mine] == ["08–14"]
    assert cast.client("member_b").get("/api/rosters/mine").json() == []
    assert cast.client("unit_b_admin").get("/api/rosters").json() == []
    assert cast.client("anonymous").get("/api/rosters").status_code == 401
