"""Every 岗位评分 and 述职评议 page, for every role of the cast."""

from typing import Any

import pytest
from django.urls import reverse

from assessment.tests.helpers import phase_with_shift
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

RATERS = {"school_admin": OK, "unit_a_admin": OK, "unit_b_admin": OK, "duty_office": OK}
A1 = {"school_admin": OK, "unit_a_admin": OK, "branch_secretary": OK}

TABLE: list[tuple[str, str | None, dict[str, int]]] = [
    ("rating_phase_list", None, expect(FORBIDDEN, **RATERS)),
    # the school's phase: seen by all, rated by the school's roles
    ("rating_phase", "phase", expect(FORBIDDEN, school_admin=OK, duty_office=OK)),
    (
        "rating_participant",
        "member_a",
        expect(HIDDEN, **A1, duty_office=OK, member_a=OK, reviewer=HIDDEN),
    ),
    ("appraisal_list", None, expect(FORBIDDEN, **A1, unit_b_admin=OK)),
    ("appraisal", "branch_a1", expect(HIDDEN, **A1)),
    ("appraisal_report", "branch_a1", expect(HIDDEN)),  # no report yet
]
COVERED_ELSEWHERE = {"rating_set", "appraisal_report_upload", "appraisal_result"}


def _objects(cast: Cast) -> dict[str, Any]:
    return {"phase": phase_with_shift(cast), "member_a": cast.member_a, "branch_a1": cast.branch_a1}


CASES = [(name, arg, role, table[role]) for name, arg, table in TABLE for role in ROLES]


@pytest.mark.parametrize(("name", "arg", "role", "status"), CASES)
def test_page_access(cast: Cast, name: str, arg: str | None, role: str, status: int) -> None:
    objects = _objects(cast)
    url = reverse(name, args=[objects[arg].pk]) if arg else reverse(name)
    assert cast.client(role).get(url).status_code == status, f"{role} GET {name}"


WRITE_TABLE: list[WriteRow] = [
    (
        "appraisal_report_upload",
        "branch_a1",
        expect(HIDDEN, school_admin=REDIRECT, unit_a_admin=REDIRECT, branch_secretary=REDIRECT),
    ),
    (
        "appraisal_result",
        "branch_a1",
        expect(HIDDEN, school_admin=REDIRECT, unit_a_admin=REDIRECT, branch_secretary=FORBIDDEN),
    ),
]


@pytest.mark.parametrize(("name", "arg", "expected", "data"), write_cases(WRITE_TABLE))
def test_write_access(
    cast: Cast, name: str, arg: str | None, expected: dict[str, int], data: dict[str, Any]
) -> None:
    objects = _objects(cast)
    url = reverse(name, args=[objects[arg].pk]) if arg else reverse(name)
    assert_writes(cast, url, expected, data)


def test_rating_write_access(cast: Cast) -> None:
    phase = phase_with_shift(cast)
    url = reverse("rating_set", args=[phase.pk, cast.member_a.pk])
    expected = expect(FORBIDDEN, school_admin=REDIRECT, duty_office=REDIRECT)
    assert_writes(cast, url, expected, {"score": "4"})


WRITES_COVERED_ELSEWHERE = {
    "rating_set": "assessment/tests/test_permissions.py::test_rating_write_access",
}
