"""Every write of situation reports (情况报告) and requests (请示 / 批复): keyword-only, atomic,
each writes its audit row and its timeline event and tells people through notices.notify.

The rise and the acknowledgement are both one conditional UPDATE on the escalation's row,
guarded by its state and `level`: PostgreSQL serialises the two on the row's lock and re-reads
the guard, so when they race exactly one of them takes effect — the other finds the row moved
on (docs/adr/0015).
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from access.models import Grant
from access.scope import ROLE_PERMS, Perm, can, own_member_id
from audit.services import audit_record
from escalations.models import (
    Category,
    Escalation,
    EscalationEvent,
    EscalationFile,
    EscalationKind,
    EscalationState,
    EventAction,
    Reply,
    Urgency,
)
from members.models import Member
from notices.services import notify
from orgs.models import Org
from uploads.services import attach_uploads

# Seconds an org has to acknowledge, per urgency; settings.ESCALATION_LIMITS overrides.
DEFAULT_LIMITS = {Urgency.CRITICAL: 30 * 60, Urgency.URGENT: 2 * 3600, Urgency.NORMAL: 24 * 3600}
# A temperature at or above this raises a fever alert; settings.FEVER_THRESHOLD overrides.
DEFAULT_FEVER_THRESHOLD = Decimal("37.3")
MAX_FILES = 10
HANDLER_ROLES = [role for role, perms in ROLE_PERMS.items() if Perm.ESCALATION_HANDLE in perms]


def limit_for(urgency: str) -> dt.timedelta:
    limits = {**DEFAULT_LIMITS, **getattr(settings, "ESCALATION_LIMITS", {})}
    return dt.timedelta(seconds=int(limits[urgency]))


def limit_text(urgency: str) -> str:
    """The limit in words: 30 分钟, 2 小时, 24 小时."""
    seconds = int(limit_for(urgency).total_seconds())
    if seconds % 3600 == 0:
        return f"{seconds // 3600} 小时"
    if seconds % 60 == 0:
        return f"{seconds // 60} 分钟"
    return f"{seconds} 秒"


def fever_threshold() -> Decimal:
    return Decimal(str(getattr(settings, "FEVER_THRESHOLD", DEFAULT_FEVER_THRESHOLD)))


def level_above(org: Org) -> Org | None:
    """The next org up the ladder branch → unit → 组织部: a branch's unit, a unit's school;
    None above the school."""
    if org.depth > 2:
        return Org.objects.get(path=org.unit_path())
    if org.depth == 2:
        return Org.objects.get(path=org.path[: Org.steplen])
    return None


def desk_user_ids(org: Org) -> list[int]:
    """Who reads what lands on an org's desk: holders of a handling role granted on it."""
    return list(
        Grant.objects.filter(org=org, role__in=HANDLER_ROLES)
        .values_list("user_id", flat=True)
        .distinct()
    )


def reporting_orgs(user: Any) -> list[Org]:
    """The orgs a user may report for: those their handling grants sit on, below the school."""
    from access.scope import grants_of

    ids = [
        g.org_id
        for g in grants_of(user)
        if Perm.ESCALATION_HANDLE in ROLE_PERMS[g.role] and g.depth >= 2
    ]
    return list(Org.objects.filter(pk__in=ids).order_by("path"))


def may_act(user: Any, escalation: Escalation) -> bool:
    """May acknowledge, handle or answer: holds ESCALATION_HANDLE over the first org it was
    sent to (so also over every level it rose to), and is not the one who reported it."""
    if escalation.reported_by_id is not None and escalation.reported_by_id == user.pk:
        return False
    return can(user, Perm.ESCALATION_HANDLE, escalation.to_org)


def _detail_url(escalation: Escalation) -> str:
    return reverse("escalation_detail", args=[escalation.pk])


def _kind_label(escalation: Escalation) -> str:
    return "请示" if escalation.is_request else "情况报告"


def _tell_desk(escalation: Escalation, org: Org, *, kind: str, title: str) -> None:
    notify(
        user_ids=desk_user_ids(org),
        kind=kind,
        title=title,
        body=f"{escalation.get_urgency_display()}｜{escalation.title}\n{escalation.body[:300]}",  # type: ignore[attr-defined]
        url=_detail_url(escalation),
    )


def _tell_reporter(escalation: Escalation, *, kind: str, title: str, body: str = "") -> None:
    if escalation.reported_by_id is not None:
        notify(
            user_ids=[escalation.reported_by_id],
            kind=kind,
            title=title,
            body=body,
            url=_detail_url(escalation),
        )


def _schedule(escalation: Escalation) -> None:
    from escalations.tasks import schedule_rise

    if escalation.due_at is not None:
        pk, level, due = escalation.pk, escalation.level, escalation.due_at
        transaction.on_commit(lambda: schedule_rise(pk, level, due))


# --- reporting ------------------------------------------------------------------------------


@transaction.atomic
def escalation_create(
    *,
    actor: Any,
    kind: str,
    category: str,
    urgency: str,
    title: str,
    body: str,
    org: Org | None = None,
    member: Member | None = None,
    upload_ids: list[str] | None = None,
    source: str = "page",
    now: dt.datetime | None = None,
) -> Escalation:
    """Report to the org above: for `org` (a branch or unit the actor's grant sits on), or as
    `member` (the actor's own record; it goes to their branch)."""
    if kind not in EscalationKind.values:
        raise ValidationError("请选择情况报告或请示。")
    if category not in Category.values:
        raise ValidationError("请选择报告类别。")
    if urgency not in Urgency.values:
        raise ValidationError("请选择紧急程度：一般、紧急或特急。")
    if not title.strip() or not body.strip():
        raise ValidationError("请填写标题和情况说明。")
    if (org is None) == (member is None):
        raise ValidationError("请选择以党员本人还是以党组织名义报告。")
    if member is not None:
        if member.pk != own_member_id(actor):
            raise PermissionDenied
        from_org = member.branch
        to_org = member.branch
    else:
        assert org is not None
        if org.pk not in {o.pk for o in reporting_orgs(actor)}:
            raise PermissionDenied
        from_org = org
        above = level_above(org)
        if above is None:
            raise ValidationError("校党委组织部是最高一级，无需向上报告。")
        to_org = above
    now = now or timezone.now()
    escalation = Escalation.objects.create(
        kind=kind,
        category=category,
        urgency=urgency,
        title=title.strip()[:200],
        body=body.strip(),
        from_org=from_org,
        reporter_member=member,
        reported_by=actor,
        to_org=to_org,
        current_org=to_org,
        due_at=now + limit_for(urgency),
        created_at=now,
        source=source,
    )
    EscalationEvent.objects.create(
        escalation=escalation, action=EventAction.CREATED, actor=actor, org=to_org, at=now
    )
    if upload_ids:
        _attach(actor=actor, escalation=escalation, upload_ids=upload_ids)
    audit_record(
        actor=actor,
        action="escalation.create",
        target=escalation,
        changes={"kind": kind, "urgency": urgency, "to_org": to_org.name},
        label=f"{_kind_label(escalation)}：{escalation.title}",
    )
    _tell_desk(
        escalation,
        to_org,
        kind=f"{kind}.raised",
        title=f"收到{escalation.get_urgency_display()}{_kind_label(escalation)}：{escalation.title}",  # type: ignore[attr-defined]
    )
    _schedule(escalation)
    return escalation


def _attach(*, actor: Any, escalation: Escalation, upload_ids: list[str]) -> None:
    attach_uploads(
        user=actor,
        upload_ids=upload_ids,
        model=EscalationFile,
        folder="escalations",
        limit=MAX_FILES,
        existing=0,
        too_many=f"每份报告最多 {MAX_FILES} 个附件。",
        escalation=escalation,
    )


def raise_fever(
    *,
    member: Member,
    temperature: Decimal | float | str,
    measured_at: dt.datetime,
    source: str,
    detail: str = "",
) -> Escalation | None:
    """A 紧急 situation report to the member's branch about a fever, once per member per day
    (a database constraint): returns it, or None when one exists already for that day or the
    temperature is below the threshold (settings.FEVER_THRESHOLD, 37.3 ℃)."""
    reading = Decimal(str(temperature)).quantize(Decimal("0.1"))
    if reading < fever_threshold():
        return None
    day = timezone.localdate(measured_at)
    if Escalation.objects.filter(fever_member=member, fever_day=day).exists():
        return None
    try:
        return _fever_create(
            member=member,
            reading=reading,
            measured_at=measured_at,
            day=day,
            source=source,
            detail=detail,
        )
    except IntegrityError:  # the same member's alert written a moment ago by another caller
        return None


@transaction.atomic
def _fever_create(
    *,
    member: Member,
    reading: Decimal,
    measured_at: dt.datetime,
    day: dt.date,
    source: str,
    detail: str,
) -> Escalation:
    branch = member.branch
    now = timezone.now()
    local = timezone.localtime(measured_at)
    body = f"{member.name}（{member.number}）于{local:%m月%d日 %H:%M}测得体温 {reading} ℃。"
    if detail.strip():
        body += f"\n{detail.strip()}"
    escalation = Escalation.objects.create(
        kind=EscalationKind.SITUATION,
        category=Category.FEVER,
        urgency=Urgency.URGENT,
        title=f"发热：{member.name} {reading} ℃",
        body=body,
        from_org=branch,
        reporter_member=member,
        reported_by=member.user,
        to_org=branch,
        current_org=branch,
        due_at=now + limit_for(Urgency.URGENT),
        created_at=now,
        source=source[:20],
        fever_member=member,
        fever_day=day,
        temperature=reading,
    )
    EscalationEvent.objects.create(
        escalation=escalation,
        action=EventAction.CREATED,
        org=branch,
        at=now,
        note=f"体温 {reading} ℃ 达到发热标准，系统自动报告（来源：{source}）。",
    )
    audit_record(
        actor=None,
        action="escalation.fever",
        target=escalation,
        changes={"member": member.number, "temperature": str(reading), "source": source},
        label=escalation.title,
    )
    _tell_desk(
        escalation, branch, kind="situation.fever", title=f"紧急情况报告：{escalation.title}"
    )
    _schedule(escalation)
    return escalation


# --- the rise -------------------------------------------------------------------------------


@transaction.atomic
def escalation_rise(*, escalation_id: int, level: int | None = None, now: Any = None) -> bool:
    """Move an unacknowledged escalation whose limit has passed to the next level and tell
    that level; above 组织部 it stays there, marked overdue. Returns whether it rose (False
    when it was acknowledged, answered, or moved on already)."""
    now = now or timezone.now()
    escalation = Escalation.objects.select_related("current_org").filter(pk=escalation_id).first()
    if escalation is None or escalation.state != EscalationState.OPEN:
        return False
    if escalation.due_at is None or escalation.due_at > now:
        return False
    if level is not None and escalation.level != level:
        return False
    seen = escalation.level
    above = level_above(escalation.current_org)
    guard = Escalation.objects.filter(
        pk=escalation.pk, state=EscalationState.OPEN, level=seen, due_at__lte=now
    )
    if above is None:
        if not guard.update(level=F("level") + 1, due_at=None):
            return False
        escalation.level, escalation.due_at = seen + 1, None
        EscalationEvent.objects.create(
            escalation=escalation,
            action=EventAction.OVERDUE,
            org=escalation.current_org,
            level=seen + 1,
            at=now,
        )
        _tell_desk(
            escalation,
            escalation.current_org,
            kind=f"{escalation.kind}.overdue",
            title=f"超时未阅：{escalation.title}",
        )
        return True
    due = now + limit_for(escalation.urgency)
    if not guard.update(level=F("level") + 1, current_org=above, due_at=due):
        return False
    escalation.level, escalation.current_org, escalation.due_at = seen + 1, above, due
    EscalationEvent.objects.create(
        escalation=escalation, action=EventAction.RISEN, org=above, level=seen + 1, at=now
    )
    _tell_desk(
        escalation,
        above,
        kind=f"{escalation.kind}.risen",
        title=f"下级超时未阅，上报至{above.name}：{escalation.title}",
    )
    _tell_reporter(
        escalation,
        kind=f"{escalation.kind}.risen",
        title=f"您的{_kind_label(escalation)}超时未阅，已上报至{above.name}",
    )
    _schedule(escalation)
    return True


def escalations_sweep(*, now: dt.datetime | None = None) -> int:
    """Rise every open escalation whose limit has passed (deadlines missed while the worker
    was down); each in its own transaction. Returns how many rose."""
    now = now or timezone.now()
    due = Escalation.objects.filter(state=EscalationState.OPEN, due_at__lte=now).values_list(
        "pk", flat=True
    )
    return sum(escalation_rise(escalation_id=pk, now=now) for pk in list(due))


# --- reading, handling, answering ------------------------------------------------------------


def _moved_on(escalation: Escalation) -> ValidationError:
    fresh = Escalation.objects.select_related("current_org").get(pk=escalation.pk)
    if fresh.state != EscalationState.OPEN:
        return ValidationError(f"该{_kind_label(fresh)}已{fresh.state_label}，无需重复操作。")
    return ValidationError(
        f"该{_kind_label(fresh)}已超时上报至{fresh.current_org.name}，请刷新页面后再操作。"
    )


@transaction.atomic
def escalation_acknowledge(
    *, actor: Any, escalation: Escalation, level: int | None = None
) -> Escalation:
    """已阅: stops the rise. `level` is the level the reader saw (defaults to the current one):
    if it rose in the meantime the acknowledgement is refused, so a race ends in one of them."""
    if not may_act(actor, escalation):
        raise PermissionDenied
    if escalation.is_request:
        raise ValidationError("请示须以批复答复，请填写批复意见。")
    seen = escalation.level if level is None else level
    now = timezone.now()
    done = Escalation.objects.filter(
        pk=escalation.pk, state=EscalationState.OPEN, level=seen
    ).update(
        state=EscalationState.ACKNOWLEDGED,
        acknowledged_at=now,
        acknowledged_by=actor,
        acknowledged_org=F("current_org"),
    )
    if not done:
        raise _moved_on(escalation)
    escalation = Escalation.objects.select_related("current_org").get(pk=escalation.pk)
    EscalationEvent.objects.create(
        escalation=escalation,
        action=EventAction.ACKNOWLEDGED,
        actor=actor,
        org=escalation.current_org,
        level=seen,
        at=now,
    )
    audit_record(
        actor=actor,
        action="escalation.acknowledge",
        target=escalation,
        changes={"level": seen},
        label=f"情况报告已阅：{escalation.title}",
    )
    _tell_reporter(
        escalation,
        kind="situation.acknowledged",
        title=f"{escalation.current_org.name}已阅您的情况报告：{escalation.title}",
    )
    return escalation


@transaction.atomic
def escalation_handle(*, actor: Any, escalation: Escalation, note: str) -> Escalation:
    """已处理, with what was done: after reading, kept apart from it."""
    escalation = Escalation.objects.select_for_update().get(pk=escalation.pk)
    if not may_act(actor, escalation):
        raise PermissionDenied
    if not note.strip():
        raise ValidationError("请填写处理情况。")
    if escalation.state == EscalationState.OPEN:
        raise ValidationError("请先确认已阅，再登记处理情况。")
    if escalation.state != EscalationState.ACKNOWLEDGED:
        raise ValidationError("该报告已处理，无需重复登记。")
    now = timezone.now()
    escalation.state = EscalationState.HANDLED
    escalation.handled_at = now
    escalation.handled_by = actor
    escalation.handled_note = note.strip()
    escalation.save(update_fields=["state", "handled_at", "handled_by", "handled_note"])
    EscalationEvent.objects.create(
        escalation=escalation,
        action=EventAction.HANDLED,
        actor=actor,
        org=escalation.acknowledged_org,
        level=escalation.level,
        note=note.strip(),
        at=now,
    )
    audit_record(
        actor=actor,
        action="escalation.handle",
        target=escalation,
        changes={"note": note.strip()[:200]},
        label=f"情况报告已处理：{escalation.title}",
    )
    _tell_reporter(
        escalation,
        kind="situation.handled",
        title=f"您的情况报告已处理：{escalation.title}",
        body=note.strip(),
    )
    return escalation


@transaction.atomic
def reply_add(*, actor: Any, escalation: Escalation, body: str, level: int | None = None) -> Reply:
    """A message in the thread. From the org above on an open 请示 it is the 批复: it stops
    the rise like an acknowledgement (same guard on `level`). The reporter may add to the
    thread (补充说明); so may those who answer, after the 批复."""
    if not body.strip():
        raise ValidationError("请填写内容。")
    answering = may_act(actor, escalation)
    is_reporter = escalation.reported_by_id == actor.pk
    if not answering and not is_reporter:
        raise PermissionDenied
    now = timezone.now()
    is_answer = False
    org = None
    if answering and escalation.is_request and escalation.state == EscalationState.OPEN:
        seen = escalation.level if level is None else level
        done = Escalation.objects.filter(
            pk=escalation.pk, state=EscalationState.OPEN, level=seen
        ).update(
            state=EscalationState.REPLIED,
            acknowledged_at=now,
            acknowledged_by=actor,
            acknowledged_org=F("current_org"),
        )
        if not done:
            raise _moved_on(escalation)
        escalation = Escalation.objects.select_related("current_org").get(pk=escalation.pk)
        is_answer, org = True, escalation.current_org
    reply = Reply.objects.create(
        escalation=escalation,
        author=actor,
        org=org,
        body=body.strip(),
        is_answer=is_answer,
        created_at=now,
    )
    EscalationEvent.objects.create(
        escalation=escalation,
        action=EventAction.REPLIED if is_answer else EventAction.MESSAGE,
        actor=actor,
        org=org,
        level=escalation.level,
        note=body.strip()[:500],
        at=now,
    )
    audit_record(
        actor=actor,
        action="escalation.reply" if is_answer else "escalation.message",
        target=escalation,
        changes={"answer": is_answer},
        label=f"{'批复' if is_answer else '留言'}：{escalation.title}",
    )
    if is_answer:
        _tell_reporter(
            escalation,
            kind="request.replied",
            title=f"{escalation.current_org.name}批复了您的请示：{escalation.title}",
            body=body.strip()[:300],
        )
    elif is_reporter:
        notify(
            user_ids=desk_user_ids(escalation.current_org),
            kind=f"{escalation.kind}.message",
            title=f"{_kind_label(escalation)}有新的补充说明：{escalation.title}",
            body=body.strip()[:300],
            url=_detail_url(escalation),
        )
    else:
        _tell_reporter(
            escalation,
            kind=f"{escalation.kind}.message",
            title=f"您的{_kind_label(escalation)}有新的回复：{escalation.title}",
            body=body.strip()[:300],
        )
    return reply
