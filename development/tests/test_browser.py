"""The development pipeline in a real browser: a branch secretary on a phone goes from the
home to-do row to the due list, opens an applicant's file, names the 培养联系人 and makes them
an 入党积极分子; a date that breaks the interval rules is refused with the rule."""

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from conftest import Cast, sign_in
from development.models import Candidate, DevelopmentStage
from development.tests.helpers import applicant
from members.models import PoliticalStatus
from members.tests.factories import MemberFactory

pytestmark = pytest.mark.browser


def test_secretary_makes_an_applicant_an_activist_on_a_phone(
    cast: Cast, live_server: Any, page: Page, transactional_db: Any
) -> None:
    today = timezone.localdate()
    c = applicant(cast, today - dt.timedelta(days=70), name="周申请", number="A0100")
    MemberFactory.create(name="吴联系", number="A0101", branch=cast.branch_a1)
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server.url, "branch_secretary")

    page.get_by_role("link", name="本月可进入下一阶段的发展对象").click()
    row = page.locator("#due-rows tbody tr").first
    expect(row).to_contain_text("周申请")
    expect(row).to_contain_text("入党积极分子")
    row.get_by_role("link", name="周申请").click()

    expect(page.locator("#stage")).to_have_text("入党申请人")
    page.locator("summary", has_text="填写培养考察信息").click()
    page.fill("#id_contact_1", "A0101")
    page.get_by_role("button", name="保存").first.click()
    expect(page.locator(".alert-success")).to_contain_text("已保存培养考察信息")
    expect(page.locator("#details")).to_contain_text("吴联系")

    page.locator("#advance").click()
    page.fill("#id_on", str(today + dt.timedelta(days=3)))
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".alert-danger")).to_contain_text("日期不能晚于今天")
    page.fill("#id_on", str(today))
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".alert-success")).to_contain_text("周申请已成为入党积极分子")
    expect(page.locator("#stage")).to_have_text("入党积极分子")
    expect(page.locator("#steps")).to_contain_text("入党积极分子")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    c.refresh_from_db()
    assert c.stage == DevelopmentStage.ACTIVIST
    assert c.member.political_status == PoliticalStatus.ACTIVIST
    assert Candidate.objects.count() == 1
