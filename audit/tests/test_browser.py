"""The audit log in a real browser on a phone: filter by action kind, read sentences, page back."""

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from audit.services import audit_record
from conftest import Cast, sign_in
from members import services as members

pytestmark = pytest.mark.browser


def test_admin_filters_and_pages_the_log_on_a_phone(
    cast: Cast, live_server: Any, page: Page, transactional_db: Any
) -> None:
    admin = cast.users["school_admin"]
    members.member_update(actor=admin, member=cast.member_a, phone="13900000009")
    for n in range(60):
        audit_record(actor=None, action="roster.import", changes={"n": n})
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server.url, "school_admin")

    page.goto(f"{live_server.url}/audit/")
    expect(page.locator(".audit-sentence")).to_have_count(50)
    page.locator("#audit-older").click()
    expect(page.locator(".audit-sentence")).to_have_count(11)
    expect(page.locator("#audit-lines")).to_contain_text("系统 导入了值班表的排班结果（0 人次）")
    expect(page.locator("#audit-lines")).to_contain_text(
        "组织部管理员 school_admin 修改了党员 张三（A0001）：手机号 13800000001 → 13900000009"
    )

    page.goto(f"{live_server.url}/audit/")
    page.get_by_label("操作", exact=True).select_option(label="修改党员")
    expect(page.locator(".audit-sentence")).to_have_count(1)
    expect(page.locator("#audit-lines")).not_to_contain_text("member.update")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
