"""The journey in Chromium: a member signs up on a phone; the duty office allocates, solves and
publishes; the member sees 我的值班."""

import datetime as dt
from typing import Any

import pytest
from django.test import override_settings
from django.utils import timezone
from playwright.sync_api import Page, expect

from conftest import IMMEDIATE_TASKS, Cast, sign_in
from rosters.models import Allocation, SignUp
from rosters.tests.conftest import Small

pytestmark = pytest.mark.browser


@override_settings(TASKS=IMMEDIATE_TASKS)
def test_sign_up_solve_publish_and_my_shifts(
    cast: Cast, small: Small, live_server: Any, page: Page, transactional_db: Any
) -> None:
    base = live_server.url
    start = timezone.localdate() + dt.timedelta(days=1)
    small.phase.starts_on, small.phase.ends_on = start, start + dt.timedelta(days=1)
    small.phase.save()
    SignUp.objects.filter(member=cast.member_a).delete()
    Allocation.objects.filter(member=cast.member_a).delete()

    # The member, on a phone, signs up.
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, base, "member_a")
    page.goto(f"{base}/rosters/")
    page.get_by_role("link", name="我要报名").click()
    page.check(f"#wanted_{small.post.pk}")
    page.fill(f"input[name=order_{small.post.pk}]", "1")
    page.fill("#id_phone", "13800000001")
    page.check("#id_health_ok")
    page.get_by_role("button", name="提交报名").click()
    expect(page.locator(".alert-success").first).to_contain_text("报名已提交")
    assert SignUp.objects.filter(member=cast.member_a, phase=small.phase).exists()

    # Her unit recommends her (附件2).
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, base, "unit_a_admin")
    page.goto(f"{base}/rosters/phases/{small.phase.pk}/signups/")
    page.locator(f"#signup-{SignUp.objects.get(member=cast.member_a).pk}").get_by_role(
        "button", name="推荐"
    ).click()
    expect(page.get_by_role("button", name="已推荐 ✓")).to_be_visible()

    # The duty office allocates her, solves and publishes.
    sign_in(page, base, "duty_office")
    page.goto(f"{base}/rosters/phases/{small.phase.pk}/allocate/")
    page.locator("#candidates li", has_text="张三").get_by_role("button", name="调配").click()
    expect(page.locator("#allocated")).to_contain_text("张三")
    page.goto(f"{base}/rosters/r/{small.roster.pk}/")
    page.click("#solve-btn")
    expect(page.locator("#solve-state")).to_have_text("已完成", timeout=30_000)
    page.click("#publish-btn")
    expect(page.locator(".alert-success").first).to_contain_text("值班表已发布")

    # The member sees her shift.
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, base, "member_a")
    page.goto(f"{base}/rosters/mine/")
    expect(page.locator("#my-shifts li")).to_have_count(1)
    expect(page.locator("#my-shifts")).to_contain_text("北门值班值守岗")
    assert "/rosters/feed/" in page.locator("#feed-url").input_value()
