"""The uploader in a real browser: Chromium sends a video with tus and fills the form."""

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from conftest import Cast, sign_in
from lib.media_samples import make_video
from uploads.models import Upload

pytestmark = pytest.mark.browser


def test_a_unit_admin_uploads_a_video_sees_progress_and_the_checks(
    cast: Cast, live_server: Any, page: Page, tmp_path: Path, transactional_db: Any
) -> None:
    # given a short lecture video
    video = make_video(tmp_path / "抗疫微党课.mp4", seconds=2.0, duration_override_s=600)
    sign_in(page, live_server.url, "unit_a_admin")
    page.goto(f"{live_server.url}/uploads/try/")
    expect(page.get_by_role("heading", name="上传测试")).to_be_visible()
    # when the file is chosen
    page.wait_for_load_state("load")  # uploader.js listens once the page has loaded
    page.set_input_files("#uploader-upload_ids-input", str(video))
    # then the bar reaches 100 % and the form gets the upload's id
    row = page.locator(".uploader-file")
    expect(row.locator(".uploader-status")).to_have_text("已完成", timeout=15_000)
    expect(row.locator(".progress-bar")).to_have_text("100%")
    expect(row.locator(".uploader-detail")).to_contain_text("MB")
    hidden = page.locator("input[type=hidden][name=upload_ids]")
    expect(hidden).to_have_count(1)
    upload = Upload.objects.get()
    assert hidden.get_attribute("value") == str(upload.id)
    assert upload.is_complete and upload.size == video.stat().st_size
    assert upload.filename == "抗疫微党课.mp4"
    expect(page.get_by_role("button", name="检查文件")).to_be_enabled()
    # when the form is sent, the checks are shown
    page.get_by_role("button", name="检查文件").click()
    result = page.locator("[data-result]")
    expect(result).to_contain_text("分辨率为 320×180")
    expect(result).to_contain_text("视频时长为 10 分钟")
    expect(result).to_contain_text("未配字幕")
    assert not Upload.objects.exists()


def test_reselecting_a_half_sent_file_resumes_from_the_server_offset(
    cast: Cast, live_server: Any, page: Page, tmp_path: Path, transactional_db: Any
) -> None:
    # given a 20 MB file of which the first 8 MB chunk arrived before the tab was closed
    big = tmp_path / "大文件.mp4"
    big.write_bytes(make_video(tmp_path / "v.mp4").read_bytes() + bytes(20 * 1024 * 1024))
    page.add_init_script("window.PartyUploaderOptions = { retryDelays: [0, 200] };")
    sign_in(page, live_server.url, "unit_a_admin")
    page.goto(f"{live_server.url}/uploads/try/")
    requests: list[str] = []
    page.on(
        "request", lambda r: requests.append(f"{r.method} {r.headers.get('upload-offset', '')}")
    )
    # the first PATCH goes through, then the network fails
    state = {"patches": 0}

    def once(route: Any) -> None:
        if route.request.method == "PATCH":
            state["patches"] += 1
            if state["patches"] > 1:
                route.abort()
                return
        route.continue_()

    page.route("**/uploads/**", once)
    page.wait_for_load_state("load")  # uploader.js listens once the page has loaded
    page.set_input_files("#uploader-upload_ids-input", str(big))
    expect(page.locator(".uploader-status")).to_have_text("连接中断，可继续上传", timeout=60_000)
    expect(page.get_by_role("button", name="检查文件")).to_be_enabled()
    sent = Upload.objects.get().offset
    assert sent == 8 * 1024 * 1024
    # when the page is opened again and the same file chosen
    page.unroute("**/uploads/**")
    requests.clear()
    page.goto(f"{live_server.url}/uploads/try/")
    page.wait_for_load_state("load")  # uploader.js listens once the page has loaded
    page.set_input_files("#uploader-upload_ids-input", str(big))
    # then it continues from the server's offset and completes
    expect(page.locator(".uploader-status")).to_have_text("已完成", timeout=30_000)
    assert "POST " not in requests  # no new upload was created
    assert f"PATCH {sent}" in requests
    upload = Upload.objects.get()
    assert upload.is_complete and upload.size == big.stat().st_size
