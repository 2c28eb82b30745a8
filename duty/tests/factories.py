"""factory_boy factories for duty: check-ins and logs of a shift, pledges, responsibility
zones and teams.

A check-in or log is made for an assignment (`assignment=`, or a new one). When the duty
records keep their own member, post, date and slot (so they outlive roster edits), those are
copied from the assignment: the factories work for either shape of the models."""

from typing import Any

import factory
from django.utils import timezone

from duty.models import DutyCheck, DutyLog, Pledge, ResponsibilityZone, Team, TeamKind, ZoneKind
from members.tests.factories import UserFactory
from orgs.tests.factories import default_branch, default_school
from rosters.tests.factories import AssignmentFactory, MemberOfBranchFactory

SHIFT_FIELDS = ("member", "post", "date", "slot")


def _with_shift_of_assignment(kwargs: dict[str, Any]) -> dict[str, Any]:
    """A record keeps its own shift: member, post, date and slot as the assignment's, and the
    roster and phase it was worked under."""
    assignment = kwargs.get("assignment")
    if assignment is not None:
        for field in SHIFT_FIELDS:
            kwargs.setdefault(field, getattr(assignment, field))
        kwargs.setdefault("roster", assignment.roster)
        kwargs.setdefault("phase", assignment.roster.phase)
    return kwargs


class DutyCheckFactory(factory.django.DjangoModelFactory[DutyCheck]):
    class Meta:
        model = DutyCheck

    assignment = factory.SubFactory(AssignmentFactory)
    checked_in_at = factory.LazyFunction(timezone.now)

    @classmethod
    def _adjust_kwargs(cls, **kwargs: Any) -> dict[str, Any]:
        return _with_shift_of_assignment(kwargs)


class DutyLogFactory(factory.django.DjangoModelFactory[DutyLog]):
    class Meta:
        model = DutyLog

    assignment = factory.SubFactory(AssignmentFactory)
    temperatures_taken = 12
    people_registered = 3
    anomalies = "无"
    written_by = factory.SubFactory(UserFactory)

    @classmethod
    def _adjust_kwargs(cls, **kwargs: Any) -> dict[str, Any]:
        return _with_shift_of_assignment(kwargs)


class PledgeFactory(factory.django.DjangoModelFactory[Pledge]):
    class Meta:
        model = Pledge

    title = factory.Sequence(lambda n: f"党员疫情防控承诺书{n}")
    body = "我承诺：服从安排，坚守岗位。"
    org = factory.LazyFunction(default_school)
    created_by = factory.SubFactory(UserFactory)


class ZoneFactory(factory.django.DjangoModelFactory[ResponsibilityZone]):
    """A responsibility zone; `members=[...]` puts those members in it."""

    class Meta:
        model = ResponsibilityZone
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"{n}号楼")
    kind = ZoneKind.DORMITORY
    org = factory.LazyFunction(default_branch)

    @factory.post_generation
    def members(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted:
            self.members.set(extracted)


class TeamFactory(factory.django.DjangoModelFactory[Team]):
    """A team led by a new member of its branch; `members=[...]` adds those members."""

    class Meta:
        model = Team
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"党员突击队{n}")
    kind = TeamKind.COMMANDO
    org = factory.LazyFunction(default_branch)
    leader = factory.SubFactory(MemberOfBranchFactory, branch=factory.SelfAttribute("..org"))

    @factory.post_generation
    def members(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted:
            self.members.set(extracted)
