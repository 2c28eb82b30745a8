"""factory_boy factories for rosters: posts, phases, sign-ups, allocations, rosters and
their assignments. Each makes what it stands on (a phase its school, an assignment its
roster, post and member) unless a test passes its own."""

import datetime as dt
from typing import Any

import factory

from members.tests.factories import MemberFactory, UserFactory
from orgs.tests.factories import default_branch, default_school
from rosters.models import (
    Allocation,
    Assignment,
    Phase,
    Post,
    PostKind,
    PostLevel,
    Roster,
    SignUp,
)

DAY1 = dt.date(2020, 2, 3)
SLOTS = [
    {"name": "08–14", "start": "08:00", "hours": 6},
    {"name": "20–02", "start": "20:00", "hours": 6},
]


class PostFactory(factory.django.DjangoModelFactory[Post]):
    class Meta:
        model = Post

    name = factory.Sequence(lambda n: f"北门值班值守岗{n}")
    kind = PostKind.GATE_DUTY
    level = PostLevel.SCHOOL
    org = factory.LazyFunction(default_school)
    place = "北门"
    slots = factory.LazyFunction(lambda: [dict(s) for s in SLOTS])
    headcount = 1


class PhaseFactory(factory.django.DjangoModelFactory[Phase]):
    """A two-day phase; `posts=[...]` staffs those posts in it."""

    class Meta:
        model = Phase
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"第{n}阶段")
    org = factory.LazyFunction(default_school)
    starts_on = DAY1
    ends_on = factory.LazyAttribute(lambda p: p.starts_on + dt.timedelta(days=1))

    @factory.post_generation
    def posts(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted:
            self.posts.set(extracted)


class RosterFactory(factory.django.DjangoModelFactory[Roster]):
    class Meta:
        model = Roster

    phase = factory.SubFactory(PhaseFactory)
    org = factory.LazyAttribute(lambda r: r.phase.org)
    settings = factory.LazyFunction(lambda: {"time_limit": 5})


class MemberOfBranchFactory(MemberFactory):
    branch = factory.LazyFunction(default_branch)


class SignUpFactory(factory.django.DjangoModelFactory[SignUp]):
    """A healthy member who wants every post of the phase."""

    class Meta:
        model = SignUp

    phase = factory.SubFactory(PhaseFactory)
    member = factory.SubFactory(MemberOfBranchFactory)
    wanted_posts = factory.LazyAttribute(lambda s: [p.pk for p in s.phase.posts.all()])
    health_ok = True
    phone = factory.LazyAttribute(lambda s: s.member.phone or "13800000009")


class AllocationFactory(factory.django.DjangoModelFactory[Allocation]):
    class Meta:
        model = Allocation

    phase = factory.SubFactory(PhaseFactory)
    post = factory.SubFactory(PostFactory)
    member = factory.SubFactory(MemberOfBranchFactory)
    allocated_by = factory.SubFactory(UserFactory)


class AssignmentFactory(factory.django.DjangoModelFactory[Assignment]):
    """One person on one shift: the roster's first day and the post's first slot."""

    class Meta:
        model = Assignment

    roster = factory.SubFactory(RosterFactory)
    post = factory.SubFactory(PostFactory)
    date = factory.LazyAttribute(lambda a: a.roster.phase.starts_on)
    slot = factory.LazyAttribute(lambda a: a.post.slots[0]["name"])
    member = factory.SubFactory(MemberOfBranchFactory)
