"""Every write to campaigns and submissions goes through here: pages, the API, the demo,
commands and the upward-package import call the same services.

A submission moves only along models.TRANSITIONS; each move writes a SubmissionEvent
(who, when, from, to, comment) and an audit row. Quota and deadline are checked in
submission_submit under a lock on the deliverable row, so two units' admins (or one admin's
two tabs) pressing 报送 for the last slot at the same moment give one accepted, one refused.
"""

import datetime as dt
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.text import get_valid_filename

from access.models import Grant, Role
from audit.services import audit_record, diff_fields, field_changes
from campaigns.models import (
    COUNTED_STATES,
    TRANSITIONS,
    Campaign,
    Deliverable,
    DeliverableKind,
    LatePolicy,
    MaterialType,
    Reminder,
    Submission,
    SubmissionAuthor,
    SubmissionEvent,
    SubmissionFile,
    SubmissionState,
    SubmittingLevel,
    UnitSummary,
)
from lib import media
from members.models import Member
from orgs.models import Org

S = SubmissionState
RECOMMEND_TO_PROVINCE = "省委教育工委"
RECOMMEND_TO_LECTURE_SHOW = "「党课开讲啦」"
REMIND_DAYS_BEFORE = 3
# Fields of a submission the unit edits while it is a draft.
EDITABLE_FIELDS = ("title", "summary", "topic", "subkind", "tags")


def recommend_targets(deliverable: Deliverable) -> list[str]:
    if deliverable.kind == DeliverableKind.MICRO_LECTURE:
        return [RECOMMEND_TO_LECTURE_SHOW, RECOMMEND_TO_PROVINCE]
    return [RECOMMEND_TO_PROVINCE]


# --- campaigns and deliverables ------------------------------------------------------------


@transaction.atomic
def campaign_create(
    *, actor: Any, org: Org, name: str, year: int, description: str = ""
) -> Campaign:
    campaign = Campaign(org=org, name=name, year=year, description=description, created_by=actor)
    campaign.full_clean()
    campaign.save()
    audit_record(
        actor=actor,
        action="campaign.create",
        target=campaign,
        changes=diff_fields({}, {"name": name, "year": year}),
    )
    return campaign


@transaction.atomic
def campaign_update(*, actor: Any, campaign: Campaign, **fields: Any) -> Campaign:
    before = {k: getattr(campaign, k) for k in fields}
    for k, v in fields.items():
        setattr(campaign, k, v)
    campaign.full_clean()
    changes = diff_fields(before, fields)
    if changes:
        campaign.save()
        audit_record(actor=actor, action="campaign.update", target=campaign, changes=changes)
    return campaign


def _check_deliverable(d: Deliverable) -> None:
    errors: dict[str, str] = {}
    valid = set(MaterialType.values)
    if not d.material_types:
        errors["material_types"] = "请至少选择一种允许的素材类型。"
    elif set(d.material_types) - valid:
        errors["material_types"] = "素材类型无效。"
    if d.quota is not None and d.quota < 1:
        errors["quota"] = "限报数量至少为 1，不限请留空。"
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def deliverable_create(*, actor: Any, campaign: Campaign, **fields: Any) -> Deliverable:
    fields.setdefault("order", campaign.deliverables.count() + 1)
    deliverable = Deliverable(campaign=campaign, **fields)
    _check_deliverable(deliverable)
    deliverable.full_clean()
    deliverable.save()
    audit_record(
        actor=actor,
        action="deliverable.create",
        target=deliverable,
        changes=diff_fields({}, {k: v for k, v in fields.items() if v not in ("", None, [])}),
    )
    return deliverable


@transaction.atomic
def deliverable_update(*, actor: Any, deliverable: Deliverable, **fields: Any) -> Deliverable:
    before = {k: getattr(deliverable, k) for k in fields}
    for k, v in fields.items():
        setattr(deliverable, k, v)
    _check_deliverable(deliverable)
    deliverable.full_clean()
    changes = diff_fields(before, fields)
    if changes:
        deliverable.save()
        audit_record(actor=actor, action="deliverable.update", target=deliverable, changes=changes)
    return deliverable


@transaction.atomic
def unit_summary_save(*, actor: Any, deliverable: Deliverable, org: Org, text: str) -> UnitSummary:
    """The unit's summary (情况总结) that a deliverable such as 战疫故事汇 asks for."""
    text = text.strip()
    if not text:
        raise ValidationError({"text": "请填写情况总结。"})
    before = UnitSummary.objects.select_for_update().filter(deliverable=deliverable, org=org)
    before_text = before.values_list("text", flat=True).first()
    summary, created = UnitSummary.objects.update_or_create(
        deliverable=deliverable, org=org, defaults={"text": text, "updated_by": actor}
    )
    changes = field_changes({"text": before_text}, summary, ["text"])
    if created or changes:
        audit_record(
            actor=actor,
            action="unit_summary.create" if created else "unit_summary.update",
            target=summary,
            changes=changes,
        )
    return summary


# --- submissions: the unit's side ------------------------------------------------------------


@dataclass
class AuthorIn:
    """An author or presenter: a member on the rolls, or a free-text name."""

    name: str = ""
    member: Member | None = None


def _check_fields(deliverable: Deliverable, fields: dict[str, Any]) -> None:
    errors: dict[str, str] = {}
    if "title" in fields and not str(fields["title"]).strip():
        errors["title"] = "请填写标题。"
    topic = fields.get("topic", "")
    if topic and deliverable.topics and topic not in deliverable.topics:
        errors["topic"] = f"主题须为以下之一：{'、'.join(deliverable.topics)}。"
    subkind = fields.get("subkind", "")
    if subkind and deliverable.subkinds and subkind not in deliverable.subkinds:
        errors["subkind"] = f"类别须为以下之一：{'、'.join(deliverable.subkinds)}。"
    if errors:
        raise ValidationError(errors)


def _check_org(deliverable: Deliverable, org: Org) -> None:
    if not org.path.startswith(deliverable.campaign.org.path):
        raise ValidationError({"org": "该单位不在本活动范围内。"})
    if deliverable.submitting_level == SubmittingLevel.UNIT and org.depth != 2:
        raise ValidationError({"org": "本任务项由二级党委报送。"})
    if deliverable.submitting_level == SubmittingLevel.BRANCH and org.kind != "branch":
        raise ValidationError({"org": "本任务项由党支部报送。"})


def _set_authors(submission: Submission, authors: Sequence[AuthorIn]) -> None:
    submission.authors.all().delete()
    rows = []
    for i, a in enumerate(authors):
        name = (a.member.name if a.member is not None and not a.name else a.name).strip()
        if not name:
            continue
        rows.append(SubmissionAuthor(submission=submission, member=a.member, name=name, order=i))
    SubmissionAuthor.objects.bulk_create(rows)


def _author_names(submission: Submission) -> list[str]:
    return list(submission.authors.values_list("name", flat=True))


@transaction.atomic
def submission_create(
    *,
    actor: Any,
    deliverable: Deliverable,
    org: Org,
    title: str,
    summary: str = "",
    topic: str = "",
    subkind: str = "",
    tags: Sequence[str] = (),
    authors: Sequence[AuthorIn] = (),
    source_uuid: Any = None,
) -> Submission:
    """A new draft for `org` under `deliverable`."""
    fields = {"title": title.strip(), "summary": summary, "topic": topic, "subkind": subkind}
    _check_fields(deliverable, fields)
    _check_org(deliverable, org)
    submission = Submission.objects.create(
        deliverable=deliverable,
        org=org,
        tags=[t for t in tags if t],
        created_by=actor if actor is not None and actor.is_authenticated else None,
        source_uuid=source_uuid,
        **fields,
    )
    _set_authors(submission, authors)
    SubmissionEvent.objects.create(
        submission=submission, actor=submission.created_by, to_state=S.DRAFT, comment="创建草稿"
    )
    audit_record(
        actor=actor,
        action="submission.create",
        target=submission,
        changes=diff_fields(
            {},
            {
                **fields,
                "org": org.name,
                "deliverable": deliverable.name,
                "authors": _author_names(submission),
            },
        ),
    )
    return submission


def _lock(submission: Submission) -> Submission:
    locked = Submission.objects.select_for_update().get(pk=submission.pk)
    submission.state = locked.state
    return submission


@transaction.atomic
def submission_update(
    *,
    actor: Any,
    submission: Submission,
    authors: Sequence[AuthorIn] | None = None,
    **fields: Any,
) -> Submission:
    """Change a draft's fields (and, if given, its authors)."""
    _lock(submission)
    if submission.state != S.DRAFT:
        raise ValidationError("只有草稿可以修改；已报送的请先撤回。")
    bad = set(fields) - set(EDITABLE_FIELDS)
    if bad:
        raise ValueError(f"not editable: {sorted(bad)}")
    if "tags" in fields:
        fields["tags"] = [t for t in fields["tags"] if t]
    _check_fields(submission.deliverable, fields)
    before: dict[str, Any] = {k: getattr(submission, k) for k in fields}
    for k, v in fields.items():
        setattr(submission, k, v)
    changes = diff_fields(before, fields)
    if authors is not None:
        old = _author_names(submission)
        _set_authors(submission, authors)
        new = _author_names(submission)
        if old != new:
            changes["authors"] = ["、".join(old), "、".join(new)]
    submission.save()
    if changes:
        audit_record(actor=actor, action="submission.update", target=submission, changes=changes)
    return submission


def _move(
    submission: Submission, *, to_state: str, actor: Any, comment: str = "", **extra: Any
) -> SubmissionEvent:
    """Change state along TRANSITIONS (the caller holds the row lock) and record it."""
    from_state = submission.state
    if to_state not in TRANSITIONS.get(from_state, set()):
        raise ValidationError(
            f"「{S(from_state).label}」状态的报送不能改为「{S(to_state).label}」。"
        )
    submission.state = to_state
    for k, v in extra.items():
        setattr(submission, k, v)
    # Only what this move changes: the caller's copy may be older than the locked row (a
    # score given meanwhile must not be written back).
    submission.save(update_fields=["state", *extra, "updated_at"])
    event = SubmissionEvent.objects.create(
        submission=submission,
        actor=actor if actor is not None and actor.is_authenticated else None,
        from_state=from_state,
        to_state=to_state,
        comment=comment,
    )
    audit_record(
        actor=actor,
        action=f"submission.{to_state}",
        target=submission,
        changes={"state": [from_state, to_state], **({"comment": comment} if comment else {})},
    )
    return event


def submission_problems(submission: Submission) -> list[str]:
    """What keeps a draft from being submitted, apart from quota and deadline."""
    d = submission.deliverable
    problems = []
    if not submission.authors.exists():
        problems.append("请填写作者或主讲人（至少一人）。")
    if d.topics and not submission.topic:
        problems.append("请选择主题。")
    if d.subkinds and not submission.subkind:
        problems.append("请选择类别。")
    files = submission.files.filter(is_subtitle=False)
    if d.kind == DeliverableKind.MICRO_LECTURE:
        if not files.filter(material_type=MaterialType.VIDEO).exists():
            problems.append("微党课须上传视频文件（MP4）。")
    elif not files.exists() and not submission.summary.strip():
        problems.append("请上传材料文件或填写简介。")
    if (
        d.requires_summary
        and not UnitSummary.objects.filter(deliverable=d, org=submission.org).exists()
    ):
        problems.append(f"请先填写本单位「{d.name}」的情况总结（组织生活会开展情况）。")
    return problems


@transaction.atomic
def submission_submit(
    *, actor: Any, submission: Submission, now: dt.datetime | None = None
) -> Submission:
    """Draft → submitted, within the quota and the deadline (or marked late, as allowed).

    The deliverable's row is locked first, so the count of this unit's submissions cannot
    change between counting and saving."""
    now = now or timezone.now()
    deliverable = Deliverable.objects.select_for_update().get(pk=submission.deliverable_id)
    submission.deliverable = deliverable
    _lock(submission)
    if submission.state != S.DRAFT:
        raise ValidationError(f"「{S(submission.state).label}」状态的报送不能再次报送。")
    problems = submission_problems(submission)
    if problems:
        raise ValidationError(problems)
    late = now > deliverable.deadline
    if late and deliverable.late_policy == LatePolicy.REFUSE:
        deadline = timezone.localtime(deliverable.deadline).strftime("%Y年%m月%d日 %H:%M")
        raise ValidationError(f"「{deliverable.name}」已于 {deadline} 截止，不再接收报送。")
    if deliverable.quota is not None:
        counted = (
            Submission.objects.filter(
                deliverable=deliverable, org_id=submission.org_id, state__in=COUNTED_STATES
            )
            .exclude(pk=submission.pk)
            .count()
        )
        if counted >= deliverable.quota:
            raise ValidationError(
                f"本单位「{deliverable.name}」已报送 {counted} 个，已达上限"
                f"（每单位限报 {deliverable.quota} 个）。"
            )
    _move(
        submission,
        to_state=S.SUBMITTED,
        actor=actor,
        comment="逾期报送" if late else "",
        is_late=late,
        submitted_at=now,
    )
    return submission


@transaction.atomic
def submission_withdraw(*, actor: Any, submission: Submission, comment: str = "") -> Submission:
    """Submitted → withdrawn, before any review step."""
    _lock(submission)
    if submission.state != S.SUBMITTED:
        raise ValidationError("只有尚未评审的报送可以撤回。")
    _move(submission, to_state=S.WITHDRAWN, actor=actor, comment=comment)
    return submission


@transaction.atomic
def submission_redraft(*, actor: Any, submission: Submission) -> Submission:
    """Withdrawn or returned → draft again, to change and resubmit."""
    _lock(submission)
    _move(submission, to_state=S.DRAFT, actor=actor, is_late=False, submitted_at=None)
    return submission


# --- submissions: review ---------------------------------------------------------------------

REVIEW_STATES = (S.RETURNED, S.SHORTLISTED, S.SELECTED, S.RECOMMENDED, S.PUBLISHED)


@transaction.atomic
def submission_review(
    *, reviewer: Any, submission: Submission, score: Decimal | None, comment: str = ""
) -> SubmissionEvent:
    """A score and / or a comment; no change of state."""
    _lock(submission)
    if submission.state in (S.DRAFT, S.WITHDRAWN):
        raise ValidationError("草稿或已撤回的报送不能评审。")
    if score is None and not comment.strip():
        raise ValidationError("请填写评分或评语。")
    if score is not None and not Decimal(0) <= score <= Decimal(100):
        raise ValidationError({"score": "评分须在 0–100 之间。"})
    old = submission.score
    if score is not None:
        submission.score = score
        submission.save(update_fields=["score", "updated_at"])
    event = SubmissionEvent.objects.create(
        submission=submission,
        actor=reviewer,
        from_state=submission.state,
        to_state=submission.state,
        comment=comment.strip(),
        score=score,
    )
    audit_record(
        actor=reviewer,
        action="submission.review",
        target=submission,
        changes={
            **({"score": [_dec(old), _dec(score)]} if score is not None else {}),
            **({"comment": comment.strip()} if comment.strip() else {}),
        },
    )
    return event


def _dec(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


@transaction.atomic
def submission_transition(
    *,
    submission: Submission,
    to_state: str,
    actor: Any,
    comment: str = "",
    recommended_to: str = "",
    now: dt.datetime | None = None,
) -> Submission:
    """Any change of state allowed by TRANSITIONS, with its own rules:
    to submitted goes through the quota and deadline; a return needs a reason; a
    recommendation names where to (by default 「党课开讲啦」 for lectures, else 省委教育工委)."""
    if to_state == S.SUBMITTED:
        return submission_submit(actor=actor, submission=submission, now=now)
    if to_state == S.WITHDRAWN:
        return submission_withdraw(actor=actor, submission=submission, comment=comment)
    if to_state == S.DRAFT:
        return submission_redraft(actor=actor, submission=submission)
    _lock(submission)
    extra: dict[str, Any] = {}
    if to_state == S.RETURNED and not comment.strip():
        raise ValidationError({"comment": "退回须说明理由。"})
    if to_state == S.RECOMMENDED:
        targets = recommend_targets(submission.deliverable)
        target = recommended_to or targets[0]
        if target not in targets:
            raise ValidationError({"recommended_to": f"推荐去向须为：{'、'.join(targets)}。"})
        extra["recommended_to"] = target
        comment = comment.strip() or f"推荐至{target}"
    _move(submission, to_state=to_state, actor=actor, comment=comment.strip(), **extra)
    return submission


# --- files -----------------------------------------------------------------------------------


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


def _mail(subject: str, body: str, to: list[str]) -> None:
    send_mail(subject, body, None, to, fail_silently=True)


# --- reminders -------------------------------------------------------------------------------


def _unit_recipients(units: list[Org]) -> dict[int, list[str]]:
    """Each unit's address: its own e-mail, else its unit admins' e-mails (one query)."""
    admins: dict[int, list[str]] = {}
    rows = Grant.objects.filter(role=Role.UNIT_ADMIN, org__in=[u for u in units if not u.email])
    for org_id, email in rows.values_list("org_id", "user__email"):
        if email:
            admins.setdefault(org_id, []).append(email)
    return {u.pk: [u.email] if u.email else sorted(admins.get(u.pk, [])) for u in units}


@transaction.atomic
def reminders_send(
    *, now: dt.datetime | None = None, days: int = REMIND_DAYS_BEFORE
) -> list[Reminder]:
    """E-mail each unit that has not submitted for a deliverable due within `days` days,
    once per deliverable and unit, and record a Reminder row (the board shows them)."""
    now = now or timezone.now()
    due = Deliverable.objects.filter(
        deadline__gt=now, deadline__lte=now + dt.timedelta(days=days)
    ).select_related("campaign", "campaign__org")
    sent: list[Reminder] = []
    for d in due:
        units = list(Org.objects.filter(depth=2, path__startswith=d.campaign.org.path))
        done = {
            path[: 2 * Org.steplen]
            for path in Submission.objects.filter(
                deliverable=d, state__in=COUNTED_STATES
            ).values_list("org__path", flat=True)
        }
        reminded = set(Reminder.objects.filter(deliverable=d).values_list("org_id", flat=True))
        todo = [u for u in units if u.path not in done and u.pk not in reminded]
        recipients = _unit_recipients(todo)
        deadline = timezone.localtime(d.deadline).strftime("%Y年%m月%d日 %H:%M")
        for unit in todo:
            to = recipients.get(unit.pk, [])
            sent.append(Reminder.objects.create(deliverable=d, org=unit, recipients=", ".join(to)))
            if to:
                subject = f"【提醒】{d.campaign.name}「{d.name}」将于 {deadline} 截止"
                body = (
                    f"{unit.name}：\n\n{d.campaign.name}的任务项「{d.name}」将于 {deadline} 截止，"
                    "贵单位尚未报送。请登录党建工作平台「活动报送」及时报送。\n\n组织部"
                )
                transaction.on_commit(partial(_mail, subject, body, to))
    if sent:
        audit_record(
            actor=None,
            action="campaign.remind",
            label="报送截止提醒",
            changes={"reminders": [f"{r.deliverable.name} → {r.org.name}" for r in sent]},
        )
    return sent
