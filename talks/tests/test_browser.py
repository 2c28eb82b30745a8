"""谈心谈话 in a real browser: a branch secretary on a phone goes from the home to-do list to
the coverage page, records a talk with a quarantined member, and the member sees only that
it took place."""

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from conftest import Cast, sign_in
from members.models import Whereabouts
from members.tests.factories import MemberFactory
from talks.models import Talk

pytestmark = pytest.mark.browser


def test_secretary_records_a_talk_on_a_phone_and_the_member_sees_no_notes(
    cast: Cast, live_server: Any, page: Page, transactional_db: Any
) -> None:
    cast.member_a.whereabouts = Whereabouts.QUARANTINED
    cast.member_a.save()
    MemberFactory.create(name="钱组织", number="A0009", branch=cast.branch_a1)
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server.url, "branch_secretary")

    page.get_by_role("link", name="超过 90 天未谈心谈话的党员").click()
    first = page.locator("#due-rows tbody tr").first
    expect(first).to_contain_text("张三")
    expect(first).to_contain_text("隔离")
    first.get_by_role("link", name="记录").click()

    expect(page.locator("#id_member")).to_have_value("A0001")
    page.fill("#id_talker", "A0009")
    page.get_by_label("视频").check()
    page.fill("#id_thoughts", "隔离期间情绪平稳，关心返校时间")
    page.fill("#id_help_given", "讲解返校安排")
    page.get_by_role("button", name="保存").click()

    expect(page.locator(".alert-success")).to_contain_text("已记录与张三的谈心谈话")
    expect(page.locator("#talk-thoughts")).to_contain_text("隔离期间情绪平稳")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    talk = Talk.objects.get()
    assert (talk.talker.number, talk.method) == ("A0009", "video")

    page.goto(f"{live_server.url}/talks/coverage/")
    expect(page.locator("#due-rows")).not_to_contain_text("张三")

    sign_in(page, live_server.url, "member_a")
    page.goto(f"{live_server.url}/talks/{talk.pk}/")
    expect(page.locator("body")).to_contain_text("钱组织")
    expect(page.locator("body")).to_contain_text("谈话内容仅谈话人和党组织可见")
    expect(page.locator("body")).not_to_contain_text("隔离期间情绪平稳")
