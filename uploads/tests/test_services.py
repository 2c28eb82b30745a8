"""Claim, move, discard and clean up; a write cut off half way keeps what arrived."""

import io
import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from conftest import Cast
from uploads import services
from uploads.models import Upload
from uploads.services import (
    upload_claim,
    upload_create,
    upload_discard,
    upload_move,
    upload_path,
    upload_write,
    uploads_cleanup,
)
from uploads.tests.helpers import sha256

DATA = os.urandom(5 * 1024 * 1024 + 7)


def _finished(user: Any, data: bytes = b"hello", filename: str = "讲稿.docx") -> Upload:
    upload = upload_create(user=user, size=len(data), metadata={"filename": filename})
    return upload_write(upload=upload, offset=0, stream=io.BytesIO(data), length=len(data))


class Dropping(io.RawIOBase):
    """A request body whose connection drops after `limit` bytes."""

    def __init__(self, data: bytes, limit: int) -> None:
        self.data, self.limit, self.pos = data, limit, 0

    def read(self, n: int = -1, /) -> bytes:
        if self.pos >= self.limit:
            raise ConnectionResetError("peer went away")
        chunk = self.data[self.pos : min(self.pos + n, self.limit)]
        self.pos += len(chunk)
        return chunk


def test_a_dropped_connection_keeps_what_arrived_and_the_rest_completes_it(cast: Cast) -> None:
    # given an upload whose first PATCH loses its connection after 2.5 MB
    user = cast.users["unit_a_admin"]
    upload = upload_create(user=user, size=len(DATA), metadata={"filename": "微党课.mp4"})
    cut = 2 * 1024 * 1024 + 512 * 1024
    with pytest.raises(ConnectionResetError):
        upload_write(upload=upload, offset=0, stream=Dropping(DATA, cut), length=len(DATA))
    # then what arrived is kept and counted
    upload.refresh_from_db()
    assert upload.offset == cut
    assert upload_path(upload).stat().st_size == cut
    # when the client resumes from there
    upload_write(upload=upload, offset=cut, stream=io.BytesIO(DATA[cut:]), length=len(DATA) - cut)
    # then the file is whole
    upload.refresh_from_db()
    assert upload.is_complete
    assert upload.sha256 == sha256(DATA)
    assert sha256(upload_path(upload).read_bytes()) == sha256(DATA)


def test_the_checksum_is_right_when_another_process_received_the_first_part(cast: Cast) -> None:
    upload = upload_create(user=cast.users["member_a"], size=len(DATA))
    upload_write(upload=upload, offset=0, stream=io.BytesIO(DATA[:1000]), length=1000)
    services._hashers.clear()  # as if the next PATCH reached another worker
    upload_write(
        upload=upload, offset=1000, stream=io.BytesIO(DATA[1000:]), length=len(DATA) - 1000
    )
    upload.refresh_from_db()
    assert upload.sha256 == sha256(DATA)


def test_bytes_beyond_the_recorded_offset_are_dropped_before_appending(cast: Cast) -> None:
    upload = upload_create(user=cast.users["member_a"], size=10)
    upload_write(upload=upload, offset=0, stream=io.BytesIO(b"01234"), length=5)
    with open(upload_path(upload), "ab") as f:
        f.write(b"garbage")  # a write that died before its offset was recorded
    upload_write(upload=upload, offset=5, stream=io.BytesIO(b"56789"), length=5)
    assert upload_path(upload).read_bytes() == b"0123456789"


# --- claim ------------------------------------------------------------------------------------


def test_claim_takes_a_finished_upload_once(cast: Cast) -> None:
    upload = _finished(cast.users["unit_a_admin"])
    claimed = upload_claim(user=cast.users["unit_a_admin"], upload_id=str(upload.id))
    assert claimed.claimed_at is not None
    with pytest.raises(ValidationError, match="已经提交过"):
        upload_claim(user=cast.users["unit_a_admin"], upload_id=upload.id)


def test_claim_refuses_an_unfinished_upload(cast: Cast) -> None:
    upload = upload_create(user=cast.users["unit_a_admin"], size=10, metadata={"filename": "a.mp4"})
    with pytest.raises(ValidationError, match="尚未上传完成"):
        upload_claim(user=cast.users["unit_a_admin"], upload_id=upload.id)


@pytest.mark.parametrize("other", ["unit_b_admin", "school_admin", "member_a"])
def test_claim_refuses_someone_elses_upload(cast: Cast, other: str) -> None:
    upload = _finished(cast.users["unit_a_admin"])
    with pytest.raises(ValidationError, match="找不到"):
        upload_claim(user=cast.users[other], upload_id=upload.id)
    upload.refresh_from_db()
    assert upload.claimed_at is None


@pytest.mark.parametrize("bad", ["", "not-a-uuid", "5f1b2c3d-0000-4000-8000-000000000000"])
def test_claim_refuses_unknown_ids(cast: Cast, bad: str) -> None:
    with pytest.raises(ValidationError):
        upload_claim(user=cast.users["member_a"], upload_id=bad)


def test_claim_refuses_an_upload_whose_file_was_cleaned_up(cast: Cast) -> None:
    upload = _finished(cast.users["member_a"])
    upload_path(upload).unlink()
    with pytest.raises(ValidationError, match="过期"):
        upload_claim(user=cast.users["member_a"], upload_id=upload.id)


# --- move -------------------------------------------------------------------------------------


def test_move_into_a_directory_keeps_the_name_and_never_overwrites(
    cast: Cast, media_root: Path
) -> None:
    user = cast.users["unit_a_admin"]
    first = upload_claim(user=user, upload_id=_finished(user, b"one", "微党课.mp4").id)
    second = upload_claim(user=user, upload_id=_finished(user, b"two", "微党课.mp4").id)
    # when
    name1 = upload_move(first, to="submissions/2020/07/")
    name2 = upload_move(second, to="submissions/2020/07/")
    # then
    assert name1 == "submissions/2020/07/微党课.mp4"
    assert name2 != name1 and name2.startswith("submissions/2020/07/微党课")
    assert (media_root / name1).read_bytes() == b"one"
    assert (media_root / name2).read_bytes() == b"two"
    assert not upload_path(first).exists()


def test_move_to_a_file_name(cast: Cast, media_root: Path) -> None:
    user = cast.users["member_a"]
    upload = upload_claim(user=user, upload_id=_finished(user, b"data").id)
    name = upload_move(upload, to="library/abc.docx")
    assert name == "library/abc.docx"
    assert (media_root / name).read_bytes() == b"data"


def test_the_moved_file_is_a_file_field_name(cast: Cast) -> None:
    from django.core.files.storage import default_storage

    user = cast.users["member_a"]
    upload = upload_claim(user=user, upload_id=_finished(user, b"data").id)
    name = upload_move(upload, to="x/")
    with default_storage.open(name) as f:
        assert f.read() == b"data"


def test_move_refuses_an_unclaimed_upload_and_paths_outside_media_root(cast: Cast) -> None:
    user = cast.users["member_a"]
    upload = _finished(user)
    with pytest.raises(ValidationError):
        upload_move(upload, to="x/")
    upload = upload_claim(user=user, upload_id=upload.id)
    with pytest.raises(ValueError):
        upload_move(upload, to="../outside/")


# --- discard and cleanup ------------------------------------------------------------------------


def test_discard_keeps_nothing(cast: Cast) -> None:
    upload = _finished(cast.users["member_a"])
    path = upload_path(upload)
    upload_discard(upload)
    assert not path.exists()
    assert not Upload.objects.exists()


def _age(upload: Upload, hours: float) -> None:
    Upload.objects.filter(pk=upload.pk).update(updated_at=timezone.now() - timedelta(hours=hours))


def test_cleanup_removes_abandoned_and_unclaimed_uploads_after_a_day(
    cast: Cast, media_root: Path
) -> None:
    user = cast.users["member_a"]
    abandoned = upload_create(user=user, size=100)
    unclaimed = _finished(user)
    fresh = upload_create(user=user, size=100)
    submitted = upload_claim(user=user, upload_id=_finished(user).id)
    moved_name = upload_move(submitted, to="kept/")
    for upload in (abandoned, unclaimed, submitted):
        _age(upload, 25)
    Upload.objects.filter(pk=submitted.pk).update(claimed_at=timezone.now() - timedelta(hours=25))
    stray = media_root / "uploads" / "partial" / "stray-file"
    stray.write_bytes(b"x")
    os.utime(stray, (0, 0))
    # when
    removed = uploads_cleanup()
    # then
    assert removed == 3
    assert list(Upload.objects.values_list("id", flat=True)) == [fresh.id]
    assert not upload_path(abandoned).exists()
    assert not upload_path(unclaimed).exists()
    assert upload_path(fresh).exists()
    assert (media_root / moved_name).exists()  # a submitted file is not the cleanup's business
    assert not stray.exists()


def test_cleanup_leaves_uploads_touched_within_the_day(cast: Cast) -> None:
    upload = upload_create(user=cast.users["member_a"], size=100)
    _age(upload, 23)
    assert uploads_cleanup() == 0
    assert upload_path(upload).exists()


def test_the_cleanup_command_and_task(cast: Cast, capsys: Any) -> None:
    from uploads.tasks import uploads_cleanup_task

    for hours in (30, 30, 1):
        _age(upload_create(user=cast.users["member_a"], size=1), hours)
    call_command("uploads_cleanup", hours=24)
    assert "已清除 2 个过期上传" in capsys.readouterr().out
    assert uploads_cleanup_task.call() == 0
    call_command("uploads_cleanup", hours=0.0001)
    assert not Upload.objects.exists()
