"""The factories make rows that pass the models' own validation, standing on each other."""

from typing import Any

import pytest

from campaigns.tests.factories import SubmissionFactory
from duty.tests.factories import (
    SHIFT_FIELDS,
    DutyCheckFactory,
    DutyLogFactory,
    PledgeFactory,
    TeamFactory,
    ZoneFactory,
)
from rosters.tests.factories import (
    AllocationFactory,
    AssignmentFactory,
    PhaseFactory,
    PostFactory,
    SignUpFactory,
)

pytestmark = pytest.mark.django_db


def _valid(obj: Any, *may_be_empty: str) -> Any:
    obj.full_clean(exclude=list(may_be_empty))
    return obj


def test_a_check_in_and_a_log_stand_on_one_shift() -> None:
    assignment = AssignmentFactory.create()

    check = _valid(DutyCheckFactory.create(assignment=assignment))
    log = _valid(DutyLogFactory.create(assignment=assignment))

    assert check.assignment == log.assignment == assignment
    assert assignment.slot == assignment.post.slots[0]["name"]
    assert assignment.date == assignment.roster.phase.starts_on
    for record in (check, log):  # records keep their own shift: the assignment's
        assert {f: getattr(record, f) for f in SHIFT_FIELDS} == {
            f: getattr(assignment, f) for f in SHIFT_FIELDS
        }
        assert record.phase == assignment.roster.phase


def test_pledges_zones_and_teams() -> None:
    pledge = _valid(PledgeFactory.create())
    zone = _valid(ZoneFactory.create())
    team = _valid(TeamFactory.create())

    assert pledge.org.depth == 1
    assert team.leader is not None and team.leader.branch == team.org
    assert zone.org == team.org  # both in the default branch


def test_signups_allocations_and_submissions() -> None:
    post = PostFactory.create()
    phase = PhaseFactory.create(posts=[post])
    signup = _valid(SignUpFactory.create(phase=phase), "unavailable_dates", "unavailable_slots")
    allocation = _valid(AllocationFactory.create(phase=phase, post=post, member=signup.member))
    submission = _valid(SubmissionFactory.create())

    assert signup.wanted_posts == [post.pk]
    assert allocation.member.branch.kind == "branch"
    assert submission.org == submission.deliverable.campaign.org
