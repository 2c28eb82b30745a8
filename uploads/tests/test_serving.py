"""ranged_file_response: whole files, single ranges, bad ranges, revalidation."""

import os
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import File
from django.test import RequestFactory

from uploads.serving import ranged_file_response

DATA = bytes(range(256)) * 4000  # 1,024,000 bytes
SIZE = len(DATA)


@pytest.fixture
def stored(tmp_path: Path) -> Path:
    path = tmp_path / "video.mp4"
    path.write_bytes(DATA)
    return path


def _get(path: Any, method: str = "get", **headers: str) -> Any:
    request = getattr(RequestFactory(), method)("/x", headers=headers)
    return ranged_file_response(request, path, content_type="video/mp4", filename="微党课.mp4")


def _body(response: Any) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_without_a_range_the_whole_file_streams(stored: Path) -> None:
    response = _get(stored)
    assert response.status_code == 200
    assert response.streaming
    assert response["Accept-Ranges"] == "bytes"
    assert response["Content-Length"] == str(SIZE)
    assert response["Content-Type"] == "video/mp4"
    assert "inline" in response["Content-Disposition"]
    assert _body(response) == DATA


@pytest.mark.parametrize(
    ("header", "start", "end"),
    [
        ("bytes=0-99", 0, 99),
        ("bytes=1000-1999", 1000, 1999),
        ("bytes=1000000-", 1000000, SIZE - 1),
        ("bytes=-500", SIZE - 500, SIZE - 1),
        ("bytes=1023000-9999999", 1023000, SIZE - 1),  # the end is clamped
        ("bytes=0-0", 0, 0),
        ("bytes=-99999999", 0, SIZE - 1),
    ],
)
def test_a_single_range_is_a_206(stored: Path, header: str, start: int, end: int) -> None:
    response = _get(stored, Range=header)
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes {start}-{end}/{SIZE}"
    assert response["Content-Length"] == str(end - start + 1)
    assert _body(response) == DATA[start : end + 1]


@pytest.mark.parametrize("header", [f"bytes={SIZE}-", f"bytes={SIZE + 10}-{SIZE + 20}", "bytes=-0"])
def test_an_unsatisfiable_range_is_a_416(stored: Path, header: str) -> None:
    response = _get(stored, Range=header)
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{SIZE}"


@pytest.mark.parametrize(
    "header", ["bytes=0-1,5-6", "items=0-5", "bytes=9-3", "bytes=abc", "bytes=-"]
)
def test_several_or_malformed_ranges_get_the_whole_file(stored: Path, header: str) -> None:
    response = _get(stored, Range=header)
    assert response.status_code == 200
    assert _body(response) == DATA


def test_head_sends_headers_only(stored: Path) -> None:
    response = _get(stored, method="head", Range="bytes=10-19")
    assert response.status_code == 206
    assert response["Content-Length"] == "10"
    assert response.content == b""


def test_etag_and_last_modified_allow_revalidation(stored: Path) -> None:
    first = _get(stored)
    assert first["ETag"] and first["Last-Modified"]
    assert _get(stored, If_None_Match=first["ETag"]).status_code == 304
    assert _get(stored, If_Modified_Since=first["Last-Modified"]).status_code == 304
    # a range for the same version is honoured, for another version the whole file comes
    assert _get(stored, Range="bytes=0-9", If_Range=first["ETag"]).status_code == 206
    assert _get(stored, Range="bytes=0-9", If_Range='"other"').status_code == 200


def test_a_changed_file_has_another_etag(stored: Path) -> None:
    before = _get(stored)["ETag"]
    stored.write_bytes(DATA + b"more")
    os.utime(stored, (1_600_000_000, 1_600_000_000))
    assert _get(stored)["ETag"] != before


def test_a_django_file_and_an_attachment(stored: Path) -> None:
    request = RequestFactory().get("/x", headers={"Range": "bytes=5-9"})
    with open(stored, "rb") as f:
        response = ranged_file_response(
            request,
            File(f, name="video.mp4"),
            content_type="video/mp4",
            filename="党课 1.mp4",
            as_attachment=True,
        )
        assert response.status_code == 206
        assert _body(response) == DATA[5:10]
    assert response["Content-Disposition"].startswith("attachment")
    assert "filename*=utf-8''" in response["Content-Disposition"]


def test_an_empty_file(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    assert _get(empty).status_code == 200
    assert _get(empty, Range="bytes=0-").status_code == 416


def test_with_sendfile_prefix_nginx_sends_the_stored_file(settings: Any, rf: Any) -> None:
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.db.models.fields.files import FieldFile

    from uploads.serving import ranged_file_response

    settings.SENDFILE_PREFIX = "/protected-media/"
    name = default_storage.save("meetings/2020/03/会议记录.docx", ContentFile(b"docx"))
    field = FieldFile(None, type("F", (), {"storage": default_storage})(), name)  # type: ignore[arg-type]
    response = ranged_file_response(
        rf.get("/x"), field, content_type="application/octet-stream", filename="会议记录.docx"
    )
    assert response.status_code == 200 and response["X-Accel-Redirect"]
    assert (
        response["X-Accel-Redirect"]
        == "/protected-media/meetings/2020/03/%E4%BC%9A%E8%AE%AE%E8%AE%B0%E5%BD%95.docx"
    )
    assert "filename*=utf-8''" in response["Content-Disposition"]
