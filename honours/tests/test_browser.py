"""表彰评比 in a real browser: a unit admin, on a phone, nominates a member of the unit for
优秀共产党员 and ticks the shift the member checked in to as evidence."""

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from conftest import Cast, sign_in
from honours.models import Nomination
from honours.tests.helpers import make_round, shift_checked_in

pytestmark = pytest.mark.browser


def test_unit_nominates_a_member_with_evidence_on_a_phone(
    cast: Cast, live_server: Any, page: Page, transactional_db: Any
) -> None:
    check = shift_checked_in(cast)
    r = make_round(cast)
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server.url, "unit_a_admin")

    page.goto(f"{live_server.url}/honours/")
    page.get_by_role("link", name="优秀共产党员").click()
    expect(page.locator("#round-stage")).to_have_text("推荐中")
    page.locator("#nominate-link").click()
    page.fill("#id_member", "A0001")
    page.fill("#id_reason", "疫情期间坚守北门值守岗位，测温登记一丝不苟")
    page.get_by_role("button", name="提交").click()

    expect(page.locator(".alert-success")).to_contain_text("已推荐张三")
    page.get_by_label("北门值班值守岗", exact=False).check()
    page.get_by_role("button", name="附上所选材料").click()

    expect(page.locator(".alert-success")).to_contain_text("已附 1 条佐证材料")
    expect(page.locator("#evidence-rows")).to_contain_text("北门值班值守岗")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    n = Nomination.objects.get(round=r)
    assert list(n.evidence.values_list("kind", "object_id")) == [("duty", check.pk)]
