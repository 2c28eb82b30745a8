"""Every 报备 page, for every role of the cast: allowed, refused (403) or hidden (404).

The objects: 组织部's health form and a school-wide daily schedule of it; member_a's report
(branch A1); member_a."""

import datetime as dt
from typing import Any

import pytest
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
from reports import services
from reports.tests.helpers import HEALTHY, schedule

VIEWERS = {"school_admin": OK, "unit_a_admin": OK, "unit_b_admin": OK, "branch_secretary": OK}
MANAGERS = {"school_admin": OK, "unit_a_admin": OK, "unit_b_admin": OK}
OF_A1 = {"school_admin": OK, "unit_a_admin": OK, "branch_secretary": OK, "member_a": OK}

TABLE: list[tuple[str, str | None, dict[str, int]]] = [
    ("report_mine", None, expect(FORBIDDEN, member_a=OK)),
    ("report_fill", "schedule", expect(FORBIDDEN, member_a=OK)),
    ("report_detail", "report", expect(HIDDEN, **OF_A1)),
    ("member_reports", "member_a", expect(HIDDEN, **OF_A1)),
    ("report_overdue", None, expect(FORBIDDEN, **VIEWERS)),
    ("report_overdue_export", None, expect(FORBIDDEN, **VIEWERS)),
    ("report_form_list", None, expect(FORBIDDEN, **MANAGERS)),
    ("report_form_new", None, expect(FORBIDDEN, **MANAGERS)),
    # a unit sees 组织部's form (to schedule it for the unit) but may not change it
    ("report_form_detail", "form", expect(FORBIDDEN, **MANAGERS)),
    (
        "report_form_edit",
        "form",
        expect(HIDDEN, school_admin=OK, unit_a_admin=FORBIDDEN, unit_b_admin=FORBIDDEN),
    ),
    ("report_schedule_list", None, expect(FORBIDDEN, **VIEWERS)),
    ("report_schedule_new", None, expect(FORBIDDEN, **MANAGERS)),
]

# POST-only; in WRITE_TABLE below.
COVERED_ELSEWHERE = {"report_form_ready_made", "report_schedule_stop"}


def _objects(cast: Cast) -> dict[str, Any]:
    sched = schedule(cast)
    report, _ = services.report_submit(
        actor=cast.users["member_a"],
        member=cast.member_a,
        schedule=sched,
        period=timezone.localdate() - dt.timedelta(days=1),
        answers=HEALTHY,
    )
    return {"schedule": sched, "form": sched.form, "report": report, "member_a": cast.member_a}


CASES = [(name, arg, role, table[role]) for name, arg, table in TABLE for role in ROLES]


@pytest.mark.parametrize(("name", "arg", "role", "status"), CASES)
def test_page_access(cast: Cast, name: str, arg: str | None, role: str, status: int) -> None:
    objects = _objects(cast)
    url = reverse(name, args=[objects[arg].pk]) if arg else reverse(name)
    response = cast.client(role).get(url)
    assert response.status_code == status, f"{role} GET {name}({arg})"
    if status == LOGIN:
        assert response["Location"].startswith(reverse("login"))


STOPPERS = {"school_admin": REDIRECT}
MANAGE_POST = {"school_admin": OK, "unit_a_admin": OK, "unit_b_admin": OK}

# (url name, object, expected status per role[, data]); each role's POST is rolled back.
# An empty POST to a form page gets the form back (200) with its errors.
WRITE_TABLE: list[WriteRow] = [
    ("report_fill", "schedule", expect(FORBIDDEN, member_a=OK)),
    ("report_form_new", None, expect(FORBIDDEN, **MANAGE_POST)),
    (
        "report_form_edit",
        "form",
        expect(HIDDEN, school_admin=OK, unit_a_admin=FORBIDDEN, unit_b_admin=FORBIDDEN),
    ),
    ("report_schedule_new", None, expect(FORBIDDEN, **MANAGE_POST)),
    (
        "report_form_ready_made",
        None,
        expect(FORBIDDEN, school_admin=REDIRECT, unit_a_admin=REDIRECT, unit_b_admin=REDIRECT),
    ),
    (
        "report_schedule_stop",
        "schedule",
        expect(
            HIDDEN,
            school_admin=REDIRECT,
            unit_a_admin=FORBIDDEN,
            unit_b_admin=FORBIDDEN,
            branch_secretary=FORBIDDEN,
        ),
    ),
]
WRITES_COVERED_ELSEWHERE = {
    "api:report_submit": "reports/tests/test_api.py::test_submit_is_for_the_member_only",
}


def _write_url(name: str, obj: Any) -> str:
    return reverse(name, args=[obj.pk]) if obj is not None else reverse(name)


@pytest.mark.parametrize(("name", "arg", "expected", "data"), write_cases(WRITE_TABLE))
def test_write_access(
    cast: Cast, name: str, arg: str | None, expected: dict[str, int], data: dict[str, Any]
) -> None:
    objects = _objects(cast)
    assert_writes(cast, _write_url(name, objects[arg] if arg else None), expected, data)
