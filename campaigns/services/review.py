"""Review of submissions: scores, comments and every change of state after submit."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from audit.services import audit_record
from campaigns.models import (
    Deliverable,
    DeliverableKind,
    Submission,
    SubmissionEvent,
    SubmissionState,
)

from .submissions import (
    _lock,
    _move,
    submission_redraft,
    submission_submit,
    submission_withdraw,
)

S = SubmissionState
RECOMMEND_TO_PROVINCE = "省委教育工委"
RECOMMEND_TO_LECTURE_SHOW = "「党课开讲啦」"
REVIEW_STATES = (S.RETURNED, S.SHORTLISTED, S.SELECTED, S.RECOMMENDED, S.PUBLISHED)


def recommend_targets(deliverable: Deliverable) -> list[str]:
    if deliverable.kind == DeliverableKind.MICRO_LECTURE:
        return [RECOMMEND_TO_LECTURE_SHOW, RECOMMEND_TO_PROVINCE]
    return [RECOMMEND_TO_PROVINCE]


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
