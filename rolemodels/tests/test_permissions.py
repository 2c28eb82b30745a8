"""Every 典型选树 page, for every role of the cast: allowed, refused (403) or hidden (404).

The objects: member_a nominated by branch A1 (not yet approved), with an evidence file."""

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
from rolemodels import services
from rolemodels.models import RoleModelFile

NOMINATORS = {"school_admin": OK, "unit_a_admin": OK, "unit_b_admin": OK, "branch_secretary": OK}
OF_A1 = {"school_admin": OK, "unit_a_admin": OK, "branch_secretary": OK}

TABLE: list[tuple[str, str | None, dict[str, int]]] = [
    ("role_model_list", None, expect(OK)),
    ("role_model_new", None, expect(FORBIDDEN, **NOMINATORS)),
    # unpublished: only those over the nominating branch (published ones: test_views.py)
    ("role_model_detail", "rm", expect(HIDDEN, **OF_A1)),
    ("role_model_file", "file", expect(HIDDEN, **OF_A1)),
]

# POST-only: WRITE_TABLE below and test_views.py
COVERED_ELSEWHERE = {
    "role_model_approve",
    "role_model_return",
    "role_model_renominate",
    "role_model_report",
}


def _objects(cast: Cast) -> dict[str, Any]:
    rm = services.nominate(
        actor=cast.users["branch_secretary"],
        member=cast.member_a,
        title="抗疫先锋",
        deeds="连续值守校门三十天。",
    )
    file = RoleModelFile.objects.create(
        role_model=rm,
        file=ContentFile(b"%PDF-1.4 thanks", name="thanks.pdf"),
        original_name="感谢信.pdf",
        size=15,
        content_type="application/pdf",
    )
    return {"rm": rm, "file": file}


CASES = [(name, arg, role, table[role]) for name, arg, table in TABLE for role in ROLES]


@pytest.mark.parametrize(("name", "arg", "role", "status"), CASES)
def test_page_access(cast: Cast, name: str, arg: str | None, role: str, status: int) -> None:
    objects = _objects(cast)
    url = reverse(name, args=[objects[arg].pk]) if arg else reverse(name)
    response = cast.client(role).get(url)
    assert response.status_code == status, f"{role} GET {name}({arg})"
    if status == LOGIN:
        assert response["Location"].startswith(reverse("login"))


A1_DID = {"school_admin": REDIRECT, "unit_a_admin": REDIRECT, "branch_secretary": REDIRECT}

# Empty POSTs: the allowed go back to the nomination (302: done, or refused with the reason).
WRITE_TABLE: list[WriteRow] = [
    ("role_model_new", None, expect(FORBIDDEN, **NOMINATORS)),
    # at 待单位审核 only the unit takes the step; 组织部 and the secretary see it (403)
    (
        "role_model_approve",
        "rm",
        expect(HIDDEN, unit_a_admin=REDIRECT, school_admin=FORBIDDEN, branch_secretary=FORBIDDEN),
    ),
    (
        "role_model_return",
        "rm",
        expect(HIDDEN, unit_a_admin=REDIRECT, school_admin=FORBIDDEN, branch_secretary=FORBIDDEN),
    ),
    ("role_model_renominate", "rm", expect(HIDDEN, **A1_DID)),
    ("role_model_report", "rm", expect(HIDDEN)),
]

WRITES_COVERED_ELSEWHERE: dict[str, str] = {}


@pytest.mark.parametrize(("name", "arg", "expected", "data"), write_cases(WRITE_TABLE))
def test_write_access(
    cast: Cast, name: str, arg: str | None, expected: dict[str, int], data: dict[str, Any]
) -> None:
    objects = _objects(cast)
    url = reverse(name, args=[objects[arg].pk]) if arg else reverse(name)
    assert_writes(cast, url, expected, data)
