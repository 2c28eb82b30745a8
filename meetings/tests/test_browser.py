"""A 支委会 from the phone to 组织部's shortfall list, in Chromium."""

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from conftest import Cast, sign_in
from meetings.models import (
    CommitteeSeat,
    ComplianceRule,
    Frequency,
    Meeting,
    MeetingKind,
    MeetingState,
    SeatTitle,
)
from members.tests.factories import MemberFactory

pytestmark = pytest.mark.browser

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f"
    b"\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00"
    b"\x00IEND\xaeB`\x82"
)


def test_a_secretary_records_a_committee_meeting_on_a_phone_and_the_branch_leaves_the_list(
    cast: Cast, live_server: Any, page: Page, tmp_path: Path, settings: Any, transactional_db: Any
) -> None:
    # given a committee of three and a monthly 支委会 rule from the start of last month
    settings.MEDIA_ROOT = tmp_path / "media"
    today = timezone.localdate()
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=15)
    ComplianceRule.objects.all().delete()
    ComplianceRule.objects.create(
        kind=MeetingKind.COMMITTEE,
        frequency=Frequency.MONTHLY,
        starts_on=last_month.replace(day=1),
    )
    deputy = MemberFactory.create(name="钱七", branch=cast.branch_a1)
    third = MemberFactory.create(name="孙八", branch=cast.branch_a1)
    for member, title in [
        (cast.member_a, SeatTitle.SECRETARY),
        (deputy, SeatTitle.DEPUTY),
        (third, SeatTitle.ORGANISATION),
    ]:
        CommitteeSeat.objects.create(
            branch=cast.branch_a1, member=member, title=title, term_start=dt.date(2024, 1, 1)
        )
    shortfall = f"{live_server.url}/meetings/compliance/?year={last_month.year}"
    sign_in(page, live_server.url, "school_admin")
    page.goto(shortfall)
    expect(page.locator("#short-branches")).to_contain_text("计算机教工第一党支部")

    # when the secretary records it on a phone, marks attendance, adds a photo and submits
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server.url, "branch_secretary")
    page.goto(f"{live_server.url}/meetings/new/")
    page.select_option("#id_org", str(cast.branch_a1.pk))
    page.select_option("#id_kind", MeetingKind.COMMITTEE)
    page.fill("#id_topic", "研究疫情防控志愿者安排")
    page.fill("#id_held_at", f"{last_month:%Y-%m-%d}T15:00")
    page.fill("#id_place", "学院会议室")
    page.fill("#id_minutes", "会议研究了志愿者排班。")
    page.get_by_role("button", name="保存并标记出席").click()
    expect(page.locator("#attendance")).to_contain_text("钱七")
    page.click(f"label[for=s{cast.member_a.pk}_present]")
    page.click(f"label[for=s{deputy.pk}_present]")
    page.click(f"label[for=s{third.pk}_leave]")
    page.fill(f"input[name=reason_{third.pk}]", "居家隔离")
    photo = tmp_path / "会议照片.png"
    photo.write_bytes(PNG)
    page.set_input_files("#uploader-upload_ids-input", str(photo))
    expect(page.locator(".uploader-status")).to_have_text("已完成", timeout=15_000)
    page.get_by_role("button", name="保存并提交审核").click()
    expect(page.locator("#meeting-state")).to_have_text("待单位审核")
    meeting = Meeting.objects.get()
    assert (meeting.quorum_base, meeting.quorum_present) == (3, 2)
    assert meeting.files.count() == 1

    # then the unit approves it from its queue
    sign_in(page, live_server.url, "unit_a_admin")
    page.goto(f"{live_server.url}/meetings/queue/")
    page.get_by_text("研究疫情防控志愿者安排").click()
    page.get_by_role("button", name="审核通过").click()
    expect(page.locator("#meeting-state")).to_have_text("待组织部审核")
    assert Meeting.objects.get().state == MeetingState.UNIT_APPROVED

    # and 组织部 sees the branch leave the shortfall list
    sign_in(page, live_server.url, "school_admin")
    page.goto(shortfall)
    expect(page.locator("#short-branches")).not_to_contain_text("计算机教工第一党支部")
    expect(page.locator("#short-branches")).to_contain_text("计算机学生党支部")
