"""数据看板 in a real browser: 组织部 drills from the school down to a branch and its member
list, and the charts draw from the static script without breaking the CSP."""

from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from conftest import Cast, sign_in
from dashboard.tests.helpers import Spread, seed

pytestmark = pytest.mark.browser


def test_school_admin_drills_from_the_school_to_a_branchs_member_list(
    cast: Cast, live_server: Any, page: Page, transactional_db: Any
) -> None:
    seed(cast, {"branch_a1": Spread(members=2, talks=2, shifts=2), "branch_b1": Spread()})
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    sign_in(page, live_server.url, "school_admin")

    page.goto(f"{live_server.url}{reverse('dashboard')}")
    expect(page.locator("h2")).to_contain_text("示范大学党委")
    expect(page.locator("#dashboard-bars canvas")).to_have_count(1)  # ECharts drew
    page.locator("#dashboard-children").get_by_role("link", name="计算机学院党委").click()

    expect(page.locator("h2")).to_contain_text("计算机学院党委")
    rows = page.locator("#dashboard-children tbody tr")
    expect(rows).to_have_count(2)
    page.locator("#dashboard-children").get_by_role("link", name="计算机教工第一党支部").click()

    expect(page.locator("h2")).to_contain_text("计算机教工第一党支部")
    coverage = page.locator('.tile[data-tile="coverage"] a.tile-total')
    expect(coverage).to_have_text("66.7%")  # the two seeded talked with, not member_a
    coverage.click()
    expect(page.locator("#coverage-rate")).to_have_text("66.7%")
    expect(page.locator("#coverage-covered")).to_have_text("已谈话 2 人")
    page.go_back()
    members = page.locator('.tile[data-tile="members"] a.tile-total')
    expect(members).to_have_text("3")  # member_a and the two seeded
    members.click()

    expect(page).to_have_url(
        f"{live_server.url}{reverse('member_list')}?branch={cast.branch_a1.pk}"
    )
    expect(page.locator("#member-count")).to_contain_text("共 3 人")
    expect(page.locator("body")).to_contain_text("张三")
    assert not [p for p in problems if "Content Security Policy" in p or "Refused" in p], problems
