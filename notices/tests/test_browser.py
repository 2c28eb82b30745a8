"""The notice centre in a real browser: a branch secretary on a phone follows the home page's
urgent row, marks a notice read in place (the count in the navigation bar follows), then
opens another notice at its link."""

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from conftest import Cast, sign_in
from notices.models import Notice
from notices.services import notify

pytestmark = pytest.mark.browser


def test_secretary_reads_notices_on_a_phone(
    cast: Cast, live_server: Any, page: Page, transactional_db: Any
) -> None:
    uid = cast.users["branch_secretary"].pk
    notify(user_ids=[uid], kind="meeting.due", title="本期尚未完成的规定会议", url="/meetings/")
    notify(user_ids=[uid], kind="situation.raised", title="紧急情况报告待确认", urgent=True)
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server.url, "branch_secretary")
    expect(page.locator("#nav-notice-count")).to_contain_text("2")

    page.get_by_role("link", name="未读的紧急通知").click()
    urgent = page.locator("li", has_text="紧急情况报告待确认")
    expect(urgent).to_contain_text("紧急")
    urgent.get_by_role("button", name="标为已读").click()
    expect(urgent.get_by_role("button", name="标为已读")).to_have_count(0)
    expect(page.locator("#nav-notice-count")).to_contain_text("1")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page.goto(f"{live_server.url}/notices/")
    page.locator("li", has_text="本期尚未完成的规定会议").get_by_role("button", name="查看").click()
    expect(page).to_have_url(f"{live_server.url}/meetings/")
    assert not Notice.objects.filter(read_at__isnull=True).exists()
    expect(page.locator("#nav-notice-count")).not_to_contain_text("1")
