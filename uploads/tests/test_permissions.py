"""Who may open the uploads pages, for every role of the cast. The tus endpoints answer
scripts, not pages: test_tus.py covers them (anonymous 403, the owner, everyone else 404)."""

from typing import Any

import pytest
from django.urls import reverse

from conftest import LOGIN, OK, ROLES, Cast, WriteRow, assert_writes, expect, write_cases

TABLE: list[tuple[str, str | None, dict[str, int]]] = [
    ("upload_try", None, expect(OK)),
]

COVERED_ELSEWHERE = {"upload_collection", "upload_detail"}

CASES = [(name, arg, role, table[role]) for name, arg, table in TABLE for role in ROLES]


@pytest.mark.parametrize(("name", "arg", "role", "status"), CASES)
def test_page_access(cast: Cast, name: str, arg: str | None, role: str, status: int) -> None:
    response = cast.client(role).get(reverse(name))
    assert response.status_code == status, f"{role} GET {name}"
    if status == LOGIN:
        assert response["Location"].startswith(reverse("login"))


# --- every write route, for every role (see access/tests/test_permissions.py) --------------

# Claiming nothing checks nothing: every signed-in role gets the page again.
WRITE_TABLE: list[WriteRow] = [
    ("upload_try", None, expect(OK)),
]

# The tus endpoints answer scripts: who may create (anyone signed in, with a CSRF token) and
# who may write to an upload (its owner; everyone else 404) are tested there.
WRITES_COVERED_ELSEWHERE = {
    "upload_collection": "uploads/tests/test_tus.py::test_anonymous_visitors_cannot_upload",
    "upload_detail": "uploads/tests/test_tus.py::test_someone_elses_upload_does_not_exist_for_you",
}


@pytest.mark.parametrize(("name", "arg", "expected", "data"), write_cases(WRITE_TABLE))
def test_write_access(
    cast: Cast, name: str, arg: str | None, expected: dict[str, int], data: dict[str, Any]
) -> None:
    assert_writes(cast, reverse(name), expected, data)
