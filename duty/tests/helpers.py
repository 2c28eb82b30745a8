"""Rosters rows built directly through the ORM, so duty tests do not depend on the rosters pages."""

import datetime as dt
from typing import Any

from django.utils import timezone

from members.models import Member
from orgs.models import Campus, Org
from rosters.models import Assignment, Phase, Post, PostKind, PostLevel, Roster


def make_post(
    org: Org, name: str = "北门值班值守岗", *, campus: Campus | None = None, **kw: Any
) -> Post:
    return Post.objects.create(
        name=name,
        kind=PostKind.GATE_DUTY,
        level=PostLevel.SCHOOL,
        org=org,
        campus=campus,
        place=kw.pop("place", "北门"),
        **kw,
    )


def make_roster(
    org: Org,
    *,
    starts_on: dt.date = dt.date(2020, 9, 17),
    ends_on: dt.date = dt.date(2020, 12, 31),
    name: str = "秋季学期第一阶段",
    published: bool = True,
) -> Roster:
    phase = Phase.objects.create(name=name, org=org, starts_on=starts_on, ends_on=ends_on)
    return Roster.objects.create(
        phase=phase,
        org=org,
        state=Roster.State.PUBLISHED if published else Roster.State.DRAFT,
    )


def assign(
    roster: Roster, post: Post, member: Member, date: dt.date, slot: str = "06–12"
) -> Assignment:
    return Assignment.objects.create(roster=roster, post=post, member=member, date=date, slot=slot)


def shift_starting(
    org: Org, member: Member, start: dt.datetime, *, hours: int = 4, roster: Roster | None = None
) -> Assignment:
    """A one-slot post whose shift starts at `start` (aware), and `member` on it."""
    local = timezone.localtime(start)
    post = make_post(
        org,
        name=f"测试岗{local:%H%M%S%f}",
        slots=[{"name": "测试班", "start": local.strftime("%H:%M"), "hours": hours}],
    )
    roster = roster or make_roster(org, starts_on=local.date(), ends_on=local.date())
    return assign(roster, post, member, local.date(), "测试班")
