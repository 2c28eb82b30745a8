"""Resumable uploads: receive bytes at an offset, then hand the finished file to a feature.

A feature (a campaign submission, the material library) never reads a request body itself. The
browser sends the file to /uploads/ with the tus protocol and puts the upload's id in the form;
the feature's service then calls

    upload = upload_claim(user=user, upload_id=upload_id)   # completed, owned, unclaimed
    path = upload_path(upload)                              # check it (lib.media.probe …)
    name = upload_move(upload, to="submissions/2020/07/")   # or upload_discard(upload)

inside its own transaction. A feature that keeps the files as rows of an `AttachedFile`
model does all of that in one call, `attach_uploads(...)`. See
docs/adr/0004-resumable-uploads.md.
"""

import base64
import binascii
import errno
import fcntl
import hashlib
import mimetypes
import os
import shutil
import threading
import uuid
from collections import OrderedDict
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any, Protocol, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.utils import timezone

from uploads import s3
from uploads.models import Upload

MAX_SIZE = 2 * 1024**3  # Tus-Max-Size: a 微党课 video may be up to 2 GB
CHUNK = 1024 * 1024  # read and write the request body 1 MB at a time
WRITEBACK_EVERY = 4 * CHUNK  # hand written data to the disk every 4 MB
MAX_PENDING_PER_USER = 20  # unfinished uploads one user may hold at once
PARTIAL_DIR = "uploads/partial"


class Readable(Protocol):
    def read(self, n: int, /) -> bytes: ...


class UploadConflict(Exception):
    """The request does not fit the upload's state (tus answers 409); message in Chinese."""


class UploadLocked(Exception):
    """Another request is writing to this upload right now (tus answers 423)."""


class UploadTooLarge(Exception):
    """More bytes than announced, or than the site accepts (413); message in Chinese."""


def partial_root() -> Path:
    return Path(settings.MEDIA_ROOT) / PARTIAL_DIR


def upload_path(upload: Upload) -> Path:
    """Where the upload's bytes are while it is neither claimed nor discarded (on S3: this
    node's copy of the finished upload, fetched on first use)."""
    path = partial_root() / str(upload.id)
    if s3.enabled():
        return s3.local_copy(upload, path)
    return path


def parse_metadata(header: str) -> dict[str, str]:
    """Upload-Metadata: "filename d2VpLm1wNA==,filetype dmlkZW8vbXA0" -> {"filename": …}.
    Raises ValueError for a value that is not base64 UTF-8."""
    metadata: dict[str, str] = {}
    for pair in header.split(","):
        pair = pair.strip()
        if not pair:
            continue
        key, _, value = pair.partition(" ")
        try:
            metadata[key] = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError) as e:
            raise ValueError(key) from e
    return metadata


def _clean_filename(name: str) -> str:
    name = name.replace("\\", "/").rsplit("/", 1)[-1].strip().replace("\x00", "")
    return name[:255] or "未命名文件"


def upload_create(*, user: Any, size: int, metadata: dict[str, str] | None = None) -> Upload:
    """Announce an upload of `size` bytes and make its empty partial file."""
    metadata = metadata or {}
    if size < 0:
        raise ValidationError("文件大小无效。")
    if size > MAX_SIZE:
        raise UploadTooLarge(f"文件大小为 {size / 1024**3:.2f} GB，超过 2 GB 的上限。")
    pending = Upload.objects.filter(user=user, completed_at__isnull=True).count()
    if pending >= MAX_PENDING_PER_USER:
        raise ValidationError(
            f"您有 {pending} 个未完成的上传，请先完成或取消其中一些（未完成的上传一天后自动清除）。"
        )
    filename = _clean_filename(metadata.get("filename") or metadata.get("name") or "")
    upload = Upload(user=user, filename=filename, size=size, metadata=metadata)
    if size == 0:
        upload.completed_at = timezone.now()
        upload.sha256 = hashlib.sha256().hexdigest()
    if s3.enabled():
        s3.create(upload)
        try:
            upload.save(force_insert=True)
        except BaseException:
            s3.discard(upload)
            raise
        return upload
    path = partial_root() / str(upload.id)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(exist_ok=False)
    try:
        upload.save(force_insert=True)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return upload


# Running SHA-256 of uploads this process is receiving: {upload id: (offset, hasher)}.
# A PATCH that continues where this process's last one stopped keeps hashing as it writes;
# otherwise (another worker, a restart) the finished file is hashed once at the end.
_hashers: "OrderedDict[uuid.UUID, tuple[int, Any]]" = OrderedDict()
_hashers_lock = threading.Lock()
_HASHERS_KEPT = 64
_hash_pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="upload-sha256")


def _take_hasher(upload_id: uuid.UUID, offset: int) -> Any | None:
    with _hashers_lock:
        kept = _hashers.pop(upload_id, None)
    if offset == 0:
        return hashlib.sha256()
    if kept is not None and kept[0] == offset:
        return kept[1]
    return None


def _keep_hasher(upload_id: uuid.UUID, offset: int, hasher: Any) -> None:
    with _hashers_lock:
        _hashers[upload_id] = (offset, hasher)
        while len(_hashers) > _HASHERS_KEPT:
            _hashers.popitem(last=False)


def _file_sha256(path: Path) -> str:
    hasher = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            hasher.update(chunk)
    return hasher.hexdigest()


def upload_write(*, upload: Upload, offset: int, stream: Readable, length: int | None) -> Upload:
    """Append the request body at `offset` (tus PATCH), reading `stream` 1 MB at a time.

    `offset` must equal what is already stored (else UploadConflict). What arrives before a
    dropped connection is kept and counted, so the client resumes from there.

    Durability: a finished file is fdatasync'ed before it is marked complete, so a file a
    feature claims is on disk. Intermediate PATCHes are not synced (that halves throughput on
    an ordinary disk); if the machine loses power, the file may be shorter than the recorded
    offset, and `upload_offset_verified` (HEAD, and here) lowers the offset to what survived,
    so the client resends the rest. A crashed process loses nothing: the page cache keeps it.
    """
    if upload.claimed_at is not None or upload.is_complete:
        raise UploadConflict("该文件已上传完成。")
    if length is not None and offset + length > upload.size:
        raise UploadTooLarge("发送的数据超过了文件声明的大小。")
    if s3.enabled():
        return _upload_write_s3(upload=upload, offset=offset, stream=stream, length=length)
    path = upload_path(upload)
    try:
        fd = os.open(path, os.O_WRONLY)
    except FileNotFoundError as e:
        raise UploadConflict("上传的临时文件已不存在，请重新上传。") from e
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as e:
            raise UploadLocked from e
        # Read the offset again under the lock: another request may just have finished.
        upload.refresh_from_db(fields=["offset", "completed_at", "claimed_at"])
        if upload.claimed_at is not None or upload.is_complete:
            raise UploadConflict("该文件已上传完成。")
        _verify_offset(upload, os.fstat(fd).st_size)
        if offset != upload.offset:
            raise UploadConflict(f"上传位置不一致：服务器已接收 {upload.offset} 字节。")
        # Bytes past the recorded offset (a write cut off before it was recorded) are dropped.
        os.ftruncate(fd, offset)
        os.lseek(fd, offset, os.SEEK_SET)
        hasher = _take_hasher(upload.id, offset)
        remaining = upload.size - offset if length is None else length
        written = 0
        hashing: Future[None] | None = None
        try:
            while remaining > 0:
                chunk = stream.read(min(CHUNK, remaining))
                if not chunk:
                    break
                if hasher is not None:
                    # Hash this chunk on another thread (hashlib lets go of the GIL) while
                    # this one writes it and reads the next; at most two chunks are held.
                    if hashing is not None:
                        hashing.result()
                    hashing = _hash_pool.submit(hasher.update, chunk)
                view = memoryview(chunk)
                while view:
                    n = os.write(fd, view)
                    view = view[n:]
                written += len(chunk)
                remaining -= len(chunk)
                if written % WRITEBACK_EVERY == 0:
                    # Start writing these pages to disk now (without waiting), so the sync at
                    # the end has little left to do and the page cache does not fill up.
                    os.posix_fadvise(
                        fd,
                        offset + written - WRITEBACK_EVERY,
                        WRITEBACK_EVERY,
                        os.POSIX_FADV_DONTNEED,
                    )
        finally:
            if hashing is not None:
                hashing.result()
            # Keep what arrived, even if the connection dropped half way.
            if written:
                if offset + written == upload.size:
                    os.fdatasync(fd)
                _record(upload, offset, written, hasher, path)
    finally:
        os.close(fd)  # also releases the lock
    return upload


def _upload_write_s3(
    *, upload: Upload, offset: int, stream: Readable, length: int | None
) -> Upload:
    """upload_write on S3-compatible storage: the same checks under a lock every node sees."""
    if not s3.lock(upload):
        raise UploadLocked
    try:
        upload.refresh_from_db()
        if upload.claimed_at is not None or upload.is_complete:
            raise UploadConflict("该文件已上传完成。")
        if offset != upload.offset:
            raise UploadConflict(f"上传位置不一致：服务器已接收 {upload.offset} 字节。")
        hasher = _take_hasher(upload.id, offset)
        written, hasher = s3.write(
            upload=upload, offset=offset, stream=stream, length=length, hasher=hasher
        )
        if offset + written == upload.size and written:
            digest = hasher.hexdigest() if hasher is not None else None
            fields: dict[str, Any] = {
                "sha256": digest or s3.object_sha256(s3.partial_key(upload)),
                "completed_at": timezone.now(),
                "offset": upload.size,
                "updated_at": timezone.now(),
            }
            Upload.objects.filter(pk=upload.pk).update(**fields)
            for key, value in fields.items():
                setattr(upload, key, value)
            with _hashers_lock:
                _hashers.pop(upload.id, None)
        elif written and hasher is not None:
            _keep_hasher(upload.id, offset + written, hasher)
    finally:
        s3.unlock(upload)
    return upload


def _verify_offset(upload: Upload, file_size: int) -> None:
    if file_size < upload.offset:
        Upload.objects.filter(pk=upload.pk).update(offset=file_size, updated_at=timezone.now())
        upload.offset = file_size
        with _hashers_lock:
            _hashers.pop(upload.id, None)


def upload_offset_verified(upload: Upload) -> Upload:
    """The upload with its offset lowered to the partial file's size if the file is shorter
    (after a power loss, unsynced bytes may be gone). For HEAD. On S3 the recorded offset
    counts only stored parts and tail, so it stands."""
    if upload.is_complete or upload.claimed_at is not None or s3.enabled():
        return upload
    try:
        size = upload_path(upload).stat().st_size
    except FileNotFoundError:
        size = 0
    _verify_offset(upload, size)
    return upload


def _record(upload: Upload, offset: int, written: int, hasher: Any | None, path: Path) -> None:
    new_offset = offset + written
    fields: dict[str, Any] = {"offset": new_offset, "updated_at": timezone.now()}
    if new_offset == upload.size:
        fields["sha256"] = hasher.hexdigest() if hasher is not None else _file_sha256(path)
        fields["completed_at"] = timezone.now()
        with _hashers_lock:
            _hashers.pop(upload.id, None)
    elif hasher is not None:
        _keep_hasher(upload.id, new_offset, hasher)
    Upload.objects.filter(pk=upload.pk, offset=offset).update(**fields)
    for key, value in fields.items():
        setattr(upload, key, value)


def upload_get_for_user(*, user: Any, upload_id: Any) -> Upload | None:
    """The user's own upload, or None (someone else's upload does not exist for them)."""
    try:
        key = upload_id if isinstance(upload_id, uuid.UUID) else uuid.UUID(str(upload_id))
    except ValueError:
        return None
    if not getattr(user, "is_authenticated", False):
        return None
    return Upload.objects.filter(pk=key, user=user).first()


@transaction.atomic
def upload_claim(*, user: Any, upload_id: Any) -> Upload:
    """Take a finished upload for a feature: it must be the user's, complete and unclaimed.
    Raises ValidationError (Chinese) otherwise. Call inside the feature's transaction."""
    try:
        key = upload_id if isinstance(upload_id, uuid.UUID) else uuid.UUID(str(upload_id))
    except ValueError as e:
        raise ValidationError("上传的文件标识无效。") from e
    upload = Upload.objects.select_for_update().filter(pk=key, user=user).first()
    if upload is None:
        raise ValidationError("找不到上传的文件，请重新上传。")
    if upload.claimed_at is not None:
        raise ValidationError(f"文件「{upload.filename}」已经提交过，请勿重复提交。")
    if not upload.is_complete:
        raise ValidationError(f"文件「{upload.filename}」尚未上传完成，请等待上传完成后再提交。")
    if not (s3.exists(upload) if s3.enabled() else upload_path(upload).exists()):
        raise ValidationError(f"文件「{upload.filename}」已过期被清除，请重新上传。")
    upload.claimed_at = timezone.now()
    upload.save(update_fields=["claimed_at", "updated_at"])
    return upload


def upload_move(upload: Upload, *, to: str) -> str:
    """Move a claimed upload's file into MEDIA_ROOT/<to> atomically and return its storage
    name (for a FileField). `to` is a directory ("submissions/2020/07/", the file keeps its
    name) or a file name ("library/abc.mp4"); an existing file is never overwritten."""
    if upload.claimed_at is None:
        raise ValidationError("文件尚未被认领，不能移动。")
    to = to.replace("\\", "/").lstrip("/")
    if ".." in Path(to).parts:
        raise ValueError(f"not a path inside MEDIA_ROOT: {to!r}")
    wanted = to + upload.filename if to.endswith("/") or not to else to
    directory, _, name = wanted.rpartition("/")
    name = default_storage.get_valid_name(name)
    if s3.enabled():
        stored = s3.move(upload, f"{directory}/{name}" if directory else name)
        (partial_root() / str(upload.id)).unlink(missing_ok=True)  # this node's copy
        return stored
    target_dir = Path(settings.MEDIA_ROOT) / directory
    target_dir.mkdir(parents=True, exist_ok=True)
    source = upload_path(upload)
    while True:
        storage_name = default_storage.get_available_name(
            f"{directory}/{name}" if directory else name
        )
        target = Path(settings.MEDIA_ROOT) / storage_name
        try:
            # Reserve the name so a concurrent move cannot take it, then replace atomically.
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            continue
        os.close(fd)
        break
    try:
        os.replace(source, target)
    except OSError as e:
        if e.errno != errno.EXDEV:
            target.unlink(missing_ok=True)
            raise
        # MEDIA_ROOT spans file systems: copy next to the target, then replace atomically.
        temporary = target.with_name(f".{target.name}.{upload.id}.part")
        shutil.copyfile(source, temporary)
        os.replace(temporary, target)
        source.unlink()
    return storage_name


def upload_discard(upload: Upload) -> None:
    """Keep nothing: delete the upload's file and its row (a refused file, a cancelled one)."""
    if s3.enabled():
        s3.discard(upload)
    (partial_root() / str(upload.id)).unlink(missing_ok=True)
    with _hashers_lock:
        _hashers.pop(upload.id, None)
    if upload.pk is not None:
        Upload.objects.filter(pk=upload.pk).delete()


def uploads_cleanup(*, older_than: timedelta = timedelta(days=1)) -> int:
    """Remove uploads untouched for `older_than` that nobody claimed (abandoned or finished
    but never submitted), the rows of long-claimed ones, and stray partial files.
    Returns how many uploads were removed."""
    cutoff = timezone.now() - older_than
    removed = 0
    for upload in Upload.objects.filter(claimed_at__isnull=True, updated_at__lt=cutoff).iterator():
        upload_discard(upload)
        removed += 1
    Upload.objects.filter(claimed_at__lt=cutoff).delete()  # their files were moved away
    root = partial_root()
    if root.is_dir():
        known = {str(pk) for pk in Upload.objects.values_list("id", flat=True)}
        for entry in root.iterdir():
            if entry.name not in known and entry.stat().st_mtime < cutoff.timestamp():
                entry.unlink(missing_ok=True)
                removed += 1
    return removed


# An AttachedFile model, or one with the same fields (escalations keeps its uploader by PROTECT).
Attached = TypeVar("Attached", bound=models.Model)


@transaction.atomic
def attach_uploads(
    *,
    user: Any,
    upload_ids: Iterable[str],
    model: type[Attached],
    folder: str,
    limit: int,
    existing: int,
    too_many: str,
    media: tuple[str, ...] = (),
    not_media: str = "「{name}」的文件类型不符合要求。",
    **fields: Any,
) -> list[Attached]:
    """Turn the user's finished uploads into rows of `model`, one an upload, in the order given
    (an id given twice counts once, a blank one not at all), and return the rows.

    Every upload must be the user's own, complete and not yet claimed (`upload_claim`'s Chinese
    ValidationError otherwise); with `existing` rows already there, more than `limit` in all
    raises ValidationError(too_many); with `media` (content-type prefixes such as "image/"),
    a file of another type raises ValidationError(not_media.format(name=...)). All are checked
    before any file moves; each then goes to MEDIA_ROOT/<folder>/<yyyy>/<mm>/ and its row gets
    `fields` (the owner, a stage …) with the upload's name, size, SHA-256 and guessed type."""
    ids = list(dict.fromkeys(str(i) for i in upload_ids if i))
    if not ids:
        return []
    if existing + len(ids) > limit:
        raise ValidationError(too_many)
    claimed = [upload_claim(user=user, upload_id=raw) for raw in ids]
    types = [mimetypes.guess_type(upload.filename)[0] or "" for upload in claimed]
    for upload, content_type in zip(claimed, types, strict=True):
        if media and not content_type.startswith(media):
            raise ValidationError(not_media.format(name=upload.filename))
    to = f"{folder}/{timezone.localdate():%Y/%m}/"
    return [
        model._default_manager.create(
            file=upload_move(upload, to=to),
            original_name=upload.filename,
            size=upload.size,
            sha256=upload.sha256,
            content_type=content_type,
            uploaded_by=user,
            **fields,
        )
        for upload, content_type in zip(claimed, types, strict=True)
    ]
