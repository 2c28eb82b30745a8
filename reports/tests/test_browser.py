"""报备 in a real browser: a member on a phone goes from the home to-do list to today's health
report, copies yesterday's, is made to enter the temperature again, reports 37.8 ℃ (the
symptom note appears only once 发热 is ticked); the fever is a situation report the branch
secretary finds in the notice centre; nobody reads it, and it rises to the unit."""

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from conftest import Cast, sign_in
from escalations.models import Escalation
from escalations.services import escalations_sweep
from notices.models import Notice
from reports import services
from reports.models import Report
from reports.tests.helpers import HEALTHY, schedule

pytestmark = pytest.mark.browser


def test_member_copies_yesterday_and_must_enter_the_temperature_again(
    cast: Cast, live_server: Any, page: Page, transactional_db: Any
) -> None:
    sched = schedule(cast)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    services.report_submit(
        actor=cast.users["member_a"],
        member=cast.member_a,
        schedule=sched,
        period=yesterday,
        answers={**HEALTHY, "temperature": 36.4},
    )
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server.url, "member_a")

    page.get_by_role("link", name="填写").first.click()
    page.get_by_role("link", name="复制上次").click()
    expect(page.locator("#copy-note")).to_contain_text("须重新填写")
    expect(page.locator("#id_temperature")).to_have_value("")
    page.get_by_role("button", name="提交").click()

    expect(page.locator("#id_temperature ~ .invalid-feedback")).to_contain_text("请填写此项")
    assert not Report.objects.filter(period=timezone.localdate()).exists()
    note = page.locator("#id_symptom_note")
    expect(note).to_be_hidden()
    page.fill("#id_temperature", "37.8")
    page.get_by_label("发热").check()
    expect(note).to_be_visible()
    page.fill("#id_symptom_note", "今早起发热，已联系校医院")
    page.fill("#id_last_test_on", "2026-11-30")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_role("button", name="提交").click()

    expect(page.locator(".alert-success")).to_contain_text("已提交每日健康报备")
    report = Report.objects.get(period=timezone.localdate())
    assert str(report.temperature) == "37.8" and report.copied_from is not None
    notice = Notice.objects.get(kind="situation.fever")
    assert notice.recipient == cast.users["branch_secretary"]

    sign_in(page, live_server.url, "branch_secretary")
    page.goto(f"{live_server.url}/notices/")
    page.locator(f"#notice-{notice.pk}").get_by_role("button", name="查看").click()
    expect(page.locator("#escalation-current")).to_contain_text("计算机教工第一党支部")
    expect(page.locator("main")).to_contain_text("37.8")

    # nobody at the branch acknowledges it: past its limit the sweep raises it to the unit
    escalation = Escalation.objects.get(fever_member=cast.member_a)
    Escalation.objects.filter(pk=escalation.pk).update(due_at=timezone.now())
    assert escalations_sweep() == 1
    sign_in(page, live_server.url, "unit_a_admin")
    page.get_by_role("link", name="待确认已阅的情况报告").click()
    row = page.locator("#escalation-rows tbody tr").first
    expect(row).to_contain_text("张三")
    expect(row).to_contain_text("已上报 1 级")


def test_school_admin_adds_a_question_previews_and_saves_a_new_version(
    cast: Cast, live_server: Any, page: Page, transactional_db: Any
) -> None:
    sign_in(page, live_server.url, "school_admin")
    page.goto(f"{live_server.url}/reports/forms/")
    page.get_by_role("button", name="添加常用表单").click()
    expect(page.locator(".alert-success")).to_contain_text("已添加 3 个常用表单")
    page.get_by_role("link", name="去向与行程报备").click()
    expect(page.locator("#form-preview")).to_contain_text("今日所在地")
    page.get_by_role("link", name="修改").click()

    # the first spare row (after the form's four questions) becomes question 5
    page.fill("#id_f-4-label", "是否已接种疫苗")
    page.select_option("#id_f-4-kind", "yesno")
    page.check("#id_f-4-required")
    page.get_by_role("button", name="预览").click()
    preview = page.locator("#form-preview")
    expect(preview).to_contain_text("是否已接种疫苗")
    travel = preview.locator("#preview_travel")
    expect(travel).to_be_hidden()
    preview.get_by_label("是").first.check()
    expect(travel).to_be_visible()

    page.get_by_role("button", name="保存").click()
    expect(page.locator(".alert-success")).to_contain_text("当前为第 2 版")
    expect(page.locator("#form-versions")).to_contain_text("第 2 版")
