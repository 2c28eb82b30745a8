"""Every write of the duty app: check-in and out, logs, pledges and signatures, zones, teams."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from access.scope import Perm, can, members_for_user
from audit.services import audit_record
from duty.models import (
    DutyCheck,
    DutyLog,
    Pledge,
    PledgeSignature,
    ResponsibilityZone,
    Team,
)
from lib.cn import normalize_text
from members.models import Member
from orgs.models import Org
from rosters.models import Assignment, Roster

# The check-in window: from CHECK_IN_EARLY before the start of the shift until its end;
# check-out until CHECK_OUT_LATE after its end.
CHECK_IN_EARLY = dt.timedelta(minutes=30)
CHECK_OUT_LATE = dt.timedelta(hours=2)


# --- shift times --------------------------------------------------------------------------


@dataclass(frozen=True)
class ShiftTimes:
    start: dt.datetime
    end: dt.datetime

    @property
    def check_in_opens(self) -> dt.datetime:
        return self.start - CHECK_IN_EARLY

    @property
    def check_in_closes(self) -> dt.datetime:
        return self.end

    @property
    def check_out_closes(self) -> dt.datetime:
        return self.end + CHECK_OUT_LATE


def slot_of(post_slots: Iterable[dict[str, Any]], name: str) -> tuple[dt.time, float]:
    """(start time, hours) of the slot called `name`; an unknown slot is the whole day."""
    for slot in post_slots:
        if slot.get("name") == name:
            hours, minutes = (int(x) for x in str(slot.get("start", "00:00")).split(":")[:2])
            return dt.time(hours, minutes), float(slot.get("hours", 24))
    return dt.time(0, 0), 24.0


def shift_times(shift: Assignment | DutyCheck | DutyLog) -> ShiftTimes:
    """When a shift (an assignment, or the shift a record keeps) starts and ends."""
    start_time, hours = slot_of(shift.post.slots or [], shift.slot)
    start = timezone.make_aware(dt.datetime.combine(shift.date, start_time))
    return ShiftTimes(start=start, end=start + dt.timedelta(hours=hours))


def _fmt(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%m月%d日 %H:%M")


# --- check-in and out ---------------------------------------------------------------------


@transaction.atomic
def duty_check_in(
    *, actor: Any, assignment: Assignment, ip: str | None = None, now: dt.datetime | None = None
) -> DutyCheck:
    """Check in to one's own shift within the window. A second check-in is refused."""
    now = now or timezone.now()
    if actor.pk is None or assignment.member.user_id != actor.pk:
        raise ValidationError("只有本班次的值班人员本人可以签到。")
    if assignment.roster.state != Roster.State.PUBLISHED:
        raise ValidationError("该值班表尚未发布，不能签到。")
    # Lock the assignment row so two taps at once cannot both pass the check below.
    list(Assignment.objects.select_for_update().filter(pk=assignment.pk).order_by().values("pk"))
    if DutyCheck.objects.for_shift(assignment).exists():
        raise ValidationError("您已签到，无需重复签到。")
    times = shift_times(assignment)
    if now < times.check_in_opens:
        raise ValidationError(
            f"还未到签到时间：本班次 {_fmt(times.start)} 开始，"
            f"{_fmt(times.check_in_opens)} 起可以签到。"
        )
    if now > times.check_in_closes:
        raise ValidationError(f"签到时间已过：本班次已于 {_fmt(times.end)} 结束。")
    try:
        with transaction.atomic():
            check = DutyCheck.objects.create(
                **DutyCheck.shift_fields(assignment), checked_in_at=now, ip=ip
            )
    except IntegrityError as e:
        raise ValidationError("您已签到，无需重复签到。") from e
    # A worked shift is frozen: kept (pinned) by every later edit, swap and re-solve.
    Assignment.objects.filter(pk=assignment.pk).update(pinned=True)
    audit_record(
        actor=actor,
        action="duty.check_in",
        target=assignment,
        label=f"值班签到：{assignment.post.name} {assignment.date} {assignment.slot}",
    )
    return check


@transaction.atomic
def duty_check_out(
    *, actor: Any, assignment: Assignment, now: dt.datetime | None = None
) -> DutyCheck:
    now = now or timezone.now()
    if actor.pk is None or assignment.member.user_id != actor.pk:
        raise ValidationError("只有本班次的值班人员本人可以签退。")
    check = DutyCheck.objects.select_for_update().for_shift(assignment).first()
    if check is None:
        raise ValidationError("请先签到。")
    if check.checked_out_at is not None:
        raise ValidationError("您已签退。")
    times = shift_times(assignment)
    if now > times.check_out_closes:
        raise ValidationError(
            f"签退时间已过：班次结束后 {_fmt(times.check_out_closes)} 前可以签退。"
        )
    check.checked_out_at = now
    check.save(update_fields=["checked_out_at"])
    audit_record(
        actor=actor,
        action="duty.check_out",
        target=assignment,
        label=f"值班签退：{assignment.post.name} {assignment.date} {assignment.slot}",
    )
    return check


@transaction.atomic
def duty_log_create(
    *,
    actor: Any,
    assignment: Assignment,
    temperatures_taken: int,
    people_registered: int,
    anomalies: str = "",
    handover: str = "",
) -> DutyLog:
    """A log of the shift, by the member on it once checked in. Several logs are allowed."""
    if actor.pk is None or assignment.member.user_id != actor.pk:
        raise ValidationError("只有本班次的值班人员本人可以填写值班日志。")
    if not DutyCheck.objects.for_shift(assignment).exists():
        raise ValidationError("请先签到，再填写值班日志。")
    log = DutyLog.objects.create(
        **DutyLog.shift_fields(assignment),
        temperatures_taken=temperatures_taken,
        people_registered=people_registered,
        anomalies=anomalies.strip(),
        handover=handover.strip(),
        written_by=actor,
    )
    audit_record(
        actor=actor,
        action="duty.log",
        target=assignment,
        label=f"值班日志：{assignment.post.name} {assignment.date} {assignment.slot}",
        changes={
            "temperatures_taken": temperatures_taken,
            "people_registered": people_registered,
        },
    )
    return log


# --- pledges --------------------------------------------------------------------------------


def _check_pledge_org(actor: Any, org: Org) -> None:
    if not can(actor, Perm.PLEDGE_MANAGE, org):
        raise ValidationError("您无权面向该组织发布承诺书。")


@transaction.atomic
def pledge_create(
    *, actor: Any, title: str, body: str, org: Org, closes_on: dt.date | None = None
) -> Pledge:
    _check_pledge_org(actor, org)
    pledge = Pledge.objects.create(
        title=title.strip(), body=body.strip(), org=org, closes_on=closes_on, created_by=actor
    )
    audit_record(actor=actor, action="pledge.create", target=pledge)
    return pledge


@transaction.atomic
def pledge_update(
    *, actor: Any, pledge: Pledge, title: str, body: str, org: Org, closes_on: dt.date | None
) -> Pledge:
    """Edit a pledge; once anyone has signed, its wording and audience are fixed."""
    _check_pledge_org(actor, pledge.org)
    _check_pledge_org(actor, org)
    signed = pledge.signatures.exists()
    if signed and (title.strip() != pledge.title or body.strip() != pledge.body):
        raise ValidationError("已有党员签署，承诺书的标题和内容不能再修改。")
    if signed and org.pk != pledge.org_id:
        raise ValidationError("已有党员签署，面向的组织不能再修改。")
    before = {"title": pledge.title, "closes_on": str(pledge.closes_on), "org": pledge.org_id}
    pledge.title, pledge.body, pledge.org, pledge.closes_on = (
        title.strip(),
        body.strip(),
        org,
        closes_on,
    )
    pledge.save()
    audit_record(
        actor=actor,
        action="pledge.update",
        target=pledge,
        changes={"before": before},
    )
    return pledge


def names_match(typed: str, name: str) -> bool:
    return normalize_text(typed).replace(" ", "") == normalize_text(name).replace(" ", "")


@transaction.atomic
def pledge_sign(
    *,
    actor: Any,
    pledge: Pledge,
    signed_name: str,
    confirmed: bool,
    ip: str | None = None,
    today: dt.date | None = None,
) -> PledgeSignature:
    """The member signs: their typed name must match their record; once only, never edited."""
    member = Member.objects.filter(user_id=actor.pk).select_related("branch").first()
    if member is None or not member.branch.path.startswith(pledge.org.path):
        raise ValidationError("该承诺书不面向您所在的党组织。")
    today = today or timezone.localdate()
    if pledge.closes_on is not None and today > pledge.closes_on:
        raise ValidationError(f"该承诺书已于 {pledge.closes_on:%Y年%m月%d日} 截止签署。")
    if not confirmed:
        raise ValidationError("请勾选确认后再签署。")
    if not names_match(signed_name, member.name):
        raise ValidationError("签名须与您在党员名册中的姓名一致。")
    if PledgeSignature.objects.filter(pledge=pledge, member=member).exists():
        raise ValidationError("您已签署该承诺书，签名不能重复或修改。")
    try:
        with transaction.atomic():
            signature = PledgeSignature.objects.create(
                pledge=pledge, member=member, signed_name=normalize_text(signed_name), ip=ip
            )
    except IntegrityError as e:
        raise ValidationError("您已签署该承诺书，签名不能重复或修改。") from e
    audit_record(
        actor=actor,
        action="pledge.sign",
        target=pledge,
        label=f"签署承诺书：{pledge.title}",
        changes={"member": member.number},
    )
    return signature


def pledge_signature_change(**kwargs: Any) -> None:
    """A signature is never edited or withdrawn; there is no other way to change one."""
    raise ValidationError("承诺书签名一经签署不能修改或撤回。")


# --- zones and teams ------------------------------------------------------------------------


def _check_group(
    actor: Any, org: Org, members: Iterable[Member], leader: Member | None = None
) -> list[Member]:
    if not can(actor, Perm.TEAM_MANAGE, org):
        raise ValidationError("您无权管理该组织的责任区或队伍。")
    chosen = list(members)
    if leader is not None and leader.pk not in {m.pk for m in chosen}:
        chosen.append(leader)
    allowed = set(
        members_for_user(actor, Perm.TEAM_MANAGE)
        .filter(pk__in=[m.pk for m in chosen])
        .values_list("pk", flat=True)
    )
    outside = [m.name for m in chosen if m.pk not in allowed]
    if outside:
        raise ValidationError(f"以下人员不在您的管理范围内：{'、'.join(outside)}")
    return chosen


@transaction.atomic
def zone_save(
    *,
    actor: Any,
    zone: ResponsibilityZone | None,
    name: str,
    kind: str,
    org: Org,
    description: str,
    members: Iterable[Member],
) -> ResponsibilityZone:
    if zone is not None and not can(actor, Perm.TEAM_MANAGE, zone.org):
        raise ValidationError("您无权管理该责任区。")
    chosen = _check_group(actor, org, members)
    created = zone is None
    zone = zone or ResponsibilityZone()
    zone.name, zone.kind, zone.org, zone.description = name.strip(), kind, org, description
    zone.save()
    zone.members.set(chosen)
    audit_record(
        actor=actor,
        action="zone.create" if created else "zone.update",
        target=zone,
        changes={"members": sorted(m.number for m in chosen)},
    )
    return zone


@transaction.atomic
def team_save(
    *,
    actor: Any,
    team: Team | None,
    name: str,
    kind: str,
    org: Org,
    description: str,
    leader: Member | None,
    members: Iterable[Member],
) -> Team:
    if team is not None and not can(actor, Perm.TEAM_MANAGE, team.org):
        raise ValidationError("您无权管理该队伍。")
    chosen = _check_group(actor, org, members, leader)
    created = team is None
    team = team or Team()
    team.name, team.kind, team.org, team.description, team.leader = (
        name.strip(),
        kind,
        org,
        description,
        leader,
    )
    team.save()
    team.members.set(chosen)
    audit_record(
        actor=actor,
        action="team.create" if created else "team.update",
        target=team,
        changes={
            "leader": leader.number if leader else "",
            "members": sorted(m.number for m in chosen),
        },
    )
    return team
