"""Issue 7 §1 in Chromium, through the pages: the duty office builds and publishes a roster
(publishing right after a hand edit), a member checks in and writes a log; then a swap, a
re-solve, an imported problem file, unpublishing and deleting the roster — her check-in and
log are still there with her shift, and the person-times figure has not moved."""

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings
from django.utils import timezone
from playwright.sync_api import Page, expect

from conftest import IMMEDIATE_TASKS, Cast, sign_in
from duty.models import DutyCheck, DutyLog
from rosters.models import Allocation, Phase, Post, PostKind, PostLevel, Roster, SignUp

pytestmark = pytest.mark.browser


@override_settings(TASKS=IMMEDIATE_TASKS)
def test_duty_records_survive_every_roster_change(
    cast: Cast, live_server: Any, page: Page, transactional_db: Any, tmp_path: Path
) -> None:
    base = live_server.url
    today = timezone.localdate()
    tomorrow = today + dt.timedelta(days=1)
    post = Post.objects.create(
        name="西门值班值守岗",
        kind=PostKind.GATE_DUTY,
        level=PostLevel.SCHOOL,
        org=cast.school,
        place="西门",
        slots=[{"name": "全天", "start": "00:00", "hours": 24}],  # today's shift is on now
        headcount=1,
    )
    phase = Phase.objects.create(
        name="两日值守", org=cast.school, starts_on=today, ends_on=tomorrow
    )
    phase.posts.set([post])
    for m in (cast.member_a, cast.other_a):
        SignUp.objects.create(
            phase=phase, member=m, wanted_posts=[post.pk], health_ok=True, phone="13800000001"
        )
        Allocation.objects.create(phase=phase, post=post, member=m)
    roster = Roster.objects.create(phase=phase, org=cast.school, settings={"time_limit": 5})
    detail = f"{base}/rosters/r/{roster.pk}/"

    def key(day: dt.date) -> str:
        return f"{post.pk}|{day.isoformat()}|全天"

    # The duty office puts people on by hand and publishes straight after the last edit.
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, base, "duty_office")
    page.goto(f"{detail}?day={tomorrow.isoformat()}")
    page.select_option(f"select[name='member_{key(tomorrow)}']", str(cast.other_a.pk))
    page.locator(f"button[value='add:{key(tomorrow)}']").click()
    expect(page.locator("#grid")).to_contain_text("已安排 王五")
    page.goto(f"{detail}?day={today.isoformat()}")
    page.select_option(f"select[name='member_{key(today)}']", str(cast.member_a.pk))
    page.locator(f"button[value='add:{key(today)}']").click()
    expect(page.locator("#grid")).to_contain_text("已安排 张三")
    page.click("#publish-btn")  # no reload in between
    expect(page.locator(".alert-success").first).to_contain_text("值班表已发布")

    # On duty: she checks in and writes the log.
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, base, "member_a")
    page.goto(f"{base}/rosters/mine/")
    page.locator("#my-shifts li a", has_text="西门").first.click()
    page.get_by_role("button", name="签到").click()
    expect(page.locator(".alert-success")).to_contain_text("签到成功")
    page.fill("#id_temperatures_taken", "42")
    page.fill("#id_people_registered", "7")
    page.fill("#id_handover", "测温枪在值班室")
    page.get_by_role("button", name="保存日志").click()
    expect(page.locator(".alert-success")).to_contain_text("值班日志已保存")

    # She asks to swap the shift she worked: refused, and the page says why.
    page.goto(f"{base}/rosters/mine/")
    worked = page.locator("#my-shifts li", has_text=f"{today.month}月{today.day}日")
    expect(worked).to_contain_text("已签到")
    expect(worked.get_by_role("link", name="申请调班")).to_have_count(0)
    shift = roster.assignments.get(member=cast.member_a)
    page.goto(f"{base}/rosters/mine/{shift.pk}/swap/")
    page.fill("#id_reason", "临时有事")
    page.get_by_role("button", name="提交申请").click()
    expect(page.locator("form.col-lg-6")).to_contain_text("已签到，不能调整")

    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, base, "duty_office")
    page.goto(f"{base}/duty/stats/")
    expect(page.locator("#figure-total")).to_have_text("累计值班 1 人次")

    # Unpublish: the page asks first and says what it changes.
    page.goto(detail)
    page.click("#unpublish-btn")
    expect(page.locator("#n-check-ins")).to_have_text("1")
    expect(page.locator("#n-logs")).to_have_text("1")
    page.click("#confirm-btn")
    expect(page.locator(".alert-success").first).to_contain_text("已撤回发布")
    expect(page.locator("#grid")).to_contain_text("已签到，不能调整")

    # Re-solve: her worked shift is kept.
    page.click("#solve-btn")
    expect(page.locator("#n-kept-checked")).to_have_text("1")
    expect(page.locator("#n-removed")).to_have_text("1")
    page.click("#confirm-btn")
    expect(page.locator("#solve-state")).to_have_text("已完成", timeout=30_000)

    # Import the roster's own problem file: solved again, her shift still kept.
    problem = page.request.get(f"{detail}problem.json").json()
    path = tmp_path / "problem.json"
    path.write_text(json.dumps(problem, ensure_ascii=False), encoding="utf-8")
    page.goto(detail)
    page.set_input_files("input[name=file]", str(path))
    page.get_by_role("button", name="上传").click()
    expect(page.locator(".alert-success").first).to_contain_text("已按上传的问题文件开始排班")
    page.goto(detail)
    expect(page.locator("#solve-state")).to_have_text("已完成", timeout=30_000)
    assert roster.assignments.filter(member=cast.member_a, date=today).exists()

    # Delete the roster: asked first; every record stays.
    page.click("#delete-btn")
    expect(page.locator("#n-check-ins")).to_have_text("1")
    page.click("#confirm-btn")
    expect(page.locator(".alert-success").first).to_contain_text(
        "1 条签到记录和 1 篇值班日志均已保留"
    )
    assert not Roster.objects.filter(pk=roster.pk).exists()
    check, log = DutyCheck.objects.get(), DutyLog.objects.get()
    assert (check.member, check.post, check.date, check.slot) == (
        cast.member_a,
        post,
        today,
        "全天",
    )
    assert (log.member, log.post, log.date, log.slot) == (cast.member_a, post, today, "全天")
    assert log.temperatures_taken == 42 and log.handover == "测温枪在值班室"
    page.goto(f"{base}/duty/stats/")
    expect(page.locator("#figure-total")).to_have_text("累计值班 1 人次")

    # Her history still shows the shift she worked.
    sign_in(page, base, "member_a")
    page.goto(f"{base}/duty/")
    expect(page.locator("#my-records")).to_contain_text("西门值班值守岗")
    expect(page.locator("#my-records")).to_contain_text("测温 42 人次")
