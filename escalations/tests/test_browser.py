"""情况报告 in a real browser: a member on a phone reports a 特急 matter to the branch; nobody
at the branch acknowledges it within its (short) limit; the worker's sweep raises it; the unit
finds it on its home to-do list and desk, with its notice, and acknowledges it."""

import time
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from conftest import Cast, sign_in
from escalations import services
from escalations.models import Escalation, EscalationState
from notices.models import Notice

pytestmark = pytest.mark.browser


def test_an_unread_report_rises_to_the_unit_which_acknowledges_it(
    cast: Cast, live_server: Any, page: Page, transactional_db: Any, settings: Any
) -> None:
    settings.ESCALATION_LIMITS = {"critical": 2}
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server.url, "member_a")
    page.goto(f"{live_server.url}/escalations/new/")
    page.select_option("#id_reporter", "member")
    page.select_option("#id_category", "epidemic")
    page.select_option("#id_urgency", "critical")
    page.fill("#id_title", "宿舍楼出现发热学生")
    page.fill("#id_body", "同楼层一名同学体温 38.5 ℃，已送发热门诊。")
    page.get_by_role("button", name="报送").click()
    expect(page.locator(".alert-success")).to_contain_text("已报送计算机教工第一党支部")
    expect(page.locator("#escalation-current")).to_contain_text("计算机教工第一党支部")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    e = Escalation.objects.get()

    # nobody at the branch reads it; past its limit the worker's sweep raises it
    time.sleep(2.5)
    assert services.escalations_sweep() == 1
    assert Notice.objects.filter(
        recipient=cast.users["unit_a_admin"], kind="situation.risen"
    ).exists()

    sign_in(page, live_server.url, "unit_a_admin")
    page.get_by_role("link", name="待确认已阅的情况报告").click()
    row = page.locator("#escalation-rows tbody tr").first
    expect(row).to_contain_text("宿舍楼出现发热学生")
    expect(row).to_contain_text("已上报 1 级")
    row.get_by_role("link", name="宿舍楼出现发热学生").click()
    expect(page.locator("#escalation-timeline")).to_contain_text("超时未阅，上报 · 计算机学院党委")
    page.get_by_role("button", name="确认已阅").click()
    expect(page.locator(".alert-success")).to_contain_text("已确认已阅")
    expect(page.locator("#escalation-state")).to_have_text("已阅")
    e.refresh_from_db()
    assert e.state == EscalationState.ACKNOWLEDGED and e.acknowledged_org == cast.unit_a
