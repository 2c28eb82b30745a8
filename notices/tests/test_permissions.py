"""Every notices page, for every role of the cast: allowed, refused (403) or hidden (404)."""

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
from notices.models import RobotKind, RobotWebhook
from notices.services import notify

ROBOT_ADMINS = {"school_admin": OK, "unit_a_admin": OK, "unit_b_admin": OK}
# unit A's robot: 组织部 and unit A's admin; those who see unit A but may not edit it are
# refused, the rest cannot tell it exists
ROBOT_A = expect(
    HIDDEN, school_admin=OK, unit_a_admin=OK, duty_office=FORBIDDEN, reviewer=FORBIDDEN
)

TABLE: list[tuple[str, str | None, dict[str, int]]] = [
    ("notice_list", None, expect(OK)),
    ("notice_settings", None, expect(OK)),
    ("robot_list", None, expect(FORBIDDEN, **ROBOT_ADMINS)),
    ("robot_new", None, expect(FORBIDDEN, **ROBOT_ADMINS)),
    ("robot_detail", "robot_a", ROBOT_A),
]

# POST-only routes are in WRITE_TABLE below.
COVERED_ELSEWHERE = {
    "notice_read",
    "notice_read_all",
    "robot_retry",
    "robot_test",
    "api:notice_list",
    "api:notice_read",
    "api:notice_read_all",
}


def _objects(cast: Cast) -> dict[str, Any]:
    [notice] = notify(user_ids=[cast.users["member_a"].pk], kind="test.kind", title="甲")
    robot = RobotWebhook.objects.create(
        org=cast.unit_a,
        kind=RobotKind.WECOM,
        name="计算机学院群",
        url="http://127.0.0.1:9/cgi-bin/webhook/send?key=abc",
    )
    return {"notice_a": notice, "robot_a": robot}


CASES = [(name, arg, role, table[role]) for name, arg, table in TABLE for role in ROLES]


@pytest.mark.parametrize(("name", "arg", "role", "status"), CASES)
def test_page_access(cast: Cast, name: str, arg: str | None, role: str, status: int) -> None:
    objects = _objects(cast)
    url = reverse(name, args=[objects[arg].pk]) if arg else reverse(name)
    response = cast.client(role).get(url)
    assert response.status_code == status, f"{role} GET {name}({arg})"
    if status == LOGIN:
        assert response["Location"].startswith(reverse("login"))


def _allowed(table: dict[str, int], status: int) -> dict[str, int]:
    return {role: status if got == OK else got for role, got in table.items()}


WRITE_TABLE: list[WriteRow] = [
    # a notice is its recipient's alone
    ("notice_read", "notice_a", expect(HIDDEN, member_a=REDIRECT)),
    ("notice_read_all", None, expect(REDIRECT)),
    ("notice_settings", None, expect(REDIRECT)),
    # an empty form is shown again with its reasons
    ("robot_new", None, expect(FORBIDDEN, **ROBOT_ADMINS)),
    ("robot_detail", "robot_a", ROBOT_A),
    ("robot_retry", "robot_a", _allowed(ROBOT_A, REDIRECT)),
    # the robot's address is unreachable here: the failure is reported on its page
    ("robot_test", "robot_a", _allowed(ROBOT_A, REDIRECT)),
]


WRITES_COVERED_ELSEWHERE = {
    "api:notice_read": "notices/tests/test_api.py::test_only_the_recipient_marks_a_notice_read",
    "api:notice_read_all": "notices/tests/test_api.py::test_read_all_marks_only_ones_own",
}


@pytest.mark.parametrize(("name", "arg", "expected", "data"), write_cases(WRITE_TABLE))
def test_write_access(
    cast: Cast, name: str, arg: str | None, expected: dict[str, int], data: dict[str, Any]
) -> None:
    objects = _objects(cast)
    url = reverse(name, args=[objects[arg].pk]) if arg else reverse(name)
    assert_writes(cast, url, expected, data)
