"""Every talks page, for every role of the cast: allowed, refused (403) or hidden (404).

The objects: a talk with member_a (branch A1) given by other_a; a deliberation of branch A1."""

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
from talks import services
from talks.models import Deliberation, Talk
from talks.tests.helpers import talk

READERS = {"school_admin": OK, "unit_a_admin": OK, "unit_b_admin": OK, "branch_secretary": OK}
OF_A1 = {
    "school_admin": OK,
    "unit_a_admin": OK,
    "branch_secretary": OK,
    "member_a": OK,
}

TABLE: list[tuple[str, str | None, dict[str, int]]] = [
    ("talk_list", None, expect(FORBIDDEN, member_a=OK, **READERS)),
    ("talk_new", None, expect(FORBIDDEN, **READERS)),
    ("talk_people", None, expect(FORBIDDEN, **READERS)),
    ("talk_coverage", None, expect(FORBIDDEN, **READERS)),
    ("talk_coverage_export", None, expect(FORBIDDEN, **READERS)),
    # the member talked with sees that it happened (not the notes: test_scope.py)
    ("talk_detail", "talk", expect(HIDDEN, **OF_A1)),
    ("member_talks", "member_a", expect(HIDDEN, duty_office=FORBIDDEN, **OF_A1)),
    ("deliberation_list", None, expect(FORBIDDEN, member_a=OK, **READERS)),
    ("deliberation_new", None, expect(FORBIDDEN, **READERS)),
    ("deliberation_detail", "deliberation", expect(HIDDEN, **OF_A1)),
]

# POST-only; refused below, allowed in test_views.py.
COVERED_ELSEWHERE = {"talk_follow_up", "deliberation_state"}


def _objects(cast: Cast) -> dict[str, Any]:
    return {
        "talk": talk(cast, cast.member_a, talker=cast.other_a, follow_up_in=1),
        "member_a": cast.member_a,
        "deliberation": services.deliberation_record(
            actor=cast.users["school_admin"],
            branch=cast.branch_a1,
            held_on=timezone.localdate(),
            topic="复学复教预案",
            discussion="讨论",
            decision="通过",
        ),
    }


CASES = [(name, arg, role, table[role]) for name, arg, table in TABLE for role in ROLES]


@pytest.mark.parametrize(("name", "arg", "role", "status"), CASES)
def test_page_access(cast: Cast, name: str, arg: str | None, role: str, status: int) -> None:
    objects = _objects(cast)
    url = reverse(name, args=[objects[arg].pk]) if arg else reverse(name)
    response = cast.client(role).get(url)
    assert response.status_code == status, f"{role} GET {name}({arg})"
    if status == LOGIN:
        assert response["Location"].startswith(reverse("login"))


WRITES = [
    ("talk_follow_up", "talk", "unit_b_admin", HIDDEN),
    ("talk_follow_up", "talk", "duty_office", HIDDEN),
    ("talk_follow_up", "talk", "member_a", FORBIDDEN),
    ("talk_follow_up", "talk", "member_b", HIDDEN),
    ("deliberation_state", "deliberation", "unit_b_admin", HIDDEN),
    ("deliberation_state", "deliberation", "member_a", FORBIDDEN),
    ("deliberation_state", "deliberation", "reviewer", HIDDEN),
    ("talk_new", None, "member_a", FORBIDDEN),
    ("talk_new", None, "duty_office", FORBIDDEN),
    ("deliberation_new", None, "member_a", FORBIDDEN),
]


@pytest.mark.parametrize(("name", "arg", "role", "status"), WRITES)
def test_refused_writes_change_nothing(
    cast: Cast, name: str, arg: str | None, role: str, status: int
) -> None:
    objects = _objects(cast)
    before = (AuditEvent.objects.count(), Talk.objects.count(), Deliberation.objects.count())
    url = reverse(name, args=[objects[arg].pk]) if arg else reverse(name)
    response = cast.client(role).post(
        url,
        {
            "followed_up_on": str(timezone.localdate()),
            "state": "done",
            "member": "A0001",
            "talked_on": str(timezone.localdate()),
            "method": "phone",
            "thoughts": "x",
            "branch": cast.branch_a1.pk,
            "held_on": str(timezone.localdate()),
            "topic": "x",
            "discussion": "x",
        },
    )
    assert response.status_code == status
    after = (AuditEvent.objects.count(), Talk.objects.count(), Deliberation.objects.count())
    assert after == before
    assert not Talk.objects.filter(followed_up_on__isnull=False).exists()
    assert not Deliberation.objects.filter(state="done").exists()


# --- every write route, for every role (see access/tests/test_permissions.py) --------------

A1_STAFF_DID = {"school_admin": REDIRECT, "unit_a_admin": REDIRECT, "branch_secretary": REDIRECT}
WRITERS = {"school_admin": OK, "unit_a_admin": OK, "unit_b_admin": OK, "branch_secretary": OK}

# (url name, object, expected status per role); an empty POST reaches the permission check and
# allowed roles get the form back with its errors. Each role's POST is rolled back.
WRITE_TABLE: list[WriteRow] = [
    ("talk_new", None, expect(FORBIDDEN, **WRITERS)),
    ("deliberation_new", None, expect(FORBIDDEN, **WRITERS)),
    # POST-only: the allowed go back to the talk or the register, with the form's reason
    ("talk_follow_up", "talk", expect(HIDDEN, member_a=FORBIDDEN, **A1_STAFF_DID)),
    ("deliberation_state", "deliberation", expect(HIDDEN, member_a=FORBIDDEN, **A1_STAFF_DID)),
]

WRITES_COVERED_ELSEWHERE = {
    "api:talk_list": "talks/tests/test_api.py::test_bad_or_refused_records_write_nothing",
    "api:talk_record": "talks/tests/test_api.py::test_bad_or_refused_records_write_nothing",
}


@pytest.mark.parametrize(("name", "arg", "expected", "data"), write_cases(WRITE_TABLE))
def test_write_access(
    cast: Cast, name: str, arg: str | None, expected: dict[str, int], data: dict[str, Any]
) -> None:
    objects = _objects(cast)
    url = reverse(name, args=[objects[arg].pk]) if arg else reverse(name)
    assert_writes(cast, url, expected, data)
