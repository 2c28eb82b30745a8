"""Every 干部纪实台账 page, for every role of the cast: only 组织部 and the cadre's unit admin
(member_a, a cadre of unit A) — not the branch secretary, not the cadre."""

from typing import Any

import pytest
from django.urls import reverse

from conftest import (
    FORBIDDEN,
    HIDDEN,
    OK,
    ROLES,
    Cast,
    WriteRow,
    assert_writes,
    expect,
    write_cases,
)
from ledger.tests.helpers import cadre_with_shifts

UNIT_A = {"school_admin": OK, "unit_a_admin": OK}

TABLE: list[tuple[str, str | None, dict[str, int]]] = [
    ("ledger_cadre_list", None, expect(FORBIDDEN, **UNIT_A, unit_b_admin=OK)),
    ("ledger_cadre", "member_a", expect(HIDDEN, **UNIT_A)),
    ("ledger_record_new", "member_a", expect(HIDDEN, **UNIT_A)),
    ("ledger_export_xlsx", "member_a", expect(HIDDEN, **UNIT_A)),
    ("ledger_export_docx", "member_a", expect(HIDDEN, **UNIT_A)),
]
COVERED_ELSEWHERE: set[str] = set()


def _objects(cast: Cast) -> dict[str, Any]:
    cadre_with_shifts(cast)
    return {"member_a": cast.member_a}


CASES = [(name, arg, role, table[role]) for name, arg, table in TABLE for role in ROLES]


@pytest.mark.parametrize(("name", "arg", "role", "status"), CASES)
def test_page_access(cast: Cast, name: str, arg: str | None, role: str, status: int) -> None:
    objects = _objects(cast)
    url = reverse(name, args=[objects[arg].pk]) if arg else reverse(name)
    assert cast.client(role).get(url).status_code == status, f"{role} GET {name}"


WRITE_TABLE: list[WriteRow] = [
    ("ledger_record_new", "member_a", expect(HIDDEN, **UNIT_A)),
]


@pytest.mark.parametrize(("name", "arg", "expected", "data"), write_cases(WRITE_TABLE))
def test_write_access(
    cast: Cast, name: str, arg: str | None, expected: dict[str, int], data: dict[str, Any]
) -> None:
    objects = _objects(cast)
    url = reverse(name, args=[objects[arg].pk]) if arg else reverse(name)
    assert_writes(cast, url, expected, data)
