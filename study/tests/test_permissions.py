"""Every 学习教育 page, for every role of the cast: allowed, refused (403) or hidden (404).

The objects: a self-study item and an annual plan of branch A1 (member_a's branch)."""

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

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
from study import services
from study.models import StudyFile
from study.tests.helpers import self_study

READERS = {"school_admin": OK, "unit_a_admin": OK, "unit_b_admin": OK, "branch_secretary": OK}
OF_A1 = {"school_admin": OK, "unit_a_admin": OK, "branch_secretary": OK, "member_a": OK}

TABLE: list[tuple[str, str | None, dict[str, int]]] = [
    ("study_home", None, expect(FORBIDDEN, member_a=OK, **READERS)),
    ("study_plan_new", None, expect(FORBIDDEN, **READERS)),
    ("study_session_new", None, expect(FORBIDDEN, **READERS)),
    ("study_hours", None, expect(FORBIDDEN, **READERS)),
    ("study_hours_export", None, expect(FORBIDDEN, **READERS)),
    ("study_plan_detail", "plan", expect(HIDDEN, **OF_A1)),
    ("study_session_detail", "session", expect(HIDDEN, **OF_A1)),
    ("study_file", "file", expect(HIDDEN, **OF_A1)),
]

# POST-only: in WRITE_TABLE below and test_views.py
COVERED_ELSEWHERE = {"study_session_done"}


def _objects(cast: Cast) -> dict[str, Any]:
    today = timezone.localdate()
    session = self_study(cast)
    file = StudyFile.objects.create(
        session=session,
        file=ContentFile(b"%PDF-1.4 reading", name="reading.pdf"),
        original_name="学习材料.pdf",
        size=16,
        content_type="application/pdf",
    )
    plan = services.plan_create(
        actor=cast.users["school_admin"],
        org=cast.branch_a1,
        kind="annual",
        title="年度学习计划",
        starts_on=today.replace(month=1, day=1),
        ends_on=today.replace(month=12, day=31),
        hours_target=Decimal("20"),
    )
    return {"session": session, "plan": plan, "file": file, "_": dt}


CASES = [(name, arg, role, table[role]) for name, arg, table in TABLE for role in ROLES]


@pytest.mark.parametrize(("name", "arg", "role", "status"), CASES)
def test_page_access(cast: Cast, name: str, arg: str | None, role: str, status: int) -> None:
    objects = _objects(cast)
    url = reverse(name, args=[objects[arg].pk]) if arg else reverse(name)
    response = cast.client(role).get(url)
    assert response.status_code == status, f"{role} GET {name}({arg})"
    if status == LOGIN:
        assert response["Location"].startswith(reverse("login"))


WRITE_TABLE: list[WriteRow] = [
    ("study_plan_new", None, expect(FORBIDDEN, **READERS)),
    ("study_session_new", None, expect(FORBIDDEN, **READERS)),
    # only a member of the branch marks a self-study item done (others: 403 or unseen 404)
    (
        "study_session_done",
        "session",
        expect(
            HIDDEN,
            member_a=REDIRECT,
            school_admin=FORBIDDEN,
            unit_a_admin=FORBIDDEN,
            branch_secretary=FORBIDDEN,
        ),
    ),
]

WRITES_COVERED_ELSEWHERE: dict[str, str] = {}


@pytest.mark.parametrize(("name", "arg", "expected", "data"), write_cases(WRITE_TABLE))
def test_write_access(
    cast: Cast, name: str, arg: str | None, expected: dict[str, int], data: dict[str, Any]
) -> None:
    objects = _objects(cast)
    url = reverse(name, args=[objects[arg].pk]) if arg else reverse(name)
    assert_writes(cast, url, expected, data)
