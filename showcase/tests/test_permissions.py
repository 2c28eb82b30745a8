"""The showcase is public: every role, and visitors who are not signed in, read it."""

import pytest
from django.urls import reverse

from conftest import HIDDEN, OK, ROLES, Cast
from showcase.tests.helpers import stories

PUBLIC = {role: OK for role in ROLES}
TABLE: list[tuple[str, str | None, dict[str, int]]] = [
    ("showcase_home", None, PUBLIC),
    ("showcase_honours", None, PUBLIC),
    ("showcase_feed_rss", None, PUBLIC),
    ("showcase_feed_atom", None, PUBLIC),
    ("showcase_submission", "published", PUBLIC),
    ("showcase_submission", "hidden", {role: HIDDEN for role in ROLES}),
]
COVERED_ELSEWHERE: set[str] = set()
CASES = [(name, arg, role, table[role]) for name, arg, table in TABLE for role in ROLES]


@pytest.mark.parametrize(("name", "arg", "role", "status"), CASES)
def test_page_access(cast: Cast, name: str, arg: str | None, role: str, status: int) -> None:
    published, hidden = stories(cast)
    objects = {"published": published, "hidden": hidden}
    url = reverse(name, args=[objects[arg].pk]) if arg else reverse(name)
    assert cast.client(role).get(url).status_code == status
