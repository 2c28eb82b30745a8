"""Every page and export, for every role of the cast: allowed, refused (403) or hidden (404).

Each app keeps its table in `<app>/tests/test_permissions.py` (a TABLE of url names and a
COVERED_ELSEWHERE set); test_every_url_is_in_a_table fails until a new URL is in one.
"""

import importlib
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.urls import get_resolver, reverse

from conftest import FORBIDDEN, HIDDEN, LOGIN, OK, ROLES, Cast, expect

# (url name, args from the cast, expected status per role)
TABLE: list[tuple[str, str | None, dict[str, int]]] = [
    ("home", None, expect(OK)),
    ("token_list", None, expect(OK)),
    ("password_change", None, expect(OK)),
    ("org_tree", None, expect(OK, member_a=FORBIDDEN)),
    (
        "org_detail",
        "unit_a",
        expect(OK, unit_b_admin=HIDDEN, branch_secretary=HIDDEN, member_a=HIDDEN),
    ),
    (
        "org_detail",
        "unit_b",
        expect(OK, unit_a_admin=HIDDEN, branch_secretary=HIDDEN, member_a=HIDDEN),
    ),
    (
        "org_edit",
        "unit_a",
        expect(
            FORBIDDEN,
            school_admin=OK,
            unit_a_admin=OK,
            unit_b_admin=HIDDEN,
            branch_secretary=HIDDEN,
            member_a=HIDDEN,
        ),
    ),
    (
        "org_add_child",
        "unit_a",
        expect(
            FORBIDDEN,
            school_admin=OK,
            unit_a_admin=OK,
            unit_b_admin=HIDDEN,
            branch_secretary=HIDDEN,
            member_a=HIDDEN,
        ),
    ),
    (
        "org_move",
        "branch_a2",
        expect(
            FORBIDDEN,
            school_admin=OK,
            unit_a_admin=OK,
            unit_b_admin=HIDDEN,
            branch_secretary=HIDDEN,
            member_a=HIDDEN,
        ),
    ),
    ("campus_list", None, expect(FORBIDDEN, school_admin=OK)),
    ("campus_edit", "campus", expect(FORBIDDEN, school_admin=OK)),
    ("member_list", None, expect(OK, reviewer=FORBIDDEN, member_a=FORBIDDEN)),
    ("member_export", None, expect(OK, reviewer=FORBIDDEN, member_a=FORBIDDEN)),
    (
        "member_new",
        None,
        expect(FORBIDDEN, school_admin=OK, unit_a_admin=OK, unit_b_admin=OK, branch_secretary=OK),
    ),
    ("member_detail", "member_a", expect(OK, unit_b_admin=HIDDEN, reviewer=HIDDEN)),
    (
        "member_detail",
        "member_b",
        expect(OK, unit_a_admin=HIDDEN, branch_secretary=HIDDEN, reviewer=HIDDEN, member_a=HIDDEN),
    ),
    (
        "member_detail",
        "other_a",
        expect(OK, unit_b_admin=HIDDEN, branch_secretary=HIDDEN, reviewer=HIDDEN, member_a=HIDDEN),
    ),
    (
        "member_edit",
        "member_a",
        expect(OK, unit_b_admin=HIDDEN, duty_office=FORBIDDEN, reviewer=HIDDEN),
    ),
    (
        "member_edit",
        "member_b",
        expect(
            OK,
            unit_a_admin=HIDDEN,
            branch_secretary=HIDDEN,
            duty_office=FORBIDDEN,
            reviewer=HIDDEN,
            member_a=HIDDEN,
        ),
    ),
    (
        "member_whereabouts",
        "member_a",
        expect(OK, unit_b_admin=HIDDEN, duty_office=FORBIDDEN, reviewer=HIDDEN),
    ),
    (
        "member_status",
        "member_a",
        expect(OK, unit_b_admin=HIDDEN, duty_office=FORBIDDEN, reviewer=HIDDEN, member_a=FORBIDDEN),
    ),
    (
        "member_move",
        "member_a",
        expect(OK, unit_b_admin=HIDDEN, duty_office=FORBIDDEN, reviewer=HIDDEN, member_a=FORBIDDEN),
    ),
    (
        "member_status",
        "other_b",
        expect(
            OK,
            unit_a_admin=HIDDEN,
            branch_secretary=HIDDEN,
            duty_office=FORBIDDEN,
            reviewer=HIDDEN,
            member_a=HIDDEN,
        ),
    ),
    ("member_import", None, expect(FORBIDDEN, school_admin=OK, unit_a_admin=OK, unit_b_admin=OK)),
    (
        "member_import_template",
        None,
        expect(FORBIDDEN, school_admin=OK, unit_a_admin=OK, unit_b_admin=OK),
    ),
    ("grant_list", None, expect(FORBIDDEN, school_admin=OK, unit_a_admin=OK, unit_b_admin=OK)),
    ("grant_people", None, expect(FORBIDDEN, school_admin=OK, unit_a_admin=OK, unit_b_admin=OK)),
    ("account_list", None, expect(FORBIDDEN, school_admin=OK, unit_a_admin=OK, unit_b_admin=OK)),
    (
        "member_account",
        "member_a",
        expect(FORBIDDEN, school_admin=OK, unit_a_admin=OK, unit_b_admin=HIDDEN, reviewer=HIDDEN),
    ),
    (
        "member_account",
        "member_b",
        expect(
            FORBIDDEN,
            school_admin=OK,
            unit_a_admin=HIDDEN,
            unit_b_admin=OK,
            branch_secretary=HIDDEN,
            reviewer=HIDDEN,
            member_a=HIDDEN,
        ),
    ),
    ("audit_list", None, expect(FORBIDDEN, school_admin=OK)),
]

# URL names covered elsewhere: POST-only actions, per-object import pages, auth, the API.
COVERED_ELSEWHERE = {
    "login",
    "logout",
    "grant_revoke",
    "token_revoke",
    "org_delete",
    "member_import_preview",
    "member_import_apply",
    # POST-only, each role in access/tests/test_accounts.py (test_*_posts_for_every_role)
    "account_create",
    "account_reissue",
    "member_account_reset",
    "member_account_link",
    "password_set",  # a one-time link, anonymous by design: test_accounts.py
    "member_account_deactivate",
    "member_account_activate",
}


def _url(cast: Cast, name: str, arg: str | None) -> str:
    if arg is None:
        return reverse(name)
    obj: Any = getattr(cast, arg) if arg != "campus" else cast.unit_a.campus
    return reverse(name, args=[obj.pk])


CASES = [(name, arg, role, table[role]) for name, arg, table in TABLE for role in ROLES]


@pytest.mark.parametrize(("name", "arg", "role", "status"), CASES)
def test_page_access(cast: Cast, name: str, arg: str | None, role: str, status: int) -> None:
    response = cast.client(role).get(_url(cast, name, arg))
    assert response.status_code == status, f"{role} GET {name}({arg})"
    if status == LOGIN:
        assert response["Location"].startswith(reverse("login"))


def _page_url_names(patterns: list[Any]) -> set[str]:
    """Names of every page URL; the API (namespace "api") has its own table in api/tests."""
    names: set[str] = set()
    for p in patterns:
        if hasattr(p, "url_patterns"):
            if getattr(p, "namespace", None) != "api":
                names |= _page_url_names(p.url_patterns)
        elif p.name:
            names.add(p.name)
    return names


def _tabled_names() -> set[str]:
    """URL names in every app's tests/test_permissions*.py (TABLE rows, COVERED_ELSEWHERE)."""
    names: set[str] = set()
    for app in apps.get_app_configs():
        for path in sorted(Path(app.path).glob("tests/test_permissions*.py")):
            module = importlib.import_module(f"{app.name}.tests.{path.stem}")
            names |= {row[0] for row in getattr(module, "TABLE", [])}
            names |= set(getattr(module, "COVERED_ELSEWHERE", ()))
    return names


def test_every_url_is_in_a_table() -> None:
    missing = _page_url_names(get_resolver().url_patterns) - _tabled_names()
    assert not missing, f"add these URLs to a permission table: {sorted(missing)}"


# --- writes: a refused POST changes nothing ------------------------------------------------

WRITES = [
    ("member_edit", "member_b", "unit_a_admin", HIDDEN),
    ("member_edit", "member_b", "member_a", HIDDEN),
    ("member_status", "member_a", "member_a", FORBIDDEN),
    ("member_status", "member_a", "duty_office", FORBIDDEN),
    ("member_move", "other_b", "branch_secretary", HIDDEN),
    ("org_edit", "unit_b", "unit_a_admin", HIDDEN),
    ("org_add_child", "unit_b", "unit_a_admin", HIDDEN),
    ("org_delete", "branch_b1", "unit_a_admin", HIDDEN),
    ("org_delete", "branch_a2", "reviewer", FORBIDDEN),
]


@pytest.mark.parametrize(("name", "arg", "role", "status"), WRITES)
def test_refused_write_changes_nothing(
    cast: Cast, name: str, arg: str, role: str, status: int
) -> None:
    from audit.models import AuditEvent

    before = AuditEvent.objects.count()
    response = cast.client(role).post(
        _url(cast, name, arg), {"name": "篡改", "to_status": "masses", "changed_on": "2020-02-23"}
    )
    assert response.status_code == status
    assert AuditEvent.objects.count() == before
