"""Every write of talks and deliberations: keyword-only, atomic, each writes its audit row.

The rules of who may write are checked here too (talks.scope), so the page and /api/ share
them; a refusal is a ValidationError with a Chinese message, or PermissionDenied."""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from access.scope import Perm, can
from audit.services import audit_record
from members.models import Member
from orgs.models import Org, OrgKind
from talks.models import Deliberation, DeliberationState, Talk, TalkMethod
from talks.scope import talkers_for

# A talk is written down soon after it happened; older ones are refused as likely typos.
OLDEST_TALK = dt.timedelta(days=366)


@transaction.atomic
def talk_record(
    *,
    actor: Any,
    member: Member,
    talker: Member,
    talked_on: dt.date,
    method: str,
    thoughts: str,
    life: str = "",
    work: str = "",
    help_given: str = "",
    follow_up_on: dt.date | None = None,
) -> Talk:
    if not can(actor, Perm.TALK_RECORD, member.branch):
        raise PermissionDenied
    if not talkers_for(actor).filter(pk=talker.pk).exists():
        raise ValidationError("谈话人须是你本人或你管辖范围内的党员。")
    if talker.pk == member.pk:
        raise ValidationError("谈话人和谈话对象不能是同一人。")
    today = timezone.localdate()
    if talked_on > today:
        raise ValidationError("谈话日期不能晚于今天。")
    if talked_on < today - OLDEST_TALK:
        raise ValidationError("谈话日期不能早于一年前，请检查日期。")
    if method not in TalkMethod.values:
        raise ValidationError("请选择谈话方式：面谈、电话、视频或微信。")
    if not thoughts.strip():
        raise ValidationError("请填写思想动态。")
    if follow_up_on is not None and follow_up_on < talked_on:
        raise ValidationError("回访日期不能早于谈话日期。")
    talk = Talk.objects.create(
        member=member,
        branch=member.branch,
        talker=talker,
        talked_on=talked_on,
        method=method,
        thoughts=thoughts.strip(),
        life=life.strip(),
        work=work.strip(),
        help_given=help_given.strip(),
        follow_up_on=follow_up_on,
        recorded_by=actor,
    )
    # The audit row names who and when, never the notes (the audit log is read more widely).
    audit_record(
        actor=actor,
        action="talk.record",
        target=talk,
        changes={"member": member.number, "talker": talker.number, "talked_on": str(talked_on)},
        label=f"谈心谈话：{talker.name} → {member.name}",
    )
    return talk


@transaction.atomic
def talk_follow_up(*, actor: Any, talk: Talk, followed_up_on: dt.date, note: str = "") -> Talk:
    """Mark a talk followed up (回访), once."""
    talk = Talk.objects.select_for_update().select_related("member", "branch").get(pk=talk.pk)
    if talk.followed_up_on is not None:
        raise ValidationError("这次谈话已记录过回访。")
    if followed_up_on < talk.talked_on:
        raise ValidationError("回访日期不能早于谈话日期。")
    if followed_up_on > timezone.localdate():
        raise ValidationError("回访日期不能晚于今天。")
    talk.followed_up_on = followed_up_on
    talk.follow_up_note = note.strip()
    talk.save(update_fields=["followed_up_on", "follow_up_note"])
    audit_record(
        actor=actor,
        action="talk.follow_up",
        target=talk,
        changes={"followed_up_on": str(followed_up_on)},
        label=f"谈话回访：{talk.member.name}",
    )
    return talk


# --- deliberations ------------------------------------------------------------------------


def _check_votes(
    present: int | None,
    votes_for: int | None,
    votes_against: int | None,
    votes_abstain: int | None,
) -> None:
    votes = [votes_for, votes_against, votes_abstain]
    if any(v is not None and v < 0 for v in [present, *votes]):
        raise ValidationError("人数和票数不能为负数。")
    total = sum(v or 0 for v in votes)
    if present is not None and total > present:
        raise ValidationError(f"赞成、反对、弃权合计 {total} 票，超过到会人数 {present} 人。")


@transaction.atomic
def deliberation_record(
    *,
    actor: Any,
    branch: Org,
    held_on: dt.date,
    topic: str,
    discussion: str,
    decision: str = "",
    present: int | None = None,
    votes_for: int | None = None,
    votes_against: int | None = None,
    votes_abstain: int | None = None,
    owner: Member | None = None,
    due_on: dt.date | None = None,
) -> Deliberation:
    if not can(actor, Perm.DELIBERATION_RECORD, branch):
        raise PermissionDenied
    if branch.kind != OrgKind.BRANCH:
        raise ValidationError("民主议事记在党支部名下，请选择党支部。")
    if held_on > timezone.localdate():
        raise ValidationError("议事日期不能晚于今天。")
    if not topic.strip() or not discussion.strip():
        raise ValidationError("请填写议题和讨论情况。")
    _check_votes(present, votes_for, votes_against, votes_abstain)
    if owner is not None and not owner.branch.path.startswith(branch.unit_path()):
        raise ValidationError("落实责任人须是本单位的党员。")
    if due_on is not None and due_on < held_on:
        raise ValidationError("落实期限不能早于议事日期。")
    item = Deliberation.objects.create(
        branch=branch,
        held_on=held_on,
        topic=topic.strip(),
        discussion=discussion.strip(),
        decision=decision.strip(),
        present=present,
        votes_for=votes_for,
        votes_against=votes_against,
        votes_abstain=votes_abstain,
        owner=owner,
        due_on=due_on,
        state=DeliberationState.OPEN if decision.strip() else DeliberationState.NO_ACTION,
        recorded_by=actor,
    )
    audit_record(
        actor=actor,
        action="deliberation.record",
        target=item,
        changes={
            "branch": branch.name,
            "held_on": str(held_on),
            "votes": [votes_for, votes_against, votes_abstain],
        },
        label=f"民主议事：{item.topic}",
    )
    return item


@transaction.atomic
def deliberation_set_state(
    *, actor: Any, item: Deliberation, state: str, note: str = ""
) -> Deliberation:
    item = Deliberation.objects.select_for_update().select_related("branch").get(pk=item.pk)
    if not can(actor, Perm.DELIBERATION_RECORD, item.branch):
        raise PermissionDenied
    if state not in DeliberationState.values:
        raise ValidationError("未知的落实状态。")
    if state == item.state and note.strip() == item.state_note:
        raise ValidationError("落实状态没有变化。")
    before = item.state
    item.state = state
    item.state_note = note.strip()
    item.save(update_fields=["state", "state_note", "updated_at"])
    audit_record(
        actor=actor,
        action="deliberation.state",
        target=item,
        changes={"state": [before, state]},
        label=f"民主议事落实：{item.topic}",
    )
    return item
