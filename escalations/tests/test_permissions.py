"""Every escalations page, for every role of the cast: allowed, refused (403) or hidden (404).

The objects: member_a's situation report to branch A1 (with one attachment)."""

from typing import Any

import pytest
from django.core.files.base import ContentFile
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
from escalations.models import EscalationFile
from escalations.tests.helpers import member_report

HANDLERS = {"school_admin": OK, "unit_a_admin": OK, "unit_b_admin": OK, "branch_secretary": OK}
# 组织部 is the top: it reads and answers, and has nobody above to report to.
REPORTERS = {"unit_a_admin": OK, "unit_b_admin": OK, "branch_secretary": OK, "member_a": OK}
OF_A1 = {"school_admin": OK, "unit_a_admin": OK, "branch_secretary": OK, "member_a": OK}

TABLE: list[tuple[str, str | None, dict[str, int]]] = [
    ("escalation_list", None, expect(FORBIDDEN, member_a=OK, **HANDLERS)),
    ("escalation_new", None, expect(FORBIDDEN, **REPORTERS)),
    ("escalation_detail", "report", expect(HIDDEN, **OF_A1)),
    ("escalation_file", "file", expect(HIDDEN, **OF_A1)),
]
# POST-only: every role in WRITE_TABLE below; a GET is 405 (test_actions_are_post_only).
COVERED_ELSEWHERE = {"escalation_acknowledge", "escalation_handle", "escalation_reply"}


@pytest.fixture
def objects(cast: Cast, settings: Any, tmp_path: Any) -> dict[str, Any]:
    settings.MEDIA_ROOT = tmp_path
    report = member_report(cast)
    f = EscalationFile(
        escalation=report, original_name="体温记录.jpg", uploaded_by=cast.users["member_a"]
    )
    f.file.save("体温记录.jpg", ContentFile(b"\xff\xd8\xff"), save=True)
    return {"report": report, "file": f}


CASES = [(name, arg, role, table[role]) for name, arg, table in TABLE for role in ROLES]


@pytest.mark.parametrize(("name", "arg", "role", "status"), CASES)
def test_page_access(
    cast: Cast, objects: dict[str, Any], name: str, arg: str | None, role: str, status: int
) -> None:
    url = reverse(name, args=[objects[arg].pk]) if arg else reverse(name)
    response = cast.client(role).get(url)
    assert response.status_code == status, f"{role} GET {name}({arg})"
    if status == LOGIN:
        assert response["Location"].startswith(reverse("login"))


# --- every write route, for every role --------------------------------------------------------

A1_DID = {"school_admin": REDIRECT, "unit_a_admin": REDIRECT, "branch_secretary": REDIRECT}

# An empty POST reaches the permission check; the allowed get the form back (200) or go back
# to the report with the reason (302). Each role's POST is rolled back.
WRITE_TABLE: list[WriteRow] = [
    ("escalation_new", None, expect(FORBIDDEN, **REPORTERS)),
    # the reporter may not acknowledge or handle their own report, only add to its thread
    ("escalation_acknowledge", "report", expect(HIDDEN, member_a=FORBIDDEN, **A1_DID)),
    ("escalation_handle", "report", expect(HIDDEN, member_a=FORBIDDEN, **A1_DID)),
    ("escalation_reply", "report", expect(HIDDEN, member_a=REDIRECT, **A1_DID)),
]

WRITES_COVERED_ELSEWHERE = {
    "api:escalation_acknowledge": (
        "escalations/tests/test_api.py::test_acknowledge_through_the_api_for_every_role"
    ),
}


@pytest.mark.parametrize(("name", "arg", "expected", "data"), write_cases(WRITE_TABLE))
def test_write_access(
    cast: Cast,
    objects: dict[str, Any],
    name: str,
    arg: str | None,
    expected: dict[str, int],
    data: dict[str, Any],
) -> None:
    url = reverse(name, args=[objects[arg].pk]) if arg else reverse(name)
    assert_writes(cast, url, expected, data)


@pytest.mark.parametrize("name", sorted(COVERED_ELSEWHERE))
def test_actions_are_post_only(cast: Cast, objects: dict[str, Any], name: str) -> None:
    url = reverse(name, args=[objects["report"].pk])
    assert cast.client("branch_secretary").get(url).status_code == 405
