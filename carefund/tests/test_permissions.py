"""Every 组织关爱 page, for every role of the cast: allowed, refused (403) or hidden (404).

The objects: 组织部's fund (of the school) with a pending payout, and unit A's fund."""

from typing import Any

import pytest
from django.urls import reverse

from carefund.models import CareEntry
from carefund.tests.helpers import fund, payment
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

VIEWERS = {"school_admin": OK, "unit_a_admin": OK, "unit_b_admin": OK}
SCHOOL = {"school_admin": OK}

UNIT_A = {"school_admin": OK, "unit_a_admin": OK}

TABLE: list[tuple[str, str | None, dict[str, int]]] = [
    ("care_fund_list", None, expect(FORBIDDEN, **VIEWERS)),
    ("care_fund_new", None, expect(FORBIDDEN, **VIEWERS)),
    ("care_summary", None, expect(FORBIDDEN, **VIEWERS)),
    # a fund, its payouts and its ledger lines: hidden from all but those over its org
    ("care_fund_detail", "school_fund", expect(HIDDEN, **SCHOOL)),
    ("care_fund_detail", "unit_fund", expect(HIDDEN, **UNIT_A)),
    ("care_income_new", "unit_fund", expect(HIDDEN, **UNIT_A)),
    ("care_payment_new", "unit_fund", expect(HIDDEN, **UNIT_A)),
    ("care_fund_export", "unit_fund", expect(HIDDEN, **UNIT_A)),
    ("care_payment_detail", "payment", expect(HIDDEN, **SCHOOL)),
    ("care_payment_export", "payment", expect(HIDDEN, **SCHOOL)),
    ("care_entry_reverse", "entry", expect(HIDDEN, **SCHOOL)),
]
# POST-only: in WRITE_TABLE below.
COVERED_ELSEWHERE = {"care_payment_approve", "care_payment_refuse"}


def _objects(cast: Cast) -> dict[str, Any]:
    school_fund = fund(cast)
    return {
        "school_fund": school_fund,
        "unit_fund": fund(cast, income="100", org=cast.unit_a),
        "payment": payment(cast, school_fund),
        "entry": CareEntry.objects.filter(fund=school_fund).first(),
    }


CASES = [(name, arg, role, table[role]) for name, arg, table in TABLE for role in ROLES]


@pytest.mark.parametrize(("name", "arg", "role", "status"), CASES)
def test_page_access(cast: Cast, name: str, arg: str | None, role: str, status: int) -> None:
    objects = _objects(cast)
    url = reverse(name, args=[objects[arg].pk]) if arg else reverse(name)
    response = cast.client(role).get(url)
    assert response.status_code == status, f"{role} GET {name}({arg})"


SCHOOL_DID = {"school_admin": REDIRECT}
# An empty POST reaches the permission check; the allowed get the form back with its errors,
# or (approve / refuse) go back to the payout with the reason. Each role's POST is rolled back.
WRITE_TABLE: list[WriteRow] = [
    ("care_fund_new", None, expect(FORBIDDEN, **VIEWERS)),
    ("care_income_new", "unit_fund", expect(HIDDEN, **UNIT_A)),
    ("care_payment_new", "unit_fund", expect(HIDDEN, **UNIT_A)),
    ("care_entry_reverse", "entry", expect(HIDDEN, **SCHOOL)),
    ("care_payment_approve", "payment", expect(HIDDEN, **SCHOOL_DID)),
    ("care_payment_refuse", "payment", expect(HIDDEN, **SCHOOL_DID)),
]


@pytest.mark.parametrize(("name", "arg", "expected", "data"), write_cases(WRITE_TABLE))
def test_write_access(
    cast: Cast, name: str, arg: str | None, expected: dict[str, int], data: dict[str, Any]
) -> None:
    objects = _objects(cast)
    url = reverse(name, args=[objects[arg].pk]) if arg else reverse(name)
    assert_writes(cast, url, expected, data)
