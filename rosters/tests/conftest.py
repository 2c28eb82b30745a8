"""A small phase on the cast: one school-level gate post, two days, two shifts a day."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from conftest import Cast
from members.models import CadreRank, Gender
from rosters.models import Allocation, Phase, Post, PostKind, PostLevel, Roster, SignUp

DAY1 = dt.date(2020, 2, 3)
DAY2 = dt.date(2020, 2, 4)
SLOTS = [
    {"name": "08–14", "start": "08:00", "hours": 6},
    {"name": "20–02", "start": "20:00", "hours": 6},
]


@dataclass
class Small:
    post: Post
    phase: Phase
    roster: Roster
    people: list[Any]


def add_signup(phase: Phase, member: Any, **extra: Any) -> SignUp:
    defaults: dict[str, Any] = {
        "wanted_posts": [p.pk for p in phase.posts.all()],
        "health_ok": True,
        "phone": member.phone or "13800000009",
        "recommended": True,
    }
    defaults.update(extra)
    return SignUp.objects.create(phase=phase, member=member, **defaults)


@pytest.fixture
def small(cast: Cast) -> Small:
    cast.member_a.cadre_rank = CadreRank.SECTION
    cast.member_a.gender = Gender.MALE
    cast.member_a.save()
    post = Post.objects.create(
        name="北门值班值守岗",
        kind=PostKind.GATE_DUTY,
        level=PostLevel.SCHOOL,
        org=cast.school,
        campus=cast.unit_a.campus,
        place="北门",
        slots=SLOTS,
        headcount=1,
    )
    phase = Phase.objects.create(name="第一阶段", org=cast.school, starts_on=DAY1, ends_on=DAY2)
    phase.posts.set([post])
    people = [cast.member_a, cast.other_a, cast.member_b, cast.other_b]
    for m in people:
        add_signup(phase, m)
        Allocation.objects.create(phase=phase, post=post, member=m)
    roster = Roster.objects.create(phase=phase, org=cast.school, settings={"time_limit": 5})
    return Small(post=post, phase=phase, roster=roster, people=people)
