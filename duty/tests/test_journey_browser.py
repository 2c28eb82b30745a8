"""The whole journey of issue 4 in Chromium, through the pages: a member signs up on a phone,
her unit recommends her, the duty office allocates, solves and publishes, she checks in on her
shift, and the person-times figure counts it."""

from typing import Any

import pytest
from django.test import override_settings
from django.utils import timezone
from playwright.sync_api import Page, expect

from conftest import IMMEDIATE_TASKS, Cast, sign_in
from rosters.models import Phase, Post, PostKind, PostLevel, Roster, SignUp

pytestmark = pytest.mark.browser


@override_settings(TASKS=IMMEDIATE_TASKS)
def test_sign_up_to_person_times_through_the_pages(
    cast: Cast, live_server: Any, page: Page, transactional_db: Any
) -> None:
    base = live_server.url
    today = timezone.localdate()
    post = Post.objects.create(
        name="东门值班值守岗",
        kind=PostKind.GATE_DUTY,
        level=PostLevel.SCHOOL,
        org=cast.school,
        campus=cast.unit_a.campus,
        place="东门",
        slots=[{"name": "全天", "start": "00:00", "hours": 24}],  # today's shift is on now
        headcount=1,
    )
    phase = Phase.objects.create(name="今日值守", org=cast.school, starts_on=today, ends_on=today)
    phase.posts.set([post])
    roster = Roster.objects.create(phase=phase, org=cast.school, settings={"time_limit": 5})

    # 附件1: the member signs up on her phone.
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, base, "member_a")
    page.goto(f"{base}/rosters/")
    page.get_by_role("link", name="我要报名").click()
    page.check(f"#wanted_{post.pk}")
    page.fill(f"input[name=order_{post.pk}]", "1")
    page.fill("#id_phone", "13800000001")
    page.check("#id_health_ok")
    page.get_by_role("button", name="提交报名").click()
    expect(page.locator(".alert-success").first).to_contain_text("报名已提交")

    # 附件2: her unit recommends her for the school-level post.
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, base, "unit_a_admin")
    page.goto(f"{base}/rosters/phases/{phase.pk}/signups/")
    signup = SignUp.objects.get(member=cast.member_a, phase=phase)
    page.locator(f"#signup-{signup.pk}").get_by_role("button", name="推荐").click()
    expect(page.get_by_role("button", name="已推荐 ✓")).to_be_visible()

    # The duty office allocates her, builds the roster and publishes it.
    sign_in(page, base, "duty_office")
    page.goto(f"{base}/rosters/phases/{phase.pk}/allocate/")
    page.locator("#candidates li", has_text="张三").get_by_role("button", name="调配").click()
    expect(page.locator("#allocated")).to_contain_text("张三")
    page.goto(f"{base}/rosters/r/{roster.pk}/")
    page.click("#solve-btn")
    expect(page.locator("#solve-state")).to_have_text("已完成", timeout=30_000)
    page.click("#publish-btn")
    expect(page.locator(".alert-success").first).to_contain_text("值班表已发布")

    # On duty: she opens today's shift from 我的值班 and checks in.
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, base, "member_a")
    page.goto(f"{base}/rosters/mine/")
    page.locator("#my-shifts li a").first.click()
    page.get_by_role("button", name="签到").click()
    expect(page.locator(".alert-success")).to_contain_text("签到成功")

    # The figure: one person-time for the phase.
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, base, "duty_office")
    page.goto(f"{base}/duty/stats/")
    expect(page.locator("#figure-total")).to_have_text("累计值班 1 人次")
