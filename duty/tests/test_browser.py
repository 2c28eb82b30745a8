"""Duty in a real browser: a member on a phone checks in and writes the log; a manager sees
the person-times figure and its charts drawn by ECharts."""

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from conftest import Cast, sign_in
from duty.models import DutyCheck, DutyLog
from duty.tests.helpers import shift_starting

pytestmark = pytest.mark.browser


def test_member_checks_in_and_writes_the_log_on_a_phone(
    cast: Cast, live_server: Any, page: Page, transactional_db: Any
) -> None:
    shift = shift_starting(cast.school, cast.member_a, timezone.now() - dt.timedelta(minutes=5))
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server.url, "member_a")

    page.goto(f"{live_server.url}/duty/")
    page.locator(f"#shift-{shift.pk}").get_by_role("link", name="查看班次").click()
    page.get_by_role("button", name="签到").click()
    expect(page.locator(".alert-success")).to_contain_text("签到成功")
    expect(page.locator("#checked-in")).to_be_visible()

    page.fill("#id_temperatures_taken", "46")
    page.fill("#id_people_registered", "12")
    page.fill("#id_handover", "测温枪需充电")
    page.get_by_role("button", name="保存日志").click()

    expect(page.locator(".alert-success")).to_contain_text("值班日志已保存")
    expect(page.locator("#logs")).to_contain_text("测温 46 人次")
    assert DutyCheck.objects.filter(assignment=shift).count() == 1
    assert DutyLog.objects.get().handover == "测温枪需充电"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390


def test_manager_sees_the_figure_and_charts(
    cast: Cast, live_server: Any, page: Page, transactional_db: Any
) -> None:
    for member in (cast.member_a, cast.other_a, cast.member_b):
        shift = shift_starting(cast.school, member, timezone.now() - dt.timedelta(hours=1))
        DutyCheck.objects.create(**DutyCheck.shift_fields(shift), checked_in_at=timezone.now())
    sign_in(page, live_server.url, "school_admin")

    page.goto(f"{live_server.url}/duty/")
    page.get_by_role("link", name="值班人次统计（图表、导出）").click()

    expect(page.locator("#figure-total")).to_have_text("累计值班 3 人次")
    expect(page.locator("#chart-days canvas")).to_have_count(1)
    expect(page.locator("#chart-units canvas")).to_have_count(1)

    page.select_option("select[name=unit]", label="化学学院党委")
    expect(page.locator("#figure-total")).to_have_text("累计值班 1 人次")
    expect(page.locator("#chart-units canvas")).to_have_count(1)
