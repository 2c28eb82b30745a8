"""Every duty page and export, for every role of the cast: allowed, refused (403), hidden (404)."""

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
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
from duty.models import (
    DutyCheck,
    DutyLog,
    Pledge,
    PledgeSignature,
    ResponsibilityZone,
    Team,
    TeamKind,
    ZoneKind,
)
from duty.tests.helpers import shift_starting

# Rows for objects seen only by their own unit: (everyone else hidden)
ONLY_A = {"unit_b_admin": HIDDEN, "reviewer": HIDDEN}
ONLY_B = {
    "unit_a_admin": HIDDEN,
    "branch_secretary": HIDDEN,
    "reviewer": HIDDEN,
    "member_a": HIDDEN,
}
NO_STATS = {"reviewer": FORBIDDEN, "member_a": FORBIDDEN}
MANAGERS_OF_GROUPS = {"school_admin": OK, "unit_a_admin": OK, "unit_b_admin": OK}

# (url name, object key or None, expected status per role)
TABLE: list[tuple[str, str | None, dict[str, int]]] = [
    ("duty_home", None, expect(OK)),
    ("duty_shift", "shift_a", expect(OK, **ONLY_A)),
    ("duty_shift", "shift_b", expect(OK, **ONLY_B)),
    ("duty_stats", None, expect(OK, **NO_STATS)),
    ("duty_stats_export", None, expect(OK, **NO_STATS)),
    ("pledge_list", None, expect(OK, duty_office=FORBIDDEN, reviewer=FORBIDDEN)),
    ("pledge_new", None, expect(FORBIDDEN, **MANAGERS_OF_GROUPS)),
    ("pledge_detail", "pledge", expect(OK, duty_office=HIDDEN, reviewer=HIDDEN)),
    ("pledge_detail", "pledge_b", expect(OK, duty_office=HIDDEN, **ONLY_B)),
    (
        "pledge_edit",
        "pledge",
        expect(FORBIDDEN, school_admin=OK, duty_office=HIDDEN, reviewer=HIDDEN),
    ),
    ("pledge_edit", "pledge_b", expect(HIDDEN, school_admin=OK, unit_b_admin=OK)),
    (
        "pledge_export",
        "pledge",
        expect(OK, duty_office=HIDDEN, reviewer=HIDDEN, member_a=FORBIDDEN),
    ),
    ("pledge_export", "pledge_b", expect(OK, duty_office=HIDDEN, **ONLY_B)),
    ("zone_list", None, expect(OK, reviewer=FORBIDDEN)),
    ("zone_export", None, expect(OK, reviewer=FORBIDDEN)),
    ("zone_new", None, expect(FORBIDDEN, branch_secretary=OK, **MANAGERS_OF_GROUPS)),
    ("zone_detail", "zone_a", expect(OK, branch_secretary=HIDDEN, **ONLY_A)),
    (
        "zone_edit",
        "zone_a",
        expect(HIDDEN, school_admin=OK, unit_a_admin=OK, duty_office=FORBIDDEN, member_a=FORBIDDEN),
    ),
    ("team_list", None, expect(OK, reviewer=FORBIDDEN)),
    ("team_export", None, expect(OK, reviewer=FORBIDDEN)),
    ("team_new", None, expect(FORBIDDEN, branch_secretary=OK, **MANAGERS_OF_GROUPS)),
    ("team_detail", "team_a1", expect(OK, **ONLY_A)),
    (
        "team_edit",
        "team_a1",
        expect(FORBIDDEN, school_admin=OK, unit_a_admin=OK, branch_secretary=OK, **ONLY_A),
    ),
    ("team_detail", "team_b", expect(OK, **ONLY_B)),
    (
        "team_edit",
        "team_b",
        expect(HIDDEN, school_admin=OK, unit_b_admin=OK, duty_office=FORBIDDEN),
    ),
]

# POST-only actions: refused writes are tested below, allowed ones in test_views.py.
COVERED_ELSEWHERE = {"duty_check_in", "duty_check_out", "duty_log_new", "pledge_sign"}


@pytest.fixture
def objects(cast: Cast) -> dict[str, Any]:
    now = timezone.now()
    shift_a = shift_starting(cast.school, cast.member_a, now - dt.timedelta(minutes=10))
    shift_b = shift_starting(cast.school, cast.member_b, now - dt.timedelta(minutes=10))
    pledge = Pledge.objects.create(title="党员疫情防控承诺书", body="…", org=cast.school)
    pledge_b = Pledge.objects.create(title="化学学院责任状", body="…", org=cast.unit_b)
    zone_a = ResponsibilityZone.objects.create(
        name="计算机学院1号楼", kind=ZoneKind.DORMITORY, org=cast.unit_a
    )
    zone_a.members.set([cast.member_a, cast.other_a])
    team_a1 = Team.objects.create(
        name="教工第一支部突击队", kind=TeamKind.COMMANDO, org=cast.branch_a1, leader=cast.member_a
    )
    team_a1.members.set([cast.member_a])
    team_b = Team.objects.create(
        name="化学学院先锋队", kind=TeamKind.VANGUARD, org=cast.branch_b1, leader=cast.member_b
    )
    team_b.members.set([cast.member_b, cast.other_b])
    return {
        "shift_a": shift_a,
        "shift_b": shift_b,
        "pledge": pledge,
        "pledge_b": pledge_b,
        "zone_a": zone_a,
        "team_a1": team_a1,
        "team_b": team_b,
    }


def _url(objects: dict[str, Any], name: str, key: str | None) -> str:
    return reverse(name) if key is None else reverse(name, args=[objects[key].pk])


CASES = [(name, key, role, table[role]) for name, key, table in TABLE for role in ROLES]


@pytest.mark.parametrize(("name", "key", "role", "status"), CASES)
def test_page_access(
    cast: Cast, objects: dict[str, Any], name: str, key: str | None, role: str, status: int
) -> None:
    response = cast.client(role).get(_url(objects, name, key))
    assert response.status_code == status, f"{role} GET {name}({key})"
    if status == LOGIN:
        assert response["Location"].startswith(reverse("login"))


# --- writes: a refused POST changes nothing ------------------------------------------------

WRITES = [
    ("duty_check_in", "shift_a", "anonymous", LOGIN),
    ("duty_check_in", "shift_a", "school_admin", FORBIDDEN),
    ("duty_check_in", "shift_a", "branch_secretary", FORBIDDEN),
    ("duty_check_in", "shift_a", "unit_b_admin", HIDDEN),
    ("duty_check_in", "shift_a", "reviewer", HIDDEN),
    ("duty_check_in", "shift_b", "member_a", HIDDEN),
    ("duty_check_out", "shift_b", "member_a", HIDDEN),
    ("duty_check_out", "shift_a", "duty_office", FORBIDDEN),
    ("duty_log_new", "shift_a", "unit_a_admin", FORBIDDEN),
    ("duty_log_new", "shift_b", "member_a", HIDDEN),
    ("pledge_sign", "pledge_b", "member_a", HIDDEN),
    ("pledge_sign", "pledge", "school_admin", FORBIDDEN),
    ("pledge_sign", "pledge", "branch_secretary", FORBIDDEN),
    ("pledge_edit", "pledge", "unit_a_admin", FORBIDDEN),
    ("pledge_edit", "pledge_b", "unit_a_admin", HIDDEN),
    ("zone_edit", "zone_a", "unit_b_admin", HIDDEN),
    ("zone_edit", "zone_a", "duty_office", FORBIDDEN),
    ("team_edit", "team_b", "branch_secretary", HIDDEN),
    ("team_edit", "team_b", "duty_office", FORBIDDEN),
]


@pytest.mark.parametrize(("name", "key", "role", "status"), WRITES)
def test_refused_write_changes_nothing(
    cast: Cast, objects: dict[str, Any], name: str, key: str, role: str, status: int
) -> None:
    before = AuditEvent.objects.count()
    response = cast.client(role).post(
        _url(objects, name, key),
        {
            "temperatures_taken": 5,
            "people_registered": 5,
            "signed_name": "张三",
            "confirmed": "on",
            "name": "篡改",
            "title": "篡改",
            "body": "篡改",
        },
    )
    assert response.status_code == status
    assert AuditEvent.objects.count() == before
    assert not DutyCheck.objects.exists()
    assert not DutyLog.objects.exists()
    assert not PledgeSignature.objects.exists()
    assert not Pledge.objects.filter(title="篡改").exists()


# --- every write route, for every role (see access/tests/test_permissions.py) --------------

SHIFT_A_HIDDEN = {"unit_b_admin": HIDDEN, "reviewer": HIDDEN}
NO_GROUPS = {"duty_office": FORBIDDEN, "reviewer": FORBIDDEN, "member_a": FORBIDDEN}

# (url name, object, expected status per role[, POST data]); each role's POST is rolled back.
WRITE_TABLE: list[WriteRow] = [
    # Only the member on the shift checks in and writes its log; others in scope are refused.
    ("duty_check_in", "shift_a", expect(FORBIDDEN, **SHIFT_A_HIDDEN, member_a=REDIRECT)),
    ("duty_check_out", "shift_a", expect(FORBIDDEN, **SHIFT_A_HIDDEN, member_a=REDIRECT)),
    ("duty_log_new", "shift_a", expect(FORBIDDEN, **SHIFT_A_HIDDEN, member_a=OK)),
    ("pledge_new", None, expect(FORBIDDEN, **MANAGERS_OF_GROUPS)),
    (
        "pledge_edit",
        "pledge",
        expect(FORBIDDEN, school_admin=OK, duty_office=HIDDEN, reviewer=HIDDEN),
    ),
    (
        "pledge_sign",
        "pledge",
        expect(FORBIDDEN, duty_office=HIDDEN, reviewer=HIDDEN, member_a=REDIRECT),
        {"signed_name": "张三", "confirmed": "on"},
    ),
    ("zone_new", None, expect(OK, **NO_GROUPS)),
    (
        "zone_edit",
        "zone_a",
        expect(HIDDEN, school_admin=OK, unit_a_admin=OK, duty_office=FORBIDDEN, member_a=FORBIDDEN),
    ),
    ("team_new", None, expect(OK, **NO_GROUPS)),
    (
        "team_edit",
        "team_b",
        expect(HIDDEN, school_admin=OK, unit_b_admin=OK, duty_office=FORBIDDEN),
    ),
]

WRITES_COVERED_ELSEWHERE: dict[str, str] = {}


@pytest.mark.parametrize(("name", "key", "expected", "data"), write_cases(WRITE_TABLE))
def test_write_access(
    cast: Cast,
    objects: dict[str, Any],
    name: str,
    key: str | None,
    expected: dict[str, int],
    data: dict[str, Any],
) -> None:
    assert_writes(cast, _url(objects, name, key), expected, data)
