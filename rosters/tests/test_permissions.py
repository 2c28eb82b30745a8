"""Every rosters page, for every role of the cast: allowed, refused (403) or hidden (404)."""

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
from rosters.models import Assignment, Phase, Post, PostKind, PostLevel, Roster, SwapRequest
from rosters.tests.conftest import Small

MANAGERS = {"school_admin": OK, "unit_a_admin": OK, "unit_b_admin": OK, "duty_office": OK}
SCHOOL = {"school_admin": OK, "duty_office": OK}

TABLE: list[tuple[str, str | None, dict[str, int]]] = [
    ("rosters_home", None, expect(OK)),
    ("post_list", None, expect(FORBIDDEN, **MANAGERS)),
    ("post_new", None, expect(FORBIDDEN, **MANAGERS)),
    ("post_edit", "post", expect(FORBIDDEN, **SCHOOL)),
    (
        "post_edit",
        "unit_post",
        expect(
            FORBIDDEN,
            school_admin=OK,
            unit_a_admin=OK,
            unit_b_admin=HIDDEN,
            duty_office=OK,
            branch_secretary=FORBIDDEN,
        ),
    ),
    ("phase_new", None, expect(FORBIDDEN, **MANAGERS)),
    ("phase_detail", "phase", expect(OK)),
    ("phase_detail", "unit_phase", expect(OK, unit_b_admin=HIDDEN)),
    ("phase_edit", "phase", expect(FORBIDDEN, **SCHOOL)),
    (
        "phase_edit",
        "unit_phase",
        expect(FORBIDDEN, school_admin=OK, unit_a_admin=OK, unit_b_admin=HIDDEN, duty_office=OK),
    ),
    ("signup_form", "phase", expect(FORBIDDEN, member_a=OK)),
    ("signup_form", "unit_phase", expect(FORBIDDEN, member_a=OK, unit_b_admin=HIDDEN)),
    ("signup_list", "phase", expect(OK, reviewer=FORBIDDEN, member_a=FORBIDDEN)),
    ("signup_export", "phase", expect(OK, reviewer=FORBIDDEN, member_a=FORBIDDEN)),
    ("allocation_page", "phase", expect(FORBIDDEN, **MANAGERS)),
    ("roster_detail", "roster", expect(HIDDEN, **SCHOOL)),
    ("roster_detail", "unit_roster", expect(HIDDEN, unit_a_admin=OK, **SCHOOL)),
    ("roster_status", "roster", expect(HIDDEN, **SCHOOL)),
    ("roster_print", "roster", expect(HIDDEN, **SCHOOL)),
    ("roster_export", "roster", expect(HIDDEN, **SCHOOL)),
    ("roster_export", "unit_roster", expect(HIDDEN, unit_a_admin=OK, **SCHOOL)),
    ("roster_problem", "roster", expect(HIDDEN, **SCHOOL)),
    # GET asks first and says what the action will change.
    ("roster_solve", "roster", expect(HIDDEN, **SCHOOL)),
    ("roster_solve", "unit_roster", expect(HIDDEN, unit_a_admin=OK, **SCHOOL)),
    ("roster_publish", "roster", expect(HIDDEN, **SCHOOL)),
    ("roster_delete", "roster", expect(HIDDEN, **SCHOOL)),
    ("roster_delete", "unit_roster", expect(HIDDEN, unit_a_admin=OK, **SCHOOL)),
    ("swap_list", None, expect(FORBIDDEN, **MANAGERS)),
    ("my_shifts", None, expect(FORBIDDEN, member_a=OK)),
    ("swap_request", "assignment", expect(HIDDEN, member_a=OK)),
]

# POST-only actions (tested in test_views.py) and the login-free calendar feed. The POSTs of
# roster_solve, roster_publish and roster_delete are refused below and allowed in test_views.py.
COVERED_ELSEWHERE = {
    "signup_recommend",
    "allocation_remove",
    "roster_create",
    "roster_stop",
    "roster_settings",
    "roster_edit",
    "roster_import",
    "swap_decide",
    "feed_regenerate",
    "calendar_feed",
}


def _objects(cast: Cast, small: Small) -> dict[str, Any]:
    unit_post = Post.objects.create(
        name="楼栋", kind=PostKind.BUILDING, level=PostLevel.UNIT, org=cast.unit_a, headcount=1
    )
    unit_phase = Phase.objects.create(
        name="院级", org=cast.unit_a, starts_on=small.phase.starts_on, ends_on=small.phase.ends_on
    )
    unit_phase.posts.set([unit_post])
    unit_roster = Roster.objects.create(phase=unit_phase, org=cast.unit_a)
    Roster.objects.filter(pk=small.roster.pk).update(state=Roster.State.PUBLISHED)
    assignment = Assignment.objects.create(
        roster=small.roster,
        post=small.post,
        date=timezone.localdate() + dt.timedelta(days=1),
        slot="08–14",
        member=cast.member_a,
    )
    return {
        "post": small.post,
        "unit_post": unit_post,
        "phase": small.phase,
        "unit_phase": unit_phase,
        "roster": small.roster,
        "unit_roster": unit_roster,
        "assignment": assignment,
    }


CASES = [(name, arg, role, table[role]) for name, arg, table in TABLE for role in ROLES]


@pytest.mark.parametrize(("name", "arg", "role", "status"), CASES)
def test_page_access(
    cast: Cast, small: Small, name: str, arg: str | None, role: str, status: int
) -> None:
    objects = _objects(cast, small)
    url = reverse(name, args=[objects[arg].pk]) if arg else reverse(name)
    response = cast.client(role).get(url)
    assert response.status_code == status, f"{role} GET {name}({arg})"
    if status == LOGIN:
        assert response["Location"].startswith(reverse("login"))


WRITES = [
    ("roster_edit", "roster", "unit_a_admin", HIDDEN),
    ("roster_solve", "unit_roster", "unit_b_admin", HIDDEN),
    ("roster_publish", "roster", "member_a", HIDDEN),
    ("roster_delete", "roster", "unit_a_admin", HIDDEN),
    ("roster_delete", "roster", "branch_secretary", HIDDEN),
    ("roster_delete", "roster", "reviewer", HIDDEN),
    ("roster_delete", "roster", "member_a", HIDDEN),
    ("roster_delete", "unit_roster", "unit_b_admin", HIDDEN),
    ("roster_create", "phase", "unit_a_admin", FORBIDDEN),
    ("signup_recommend", "signup_b", "unit_a_admin", HIDDEN),
    ("signup_recommend", "signup_a", "branch_secretary", FORBIDDEN),
]


@pytest.mark.parametrize(("name", "arg", "role", "status"), WRITES)
def test_refused_writes_change_nothing(
    cast: Cast, small: Small, name: str, arg: str, role: str, status: int
) -> None:
    objects = _objects(cast, small)
    objects["signup_a"] = small.phase.signups.get(member=cast.member_a)
    objects["signup_b"] = small.phase.signups.get(member=cast.member_b)
    versions = dict(Roster.objects.values_list("pk", "version"))
    assignments = Assignment.objects.count()
    response = cast.client(role).post(reverse(name, args=[objects[arg].pk]), {"op": "x"})
    assert response.status_code == status
    assert dict(Roster.objects.values_list("pk", "version")) == versions
    assert Assignment.objects.count() == assignments


# --- every write route, for every role (see access/tests/test_permissions.py) --------------


def _write_objects(cast: Cast, small: Small) -> dict[str, Any]:
    objects = _objects(cast, small)
    objects["signup_a"] = small.phase.signups.get(member=cast.member_a)
    objects["allocation_a"] = small.phase.allocations.get(member=cast.member_a)
    objects["swap_a"] = SwapRequest.objects.create(
        assignment=objects["assignment"], requested_by=cast.member_a, reason="家中有事"
    )
    return objects


NOT_DUTY_STAFF = {"branch_secretary": FORBIDDEN, "reviewer": FORBIDDEN, "member_a": FORBIDDEN}
SCHOOL_DID = {"school_admin": REDIRECT, "duty_office": REDIRECT}

# (url name, object, expected status per role[, POST data]); each role's POST is rolled back.
WRITE_TABLE: list[WriteRow] = [
    ("post_new", None, expect(OK, **NOT_DUTY_STAFF)),
    ("post_edit", "post", expect(FORBIDDEN, **SCHOOL)),
    ("post_edit", "unit_post", expect(OK, unit_b_admin=HIDDEN, **NOT_DUTY_STAFF)),
    ("phase_new", None, expect(OK, **NOT_DUTY_STAFF)),
    ("phase_edit", "phase", expect(FORBIDDEN, **SCHOOL)),
    ("signup_form", "phase", expect(FORBIDDEN, member_a=OK)),
    # Those who allocate the school post find no candidate in an empty POST (404); units,
    # which allocate none of its posts here, get the page.
    (
        "allocation_page",
        "phase",
        expect(
            FORBIDDEN, school_admin=HIDDEN, duty_office=HIDDEN, unit_a_admin=OK, unit_b_admin=OK
        ),
    ),
    ("roster_create", "phase", expect(FORBIDDEN, **SCHOOL_DID)),
    (
        "signup_recommend",
        "signup_a",
        expect(
            FORBIDDEN,
            school_admin=REDIRECT,
            unit_a_admin=REDIRECT,
            unit_b_admin=HIDDEN,
            reviewer=HIDDEN,
        ),
    ),
    ("allocation_remove", "allocation_a", expect(HIDDEN, **SCHOOL_DID)),
    ("roster_detail", "roster", expect(HIDDEN, **SCHOOL)),
    ("roster_solve", "unit_roster", expect(HIDDEN, unit_a_admin=REDIRECT, **SCHOOL_DID)),
    ("roster_stop", "unit_roster", expect(HIDDEN, unit_a_admin=REDIRECT, **SCHOOL_DID)),
    ("roster_settings", "roster", expect(HIDDEN, **SCHOOL_DID)),
    ("roster_edit", "roster", expect(HIDDEN, **SCHOOL_DID)),
    ("roster_publish", "unit_roster", expect(HIDDEN, unit_a_admin=REDIRECT, **SCHOOL_DID)),
    ("roster_delete", "unit_roster", expect(HIDDEN, unit_a_admin=REDIRECT, **SCHOOL_DID)),
    ("roster_import", "roster", expect(HIDDEN, **SCHOOL_DID)),
    ("swap_decide", "swap_a", expect(HIDDEN, **SCHOOL_DID)),
    ("swap_request", "assignment", expect(HIDDEN, member_a=OK)),
    ("feed_regenerate", None, expect(FORBIDDEN, member_a=REDIRECT)),
]

WRITES_COVERED_ELSEWHERE: dict[str, str] = {}


@pytest.mark.parametrize(("name", "arg", "expected", "data"), write_cases(WRITE_TABLE))
def test_write_access(
    cast: Cast,
    small: Small,
    name: str,
    arg: str | None,
    expected: dict[str, int],
    data: dict[str, Any],
) -> None:
    objects = _write_objects(cast, small)
    url = reverse(name, args=[objects[arg].pk]) if arg else reverse(name)
    assert_writes(cast, url, expected, data)
