"""The layout in Chromium: the menu stays on one line at 1024 px and folds away on a 390 px
phone; a list page's table scrolls sideways inside the page, not the page itself.

Screenshots go to $SCREENSHOT_DIR when it is set (to look at them), else to a temporary folder.
"""

import os
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from conftest import Cast, sign_in
from home.tests.conftest import pledge_for, shift_soon

pytestmark = pytest.mark.browser


def _shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _top_level_rows(page: Page) -> int:
    """How many lines the navbar's top-level links take."""
    tops = page.eval_on_selector_all(
        "#mainnav > ul > li > .nav-link",
        "els => els.map(e => Math.round(e.getBoundingClientRect().top))",
    )
    return len(set(tops))


@pytest.mark.parametrize("who", ["school_admin", "unit_a_admin", "member_a"])
def test_menu_fits_one_line_at_1024_and_folds_on_a_phone(
    cast: Cast, live_server: Any, page: Page, tmp_path: Path, transactional_db: Any, who: str
) -> None:
    shift_soon(cast)
    pledge_for(cast, "unit_a")
    base = live_server.url
    shots = _shots(tmp_path)

    page.set_viewport_size({"width": 1024, "height": 768})
    sign_in(page, base, who)
    expect(page.locator("#mainnav")).to_be_visible()
    assert _top_level_rows(page) == 1
    page.screenshot(path=str(shots / f"home-{who}-1024.png"), full_page=True)
    page.locator("#mainnav .dropdown-toggle", has_text="先锋岗与值守").click()
    expect(page.locator(".dropdown-menu.show")).to_be_visible()
    page.screenshot(path=str(shots / f"menu-{who}-1024.png"))

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/")
    expect(page.locator("#mainnav")).to_be_hidden()
    expect(page.locator(".navbar-toggler")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(shots / f"home-{who}-390.png"), full_page=True)
    page.locator(".navbar-toggler").click()
    expect(page.locator("#mainnav")).to_be_visible()
    page.locator("#mainnav .dropdown-toggle", has_text="先锋岗与值守").click()
    expect(page.locator(".collapsing")).to_have_count(0)
    page.screenshot(path=str(shots / f"menu-{who}-390.png"), full_page=True)
    page.locator(".dropdown-menu.show").get_by_role("link", name="值守签到").click()
    expect(page).to_have_url(f"{base}/duty/")
    page.screenshot(path=str(shots / f"duty-{who}-390.png"), full_page=True)


def test_menu_keeps_one_line_at_1024_with_eight_areas(
    cast: Cast,
    live_server: Any,
    page: Page,
    tmp_path: Path,
    transactional_db: Any,
    monkeypatch: Any,
) -> None:
    """Room for the areas still to come (组织生活, 请示报告, 门岗, 考核与关爱)."""
    from access import context_processors

    groups = context_processors.NAV_GROUPS
    present = {label for label, _ in groups}
    coming = [
        (label, [("示例", "home", lambda user: True)])
        for label in ("组织生活", "请示报告", "门岗", "考核与关爱")
        if label not in present  # an area that has landed is already in the menu
    ]
    monkeypatch.setattr(context_processors, "NAV_GROUPS", [*groups[:1], *coming, *groups[1:]])
    page.set_viewport_size({"width": 1024, "height": 768})

    sign_in(page, live_server.url, "school_admin")

    assert page.locator("#mainnav .dropdown-toggle").count() == 9  # eight areas and the user
    assert _top_level_rows(page) == 1
    page.screenshot(path=str(_shots(tmp_path) / "menu-eight-areas-1024.png"))


def test_list_table_scrolls_sideways_on_a_phone(
    cast: Cast, live_server: Any, page: Page, tmp_path: Path, transactional_db: Any
) -> None:
    base = live_server.url
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, base, "school_admin")

    page.goto(f"{base}/members/")

    table = page.locator("main table.table").first
    expect(table).to_be_visible()
    expect(page.locator("main .table-responsive table.table").first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(_shots(tmp_path) / "members-school_admin-390.png"), full_page=True)


def test_material_types_read_as_one_labelled_row(
    cast: Cast, live_server: Any, page: Page, tmp_path: Path, transactional_db: Any
) -> None:
    from campaigns.services import campaign_create

    campaign = campaign_create(
        actor=cast.users["school_admin"], org=cast.school, name="「四个一」行动", year=2020
    )
    page.set_viewport_size({"width": 1024, "height": 768})
    sign_in(page, live_server.url, "school_admin")

    page.goto(f"{live_server.url}/campaigns/{campaign.pk}/deliverables/new/")

    group = page.get_by_role("group", name="允许的素材类型")
    expect(group).to_be_visible()
    boxes = group.get_by_role("checkbox")
    assert boxes.count() == 5
    tops = {round(boxes.nth(i).bounding_box()["y"]) for i in range(5)}  # type: ignore[index]
    assert len(tops) == 1
    group.get_by_label("视频").check()
    expect(group.get_by_label("视频")).to_be_checked()
    group.screenshot(path=str(_shots(tmp_path) / "deliverable-material-types.png"))
