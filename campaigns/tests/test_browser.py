"""The lecture journey in Chromium: a unit admin uploads a 微党课 (resumable upload with a
progress bar), sees the check's warnings and submits; 组织部 selects it."""

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from campaigns.tests.helpers import K, make_campaign
from conftest import Cast, sign_in
from lib.media_samples import make_video

pytestmark = pytest.mark.browser


def test_unit_admin_uploads_a_lecture_sees_warnings_and_school_admin_selects_it(
    cast: Cast,
    live_server: Any,
    page: Page,
    tmp_path: Path,
    settings: Any,
    transactional_db: Any,
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    base = live_server.url
    campaign, four = make_campaign(cast)
    video = make_video(tmp_path / "lecture.mp4", seconds=2.0)

    # the unit admin starts a draft for the 微党课
    sign_in(page, base, "unit_a_admin")
    page.goto(f"{base}/campaigns/{campaign.pk}/")
    page.locator(".deliverable[data-kind=micro_lecture]").get_by_role(
        "link", name="新建报送"
    ).click()
    page.fill("#id_title", "让党旗在防控疫情斗争第一线高高飘扬")
    page.select_option("#id_topic", label="让党旗在防控疫情斗争第一线高高飘扬")
    page.fill("#id_authors", "A0001 张三")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.locator("h1")).to_contain_text("编辑报送")

    # uploads the video: the progress bar fills and the upload completes
    page.wait_for_load_state("load")  # uploader.js listens once the page has loaded
    page.set_input_files("[data-uploader-input]", str(video))
    row = page.locator(".uploader-file")
    expect(row.locator(".progress-bar")).to_have_text("100%")
    expect(row).to_have_attribute("data-state", "done")
    page.get_by_role("button", name="保存").click()

    # the check's warnings are shown, and the lecture is submitted
    expect(page.locator("#warnings")).to_contain_text("建议使用 1920×1080")
    expect(page.locator("#warnings")).to_contain_text("未配字幕")
    page.get_by_role("button", name="报送", exact=True).click()
    expect(page.locator(".alert-success")).to_contain_text("已报送")
    url = page.url

    # 组织部 sees the warnings on the review page and selects it
    sign_in(page, base, "school_admin")
    page.goto(url)
    expect(page.locator("#warnings")).to_contain_text("建议时长为 15–20 分钟")
    page.locator("#review").get_by_role("button", name="择优").click()
    expect(page.locator("h1 .badge").first).to_have_text("择优")
    expect(page.locator("#history")).to_contain_text("已报送 → 择优")
    assert four[K.MICRO_LECTURE].submissions.get().state == "selected"


def test_board_on_a_phone(
    cast: Cast, live_server: Any, page: Page, transactional_db: Any, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    campaign, _ = make_campaign(cast)
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server.url, "unit_a_admin")
    page.goto(f"{live_server.url}/campaigns/{campaign.pk}/board/")
    expect(page.locator("#board tbody tr")).to_have_count(1)
    expect(page.locator("#board tbody")).to_contain_text("计算机学院党委")
