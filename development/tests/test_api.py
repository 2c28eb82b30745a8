"""/api/development: the same scope as the pages."""

import datetime as dt

import pytest
from django.utils import timezone

from conftest import ROLES, Cast
from development.tests.helpers import applicant

SEES = {"school_admin": True, "unit_a_admin": True, "unit_b_admin": False, "branch_secretary": True}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_sees_the_files_in_its_scope(cast: Cast, role: str) -> None:
    c = applicant(cast, timezone.localdate() - dt.timedelta(days=60), name="接口甲")
    client = cast.client(role)
    response = client.get("/api/development")
    detail = client.get(f"/api/development/{c.pk}")
    if role == "anonymous":
        assert response.status_code == 401
        return
    if role not in SEES:
        assert response.status_code == 403
        assert detail.status_code == 404
        return
    names = [item["name"] for item in response.json()["items"]]
    assert names == (["接口甲"] if SEES[role] else [])
    assert detail.status_code == (200 if SEES[role] else 404)
    if SEES[role]:
        assert [s["stage"] for s in detail.json()["steps"]] == ["applicant"]
        due = client.get("/api/development/due").json()
        assert [d["candidate"]["name"] for d in due] == ["接口甲"]
