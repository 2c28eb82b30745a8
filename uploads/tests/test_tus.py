"""The tus 1.0.0 endpoints: create, offset, append, resume, terminate — through HTTP."""

import fcntl
import os
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from conftest import Cast
from uploads.models import Upload
from uploads.services import MAX_SIZE, upload_path
from uploads.tests.helpers import TUS, create, head, metadata, patch, sha256, upload_url

DATA = os.urandom(3 * 1024 * 1024 + 12345)  # more than three 1 MB chunks


def test_options_announces_version_extensions_and_max_size(cast: Cast) -> None:
    response = cast.client("anonymous").options(reverse("upload_collection"))
    assert response.status_code == 204
    assert response["Tus-Version"] == "1.0.0"
    assert response["Tus-Extension"] == "creation,termination"
    assert response["Tus-Max-Size"] == str(2 * 1024**3)


def test_create_makes_an_empty_partial_file_and_answers_with_its_location(cast: Cast) -> None:
    # when
    response = create(cast.client("unit_a_admin"), 1000, filename="抗疫微党课.mp4")
    # then
    assert response.status_code == 201
    assert response["Tus-Resumable"] == "1.0.0"
    upload = Upload.objects.get()
    assert response["Location"] == f"http://testserver/uploads/{upload.id}/"
    assert (upload.filename, upload.size, upload.offset) == ("抗疫微党课.mp4", 1000, 0)
    assert upload.user == cast.users["unit_a_admin"]
    assert upload_path(upload).stat().st_size == 0


def test_create_refuses_more_than_2_gb(cast: Cast) -> None:
    response = create(cast.client("unit_a_admin"), MAX_SIZE + 1)
    assert response.status_code == 413
    assert "超过 2 GB" in response.content.decode()
    assert not Upload.objects.exists()


def test_exactly_2_gb_may_be_announced(cast: Cast) -> None:
    assert create(cast.client("unit_a_admin"), MAX_SIZE).status_code == 201


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"Upload-Length": "12"}, 412),  # no Tus-Resumable
        ({**TUS}, 400),  # no Upload-Length
        ({**TUS, "Upload-Length": "abc"}, 400),
        ({**TUS, "Upload-Length": "-1"}, 400),
        ({**TUS, "Upload-Defer-Length": "1"}, 400),
        ({**TUS, "Upload-Length": "12", "Upload-Metadata": "filename !!!"}, 400),
    ],
)
def test_create_refuses_bad_requests(cast: Cast, headers: dict[str, str], status: int) -> None:
    response = cast.client("unit_a_admin").post(reverse("upload_collection"), headers=headers)
    assert response.status_code == status
    assert not Upload.objects.exists()


def test_anonymous_visitors_cannot_upload(cast: Cast) -> None:
    response = create(cast.client("anonymous"), 10)
    assert response.status_code == 403
    assert not Upload.objects.exists()


def test_create_needs_a_csrf_token(cast: Cast) -> None:
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.users["member_a"])
    assert create(client, 10).status_code == 403


def test_one_patch_completes_the_upload_and_records_its_sha256(cast: Cast) -> None:
    client = cast.client("member_a")
    url = upload_url(create(client, len(DATA)))
    # when
    response = patch(client, url, DATA, 0)
    # then
    assert response.status_code == 204
    assert response["Upload-Offset"] == str(len(DATA))
    upload = Upload.objects.get()
    assert upload.is_complete
    assert upload.sha256 == sha256(DATA)
    assert upload_path(upload).read_bytes() == DATA


def test_an_interrupted_upload_resumes_from_the_offset_head_reports(cast: Cast) -> None:
    # given half of the file sent, then the connection gone
    client = cast.client("unit_a_admin")
    url = upload_url(create(client, len(DATA)))
    half = len(DATA) // 2
    assert patch(client, url, DATA[:half], 0).status_code == 204
    # when a new page (a new client, same user) asks where to go on
    client = cast.client("unit_a_admin")
    response = head(client, url)
    assert response.status_code == 200
    assert response["Upload-Offset"] == str(half)
    assert response["Upload-Length"] == str(len(DATA))
    assert response["Cache-Control"] == "no-store"
    assert not Upload.objects.get().is_complete
    # and sends only the rest
    response = patch(client, url, DATA[half:], half)
    # then the stored file is the whole file
    assert response.status_code == 204
    upload = Upload.objects.get()
    assert upload.offset == len(DATA)
    assert upload.sha256 == sha256(DATA)
    assert sha256(upload_path(upload).read_bytes()) == sha256(DATA)


def test_many_small_patches_add_up(cast: Cast) -> None:
    client = cast.client("member_a")
    url = upload_url(create(client, len(DATA)))
    step = 700_001
    for offset in range(0, len(DATA), step):
        assert patch(client, url, DATA[offset : offset + step], offset).status_code == 204
    assert Upload.objects.get().sha256 == sha256(DATA)


@pytest.mark.parametrize("offset", [1, 500, 2000])
def test_a_wrong_offset_is_a_conflict(cast: Cast, offset: int) -> None:
    client = cast.client("member_a")
    url = upload_url(create(client, 2000))
    patch(client, url, b"x" * 500, 0)
    if offset == 500:
        offset = 0  # behind the stored offset
    response = patch(client, url, b"y" * 10, offset)
    assert response.status_code == 409
    assert response["Upload-Offset"] == "500"
    assert Upload.objects.get().offset == 500


def test_patch_needs_the_tus_content_type(cast: Cast) -> None:
    client = cast.client("member_a")
    url = upload_url(create(client, 10))
    response = client.patch(
        url,
        data=b"0123456789",
        content_type="application/octet-stream",
        headers={**TUS, "Upload-Offset": "0"},
    )
    assert response.status_code == 415


def test_patch_refuses_more_bytes_than_announced(cast: Cast) -> None:
    client = cast.client("member_a")
    url = upload_url(create(client, 10))
    assert patch(client, url, b"x" * 11, 0).status_code == 413
    assert Upload.objects.get().offset == 0


def test_patch_after_completion_is_a_conflict(cast: Cast) -> None:
    client = cast.client("member_a")
    url = upload_url(create(client, 4))
    patch(client, url, b"abcd", 0)
    assert patch(client, url, b"e", 4).status_code == 409


def test_a_second_writer_at_the_same_time_is_told_the_upload_is_locked(cast: Cast) -> None:
    client = cast.client("member_a")
    url = upload_url(create(client, 10))
    # given another request holds the file
    fd = os.open(upload_path(Upload.objects.get()), os.O_WRONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        response = patch(client, url, b"0123456789", 0)
    finally:
        os.close(fd)
    assert response.status_code == 423
    assert Upload.objects.get().offset == 0


@pytest.mark.parametrize("method", ["head", "patch", "delete"])
@pytest.mark.parametrize("other", ["member_b", "unit_b_admin", "school_admin"])
def test_someone_elses_upload_does_not_exist_for_you(cast: Cast, method: str, other: str) -> None:
    # given member_a's half-finished upload
    url = upload_url(create(cast.client("member_a"), 10))
    patch(cast.client("member_a"), url, b"01234", 0)
    # when someone else touches it
    client = cast.client(other)
    if method == "patch":
        response = patch(client, url, b"56789", 5)
    else:
        response = getattr(client, method)(url, headers=TUS)
    # then
    assert response.status_code == 404
    upload = Upload.objects.get()
    assert upload.offset == 5
    assert upload_path(upload).read_bytes() == b"01234"


def test_an_unknown_upload_is_404(cast: Cast) -> None:
    url = reverse("upload_detail", args=["5f1b2c3d-0000-4000-8000-000000000000"])
    assert head(cast.client("member_a"), url).status_code == 404


def test_delete_terminates_the_upload_and_removes_its_file(cast: Cast) -> None:
    client = cast.client("member_a")
    url = upload_url(create(client, 10))
    patch(client, url, b"01234", 0)
    path = upload_path(Upload.objects.get())
    # when
    response = client.delete(url, headers=TUS)
    # then
    assert response.status_code == 204
    assert not Upload.objects.exists()
    assert not path.exists()
    assert head(client, url).status_code == 404


def test_a_claimed_upload_is_gone_for_the_protocol(cast: Cast) -> None:
    from uploads.services import upload_claim

    client = cast.client("member_a")
    url = upload_url(create(client, 3))
    patch(client, url, b"abc", 0)
    upload_claim(user=cast.users["member_a"], upload_id=Upload.objects.get().id)
    assert head(client, url).status_code == 404
    assert client.delete(url, headers=TUS).status_code == 404
    assert upload_path(Upload.objects.get()).exists()


def test_an_empty_file_is_complete_at_once(cast: Cast) -> None:
    response = create(cast.client("member_a"), 0, filename="空.txt")
    assert response.status_code == 201
    upload = Upload.objects.get()
    assert upload.is_complete
    assert upload.sha256 == sha256(b"")


def test_metadata_decodes_chinese_names(cast: Cast) -> None:
    response = cast.client("member_a").post(
        reverse("upload_collection"),
        headers={
            **TUS,
            "Upload-Length": "5",
            "Upload-Metadata": metadata(filename="../../党课 视频.mp4", filetype="video/mp4"),
        },
    )
    assert response.status_code == 201
    upload = Upload.objects.get()
    assert upload.filename == "党课 视频.mp4"  # no path survives
    assert upload.metadata["filetype"] == "video/mp4"


def test_a_user_may_hold_only_so_many_unfinished_uploads(cast: Cast, settings: Any) -> None:
    from uploads import services

    client = cast.client("member_a")
    for _ in range(services.MAX_PENDING_PER_USER):
        assert create(client, 10).status_code == 201
    response = create(client, 10)
    assert response.status_code == 429
    assert "未完成的上传" in response.content.decode()
    # another user is not affected
    assert create(cast.client("member_b"), 10).status_code == 201


def test_partial_files_live_under_media_root(cast: Cast, media_root: Path) -> None:
    create(cast.client("member_a"), 10)
    upload = Upload.objects.get()
    assert upload_path(upload) == media_root / "uploads" / "partial" / str(upload.id)


def test_after_a_power_loss_head_reports_only_what_survived_on_disk(cast: Cast) -> None:
    # given 3 MB recorded, but the machine lost the last unsynced megabyte
    client = cast.client("member_a")
    url = upload_url(create(client, len(DATA)))
    patch(client, url, DATA[: 3 * 1024 * 1024], 0)
    with open(upload_path(Upload.objects.get()), "r+b") as f:
        f.truncate(2 * 1024 * 1024)
    # when the client asks where to continue
    response = head(client, url)
    # then it is told the truth, and resuming from there completes the file
    assert response["Upload-Offset"] == str(2 * 1024 * 1024)
    patch(client, url, DATA[2 * 1024 * 1024 :], 2 * 1024 * 1024)
    assert Upload.objects.get().sha256 == sha256(DATA)
