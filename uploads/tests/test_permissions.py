"""Who may open the uploads pages, for every role of the cast. The tus endpoints answer
scripts, not pages: test_tus.py covers them (anonymous 403, the owner, everyone else 404)."""

import pytest
from django.urls import reverse

from conftest import LOGIN, OK, ROLES, Cast, expect

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
