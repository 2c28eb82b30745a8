"""Every write of 表彰评比: keyword-only, atomic, each writes its audit row. The windows and
quotas are checked here, so the pages and any other caller share them."""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from access.scope import Perm, can
from audit.services import audit_record
from honours.models import (
    AwardKind,
    CommendationRound,
    Evidence,
    Nomination,
    NominationState,
    Objection,
    ObjectionState,
    RoundQuota,
)
from honours.selectors import candidates, quota_of
from members.models import Member
from orgs.models import Org, OrgKind


def _school_manager(actor: Any, school: Org | None = None) -> None:
    root = school or Org.objects.filter(depth=1).order_by("path").first()
    if root is None or not can(actor, Perm.HONOUR_MANAGE, root):
        raise PermissionDenied


@transaction.atomic
def round_create(
    *,
    actor: Any,
    year: int,
    kind: str,
    title: str,
    nominate_from: dt.date,
    nominate_until: dt.date,
    review_until: dt.date,
    default_quota: int = 1,
    note: str = "",
) -> CommendationRound:
    _school_manager(actor)
    if kind not in AwardKind.values:
        raise ValidationError("请选择奖项。")
    title = title.strip() or AwardKind(kind).label
    if kind == AwardKind.CUSTOM and title == AwardKind.CUSTOM.label:
        raise ValidationError("自设奖项请填写奖项名称。")
    if nominate_until < nominate_from:
        raise ValidationError("推荐截止不能早于推荐开始。")
    if review_until < nominate_until:
        raise ValidationError("评审截止不能早于推荐截止。")
    if default_quota < 1:
        raise ValidationError("每单位名额至少 1 个。")
    item = CommendationRound.objects.create(
        year=year,
        kind=kind,
        title=title,
        note=note.strip(),
        nominate_from=nominate_from,
        nominate_until=nominate_until,
        review_until=review_until,
        default_quota=default_quota,
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action="honour.round_create",
        target=item,
        changes={"kind": kind, "window": [str(nominate_from), str(nominate_until)]},
        label=f"发起表彰评比：{item}",
    )
    return item


@transaction.atomic
def quota_set(*, actor: Any, round_: CommendationRound, unit: Org, quota: int) -> RoundQuota:
    _school_manager(actor)
    if round_.publicity_from is not None:
        raise ValidationError("已进入公示，名额不能再调整。")
    if quota < 0:
        raise ValidationError("名额不能为负数。")
    row, _ = RoundQuota.objects.update_or_create(round=round_, unit=unit, defaults={"quota": quota})
    audit_record(
        actor=actor,
        action="honour.quota_set",
        target=round_,
        changes={"unit": unit.name, "quota": quota},
        label=f"{round_}：{unit.name}名额 {quota}",
    )
    return row


def _unit_of(org: Org) -> Org:
    if org.depth <= 2:
        return org
    return Org.objects.get(path=org.unit_path())


@transaction.atomic
def nomination_create(
    *,
    actor: Any,
    round_: CommendationRound,
    reason: str,
    member: Member | None = None,
    branch: Org | None = None,
) -> Nomination:
    """A unit nominates within the window and its quota. The round's row is locked, so two
    nominations of one unit at the same moment cannot both take its last place."""
    round_ = CommendationRound.objects.select_for_update().get(pk=round_.pk)
    nominee_org = branch if branch is not None else (member.branch if member else None)
    if nominee_org is None or (member is None) == (branch is None):
        raise ValidationError("请选择一名推荐人选（或一个党支部）。")
    unit = _unit_of(nominee_org)
    if not can(actor, Perm.HONOUR_NOMINATE, unit):
        raise PermissionDenied
    today = timezone.localdate()
    if today < round_.nominate_from:
        raise ValidationError(f"推荐自 {round_.nominate_from:%Y年%m月%d日} 开始。")
    if today > round_.nominate_until:
        raise ValidationError(f"推荐已于 {round_.nominate_until:%Y年%m月%d日} 截止。")
    if round_.for_branches and branch is None:
        raise ValidationError("先进基层党支部请推荐党支部。")
    if not round_.for_branches and member is None:
        raise ValidationError("本奖项推荐个人，请选择党员。")
    if branch is not None and branch.kind != OrgKind.BRANCH:
        raise ValidationError("请选择党支部。")
    if not reason.strip():
        raise ValidationError("请填写主要事迹。")
    quota = quota_of(round_, unit)
    used = (
        Nomination.objects.filter(round=round_, unit=unit)
        .exclude(state=NominationState.WITHDRAWN)
        .count()
    )
    if used >= quota:
        raise ValidationError(f"{unit.name}的名额（{quota} 个）已用完。")
    taken = Nomination.objects.filter(round=round_)
    if (member and taken.filter(member=member).exists()) or (
        branch and taken.filter(branch=branch).exists()
    ):
        raise ValidationError(f"{nominee_org.name if branch else member.name}已被推荐。")  # type: ignore[union-attr]
    item = Nomination.objects.create(
        round=round_,
        unit=unit,
        member=member,
        branch=branch,
        reason=reason.strip(),
        nominated_by=actor,
    )
    audit_record(
        actor=actor,
        action="honour.nominate",
        target=item,
        changes={"round": str(round_), "unit": unit.name},
        label=f"{round_}推荐：{item.nominee_name}",
    )
    return item


@transaction.atomic
def evidence_add(*, actor: Any, nomination: Nomination, keys: list[str]) -> int:
    """Attach records of the platform (keys "kind:id" from selectors.candidates) while the
    nomination waits for review. Returns how many were new."""
    if not can(actor, Perm.HONOUR_NOMINATE, nomination.unit):
        raise PermissionDenied
    if nomination.state != NominationState.NOMINATED:
        raise ValidationError("评审后不能再补充材料。")
    offered = {c.key: c for c in candidates(member=nomination.member, branch=nomination.branch)}
    unknown = [k for k in keys if k not in offered]
    if unknown or not keys:
        raise ValidationError("请从列出的记录中选择佐证材料。")
    have = set(f"{k}:{i}" for k, i in nomination.evidence.values_list("kind", "object_id"))
    new = [offered[k] for k in dict.fromkeys(keys) if k not in have]
    Evidence.objects.bulk_create(
        [
            Evidence(
                nomination=nomination,
                kind=c.kind,
                object_id=c.object_id,
                on=c.on,
                label=c.label[:300],
                added_by=actor,
            )
            for c in new
        ]
    )
    audit_record(
        actor=actor,
        action="honour.evidence_add",
        target=nomination,
        changes={"added": [c.key for c in new]},
        label=f"推荐佐证材料：{nomination.nominee_name}",
    )
    return len(new)


@transaction.atomic
def nomination_review(
    *, actor: Any, nomination: Nomination, selected: bool, note: str = ""
) -> Nomination:
    _school_manager(actor)
    nomination = (
        Nomination.objects.select_for_update().select_related("round").get(pk=nomination.pk)
    )
    round_ = nomination.round
    today = timezone.localdate()
    if round_.publicity_from is not None:
        raise ValidationError("已进入公示，不能再评审。")
    if today <= round_.nominate_until:
        raise ValidationError(f"推荐截止（{round_.nominate_until:%m月%d日}）后开始评审。")
    if today > round_.review_until:
        raise ValidationError(f"评审已于 {round_.review_until:%Y年%m月%d日} 截止。")
    before = nomination.state
    nomination.state = NominationState.SELECTED if selected else NominationState.NOT_SELECTED
    nomination.review_note = note.strip()[:200]
    nomination.save(update_fields=["state", "review_note"])
    audit_record(
        actor=actor,
        action="honour.review",
        target=nomination,
        changes={"state": [before, nomination.state]},
        label=f"评审：{nomination.nominee_name}（{nomination.get_state_display()}）",
    )
    return nomination


PUBLICITY_DAYS = 5


@transaction.atomic
def publicity_start(
    *, actor: Any, round_: CommendationRound, days: int = PUBLICITY_DAYS
) -> CommendationRound:
    """公示: the list of 拟表彰 becomes public for `days` days, open to objections."""
    _school_manager(actor)
    round_ = CommendationRound.objects.select_for_update().get(pk=round_.pk)
    if round_.publicity_from is not None:
        raise ValidationError("已经公示过。")
    if round_.nominations.filter(state=NominationState.NOMINATED).exists():
        raise ValidationError("还有推荐尚未评审，请评审完再公示。")
    if not round_.nominations.filter(state=NominationState.SELECTED).exists():
        raise ValidationError("没有拟表彰人选，无法公示。")
    if not 1 <= days <= 30:
        raise ValidationError("公示期为 1 至 30 天。")
    today = timezone.localdate()
    round_.publicity_from = today
    round_.publicity_until = today + dt.timedelta(days=days - 1)
    round_.save(update_fields=["publicity_from", "publicity_until"])
    audit_record(
        actor=actor,
        action="honour.publicity",
        target=round_,
        changes={"until": str(round_.publicity_until)},
        label=f"公示：{round_}",
    )
    return round_


@transaction.atomic
def objection_raise(*, actor: Any, nomination: Nomination, text: str) -> Objection:
    nomination = Nomination.objects.select_related("round", "member", "branch").get(
        pk=nomination.pk
    )
    round_ = nomination.round
    today = timezone.localdate()
    if round_.publicity_from is None or round_.publicity_until is None:
        raise ValidationError("尚未公示。")
    if not round_.publicity_from <= today <= round_.publicity_until:
        raise ValidationError("不在公示期内，不能提出异议。")
    if nomination.state != NominationState.SELECTED:
        raise ValidationError("只能对公示中的拟表彰人选提出异议。")
    if len(text.strip()) < 5:
        raise ValidationError("请写明异议的具体内容（至少 5 个字）。")
    item = Objection.objects.create(nomination=nomination, text=text.strip(), raised_by=actor)
    # The objector is not named in the audit label (it is read more widely).
    audit_record(
        actor=actor,
        action="honour.objection",
        target=nomination,
        label=f"公示异议：{nomination.nominee_name}",
    )
    return item


@transaction.atomic
def objection_handle(*, actor: Any, objection: Objection, upheld: bool, reply: str) -> Objection:
    _school_manager(actor)
    objection = (
        Objection.objects.select_for_update().select_related("nomination").get(pk=objection.pk)
    )
    if objection.state != ObjectionState.OPEN:
        raise ValidationError("这条异议已处理。")
    if not reply.strip():
        raise ValidationError("请填写核查情况。")
    objection.state = ObjectionState.UPHELD if upheld else ObjectionState.DISMISSED
    objection.reply = reply.strip()[:300]
    objection.handled_by = actor
    objection.save(update_fields=["state", "reply", "handled_by"])
    nomination = objection.nomination
    if upheld and nomination.state == NominationState.SELECTED:
        nomination.state = NominationState.WITHDRAWN
        nomination.save(update_fields=["state"])
    audit_record(
        actor=actor,
        action="honour.objection_handle",
        target=nomination,
        changes={"objection": objection.pk, "upheld": upheld},
        label=f"异议处理：{nomination.nominee_name}（{objection.get_state_display()}）",
    )
    return objection


@transaction.atomic
def round_finalise(*, actor: Any, round_: CommendationRound) -> int:
    """After 公示 with every objection answered: the 拟表彰 become 已表彰, each with a
    certificate number. Returns how many were honoured."""
    _school_manager(actor)
    round_ = CommendationRound.objects.select_for_update().get(pk=round_.pk)
    if round_.finalised_at is not None:
        raise ValidationError("名单已确定。")
    if round_.publicity_until is None:
        raise ValidationError("请先公示。")
    if timezone.localdate() <= round_.publicity_until:
        raise ValidationError(f"公示期至 {round_.publicity_until:%Y年%m月%d日}，期满后确定名单。")
    if Objection.objects.filter(nomination__round=round_, state=ObjectionState.OPEN).exists():
        raise ValidationError("还有异议未处理。")
    chosen = list(
        round_.nominations.filter(state=NominationState.SELECTED).order_by("unit__path", "id")
    )
    for i, nomination in enumerate(chosen, start=1):
        nomination.state = NominationState.AWARDED
        nomination.certificate_no = f"{round_.year}-{round_.pk:03d}-{i:03d}"
    Nomination.objects.bulk_update(chosen, ["state", "certificate_no"])
    round_.finalised_at = timezone.now()
    round_.save(update_fields=["finalised_at"])
    audit_record(
        actor=actor,
        action="honour.finalise",
        target=round_,
        changes={"awarded": len(chosen)},
        label=f"确定表彰名单：{round_}（{len(chosen)}）",
    )
    return len(chosen)
