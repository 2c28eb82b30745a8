"""Every page and export, and every write, for every role of the cast: allowed, refused (403)
or hidden (404).

Each app keeps its tables in `<app>/tests/test_permissions*.py`:
- GET: a TABLE of url names and a COVERED_ELSEWHERE set; test_every_url_is_in_a_table fails
  until a new URL is in one.
- POST: a WRITE_TABLE (rows as in TABLE, with optional POST data; see conftest.assert_writes)
  and a WRITES_COVERED_ELSEWHERE {url name: "app/tests/test_x.py::test_name"};
  test_every_write_route_is_in_a_write_table fails until every route that accepts POST (found
  from the URL resolver and the views' code) is in one, and each named test exists.
"""

import ast
import importlib
import inspect
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.urls import URLPattern, get_resolver, reverse

from access.models import ApiToken, Grant, hash_token
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
from members.models import ImportBatch

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


def _permission_modules() -> Iterator[Any]:
    """Every app's tests/test_permissions*.py module."""
    for app in apps.get_app_configs():
        for path in sorted(Path(app.path).glob("tests/test_permissions*.py")):
            yield importlib.import_module(f"{app.name}.tests.{path.stem}")


def _tabled_names() -> set[str]:
    """URL names in every app's tests/test_permissions*.py (TABLE rows, COVERED_ELSEWHERE)."""
    names: set[str] = set()
    for module in _permission_modules():
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


# --- every write route, for every role: the POST tables ------------------------------------

# What a view (or a helper of this project it calls, three calls deep) says when it handles POST.
READ_ONLY_MARKERS = ("@require_safe", "@require_GET")
POST_MARKERS = ("request.POST", "request.method", "require_POST", "require_http_methods", '"POST"')
PROJECT_APPS = {
    app.name for app in apps.get_app_configs() if app.path.startswith(str(settings.BASE_DIR))
}


def _mentions_post(func: Callable[..., Any], depth: int, seen: set[Any]) -> bool:
    if func in seen:
        return False
    seen.add(func)
    try:
        source = textwrap.dedent(inspect.getsource(func))
    except (OSError, TypeError):
        return False
    if any(marker in source for marker in READ_ONLY_MARKERS):
        return False  # the decorator refuses POST before the view runs
    if any(marker in source for marker in POST_MARKERS):
        return True
    if depth == 0:
        return False
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            callee = getattr(func, "__globals__", {}).get(node.func.id)
            if (
                inspect.isfunction(callee)
                and callee.__module__.split(".")[0] in PROJECT_APPS
                and _mentions_post(inspect.unwrap(callee), depth - 1, seen)
            ):
                return True
    return False


def _accepts_post(view: Any) -> bool:
    if hasattr(view, "view_class"):
        return hasattr(view.view_class, "post")
    return _mentions_post(inspect.unwrap(view), 3, set())


def _patterns(patterns: list[Any], namespace: str = "") -> Iterator[tuple[str, URLPattern]]:
    for p in patterns:
        if hasattr(p, "url_patterns"):
            inner = f"{p.namespace}:" if getattr(p, "namespace", None) else namespace
            yield from _patterns(p.url_patterns, inner)
        elif p.name:
            yield f"{namespace}{p.name}", p


def _api_operations_write(view: Any) -> bool:
    """A django-ninja path view (its wrapper holds it) with an operation that is not a read."""
    if not inspect.isfunction(view):
        return False  # the schema and docs pages (partials)
    path_view = inspect.getclosurevars(view).nonlocals.get("self")
    operations = getattr(path_view, "operations", [])
    return any(set(op.methods) - {"GET", "HEAD", "OPTIONS"} for op in operations)


def write_routes() -> set[str]:
    """Every URL name whose view accepts POST (the API's as "api:<name>")."""
    return {
        name
        for name, p in _patterns(get_resolver().url_patterns)
        if (
            _api_operations_write(p.callback)
            if name.startswith("api:")
            else _accepts_post(p.callback)
        )
    }


def test_write_routes_are_found() -> None:
    # The finder sees decorators, helpers and class-based views, and leaves plain pages alone.
    found = write_routes()
    assert {"grant_revoke", "member_move", "zone_new", "login", "roster_edit"} <= found
    assert "api:submission_transition" in found
    assert not {"member_list", "audit_list", "campaign_board", "my_shifts"} & found


def test_every_write_route_is_in_a_write_table() -> None:
    tabled: set[str] = set()
    elsewhere: dict[str, str] = {}
    for module in _permission_modules():
        tabled |= {row[0] for row in getattr(module, "WRITE_TABLE", [])}
        elsewhere |= getattr(module, "WRITES_COVERED_ELSEWHERE", {})

    missing = write_routes() - tabled - set(elsewhere)
    assert not missing, f"add these write routes to a WRITE_TABLE: {sorted(missing)}"
    for name, test in elsewhere.items():
        path, _, func = test.partition("::")
        module = importlib.import_module(path.removesuffix(".py").replace("/", "."))
        assert callable(getattr(module, func, None)), f"{name}: no test {test}"


WRITE_ADMINS = {"school_admin": OK, "unit_a_admin": OK}
NOT_ORG_ADMINS = {"duty_office": FORBIDDEN, "reviewer": FORBIDDEN}
MEMBER_A_STAFF_ONLY = {
    "unit_b_admin": HIDDEN,
    "duty_office": FORBIDDEN,
    "reviewer": HIDDEN,
    "member_a": FORBIDDEN,
}

# (url name, object key or None, expected status per role[, POST data]); objects from
# _write_objects below. An empty POST reaches the permission check; allowed roles then get
# the form again (200), an error (400) or the redirect after the action (302).
WRITE_TABLE: list[WriteRow] = [
    ("grant_list", None, expect(FORBIDDEN, school_admin=OK, unit_a_admin=OK, unit_b_admin=OK)),
    # unit B's admin may give up their own grant; unit A's admin does not see it (404)
    (
        "grant_revoke",
        "grant_b",
        expect(FORBIDDEN, school_admin=REDIRECT, unit_b_admin=REDIRECT, unit_a_admin=HIDDEN),
    ),
    ("token_list", None, expect(OK)),
    ("token_revoke", "token_a", expect(HIDDEN, member_a=REDIRECT)),
    ("logout", None, expect(REDIRECT)),
    ("password_change", None, expect(OK)),
    ("org_edit", "unit_a", expect(HIDDEN, **WRITE_ADMINS, **NOT_ORG_ADMINS)),
    ("org_add_child", "unit_a", expect(HIDDEN, **WRITE_ADMINS, **NOT_ORG_ADMINS)),
    ("org_move", "branch_a2", expect(HIDDEN, **WRITE_ADMINS, **NOT_ORG_ADMINS)),
    (
        "org_delete",
        "branch_a2",
        expect(HIDDEN, school_admin=REDIRECT, unit_a_admin=REDIRECT, **NOT_ORG_ADMINS),
    ),
    ("campus_list", None, expect(FORBIDDEN, school_admin=OK)),
    ("campus_edit", "campus", expect(FORBIDDEN, school_admin=OK)),
    ("member_new", None, expect(OK, duty_office=FORBIDDEN, reviewer=FORBIDDEN, member_a=FORBIDDEN)),
    (
        "member_edit",
        "member_a",
        expect(OK, unit_b_admin=HIDDEN, duty_office=FORBIDDEN, reviewer=HIDDEN),
    ),
    (
        "member_edit",
        "member_b",
        expect(HIDDEN, school_admin=OK, unit_b_admin=OK, duty_office=FORBIDDEN),
    ),
    ("member_move", "member_a", expect(OK, **MEMBER_A_STAFF_ONLY)),
    ("member_status", "member_a", expect(OK, **MEMBER_A_STAFF_ONLY)),
    (
        "member_whereabouts",
        "member_a",
        expect(OK, unit_b_admin=HIDDEN, duty_office=FORBIDDEN, reviewer=HIDDEN),
    ),
    ("member_import", None, expect(FORBIDDEN, school_admin=OK, unit_a_admin=OK, unit_b_admin=OK)),
    # the batch is unit A's admin's own; other importers cannot tell it exists
    (
        "member_import_apply",
        "batch_a",
        expect(FORBIDDEN, school_admin=HIDDEN, unit_a_admin=REDIRECT, unit_b_admin=HIDDEN),
    ),
]

ACCOUNT_POSTS = "access/tests/test_accounts.py::test_member_account_posts_for_every_role"
BULK_ACCOUNT_POSTS = "access/tests/test_accounts.py::test_bulk_account_posts_for_every_role"

WRITES_COVERED_ELSEWHERE: dict[str, str] = {
    "login": "access/tests/test_security.py::test_repeated_failed_logins_lock_the_account",
    # every role, on a login made in the test (the cast's own logins hold grants)
    "member_account_reset": ACCOUNT_POSTS,
    "member_account_link": ACCOUNT_POSTS,
    "member_account_deactivate": ACCOUNT_POSTS,
    "member_account_activate": ACCOUNT_POSTS,
    "account_create": BULK_ACCOUNT_POSTS,
    "account_reissue": BULK_ACCOUNT_POSTS,
    # anonymous, with a one-time token made in the test
    "password_set": (
        "access/tests/test_accounts.py::test_a_one_time_link_sets_the_members_own_password_once"
    ),
}


def _write_objects(cast: Cast) -> dict[str, Any]:
    key = ApiToken.new_key()
    token = ApiToken.objects.create(
        user=cast.users["member_a"], name="测试", key_hash=hash_token(key), prefix=key[:8]
    )
    batch = ImportBatch.objects.create(created_by=cast.users["unit_a_admin"], filename="名册.xlsx")
    return {
        "grant_b": Grant.objects.get(user=cast.users["unit_b_admin"]),
        "token_a": token,
        "batch_a": batch,
        "campus": cast.unit_a.campus,
        **{name: getattr(cast, name) for name in ("school", "unit_a", "unit_b", "branch_a1")},
        **{name: getattr(cast, name) for name in ("branch_a2", "branch_b1", "member_a")},
        **{name: getattr(cast, name) for name in ("member_b", "other_a", "other_b")},
    }


@pytest.mark.parametrize(("name", "arg", "expected", "data"), write_cases(WRITE_TABLE))
def test_write_access(
    cast: Cast, name: str, arg: str | None, expected: dict[str, int], data: dict[str, Any]
) -> None:
    objects = _write_objects(cast)
    url = reverse(name, args=[objects[arg].pk]) if arg else reverse(name)
    assert_writes(cast, url, expected, data)
