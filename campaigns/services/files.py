"""Files of a submission: checked by content (a 微党课's videos also probed), kept or
refused whole.
"""

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.text import get_valid_filename

from audit.services import audit_record
from campaigns.models import (
    Deliverable,
    DeliverableKind,
    MaterialType,
    Submission,
    SubmissionFile,
    SubmissionState,
)
from lib import media

from .submissions import _lock

S = SubmissionState


@dataclass
class IncomingFile:
    """A file waiting to be attached: where it is now, and how to keep or drop it.

    `move(to)` puts it into storage at (or near) the storage name `to` and returns the
    name used; `discard()` removes it. Built from an upload (views), or from a local path
    (the demo, tests, the upward-package import) by incoming_from_path()."""

    name: str
    path: Path
    move: Callable[[str], str]
    discard: Callable[[], None]
    sha256: str = ""


def incoming_from_path(
    path: Path, name: str | None = None, *, keep_source: bool = True
) -> IncomingFile:
    """A local file, copied into storage when kept (the original stays unless keep_source=False)."""

    def move(to: str) -> str:
        with open(path, "rb") as f:
            stored = default_storage.save(to, File(f))
        if not keep_source:
            path.unlink(missing_ok=True)
        return stored

    def discard() -> None:
        if not keep_source:
            path.unlink(missing_ok=True)

    return IncomingFile(name=name or path.name, path=path, move=move, discard=discard)


@dataclass
class AttachResult:
    files: list[SubmissionFile] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (file name, reason)

    @property
    def warnings(self) -> list[tuple[str, str]]:
        return [(f.original_name, w) for f in self.files for w in f.warnings]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


_CONTENT_TYPES = {
    "mp4": "video/mp4",
    "mov": "video/quicktime",
    "webm": "video/webm",
    "mkv": "video/x-matroska",
    "avi": "video/x-msvideo",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "gif": "image/gif",
    "webp": "image/webp",
    "mp3": "audio/mpeg",
    "m4a": "audio/mp4",
    "wav": "audio/wav",
    "ogg": "audio/ogg",
    "flac": "audio/flac",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "txt": "text/plain; charset=utf-8",
    "srt": "text/plain; charset=utf-8",
    "vtt": "text/vtt; charset=utf-8",
    "ass": "text/plain; charset=utf-8",
}


@dataclass
class _Checked:
    incoming: IncomingFile
    sniffed: str | None
    material_type: str = ""
    is_subtitle: bool = False
    subtitles: media.SubtitleInfo | None = None
    media_info: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    error: str = ""


def _check_file(deliverable: Deliverable, inc: IncomingFile) -> _Checked:
    sniffed = media.sniff(inc.path)
    checked = _Checked(incoming=inc, sniffed=sniffed)
    if not media.name_matches_content(inc.name, sniffed):
        ext = media.extension_of(inc.name) or "（无扩展名）"
        checked.error = (
            f"文件内容（{media.describe_type(sniffed)}）与扩展名 {ext} 不符，"
            "或不是可接收的文件类型。"
        )
        return checked
    if sniffed in media.SUBTITLE_TYPES:
        lecture = deliverable.kind == DeliverableKind.MICRO_LECTURE
        if not lecture and MaterialType.TEXT not in deliverable.material_types:
            checked.error = "本任务项不接收字幕文件。"
            return checked
        try:
            checked.subtitles = media.read_subtitles(inc.path)
        except media.MediaError as e:
            checked.error = str(e)
            return checked
        checked.is_subtitle = True
        checked.material_type = MaterialType.TEXT
        checked.media_info = {"cues": checked.subtitles.count, "end_s": checked.subtitles.end_s}
        return checked
    kind = media.material_type_of(inc.name, sniffed)
    allowed = set(deliverable.material_types)
    if kind == MaterialType.TEXT and kind not in allowed and MaterialType.CASE in allowed:
        kind = MaterialType.CASE
    if kind is None or kind not in allowed:
        labels = "、".join(MaterialType(t).label for t in deliverable.material_types)
        what = MaterialType(kind).label if kind else media.describe_type(sniffed)
        checked.error = f"「{deliverable.name}」不接收{what}类文件（只接收：{labels}）。"
        return checked
    checked.material_type = kind
    return checked


def _check_video(checked: _Checked, subtitles: media.SubtitleInfo | None) -> None:
    try:
        probe = media.probe(checked.incoming.path)
    except media.MediaError as e:
        checked.error = str(e)
        return
    verdict = media.check_lecture(probe, filename=checked.incoming.name, subtitles=subtitles)
    checked.media_info = probe.as_dict()
    if verdict.errors:
        checked.error = "".join(verdict.errors)
    checked.warnings = verdict.warnings


def _storage_name(submission: Submission, name: str) -> str:
    safe = get_valid_filename(Path(name).name) or "file"
    return f"submissions/{submission.uuid}/{safe}"


@transaction.atomic
def submission_attach(
    *, actor: Any, submission: Submission, incoming: Sequence[IncomingFile]
) -> AttachResult:
    """Check each file and keep the good ones; a refused file is discarded whole.

    Any file whose content is not what its name says, or whose type the deliverable does not
    take, is refused. For a 微党课 every video is probed and checked against the notice's
    rules; a sidecar subtitle uploaded with it (or attached before) counts for its subtitles.
    """
    _lock(submission)
    deliverable = submission.deliverable
    result = AttachResult()
    if submission.state != S.DRAFT:
        for inc in incoming:
            inc.discard()
            result.refused.append((inc.name, "只有草稿可以添加文件；已报送的请先撤回。"))
        return result
    checks = [_check_file(deliverable, inc) for inc in incoming]
    if deliverable.kind == DeliverableKind.MICRO_LECTURE:
        sidecars = [c.subtitles for c in checks if c.subtitles is not None and not c.error]
        if not sidecars:
            sidecars = [
                media.SubtitleInfo(count=f.media_info.get("cues", 0), end_s=f.media_info["end_s"])
                for f in submission.files.filter(is_subtitle=True)
                if "end_s" in f.media_info
            ]
        best = max(sidecars, key=lambda s: s.end_s) if sidecars else None
        for c in checks:
            if not c.error and c.material_type == MaterialType.VIDEO:
                _check_video(c, best)
    stored_names: list[str] = []
    try:
        for c in checks:
            inc = c.incoming
            if c.error:
                inc.discard()
                result.refused.append((inc.name, c.error))
                continue
            sha = inc.sha256 or _sha256(inc.path)
            size = inc.path.stat().st_size
            stored = inc.move(_storage_name(submission, inc.name))
            stored_names.append(stored)
            result.files.append(
                SubmissionFile.objects.create(
                    submission=submission,
                    material_type=c.material_type,
                    file=stored,
                    original_name=inc.name,
                    size=size,
                    sha256=sha,
                    content_type=_CONTENT_TYPES.get(c.sniffed or "", "application/octet-stream"),
                    is_subtitle=c.is_subtitle,
                    media_info=c.media_info,
                    warnings=c.warnings,
                )
            )
        if result.files or result.refused:
            audit_record(
                actor=actor,
                action="submission.attach",
                target=submission,
                changes={
                    "files": [f.original_name for f in result.files],
                    **(
                        {"refused": [f"{n}：{r}" for n, r in result.refused]}
                        if result.refused
                        else {}
                    ),
                },
            )
    except BaseException:
        # The rows roll back: keep none of the files moved into storage either.
        for name in stored_names:
            default_storage.delete(name)
        raise
    return result


@transaction.atomic
def submission_file_delete(*, actor: Any, file: SubmissionFile) -> None:
    submission = _lock(file.submission)
    if submission.state != S.DRAFT:
        raise ValidationError("只有草稿可以删除文件；已报送的请先撤回。")
    name, stored = file.original_name, file.file.name or ""
    file.delete()
    transaction.on_commit(lambda: default_storage.delete(stored))
    audit_record(
        actor=actor, action="submission.file_delete", target=submission, changes={"file": name}
    )
