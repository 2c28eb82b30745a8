"""The fixed cast every test can use.

示范大学党委 (school)
├── 计算机学院党委 (unit A) ── 计算机教工第一党支部 (branch A1), 计算机学生党支部 (branch A2)
└── 化学学院党委 (unit B) ──── 化学教工党支部 (branch B1)

school_admin (组织部), unit_a_admin, unit_b_admin, branch_secretary (of A1), duty_office,
reviewer, member_a (in A1, with a login), member_b (in B1, with a login).
"""

import importlib
import os
import shutil
import tempfile
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect as page_expect

from access.models import Grant, Role
from members.models import Member
from members.tests.factories import MemberFactory, UserFactory
from orgs.models import Org, OrgKind
from orgs.tests.factories import CampusFactory, make_org, make_school

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
PASSWORD = "Test-password-123"


def pytest_configure(config: Any) -> None:
    from django.conf import settings

    # Hashing a password the secure way costs ~0.2 s; the cast has eight users per test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Uploaded and generated files go to a directory of this process (each xdist worker has
    # its own), never to the developer's media/.
    media = Path(tempfile.mkdtemp(prefix="test-media-"))
    settings.MEDIA_ROOT = media
    config.add_cleanup(lambda: shutil.rmtree(media, ignore_errors=True))


# The page and permission tests also run on SQLite, the demo's database (`make test` runs
# `-m pages` without DATABASE_URL). A new file whose name matches is included by itself.
PAGE_TEST_FILES = ("test_views*.py", "test_permissions*.py", "test_api*.py")


def pytest_collection_modifyitems(config: Any, items: list[pytest.Item]) -> None:
    for item in items:
        path = Path(str(item.path))
        if (
            item.get_closest_marker("browser") is None
            and path.parent.name == "tests"
            and any(fnmatch(path.name, pattern) for pattern in PAGE_TEST_FILES)
        ):
            item.add_marker(pytest.mark.pages)


@dataclass
class Cast:
    school: Org
    unit_a: Org
    unit_b: Org
    branch_a1: Org
    branch_a2: Org
    branch_b1: Org
    users: dict[str, Any]
    member_a: Member
    member_b: Member
    other_a: Member
    other_b: Member

    def client(self, who: str) -> Client:
        client = Client()
        if who != "anonymous":
            client.force_login(self.users[who])
        return client


# Expected outcomes in permission tables.
OK, LOGIN, FORBIDDEN, HIDDEN = 200, 302, 403, 404
# In write tables: the action ran (or was turned away with a message) and redirected.
REDIRECT = 302
# In write tables: the input was refused with a reason (an empty POST to an action).
BAD_REQUEST = 400

ROLES = [
    "anonymous",
    "school_admin",
    "unit_a_admin",
    "unit_b_admin",
    "branch_secretary",
    "duty_office",
    "reviewer",
    "member_a",
]


def expect(default: int, **by_role: int) -> dict[str, int]:
    """A permission-table row: `default` for every signed-in role unless named; anonymous
    visitors are always sent to the login page."""
    table = {r: default for r in ROLES}
    table.update(by_role)
    table["anonymous"] = LOGIN
    return table


# --- POST permission tables ----------------------------------------------------------------
# Every route that accepts POST has a row in some app's tests/test_permissions*.py WRITE_TABLE:
# (url name, object key or None, expected status per role[, POST data]), or an entry in its
# WRITES_COVERED_ELSEWHERE {url name: "path/to/test_file.py::test_name"}.
# access/tests/test_permissions.py fails until each write route is in one of them.
WriteRow = (
    tuple[str, str | None, dict[str, int]] | tuple[str, str | None, dict[str, int], dict[str, Any]]
)


def write_cases(table: list[WriteRow]) -> list[Any]:
    """Parameters (name, arg, expected, data) for a test over a WRITE_TABLE, one per row."""
    return [
        pytest.param(
            row[0], row[1], row[2], row[3] if len(row) > 3 else {}, id=f"{row[0]}-{row[1]}"
        )
        for row in table
    ]


def assert_writes(cast: Cast, url: str, expected: dict[str, int], data: dict[str, Any]) -> None:
    """POST `data` to `url` as every role of the cast, each in a savepoint rolled back after it:
    every role gets its expected status, and a refused POST (anonymous, 403, 404) leaves no
    audit row. API urls (/api/...) get the data as JSON."""
    from audit.models import AuditEvent

    got: dict[str, int] = {}
    refused_but_wrote: list[str] = []
    as_json = url.startswith("/api/")
    for role in ROLES:
        with transaction.atomic():
            before = AuditEvent.objects.count()
            client = cast.client(role)
            if as_json:
                response = client.post(url, data, content_type="application/json")
            else:
                response = client.post(url, data)
            got[role] = response.status_code
            if role == "anonymous" and response.status_code == LOGIN:
                assert response["Location"].startswith(reverse("login")), url
            refused = role == "anonymous" or response.status_code in (FORBIDDEN, HIDDEN)
            if refused and AuditEvent.objects.count() != before:
                refused_but_wrote.append(role)
            transaction.set_rollback(True)
    assert got == expected, f"POST {url}: got {got}"
    assert not refused_but_wrote, f"POST {url}: refused but wrote an audit row: {refused_but_wrote}"


# Rows that data migrations install (model, migration module, its forward function). A test
# that flushed the database (transaction=True) took them away from the tests after it on the
# same worker, so the cast puts them back when they are missing.
SEEDED_BY_MIGRATIONS = [
    (
        "meetings.ComplianceRule",
        "meetings.migrations.0002_default_compliance_rules",
        "add_defaults",
    ),
    ("development.IntervalRule", "development.migrations.0002_default_interval_rules", "add"),
]


def rows_from_data_migrations() -> None:
    """Put back the rows the data migrations install (a flushing test on this worker may have
    removed them), so a test sees the database a fresh `migrate` makes."""
    from django.apps import apps

    for model, module, forward in SEEDED_BY_MIGRATIONS:
        if not apps.get_model(model).objects.exists():
            getattr(importlib.import_module(module), forward)(apps, None)


@pytest.fixture
def cast(db: Any) -> Cast:
    rows_from_data_migrations()
    campus = CampusFactory(name="主校区")
    school = make_school()
    unit_a = make_org(school, "计算机学院党委", OrgKind.UNIT_COMMITTEE, campus=campus)
    unit_b = make_org(school, "化学学院党委", OrgKind.UNIT_COMMITTEE, campus=campus)
    branch_a1 = make_org(unit_a, "计算机教工第一党支部", OrgKind.BRANCH)
    branch_a2 = make_org(unit_a, "计算机学生党支部", OrgKind.BRANCH)
    branch_b1 = make_org(unit_b, "化学教工党支部", OrgKind.BRANCH)
    school.refresh_from_db()
    unit_a.refresh_from_db()
    unit_b.refresh_from_db()

    users = {
        name: UserFactory.create(username=name)
        for name in [
            "school_admin",
            "unit_a_admin",
            "unit_b_admin",
            "branch_secretary",
            "duty_office",
            "reviewer",
            "member_a",
            "member_b",
        ]
    }
    for username, org, role in [
        ("school_admin", school, Role.SCHOOL_ADMIN),
        ("unit_a_admin", unit_a, Role.UNIT_ADMIN),
        ("unit_b_admin", unit_b, Role.UNIT_ADMIN),
        ("branch_secretary", branch_a1, Role.BRANCH_SECRETARY),
        ("duty_office", school, Role.DUTY_OFFICE),
        ("reviewer", school, Role.REVIEWER),
    ]:
        Grant.objects.create(user=users[username], org=org, role=role)

    member_a = MemberFactory.create(
        name="张三",
        number="A0001",
        branch=branch_a1,
        user=users["member_a"],
        phone="13800000001",
        id_number="11010519491231002X",
        campus=campus,
    )
    member_b = MemberFactory.create(
        name="李四",
        number="B0001",
        branch=branch_b1,
        user=users["member_b"],
        phone="13900000001",
        campus=campus,
    )
    other_a = MemberFactory.create(
        name="王五", number="A0002", branch=branch_a2, phone="13800000002"
    )
    other_b = MemberFactory.create(
        name="赵六", number="B0002", branch=branch_b1, phone="13900000002"
    )
    return Cast(
        school=school,
        unit_a=unit_a,
        unit_b=unit_b,
        branch_a1=branch_a1,
        branch_a2=branch_a2,
        branch_b1=branch_b1,
        users=users,
        member_a=member_a,
        member_b=member_b,
        other_a=other_a,
        other_b=other_b,
    )


# --- browser tests: Playwright drives Debian's Chromium -----------------------------------

# CI runs on two shared cores: give pages time before an expectation fails.
page_expect.set_options(timeout=15_000)

# Background tasks run inside the request in browser tests that need their result at once.
IMMEDIATE_TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
        "QUEUES": ["default"],
    }
}


def sign_in(page: Any, base: str, username: str) -> None:
    """Sign in through the login page as one of the cast (signing out whoever was in)."""
    # Leave the previous page first, so none of its polling requests lands after the cookies
    # are cleared (a stale cookie then fails the login form's CSRF check).
    page.goto("about:blank")
    page.context.clear_cookies()
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page_expect(page).to_have_url(f"{base}/")


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict[str, Any]:
    return {
        "executable_path": "/usr/bin/chromium",
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "locale": "zh-CN", "viewport": {"width": 1280, "height": 900}}
