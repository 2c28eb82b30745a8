"""/api/study: the same scope as the pages."""

from decimal import Decimal

import pytest

from conftest import ROLES, Cast
from study import services
from study.tests.helpers import self_study

SEES_A1 = {
    "school_admin": True,
    "unit_a_admin": True,
    "unit_b_admin": False,
    "branch_secretary": True,
}


@pytest.mark.parametrize("role", ROLES)
def test_hours_in_scope_and_a_members_own_year(cast: Cast, role: str) -> None:
    session = self_study(cast)
    services.self_study_done(actor=cast.users["member_a"], session=session, member=cast.member_a)
    client = cast.client(role)
    hours = client.get("/api/study/hours")
    mine = client.get("/api/study/mine")
    if role == "anonymous":
        assert (hours.status_code, mine.status_code) == (401, 401)
        return
    if role not in SEES_A1:
        assert hours.status_code == 403
    else:
        got = {i["number"]: Decimal(str(i["hours"])) for i in hours.json()["items"]}
        assert ("A0001" in got) == SEES_A1[role]
        if SEES_A1[role]:
            assert got["A0001"] == Decimal("2")
    if role == "member_a":
        assert Decimal(str(mine.json()["hours"])) == Decimal("2")
        assert mine.json()["open_self_study"] == []
    else:
        assert mine.status_code == 403
