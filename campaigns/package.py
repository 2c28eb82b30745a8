"""The upward package (上报包): a campaign's selected submissions as one .zip that another
installation — a province's — imports as submissions of its own campaign.

Format (docs/upward-package.md): `manifest.json` (schema_version, the source installation, the
campaign, its deliverables, the submissions with authors and files) and the files under
`files/<submission uuid>/`. Each file's size and sha256 are in the manifest.

Import is all or nothing. `package_read` checks the whole package first — schema version, the
manifest's shape, every file present with its size and sha256 — streaming each member through
zipfile without extracting anything. Only then does `package_import` write, in one transaction:
submissions, authors, files (copied from the zip into storage, re-hashed on the way) and a
SubmissionEvent each. If anything fails the transaction rolls back and the files already copied
are deleted. A submission already imported (its uuid is some Submission's source_uuid, which
is unique) is skipped, so importing the same package twice creates nothing.

Imports are written here with the ORM, not through campaigns.services.submission_create and
submission_submit: those enforce the importing side's quotas and deadlines on its own units,
which do not apply to what another installation has already selected.
"""

import datetime as dt
import hashlib
import hmac
import json
import re
import uuid
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, BinaryIO, cast

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.text import get_valid_filename

from audit.services import audit_record
from campaigns.models import (
    Campaign,
    Deliverable,
    DeliverableKind,
    MaterialType,
    Submission,
    SubmissionAuthor,
    SubmissionEvent,
    SubmissionFile,
    SubmissionState,
)
from orgs.models import Org, OrgKind

SCHEMA_VERSION = 1
SUPPORTED_SCHEMA_VERSIONS = frozenset({1})
MANIFEST_NAME = "manifest.json"
MAX_MANIFEST_BYTES = 32 * 1024 * 1024
# Caps on what one package may hold, so a small zip cannot fill the disk or busy the server:
# the upload itself, each member and all of them as they inflate, the number of members, and
# how far a large member may inflate (videos and office files barely compress; 1 KB of zip
# that claims 1 GB is a bomb). zipfile never inflates past a member's declared size, so the
# declared sizes checked here bound what is read.
GB = 1024**3
MAX_PACKAGE_BYTES = 10 * GB
MAX_MEMBER_BYTES = 2 * GB  # as a resumable upload (uploads.services.MAX_SIZE)
MAX_TOTAL_BYTES = 20 * GB
MAX_MEMBERS = 5_000
MAX_RATIO = 200
RATIO_FROM_BYTES = 10 * 1024 * 1024
CHUNK = 1024 * 1024
# States an imported submission may be given on the receiving side.
IMPORT_STATES = (
    SubmissionState.SUBMITTED,
    SubmissionState.SHORTLISTED,
    SubmissionState.SELECTED,
)
_UNSAFE = re.compile(r'[\x00-\x1f/\\:*?"<>|]+')


class PackageError(Exception):
    """The package is refused; str(error) is a Chinese sentence for the user."""


def installation_id() -> str:
    """A stable id of this installation: settings.INSTALLATION_ID if set, else a UUID derived
    (one-way) from SECRET_KEY, so it stays the same as long as the key does."""
    configured = settings.INSTALLATION_ID
    if configured:
        return str(configured)
    digest = hmac.new(
        settings.SECRET_KEY.encode(), b"partyorg.installation-id", hashlib.sha256
    ).hexdigest()
    return str(uuid.UUID(digest[:32]))


def school_name() -> str:
    root = Org.objects.filter(depth=1).order_by("path").values_list("name", flat=True).first()
    return root or settings.SITE_NAME


# --- export -----------------------------------------------------------------------------


def _zip_name(name: str) -> str:
    """A file's name inside the zip: its base name, without separators or control characters."""
    base = _UNSAFE.sub("_", name.replace("\\", "/").split("/")[-1]).strip(". ") or "file"
    stem, dot, ext = base.rpartition(".")
    if dot and len(base) > 120:
        return f"{stem[: 119 - len(ext)]}.{ext}"
    return base[:120]


def _iso(value: dt.datetime | dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _deliverable_entry(d: Deliverable) -> dict[str, Any]:
    return {
        "uuid": str(d.uuid),
        "kind": d.kind,
        "name": d.name,
        "description": d.description,
        "deadline": _iso(d.deadline),
        "submitting_level": d.submitting_level,
        "quota": d.quota,
        "material_types": d.material_types,
        "subkinds": d.subkinds,
        "topics": d.topics,
    }


def package_export(
    *,
    campaign: Campaign,
    submissions: Iterable[Submission],
    unit_names: dict[str, str],
    out: IO[bytes],
) -> dict[str, Any]:
    """Write the package to `out` (a seekable binary file) and return its manifest.

    `submissions` come with files, authors and org fetched. Each file is streamed from storage
    into the zip and hashed on the way, so the manifest states what the zip really holds."""
    entries: list[dict[str, Any]] = []
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as zf:
        for s in submissions:
            files = []
            for i, f in enumerate(s.files.all(), start=1):
                path = f"files/{s.uuid}/{i:02d}-{_zip_name(f.original_name)}"
                # Pictures, audio and video are compressed already: store them as they are.
                compress = (
                    zipfile.ZIP_STORED
                    if f.material_type
                    in (MaterialType.PICTURE, MaterialType.AUDIO, MaterialType.VIDEO)
                    else zipfile.ZIP_DEFLATED
                )
                info = zipfile.ZipInfo(path, date_time=timezone.localtime().timetuple()[:6])
                info.compress_type = compress
                digest, size = hashlib.sha256(), 0
                with f.file.open("rb") as src, zf.open(info, "w", force_zip64=True) as dst:
                    while chunk := src.read(CHUNK):
                        digest.update(chunk)
                        size += len(chunk)
                        dst.write(chunk)
                files.append(
                    {
                        "path": path,
                        "original_name": f.original_name,
                        "size": size,
                        "sha256": digest.hexdigest(),
                        "material_type": f.material_type,
                        "content_type": f.content_type,
                        "is_subtitle": f.is_subtitle,
                        "media_info": f.media_info,
                        "warnings": f.warnings,
                    }
                )
            org = s.org
            entries.append(
                {
                    "uuid": str(s.uuid),
                    "deliverable_uuid": str(s.deliverable.uuid),
                    "unit_name": unit_names.get(org.unit_path(), org.name),
                    "org_name": org.name,
                    "title": s.title,
                    "summary": s.summary,
                    "topic": s.topic,
                    "subkind": s.subkind,
                    "tags": s.tags,
                    "state": s.state,
                    "is_late": s.is_late,
                    "submitted_at": _iso(s.submitted_at),
                    "score": str(s.score) if s.score is not None else None,
                    "recommended_to": s.recommended_to,
                    "authors": [{"name": a.name, "order": a.order} for a in s.authors.all()],
                    "files": files,
                }
            )
        manifest = {
            "schema_version": SCHEMA_VERSION,
            "exported_at": timezone.now().isoformat(),
            "source": {
                "installation_name": settings.SITE_NAME,
                "installation_id": installation_id(),
                "school_name": school_name(),
            },
            "campaign": {
                "uuid": str(campaign.uuid),
                "name": campaign.name,
                "year": campaign.year,
                "description": campaign.description,
            },
            "deliverables": [_deliverable_entry(d) for d in campaign.deliverables.all()],
            "submissions": entries,
        }
        zf.writestr(
            MANIFEST_NAME,
            json.dumps(manifest, ensure_ascii=False, indent=2),
            compress_type=zipfile.ZIP_DEFLATED,
        )
    return manifest


# --- reading and checking -----------------------------------------------------------------


@dataclass
class PackageFile:
    path: str
    original_name: str
    size: int
    sha256: str
    material_type: str
    content_type: str = ""
    is_subtitle: bool = False
    media_info: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


@dataclass
class PackageSubmission:
    uuid: uuid.UUID
    deliverable_uuid: str
    unit_name: str
    org_name: str
    title: str
    summary: str
    topic: str
    subkind: str
    tags: list[str]
    state: str
    authors: list[str]
    files: list[PackageFile]


@dataclass
class PackageDeliverable:
    uuid: str
    kind: str
    name: str
    deadline: str | None


@dataclass
class Package:
    schema_version: int
    exported_at: str
    installation_name: str
    installation_id: str
    school_name: str
    campaign_name: str
    campaign_uuid: str
    campaign_year: int | None
    deliverables: list[PackageDeliverable]
    submissions: list[PackageSubmission]

    @property
    def file_count(self) -> int:
        return sum(len(s.files) for s in self.submissions)

    @property
    def total_size(self) -> int:
        return sum(f.size for s in self.submissions for f in s.files)


def _get(obj: Any, key: str, kind: type | tuple[type, ...], where: str, default: Any = ...) -> Any:
    if not isinstance(obj, dict):
        raise PackageError(f"清单格式错误：{where} 应为对象。")
    if key not in obj or obj[key] is None:
        if default is not ...:
            return default
        raise PackageError(f"清单格式错误：{where} 缺少字段「{key}」。")
    value = obj[key]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise PackageError(f"清单格式错误：{where} 的字段「{key}」类型不正确。")
    return value


def _uuid(value: str, where: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except (ValueError, AttributeError, TypeError):
        raise PackageError(f"清单格式错误：{where} 的 uuid「{value}」无效。") from None


def _safe_member(path: str, where: str) -> str:
    parts = path.split("/")
    if not path.startswith("files/") or "\\" in path or any(p in ("", ".", "..") for p in parts):
        raise PackageError(f"清单格式错误：{where} 的文件路径「{path}」不安全。")
    return path


def _parse(manifest: Any) -> Package:
    version = _get(manifest, "schema_version", int, "清单")
    if version not in SUPPORTED_SCHEMA_VERSIONS:
        supported = "、".join(str(v) for v in sorted(SUPPORTED_SCHEMA_VERSIONS))
        raise PackageError(
            f"不支持的上报包格式版本：{version}（本系统支持版本 {supported}），未导入任何内容。"
        )
    source = _get(manifest, "source", dict, "清单")
    campaign = _get(manifest, "campaign", dict, "清单")
    deliverables = []
    for i, d in enumerate(_get(manifest, "deliverables", list, "清单"), start=1):
        where = f"第 {i} 个任务项"
        kind = _get(d, "kind", str, where)
        deliverables.append(
            PackageDeliverable(
                uuid=str(_uuid(_get(d, "uuid", str, where), where)),
                kind=kind,
                name=_get(d, "name", str, where),
                deadline=_get(d, "deadline", str, where, None),
            )
        )
    known = {d.uuid for d in deliverables}
    submissions, seen_uuids, seen_paths = [], set(), set()
    for i, s in enumerate(_get(manifest, "submissions", list, "清单"), start=1):
        where = f"第 {i} 条报送"
        sid = _uuid(_get(s, "uuid", str, where), where)
        if sid in seen_uuids:
            raise PackageError(f"清单格式错误：{where} 的 uuid 重复。")
        seen_uuids.add(sid)
        d_uuid = str(_uuid(_get(s, "deliverable_uuid", str, where), where))
        if d_uuid not in known:
            raise PackageError(f"清单格式错误：{where} 所属的任务项不在清单中。")
        files = []
        for j, f in enumerate(_get(s, "files", list, where), start=1):
            fwhere = f"{where}的第 {j} 个文件"
            path = _safe_member(_get(f, "path", str, fwhere), fwhere)
            if path in seen_paths:
                raise PackageError(f"清单格式错误：{fwhere} 的路径重复。")
            seen_paths.add(path)
            sha = _get(f, "sha256", str, fwhere).lower()
            if not re.fullmatch(r"[0-9a-f]{64}", sha):
                raise PackageError(f"清单格式错误：{fwhere} 的 sha256 无效。")
            material_type = _get(f, "material_type", str, fwhere)
            if material_type not in MaterialType.values:
                raise PackageError(f"清单格式错误：{fwhere} 的素材类型「{material_type}」未知。")
            size = _get(f, "size", int, fwhere)
            if size < 0:
                raise PackageError(f"清单格式错误：{fwhere} 的大小无效。")
            files.append(
                PackageFile(
                    path=path,
                    original_name=_get(f, "original_name", str, fwhere)[:255] or "file",
                    size=size,
                    sha256=sha,
                    material_type=material_type,
                    content_type=_safe_content_type(_get(f, "content_type", str, fwhere, "")),
                    is_subtitle=bool(_get(f, "is_subtitle", bool, fwhere, False)),
                    media_info=_get(f, "media_info", dict, fwhere, {}),
                    warnings=[
                        w for w in _get(f, "warnings", list, fwhere, []) if isinstance(w, str)
                    ],
                )
            )
        authors = [
            _get(a, "name", str, f"{where}的作者")[:50] for a in _get(s, "authors", list, where)
        ]
        submissions.append(
            PackageSubmission(
                uuid=sid,
                deliverable_uuid=d_uuid,
                unit_name=_get(s, "unit_name", str, where, ""),
                org_name=_get(s, "org_name", str, where, ""),
                title=_get(s, "title", str, where)[:200],
                summary=_get(s, "summary", str, where, ""),
                topic=_get(s, "topic", str, where, "")[:100],
                subkind=_get(s, "subkind", str, where, "")[:50],
                tags=[t for t in _get(s, "tags", list, where, []) if isinstance(t, str)],
                state=_get(s, "state", str, where, ""),
                authors=authors,
                files=files,
            )
        )
    return Package(
        schema_version=version,
        exported_at=_get(manifest, "exported_at", str, "清单", ""),
        installation_name=_get(source, "installation_name", str, "来源", ""),
        installation_id=_get(source, "installation_id", str, "来源", ""),
        school_name=_get(source, "school_name", str, "来源", "")
        or _get(source, "installation_name", str, "来源", ""),
        campaign_name=_get(campaign, "name", str, "活动"),
        campaign_uuid=str(_uuid(_get(campaign, "uuid", str, "活动"), "活动")),
        campaign_year=_get(campaign, "year", int, "活动", None),
        deliverables=deliverables,
        submissions=submissions,
    )


def _open_zip(source: str | Path | BinaryIO) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise PackageError("文件不是有效的 zip 上报包，未导入任何内容。") from None


def _member_sha256(zf: zipfile.ZipFile, pf: PackageFile) -> str:
    """Stream one member through sha256, reading no more than the manifest's size."""
    digest, size = hashlib.sha256(), 0
    try:
        with zf.open(pf.path) as member:
            while chunk := member.read(CHUNK):
                size += len(chunk)
                if size > pf.size:
                    break
                digest.update(chunk)
    except (zipfile.BadZipFile, RuntimeError, OSError, EOFError, ValueError) as e:
        raise PackageError(f"文件「{pf.original_name}」无法读取（{e}），未导入任何内容。") from None
    if size != pf.size:
        raise PackageError(f"文件「{pf.original_name}」的大小与清单不符，未导入任何内容。")
    return digest.hexdigest()


def _check_files(zf: zipfile.ZipFile, package: Package) -> None:
    names = {info.filename: info for info in zf.infolist()}
    for s in package.submissions:
        for pf in s.files:
            info = names.get(pf.path)
            if info is None:
                raise PackageError(
                    f"上报包缺少文件「{pf.original_name}」（{pf.path}），未导入任何内容。"
                )
            if info.file_size != pf.size:
                raise PackageError(f"文件「{pf.original_name}」的大小与清单不符，未导入任何内容。")
            if _member_sha256(zf, pf) != pf.sha256:
                raise PackageError(
                    f"文件「{pf.original_name}」的校验值（sha256）与清单不符，"
                    "文件可能已损坏或被改动，未导入任何内容。"
                )


def _size(n: int) -> str:
    return f"{n / GB:.1f} GB" if n >= GB else f"{max(1, n // (1024 * 1024))} MB"


def _check_sizes(zf: zipfile.ZipFile) -> None:
    """Refuse a package whose members are too many, too large, or inflate like a bomb."""
    members = zf.infolist()
    if len(members) > MAX_MEMBERS:
        raise PackageError(
            f"上报包中的文件超过 {MAX_MEMBERS} 个，未导入任何内容。请分成几个上报包导出。"
        )
    total = 0
    for info in members:
        if info.file_size > MAX_MEMBER_BYTES:
            raise PackageError(
                f"上报包中的「{info.filename}」解压后为 {_size(info.file_size)}，"
                f"超过单个文件 {_size(MAX_MEMBER_BYTES)} 的上限，未导入任何内容。"
            )
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_FROM_BYTES and ratio > MAX_RATIO:
            raise PackageError(
                f"上报包中的「{info.filename}」压缩比异常（{ratio:.0f} 倍），"
                "可能是恶意构造的压缩包，未导入任何内容。"
            )
        total += info.file_size
    if total > MAX_TOTAL_BYTES:
        raise PackageError(
            f"上报包解压后共 {_size(total)}，超过 {_size(MAX_TOTAL_BYTES)} 的上限，"
            "未导入任何内容。请分成几个上报包导出。"
        )


def package_too_large(size: int) -> str:
    """The reason an upload of `size` bytes is refused before it is read, or ""."""
    if size > MAX_PACKAGE_BYTES:
        limit = _size(MAX_PACKAGE_BYTES)
        return f"上报包大小超过 {limit} 的上限，未导入任何内容。请分成几个上报包导出。"
    return ""


def _read_manifest(zf: zipfile.ZipFile) -> Any:
    try:
        info = zf.getinfo(MANIFEST_NAME)
    except KeyError:
        raise PackageError("上报包中没有 manifest.json，未导入任何内容。") from None
    if info.file_size > MAX_MANIFEST_BYTES:
        raise PackageError("manifest.json 过大，未导入任何内容。")
    try:
        return json.loads(zf.read(info).decode("utf-8"))
    except (ValueError, UnicodeDecodeError, zipfile.BadZipFile, RuntimeError):
        raise PackageError("manifest.json 无法解析，未导入任何内容。") from None


def package_read(source: str | Path | BinaryIO, *, check_files: bool = True) -> Package:
    """The package's contents, after checking all of it; PackageError if anything is wrong."""
    with _open_zip(source) as zf:
        _check_sizes(zf)
        package = _parse(_read_manifest(zf))
        if check_files:
            _check_files(zf, package)
    return package


# --- import -----------------------------------------------------------------------------


@dataclass
class ImportResult:
    created: list[Submission] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # titles already imported
    not_mapped: list[str] = field(default_factory=list)  # titles whose deliverable was left out
    sender: Org | None = None


def default_mapping(package: Package, campaign: Campaign) -> dict[str, Deliverable | None]:
    """Each source deliverable → the campaign's first deliverable of the same kind (or None)."""
    by_kind: dict[str, Deliverable] = {}
    for d in campaign.deliverables.order_by("order", "id"):
        by_kind.setdefault(d.kind, d)
    return {d.uuid: by_kind.get(d.kind) for d in package.deliverables}


def already_imported(package: Package) -> set[uuid.UUID]:
    """Submissions of the package that an earlier import created (by source_uuid)."""
    ids = [s.uuid for s in package.submissions]
    found = Submission.objects.filter(source_uuid__in=ids).values_list("source_uuid", flat=True)
    return {u for u in found if u is not None}


def sender_org_find_or_create(*, actor: Any, campaign: Campaign, name: str) -> Org:
    """The depth-2 org standing for the sending school under the campaign's root, by name;
    created (as 二级党委) if there is none."""
    root = Org.objects.get(path=campaign.org.path[: Org.steplen])
    existing = Org.objects.filter(depth=2, path__startswith=root.path, name=name).first()
    if existing is not None:
        return existing
    org = Org.objects.add_child(root, instance=Org(name=name, kind=OrgKind.UNIT_COMMITTEE))
    audit_record(
        actor=actor,
        action="org.create",
        target=org,
        changes={"name": [None, name]},
        label=f"{name}（上报包导入时新建）",
    )
    return org


def _storage_name(submission: Submission, name: str) -> str:
    safe = get_valid_filename(Path(name).name) or "file"
    return f"submissions/{submission.uuid}/{safe}"


class _HashingReader:
    """A read-only file that hashes what passes through it (to re-check while copying)."""

    def __init__(self, raw: Any) -> None:
        self.raw = raw
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data: bytes = self.raw.read(size)
        self.digest.update(data)
        return data


def package_import(
    *,
    actor: Any,
    source: str | Path,
    campaign: Campaign,
    mapping: dict[str, Deliverable | None] | None = None,
    sender: Org | None = None,
    state: str = SubmissionState.SUBMITTED,
) -> ImportResult:
    """Import the package at `source` into `campaign`: all of it, or nothing.

    mapping: source deliverable uuid → a deliverable of `campaign`, or None to leave its
    submissions out (default: matched by kind). sender: the org the submissions are filed
    under (default: a depth-2 org named after the sending school, found or created)."""
    if state not in IMPORT_STATES:
        raise PackageError("导入后的状态无效。")
    package = package_read(source)  # everything checked before anything is written
    mapping = default_mapping(package, campaign) if mapping is None else mapping
    for target in mapping.values():
        if target is not None and target.campaign_id != campaign.pk:
            raise PackageError("任务项对应关系无效：只能对应到所选活动的任务项。")
    result = ImportResult()
    stored: list[str] = []
    try:
        with transaction.atomic(), _open_zip(source) as zf:
            done = already_imported(package)
            todo = []
            for ps in package.submissions:
                if ps.uuid in done:
                    result.skipped.append(ps.title)
                elif mapping.get(ps.deliverable_uuid) is None:
                    result.not_mapped.append(ps.title)
                else:
                    todo.append(ps)
            if todo:
                result.sender = sender or sender_org_find_or_create(
                    actor=actor, campaign=campaign, name=package.school_name or "来源单位"
                )
            now = timezone.now()
            for ps in todo:
                submission = _create_one(
                    actor=actor,
                    ps=ps,
                    zf=zf,
                    deliverable=mapping[ps.deliverable_uuid],  # type: ignore[arg-type]
                    org=result.sender,  # type: ignore[arg-type]
                    state=state,
                    now=now,
                    package=package,
                    stored=stored,
                )
                result.created.append(submission)
            audit_record(
                actor=actor,
                action="campaign.package_import",
                target=campaign,
                label=f"上报包导入：{package.school_name}「{package.campaign_name}」",
                changes={
                    "source": package.installation_name,
                    "installation_id": package.installation_id,
                    "source_campaign": package.campaign_uuid,
                    "created": len(result.created),
                    "skipped": len(result.skipped),
                    "not_mapped": len(result.not_mapped),
                },
            )
    except BaseException:
        for name in stored:
            default_storage.delete(name)
        raise
    return result


def _create_one(
    *,
    actor: Any,
    ps: PackageSubmission,
    zf: zipfile.ZipFile,
    deliverable: Deliverable,
    org: Org,
    state: str,
    now: dt.datetime,
    package: Package,
    stored: list[str],
) -> Submission:
    submission = Submission.objects.create(
        deliverable=deliverable,
        org=org,
        title=ps.title,
        summary=ps.summary,
        topic=ps.topic,
        subkind=ps.subkind,
        tags=ps.tags,
        state=state,
        submitted_at=now,
        created_by=actor,
        source_uuid=ps.uuid,
    )
    SubmissionAuthor.objects.bulk_create(
        SubmissionAuthor(submission=submission, name=name, order=i)
        for i, name in enumerate(ps.authors)
    )
    for pf in ps.files:
        with zf.open(pf.path) as member:
            reader = _HashingReader(member)
            name = default_storage.save(
                _storage_name(submission, pf.original_name),
                File(cast(IO[bytes], reader), name=pf.original_name),
            )
        stored.append(name)
        if reader.digest.hexdigest() != pf.sha256:
            raise PackageError(f"文件「{pf.original_name}」复制时校验失败，未导入任何内容。")
        SubmissionFile.objects.create(
            submission=submission,
            material_type=pf.material_type,
            file=name,
            original_name=pf.original_name,
            size=pf.size,
            sha256=pf.sha256,
            content_type=pf.content_type,
            is_subtitle=pf.is_subtitle,
            media_info=pf.media_info,
            warnings=pf.warnings,
        )
    source_unit = " / ".join(x for x in (package.school_name, ps.unit_name) if x)
    SubmissionEvent.objects.create(
        submission=submission,
        actor=actor,
        from_state="",
        to_state=state,
        comment=(
            f"由上报包导入：来源 {package.installation_name}（{source_unit}），"
            f"原活动「{package.campaign_name}」，原状态 {_state_label(ps.state)}。"
        ),
    )
    return submission


def _state_label(value: str) -> str:
    try:
        return str(SubmissionState(value).label)
    except ValueError:
        return value or "未知"


def kind_label(kind: str) -> str:
    try:
        return str(DeliverableKind(kind).label)
    except ValueError:
        return kind


def _safe_content_type(declared: str) -> str:
    """A type the library may serve inline: pictures, audio, video, PDF and plain text only.

    The manifest comes from another installation; anything else (text/html, scripts) is served
    as a download, never rendered in a signed-in user's browser."""
    kind = declared.split(";")[0].strip().lower()
    if kind.split("/")[0] in ("image", "audio", "video") and "svg" not in kind:
        return kind[:100]
    if kind in ("application/pdf", "text/plain"):
        return kind
    return "application/octet-stream"
