"""Resumable uploads on S3-compatible storage (moto's server on loopback): parts, the tail
that a cut-off PATCH leaves, the lock, claim and move, discard."""

import hashlib
import io
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.files.storage import default_storage

from conftest import Cast
from uploads import s3, services
from uploads.models import Upload
from uploads.tests.s3server import S3, moto_s3

MB = 1024 * 1024


@pytest.fixture
def on_s3(settings: Any) -> Iterator[S3]:
    with moto_s3() as server:
        settings.S3_BUCKET = server.bucket
        settings.STORAGES = server.storages()
        yield server


class CutOff(io.BytesIO):
    """A request body whose connection drops after `after` bytes."""

    def __init__(self, data: bytes, after: int) -> None:
        super().__init__(data[:after])


def _data(size: int) -> bytes:
    return (hashlib.sha256(b"seed").digest() * (size // 32 + 1))[:size]


def test_an_upload_in_pieces_keeps_every_byte_and_its_checksum(cast: Cast, on_s3: S3) -> None:
    user = cast.users["member_a"]
    data = _data(20 * MB + 12345)
    upload = services.upload_create(user=user, size=len(data), metadata={"filename": "课.mp4"})
    assert upload.s3_upload_id

    # a first PATCH of 11 MB: one whole part stored, 3 MB kept as the tail
    services.upload_write(upload=upload, offset=0, stream=io.BytesIO(data[: 11 * MB]), length=None)
    upload.refresh_from_db()
    assert upload.offset == 11 * MB and len(upload.parts) == 1
    assert s3.parts_size(upload) == s3.PART_SIZE

    # a second PATCH cut off after 2 MB: what arrived is kept
    rest = data[11 * MB :]
    services.upload_write(upload=upload, offset=11 * MB, stream=CutOff(rest, 2 * MB), length=None)
    upload.refresh_from_db()
    assert upload.offset == 13 * MB and not upload.is_complete

    # the rest, as if from another node (no running hash here): finished, hashed from S3
    services._hashers.clear()
    services.upload_write(
        upload=upload, offset=13 * MB, stream=io.BytesIO(data[13 * MB :]), length=None
    )
    upload.refresh_from_db()
    assert upload.is_complete and upload.offset == len(data)
    assert upload.sha256 == hashlib.sha256(data).hexdigest()
    assert upload.locked_until is None

    # claimed and moved into place: the same bytes under the stored name, nothing partial
    claimed = services.upload_claim(user=user, upload_id=upload.pk)
    assert services.upload_path(claimed).read_bytes() == data  # this node's copy, for probes
    name = services.upload_move(claimed, to="submissions/2020/03/")
    assert name.startswith("submissions/2020/03/")
    with default_storage.open(name, "rb") as f:
        assert hashlib.sha256(f.read()).hexdigest() == upload.sha256
    assert not s3.exists(upload)


def test_a_wrong_offset_or_a_held_lock_is_refused(cast: Cast, on_s3: S3) -> None:
    upload = services.upload_create(user=cast.users["member_a"], size=10)
    with pytest.raises(services.UploadConflict):
        services.upload_write(upload=upload, offset=5, stream=io.BytesIO(b"12345"), length=5)
    assert s3.lock(upload)
    with pytest.raises(services.UploadLocked):
        services.upload_write(upload=upload, offset=0, stream=io.BytesIO(b"0123456789"), length=10)
    s3.unlock(upload)
    services.upload_write(upload=upload, offset=0, stream=io.BytesIO(b"0123456789"), length=10)
    upload.refresh_from_db()
    assert upload.is_complete and upload.sha256 == hashlib.sha256(b"0123456789").hexdigest()


def test_discard_removes_the_multipart_upload_and_the_tail(cast: Cast, on_s3: S3) -> None:
    upload = services.upload_create(user=cast.users["member_a"], size=MB * 12)
    services.upload_write(upload=upload, offset=0, stream=io.BytesIO(_data(MB)), length=None)
    assert on_s3.client().list_objects_v2(Bucket=on_s3.bucket)["KeyCount"] == 1  # the tail
    services.upload_discard(upload)
    assert on_s3.client().list_objects_v2(Bucket=on_s3.bucket)["KeyCount"] == 0
    assert not on_s3.client().list_multipart_uploads(Bucket=on_s3.bucket).get("Uploads")
    assert not Upload.objects.filter(pk=upload.pk).exists()


def test_an_empty_file_is_complete_at_once(cast: Cast, on_s3: S3) -> None:
    upload = services.upload_create(user=cast.users["member_a"], size=0)
    assert upload.is_complete and s3.exists(upload)


def test_a_download_from_s3_is_a_signed_redirect_with_its_chinese_name(
    cast: Cast, on_s3: S3, rf: Any
) -> None:
    from django.core.files.base import ContentFile
    from django.db.models.fields.files import FieldFile

    from uploads.serving import ranged_file_response

    name = default_storage.save("library/讲稿.txt", ContentFile(b"hello"))
    field = FieldFile(None, type("F", (), {"storage": default_storage})(), name)  # type: ignore[arg-type]
    response = ranged_file_response(
        rf.get("/x"), field, content_type="text/plain", filename="讲稿.txt", as_attachment=True
    )
    assert response.status_code == 302
    url = response["Location"]
    assert "Signature=" in url and "response-content-disposition" in url
    import requests

    fetched = requests.get(url)
    assert fetched.content == b"hello"
    assert "attachment" in fetched.headers["Content-Disposition"]


def test_cleanup_removes_an_abandoned_upload_from_s3(cast: Cast, on_s3: S3) -> None:
    from datetime import timedelta

    from django.utils import timezone

    upload = services.upload_create(user=cast.users["member_a"], size=MB * 12)
    services.upload_write(upload=upload, offset=0, stream=io.BytesIO(_data(MB)), length=None)
    Upload.objects.filter(pk=upload.pk).update(updated_at=timezone.now() - timedelta(days=2))
    assert services.uploads_cleanup() == 1
    assert on_s3.client().list_objects_v2(Bucket=on_s3.bucket)["KeyCount"] == 0
    assert not on_s3.client().list_multipart_uploads(Bucket=on_s3.bucket).get("Uploads")
