"""Files at each stage, built through the services (so every test goes the real way)."""

import datetime as dt
from typing import Any

from django.utils import timezone

from conftest import Cast
from development import services
from development.models import Candidate, ReviewResult, TrainingGrade
from meetings.models import Meeting, MeetingKind, MeetingState
from meetings.tests.factories import held_meeting
from members.models import Member, PoliticalStatus
from members.tests.factories import MemberFactory


def applicant(cast: Cast, applied_on: dt.date, **extra: Any) -> Candidate:
    person = MemberFactory.create(
        branch=cast.branch_a1, political_status=PoliticalStatus.MASSES, **extra
    )
    return services.candidate_open(
        actor=cast.users["school_admin"], member=person, applied_on=applied_on
    )


def contacts(cast: Cast) -> tuple[Member, Member]:
    return (
        MemberFactory.create(branch=cast.branch_a1, name="联系人甲"),
        MemberFactory.create(branch=cast.branch_a1, name="联系人乙"),
    )


def assembly(cast: Cast, on: dt.date) -> Meeting:
    """An approved 支部党员大会 of branch A1 held on `on`."""
    at = timezone.make_aware(dt.datetime.combine(on, dt.time(15)))
    m = held_meeting(cast.branch_a1, kind=MeetingKind.GENERAL_ASSEMBLY, held_at=at)
    Meeting.objects.filter(pk=m.pk).update(state=MeetingState.APPROVED)
    m.refresh_from_db()
    return m


def ready_for_probation(cast: Cast, c: Candidate, on: dt.date) -> Meeting:
    """Everything a 发展对象 needs to be received on `on`: introducers, training, review, a
    公示 that ended, and the 支部大会; returns the meeting."""
    admin = cast.users["school_admin"]
    one, two = contacts(cast)
    services.candidate_details_update(
        actor=admin,
        candidate=c,
        introducer_1=one,
        introducer_2=two,
        training_school="党校第 1 期发展对象培训班",
        training_finished_on=min(on, timezone.localdate()),
        training_grade=TrainingGrade.GOOD,
        review_on=min(on, timezone.localdate()),
        review_result=ReviewResult.PASSED,
    )
    c.refresh_from_db()
    services.publicity_open(
        actor=admin,
        candidate=c,
        starts_on=max(c.target_on or on, on - dt.timedelta(days=10)),
        ends_on=max(c.target_on or on, on - dt.timedelta(days=10)) + dt.timedelta(days=6),
    )
    return assembly(cast, on)
