"""Data for the to-do lists, made through the apps' services and their test helpers."""

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from campaigns.tests.helpers import media_root  # noqa: F401  (a fixture)
from conftest import Cast
from duty import services as duty_services
from duty.models import Pledge
from duty.tests.helpers import make_post, make_roster, shift_starting
from members.models import Member
from members.tests.factories import MemberFactory
from rosters import services as roster_services
from rosters.models import Assignment, Phase, Post, Roster, SwapRequest


def open_phase(cast: Cast, *, name: str = "寒假第一阶段", recommend_days: int = 3) -> Phase:
    """A school-level phase open for sign-up and recommendation, with one active post."""
    today = timezone.localdate()
    post = roster_services.post_save(
        actor=cast.users["school_admin"],
        post=None,
        org=cast.school,
        name=f"{name}北门岗",
        kind="gate_duty",
        place="北门",
        slots=[{"name": "08–14", "start": "08:00", "hours": 6}],
    )
    return roster_services.phase_save(
        actor=cast.users["school_admin"],
        phase=None,
        org=cast.school,
        posts=[post],
        name=name,
        starts_on=today + dt.timedelta(days=10),
        ends_on=today + dt.timedelta(days=20),
        signup_deadline=timezone.now() + dt.timedelta(days=2),
        recommend_deadline=timezone.now() + dt.timedelta(days=recommend_days),
    )


def sign_up(cast: Cast, phase: Phase, member: Member, who: str = "member_a") -> Any:
    post: Post = phase.posts.get()
    return roster_services.signup_save(
        actor=cast.users[who],
        phase=phase,
        member=member,
        wanted_posts=[post.pk],
        unavailable_dates=[],
        unavailable_slots=[],
        campus=None,
        health_ok=True,
        health_note="",
        phone=member.phone or "13800000009",
        avoid_night=False,
    )


def pledge_for(cast: Cast, org_name: str = "unit_a", who: str = "unit_a_admin") -> Pledge:
    return duty_services.pledge_create(
        actor=cast.users[who],
        title="疫情防控责任状",
        body="我承诺严格落实防控要求。",
        org=getattr(cast, org_name),
        closes_on=timezone.localdate() + dt.timedelta(days=5),
    )


def shift_soon(cast: Cast, minutes: int = 10) -> Assignment:
    """member_a on a published school roster, starting in `minutes` (check-in open)."""
    start = timezone.now() + dt.timedelta(minutes=minutes)
    return shift_starting(cast.school, cast.member_a, start.replace(second=0, microsecond=0))


def pending_swap(cast: Cast) -> SwapRequest:
    today = timezone.localdate()
    roster = make_roster(
        cast.school,
        name="换班阶段",
        starts_on=today,
        ends_on=today + dt.timedelta(days=5),
    )
    post = make_post(cast.school, name="南门岗")
    day = today + dt.timedelta(days=2)
    assignment = Assignment.objects.create(
        roster=roster, post=post, member=cast.member_a, date=day, slot="06–12"
    )
    return roster_services.swap_request_create(
        actor=cast.users["member_a"],
        assignment=assignment,
        member=cast.member_a,
        with_member=None,
        reason="家中有事",
    )


def draft_roster(cast: Cast) -> Roster:
    today = timezone.localdate()
    return make_roster(
        cast.school,
        name="草稿阶段",
        starts_on=today,
        ends_on=today + dt.timedelta(days=5),
        published=False,
    )


def member_without_login(cast: Cast, number: str = "A0003") -> Member:
    return MemberFactory.create(name="钱七", number=number, branch=cast.branch_a1, user=None)


@pytest.fixture
def media(media_root: Path) -> Path:  # noqa: F811
    return media_root
