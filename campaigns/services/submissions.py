"""A unit's side of a submission: draft, edit, submit, withdraw, redraft.

Quota and deadline are checked in submission_submit under a lock on the deliverable row, so two
units' admins (or one admin's two tabs) pressing 报送 for the last slot at the same moment give
one accepted, one refused. _lock and _move are shared with review and files.
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audit.services import audit_record, diff_fields
from campaigns.models import (
    COUNTED_STATES,
    TRANSITIONS,
    Deliverable,
    DeliverableKind,
    LatePolicy,
    MaterialType,
    Submission,
    SubmissionAuthor,
    SubmissionEvent,
    SubmissionState,
    SubmittingLevel,
    UnitSummary,
)
from members.models import Member
from orgs.models import Org

S = SubmissionState
# Fields of a submission the unit edits while it is a draft.
EDITABLE_FIELDS = ("title", "summary", "topic", "subkind", "tags")


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
