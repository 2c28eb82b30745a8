import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from django.utils import timezone

from conftest import Cast
from gates.models import Gate, GateKeeper
from gates.services import EntryData
from rosters.models import Assignment, Phase, Post, PostKind, PostLevel, Roster


def gate_of(cast: Cast, name: str = "北门", *, with_post: bool = True) -> Gate:
    campus = cast.member_a.campus
    assert campus is not None
    post = None
    if with_post:
        post = Post.objects.create(
            name=f"{name}值守",
            kind=PostKind.GATE_DUTY,
            level=PostLevel.SCHOOL,
            org=cast.school,
            campus=campus,
            place=name,
        )
    return Gate.objects.create(campus=campus, name=name, post=post)


def on_shift(cast: Cast, gate: Gate, member: Any, *, day: dt.date | None = None) -> Assignment:
    """`member` on the gate post's 24-hour shift (a published roster) on `day`."""
    day = day or timezone.localdate()
    assert gate.post is not None
    gate.post.slots = [{"name": "全天", "start": "00:00", "hours": 24}]
    gate.post.save()
    phase = Phase.objects.create(
        name="开学阶段", org=cast.school, starts_on=day, ends_on=day + dt.timedelta(days=7)
    )
    roster = Roster.objects.create(phase=phase, org=cast.school, state=Roster.State.PUBLISHED)
    return Assignment.objects.create(
        roster=roster, post=gate.post, date=day, slot="全天", member=member
    )


def keeper(gate: Gate, member: Any) -> GateKeeper:
    return GateKeeper.objects.create(gate=gate, member=member)


def entry(
    *,
    member: str = "",
    temperature: str | None = "36.5",
    at: dt.datetime | None = None,
    direction: str = "in",
    uid: uuid.UUID | None = None,
    **visitor: str,
) -> EntryData:
    return EntryData(
        uid=uid or uuid.uuid4(),
        at=at or timezone.now(),
        direction=direction,
        member=member,
        temperature=Decimal(temperature) if temperature is not None else None,
        **visitor,
    )


def wire(e: EntryData) -> dict[str, Any]:
    return {
        "uid": str(e.uid),
        "at": e.at.isoformat(),
        "direction": e.direction,
        "member": e.member,
        "temperature": str(e.temperature) if e.temperature is not None else None,
        "visitor_name": e.visitor_name,
        "visitor_reason": e.visitor_reason,
    }
