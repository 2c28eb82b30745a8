"""Every dashboard page, for every role of the cast: allowed, refused (403) or hidden (404).

Whoever holds ORG_VIEW over an org opens its dashboard (the tiles inside are each gated by the
capability's own permission: test_views.py); a member with no role sees no dashboard."""

import pytest
from django.urls import reverse

from conftest import FORBIDDEN, HIDDEN, LOGIN, OK, ROLES, Cast, expect

SCHOOL_WIDE = {"school_admin": OK, "duty_office": OK, "reviewer": OK}

TABLE: list[tuple[str, str | None, dict[str, int]]] = [
    ("dashboard", None, expect(OK, member_a=FORBIDDEN)),
    ("dashboard_org", "school", expect(HIDDEN, member_a=FORBIDDEN, **SCHOOL_WIDE)),
    ("dashboard_org", "unit_a", expect(HIDDEN, member_a=FORBIDDEN, unit_a_admin=OK, **SCHOOL_WIDE)),
    (
        "dashboard_org",
        "branch_a1",
        expect(HIDDEN, member_a=FORBIDDEN, unit_a_admin=OK, branch_secretary=OK, **SCHOOL_WIDE),
    ),
    (
        "dashboard_org",
        "branch_b1",
        expect(HIDDEN, member_a=FORBIDDEN, unit_b_admin=OK, **SCHOOL_WIDE),
    ),
]

CASES = [(name, arg, role, table[role]) for name, arg, table in TABLE for role in ROLES]


@pytest.mark.parametrize(("name", "arg", "role", "status"), CASES)
def test_page_access(cast: Cast, name: str, arg: str | None, role: str, status: int) -> None:
    url = reverse(name, args=[getattr(cast, arg).pk]) if arg else reverse(name)
    response = cast.client(role).get(url)
    assert response.status_code == status, f"{role} GET {name}({arg})"
    if status == LOGIN:
        assert response["Location"].startswith(reverse("login"))


def test_an_unknown_org_is_hidden(cast: Cast) -> None:
    response = cast.client("school_admin").get(reverse("dashboard_org", args=[999_999]))
    assert response.status_code == HIDDEN


def test_a_post_is_refused(cast: Cast) -> None:
    response = cast.client("school_admin").post(reverse("dashboard"))
    assert response.status_code == 405


# /api/dashboard: the same scope; an anonymous caller gets 401 (no login page in the API).
API_TABLE: list[tuple[str, str | None, dict[str, int]]] = [
    ("api:dashboard_mine" if arg is None else "api:dashboard_org", arg, {**table, "anonymous": 401})
    for _, arg, table in TABLE
]


@pytest.mark.parametrize(
    ("name", "arg", "role", "status"),
    [(name, arg, role, table[role]) for name, arg, table in API_TABLE for role in ROLES],
)
def test_api_access(cast: Cast, name: str, arg: str | None, role: str, status: int) -> None:
    url = reverse(name, args=[getattr(cast, arg).pk]) if arg else reverse(name)
    response = cast.client(role).get(url)
    assert response.status_code == status, f"{role} GET {url}"
