"""Every gates page, for every role of the cast: allowed, refused (403) or hidden (404).

The objects: the north gate of the cast's campus, with member_a assigned to it (a keeper)."""

from typing import Any

import pytest
from django.urls import reverse

from conftest import (
    FORBIDDEN,
    HIDDEN,
    LOGIN,
    OK,
    REDIRECT,
    ROLES,
    Cast,
    WriteRow,
    assert_writes,
    expect,
    write_cases,
)
from gates.tests.helpers import gate_of, keeper

MANAGERS = {"school_admin": OK, "duty_office": OK}

TABLE: list[tuple[str, str | None, dict[str, int]]] = [
    ("gate_home", None, expect(OK)),
    ("gate_new", None, expect(FORBIDDEN, **MANAGERS)),
    ("gate_edit", "gate", expect(HIDDEN, **MANAGERS)),
    ("gate_keepers", "gate", expect(HIDDEN, **MANAGERS)),
    # the device page and its people list: the gate's officers (keeper member_a) and managers
    ("gate_register", "gate", expect(HIDDEN, member_a=OK, **MANAGERS)),
    ("gate_people", "gate", expect(HIDDEN, member_a=OK, **MANAGERS)),
    ("gate_sw", None, expect(OK)),
    ("my_pass", None, expect(FORBIDDEN, member_a=OK)),
    ("gate_figures", None, expect(FORBIDDEN, **MANAGERS)),
    ("gate_figures_export", None, expect(FORBIDDEN, **MANAGERS)),
    ("gate_entries", None, expect(FORBIDDEN, **MANAGERS)),
    ("gate_import", None, expect(FORBIDDEN, **MANAGERS)),
]


# POST-only: in WRITE_TABLE below (a GET is refused, 405).
COVERED_ELSEWHERE = {"keeper_remove", "my_pass_reissue"}


def test_post_only_routes_refuse_get(cast: Cast) -> None:
    keeper_row = _objects(cast)["keeper"]
    client = cast.client("duty_office")
    assert client.get(reverse("keeper_remove", args=[keeper_row.pk])).status_code == 405
    assert cast.client("member_a").get(reverse("my_pass_reissue")).status_code == 405


def _objects(cast: Cast) -> dict[str, Any]:
    gate = gate_of(cast)
    return {"gate": gate, "keeper": keeper(gate, cast.member_a)}


CASES = [(name, arg, role, table[role]) for name, arg, table in TABLE for role in ROLES]


@pytest.mark.parametrize(("name", "arg", "role", "status"), CASES)
def test_page_access(cast: Cast, name: str, arg: str | None, role: str, status: int) -> None:
    objects = _objects(cast)
    url = reverse(name, args=[objects[arg].pk]) if arg else reverse(name)
    response = cast.client(role).get(url)
    assert response.status_code == status, f"{role} GET {name}({arg})"
    if status == LOGIN:
        assert response["Location"].startswith(reverse("login"))


MANAGERS_DID = {"school_admin": REDIRECT, "duty_office": REDIRECT}

WRITE_TABLE: list[WriteRow] = [
    ("gate_new", None, expect(FORBIDDEN, **MANAGERS)),
    ("gate_edit", "gate", expect(HIDDEN, **MANAGERS)),
    ("gate_keepers", "gate", expect(HIDDEN, **MANAGERS)),
    ("keeper_remove", "keeper", expect(HIDDEN, **MANAGERS_DID)),
    ("my_pass_reissue", None, expect(FORBIDDEN, member_a=REDIRECT)),
    ("gate_import", None, expect(FORBIDDEN, **MANAGERS)),
]

WRITES_COVERED_ELSEWHERE = {
    "api:gate_sync": "gates/tests/test_api.py::test_sync_is_for_the_gates_officers_only",
}


@pytest.mark.parametrize(("name", "arg", "expected", "data"), write_cases(WRITE_TABLE))
def test_write_access(
    cast: Cast, name: str, arg: str | None, expected: dict[str, int], data: dict[str, Any]
) -> None:
    objects = _objects(cast)
    url = reverse(name, args=[objects[arg].pk]) if arg else reverse(name)
    assert_writes(cast, url, expected, data)
