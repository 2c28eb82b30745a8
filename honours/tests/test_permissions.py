"""Every 表彰评比 page, for every role of the cast: allowed, refused (403) or hidden (404).

The objects: a round open for nominations; unit A's nomination of member_a (not yet public);
an objection to it is not possible yet, so objections are exercised in test_views.py."""

from typing import Any

import pytest
from django.urls import reverse

from conftest import (
    FORBIDDEN,
    HIDDEN,
    OK,
    REDIRECT,
    ROLES,
    Cast,
    WriteRow,
    assert_writes,
    expect,
    write_cases,
)
from honours import services
from honours.tests.helpers import make_round

NOMINATORS = {"school_admin": OK, "unit_a_admin": OK, "unit_b_admin": OK}
UNIT_A = {"school_admin": OK, "unit_a_admin": OK}

TABLE: list[tuple[str, str | None, dict[str, int]]] = [
    ("honour_round_list", None, expect(OK)),
    ("honour_round_new", None, expect(FORBIDDEN, school_admin=OK)),
    ("honour_round_detail", "round", expect(OK)),
    ("honour_nominate", "round", expect(FORBIDDEN, **NOMINATORS)),
    # no honours yet: nothing to print
    ("honour_certificates", "round", expect(FORBIDDEN, **{k: HIDDEN for k in NOMINATORS})),
    ("honour_nomination_detail", "nomination", expect(HIDDEN, **UNIT_A)),
    (
        "honour_member",
        "member_a",
        expect(HIDDEN, **UNIT_A, branch_secretary=OK, duty_office=OK, member_a=OK),
    ),
    ("honour_org", "branch_a1", expect(OK, unit_b_admin=HIDDEN, member_a=HIDDEN)),
]
# POST-only: in WRITE_TABLE below; objections: test_views.py
COVERED_ELSEWHERE = {
    "honour_quota_set",
    "honour_publicity_start",
    "honour_round_finalise",
    "honour_evidence_add",
    "honour_review",
    "honour_objection_raise",
    "honour_objection_handle",
}


def _objects(cast: Cast) -> dict[str, Any]:
    r = make_round(cast)
    return {
        "round": r,
        "nomination": services.nomination_create(
            actor=cast.users["unit_a_admin"], round_=r, member=cast.member_a, reason="事迹"
        ),
        "member_a": cast.member_a,
        "branch_a1": cast.branch_a1,
    }


CASES = [(name, arg, role, table[role]) for name, arg, table in TABLE for role in ROLES]


@pytest.mark.parametrize(("name", "arg", "role", "status"), CASES)
def test_page_access(cast: Cast, name: str, arg: str | None, role: str, status: int) -> None:
    objects = _objects(cast)
    url = reverse(name, args=[objects[arg].pk]) if arg else reverse(name)
    response = cast.client(role).get(url)
    assert response.status_code == status, f"{role} GET {name}({arg})"


# Allowed roles get the form back with its reasons, or go back to the page with a message.
WRITE_TABLE: list[WriteRow] = [
    ("honour_round_new", None, expect(FORBIDDEN, school_admin=OK)),
    ("honour_nominate", "round", expect(FORBIDDEN, **NOMINATORS)),
    ("honour_quota_set", "round", expect(FORBIDDEN, school_admin=REDIRECT)),
    ("honour_publicity_start", "round", expect(FORBIDDEN, school_admin=REDIRECT)),
    ("honour_round_finalise", "round", expect(FORBIDDEN, school_admin=REDIRECT)),
    (
        "honour_evidence_add",
        "nomination",
        expect(HIDDEN, school_admin=REDIRECT, unit_a_admin=REDIRECT),
    ),
    ("honour_review", "nomination", expect(HIDDEN, school_admin=REDIRECT, unit_a_admin=FORBIDDEN)),
    (
        "honour_objection_raise",
        "nomination",
        expect(HIDDEN, school_admin=REDIRECT, unit_a_admin=REDIRECT),
    ),
]


# An objection exists only during 公示: its answer is tested for every kind of user there.
WRITES_COVERED_ELSEWHERE = {
    "honour_objection_handle": "honours/tests/test_views.py::"
    "test_a_unit_nominates_a_member_with_evidence_and_the_whole_round_runs",
}


@pytest.mark.parametrize(("name", "arg", "expected", "data"), write_cases(WRITE_TABLE))
def test_write_access(
    cast: Cast, name: str, arg: str | None, expected: dict[str, int], data: dict[str, Any]
) -> None:
    objects = _objects(cast)
    url = reverse(name, args=[objects[arg].pk]) if arg else reverse(name)
    assert_writes(cast, url, expected, data)
