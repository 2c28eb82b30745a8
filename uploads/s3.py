"""Resumable uploads on S3-compatible storage (S3_BUCKET set): several app nodes receive the
pieces of one upload, so the bytes cannot sit in one node's file.

An unfinished upload is an S3 multipart upload plus, at most, one small "tail" object:

    parts    whole parts of PART_SIZE, each uploaded (and recorded) as soon as it is full
    tail     the bytes after the last whole part (fewer than PART_SIZE), kept as the object
             uploads/partial/<id>.tail until the next PATCH carries them into a part

so `offset = sum(part sizes) + len(tail)` always, and a PATCH cut off half way keeps every
byte that arrived. The last PATCH uploads what is left as the final part and completes the
multipart upload into the object uploads/partial/<id>. Only one request writes to an upload
at a time, on whatever node: the row's `locked_until` is taken with a conditional UPDATE.
See docs/adr/0004-resumable-uploads.md and docs/scale.md.
"""

import contextlib
import hashlib
from datetime import timedelta
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.core.files.storage import default_storage
from django.db.models import Q
from django.utils import timezone

from uploads.models import Upload

PART_SIZE = 8 * 1024 * 1024  # S3 wants every part but the last to be at least 5 MB
READ = 1024 * 1024
LOCK_FOR = timedelta(minutes=30)  # a PATCH longer than this loses its lock


class Readable(Protocol):
    def read(self, n: int, /) -> bytes: ...


def enabled() -> bool:
    return bool(getattr(settings, "S3_BUCKET", ""))


def _storage() -> Any:
    return default_storage


def client() -> Any:
    return _storage().connection.meta.client


def bucket() -> str:
    return str(_storage().bucket_name)


def key(name: str) -> str:
    """The object key of a storage name (with the storage's location prefix, if any)."""
    return str(_storage()._normalize_name(name))


def partial_key(upload: Upload) -> str:
    from uploads.services import PARTIAL_DIR

    return key(f"{PARTIAL_DIR}/{upload.id}")


def tail_key(upload: Upload) -> str:
    return partial_key(upload) + ".tail"


def parts_size(upload: Upload) -> int:
    return sum(int(p["size"]) for p in upload.parts)


# --- the lock across nodes -----------------------------------------------------------------


def lock(upload: Upload) -> bool:
    now = timezone.now()
    taken = Upload.objects.filter(
        Q(locked_until__isnull=True) | Q(locked_until__lt=now), pk=upload.pk
    ).update(locked_until=now + LOCK_FOR)
    return taken == 1


def unlock(upload: Upload) -> None:
    Upload.objects.filter(pk=upload.pk).update(locked_until=None)


# --- create, write, finish -----------------------------------------------------------------


def create(upload: Upload) -> None:
    """Start the multipart upload (an empty file is stored at once)."""
    if upload.size == 0:
        client().put_object(Bucket=bucket(), Key=partial_key(upload), Body=b"")
        return
    started = client().create_multipart_upload(Bucket=bucket(), Key=partial_key(upload))
    upload.s3_upload_id = started["UploadId"]


def _put_part(upload: Upload, data: bytes | bytearray) -> None:
    number = len(upload.parts) + 1
    answer = client().upload_part(
        Bucket=bucket(),
        Key=partial_key(upload),
        UploadId=upload.s3_upload_id,
        PartNumber=number,
        Body=bytes(data),
    )
    upload.parts = [*upload.parts, {"n": number, "etag": answer["ETag"], "size": len(data)}]


def _read_tail(upload: Upload, length: int) -> bytearray:
    if length == 0:
        return bytearray()
    body = client().get_object(Bucket=bucket(), Key=tail_key(upload))["Body"].read()
    return bytearray(body[:length])


def object_sha256(object_key: str) -> str:
    hasher = hashlib.sha256()
    body = client().get_object(Bucket=bucket(), Key=object_key)["Body"]
    while chunk := body.read(READ):
        hasher.update(chunk)
    return hasher.hexdigest()


def write(
    *, upload: Upload, offset: int, stream: Readable, length: int | None, hasher: Any | None
) -> tuple[int, Any | None]:
    """Append the request body at `offset` (the caller holds the lock and checked the
    offset). Records each whole part as it is stored; returns (bytes written, hasher)."""
    buffer = _read_tail(upload, offset - parts_size(upload))
    remaining = upload.size - offset if length is None else length
    written = 0
    try:
        while remaining > 0:
            chunk = stream.read(min(READ, remaining))
            if not chunk:
                break
            if hasher is not None:
                hasher.update(chunk)
            buffer += chunk
            written += len(chunk)
            remaining -= len(chunk)
            if len(buffer) >= PART_SIZE:
                _put_part(upload, buffer[:PART_SIZE])
                del buffer[:PART_SIZE]
                _record_parts(upload)  # the first part holds the old tail: offset only grows
    finally:
        end = parts_size(upload) + len(buffer)
        if end == upload.size:
            _finish(upload, buffer)
        elif end > upload.offset:
            if buffer:
                client().put_object(Bucket=bucket(), Key=tail_key(upload), Body=bytes(buffer))
            _record_parts(upload, offset=end)
    return written, hasher


def _record_parts(upload: Upload, *, offset: int | None = None) -> None:
    new_offset = parts_size(upload) if offset is None else offset
    Upload.objects.filter(pk=upload.pk).update(
        parts=upload.parts, offset=new_offset, updated_at=timezone.now()
    )
    upload.offset = new_offset


def _finish(upload: Upload, buffer: bytearray) -> None:
    if buffer or not upload.parts:
        _put_part(upload, buffer)
    client().complete_multipart_upload(
        Bucket=bucket(),
        Key=partial_key(upload),
        UploadId=upload.s3_upload_id,
        MultipartUpload={
            "Parts": [{"PartNumber": p["n"], "ETag": p["etag"]} for p in upload.parts]
        },
    )
    client().delete_object(Bucket=bucket(), Key=tail_key(upload))
    Upload.objects.filter(pk=upload.pk).update(parts=upload.parts)


# --- after it is complete ------------------------------------------------------------------


def exists(upload: Upload) -> bool:
    try:
        client().head_object(Bucket=bucket(), Key=partial_key(upload))
    except Exception:
        return False
    return True


def local_copy(upload: Upload, path: Path) -> Path:
    """The finished upload as a file on this node (the features probe and hash files on
    disk); fetched once into `path`."""
    if not path.exists() and upload.is_complete:
        path.parent.mkdir(parents=True, exist_ok=True)
        part = path.with_name(path.name + ".download")
        client().download_file(bucket(), partial_key(upload), str(part))
        part.replace(path)
    return path


def move(upload: Upload, name: str) -> str:
    """Copy the finished object to the storage name `name` (a free one near it), delete the
    partial object, and return the name stored."""
    stored = str(_storage().get_available_name(name))
    client().copy({"Bucket": bucket(), "Key": partial_key(upload)}, bucket(), key(stored))
    client().delete_object(Bucket=bucket(), Key=partial_key(upload))
    return stored


def discard(upload: Upload) -> None:
    if upload.s3_upload_id and not upload.is_complete:
        with contextlib.suppress(Exception):  # already completed or aborted
            client().abort_multipart_upload(
                Bucket=bucket(), Key=partial_key(upload), UploadId=upload.s3_upload_id
            )
    client().delete_object(Bucket=bucket(), Key=tail_key(upload))
    client().delete_object(Bucket=bucket(), Key=partial_key(upload))
