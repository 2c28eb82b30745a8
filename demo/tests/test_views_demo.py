"""Every page a demo login can reach by following links answers without a server error.

The demo is what a new user meets first (`make run`, on SQLite): this walks it as each demo
role, from the home page through every same-site link two clicks deep, and fails on any 5xx.
It runs on PostgreSQL and again on SQLite with the other page tests (by its file name)."""

import re
from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.test import Client

from conftest import rows_from_data_migrations

HREF = re.compile(r'href="(/[^"#]*)')
# Signing out ends the walk; the API's docs page is a third-party page; files are not pages.
SKIP = re.compile(r"^/(logout/|api/docs|media/|static/)|\.(ics|xlsx|docx|zip|json)$")
MOST_PAGES = 120  # per role: enough for every menu entry and the objects they list


@pytest.fixture(scope="module")
def seeded(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    with django_db_blocker.unblock(), transaction.atomic():
        rows_from_data_migrations()  # the compliance rules `make run`'s migrate installs
        call_command("seed_demo", stdout=StringIO())
        yield
        transaction.set_rollback(True)


def _walk(client: Client) -> dict[str, int]:
    """Breadth-first from the home page, two links deep: path → status."""
    seen: dict[str, int] = {}
    frontier = ["/"]
    for _depth in range(3):
        found: list[str] = []
        for path in frontier:
            if path in seen or len(seen) >= MOST_PAGES:
                continue
            response = client.get(path)
            seen[path] = response.status_code
            if response.status_code == 200 and "text/html" in response.get("Content-Type", ""):
                body = response.content.decode()
                found += [h.replace("&amp;", "&") for h in HREF.findall(body)]
        frontier = [p for p in dict.fromkeys(found) if p not in seen and not SKIP.search(p)]
    return seen


@pytest.mark.parametrize(
    "username", ["zzb", "jsj_admin", "jx_admin", "zhibu", "fangkong", "pingshen", "dangyuan"]
)
def test_no_demo_page_reached_by_links_fails(seeded: None, db: Any, username: str) -> None:
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))

    statuses = _walk(client)

    assert len(statuses) > 5
    assert {path: s for path, s in statuses.items() if s >= 500} == {}
    assert statuses["/"] == 200


@pytest.mark.parametrize(("username", "children"), [("zzb", "二级党委"), ("jsj_admin", "党支部")])
def test_admins_homes_show_a_populated_dashboard(
    seeded: None, db: Any, username: str, children: str
) -> None:
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))

    response = client.get("/")

    board = response.context["board"]
    filled = {t.kind.key for t in board.tiles if t.total}
    assert {"members", "duty_scheduled", "coverage", "compliance"} <= filled, filled
    assert len(filled) >= 5, filled
    assert response.context["rows"]
    assert children in response.content.decode()
    # the unit's numbers open its own lists: the first child's members
    first = response.context["rows"][0]["cells"][0]
    assert client.get(first.url).status_code == 200
