"""The 上传测试 page: the uploader include, and the checks of finished uploads."""

import io
from pathlib import Path
from typing import Any

from django.urls import reverse

from conftest import Cast
from lib.media_samples import make_srt, make_video
from uploads.models import Upload
from uploads.services import upload_create, upload_path, upload_write


def _upload(user: Any, path: Path, filename: str) -> Upload:
    data = path.read_bytes()
    upload = upload_create(user=user, size=len(data), metadata={"filename": filename})
    return upload_write(upload=upload, offset=0, stream=io.BytesIO(data), length=len(data))


def test_the_page_renders_the_uploader(cast: Cast) -> None:
    response = cast.client("member_a").get(reverse("upload_try"))
    html = response.content.decode()
    assert "上传测试" in html
    assert 'data-uploader data-name="upload_ids"' in html
    assert 'data-endpoint="/uploads/"' in html
    assert "multiple" in html
    assert "vendor/tus/tus.min.js" in html and "js/uploader.js" in html


def test_checking_a_lecture_and_its_sidecar_shows_warnings_and_keeps_nothing(
    cast: Cast, tmp_path: Path
) -> None:
    # given a short 320×180 lecture and a .srt that stops too early
    user = cast.users["unit_a_admin"]
    video = _upload(user, make_video(tmp_path / "v.mp4", duration_override_s=1000), "微党课.mp4")
    srt = _upload(user, make_srt(tmp_path / "s.srt", 600), "字幕.srt")
    # when
    response = cast.client("unit_a_admin").post(
        reverse("upload_try"), {"upload_ids": [str(video.id), str(srt.id)]}
    )
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert "分辨率为 320×180" in html
    assert "字幕只到 10:00" in html
    assert "不合格" not in html
    assert not Upload.objects.exists()
    assert not upload_path(video).exists()


def test_a_picture_named_mp4_is_refused(cast: Cast, tmp_path: Path) -> None:
    fake = tmp_path / "fake.mp4"
    fake.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    upload = _upload(cast.users["member_a"], fake, "微党课.mp4")
    response = cast.client("member_a").post(reverse("upload_try"), {"upload_ids": [str(upload.id)]})
    assert "与扩展名不符" in response.content.decode()


def test_someone_elses_upload_cannot_be_checked(cast: Cast, tmp_path: Path) -> None:
    upload = _upload(cast.users["member_b"], make_srt(tmp_path / "s.srt", 10), "a.srt")
    response = cast.client("member_a").post(reverse("upload_try"), {"upload_ids": [str(upload.id)]})
    assert "找不到上传的文件" in response.content.decode()
    assert Upload.objects.filter(pk=upload.pk, claimed_at__isnull=True).exists()
