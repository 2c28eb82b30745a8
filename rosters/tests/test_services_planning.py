"""rosters.services before any roster exists: posts, phases, sign-ups, recommendations and
allocations; and the roster's lock (stale version, published). Through the services, on rows
made by the factories."""

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from audit.models import AuditEvent
from conftest import Cast
from lib.roster import Result
from members.tests.factories import MemberFactory
from rosters import services
from rosters.models import Allocation, PostKind, PostLevel, Roster, SignUp
from rosters.problems import problem_build
from rosters.tests.factories import (
    AllocationFactory,
    PhaseFactory,
    PostFactory,
    RosterFactory,
    SignUpFactory,
)

SLOT = {"name": "早班", "start": "8:00", "hours": 6}


def _actions(prefix: str) -> list[str]:
    events = AuditEvent.objects.filter(action__startswith=prefix).order_by("pk")
    return list(events.values_list("action", flat=True))


def _post(cast: Cast, org: Any, **fields: Any) -> Any:
    fields = {"name": "北门值班值守岗", "kind": PostKind.GATE_DUTY, "slots": [SLOT], **fields}
    return services.post_save(actor=cast.users["school_admin"], post=None, org=org, **fields)


# --- posts -------------------------------------------------------------------------------


def test_post_level_follows_its_org_and_slots_are_tidied(cast: Cast) -> None:
    school_post = _post(cast, cast.school)
    unit_post = _post(cast, cast.unit_a, name="楼栋管理岗", kind=PostKind.BUILDING)

    assert school_post.level == PostLevel.SCHOOL
    assert unit_post.level == PostLevel.UNIT
    assert school_post.slots == [{"name": "早班", "start": "08:00", "hours": 6.0}]


def test_editing_a_post_is_audited_as_an_update(cast: Cast) -> None:
    post = _post(cast, cast.school)

    services.post_save(
        actor=cast.users["duty_office"], post=post, org=cast.school, headcount=3, slots=[SLOT]
    )

    post.refresh_from_db()
    assert post.headcount == 3
    assert _actions("post.") == ["post.create", "post.update"]


@pytest.mark.parametrize(
    ("slots", "message"),
    [
        ([], "至少设置一个班次"),
        ([{"name": "早班", "start": "八点", "hours": 6}], "开始时间或时长有误"),
        ([{"name": "早班", "start": "25:00", "hours": 6}], "开始时间或时长有误"),
        ([{"name": "早班", "start": "08:00", "hours": "六"}], "开始时间或时长有误"),
        ([{"name": "", "start": "08:00", "hours": 6}], "为空或重复"),
        ([SLOT, SLOT], "为空或重复"),
        ([{"name": "早班", "start": "08:00", "hours": 0}], "0–24 小时"),
        ([{"name": "早班", "start": "08:00", "hours": 25}], "0–24 小时"),
    ],
)
def test_bad_slots_are_refused(cast: Cast, slots: list[dict[str, Any]], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        _post(cast, cast.school, slots=slots)


def test_a_post_of_another_kind_needs_its_name(cast: Cast) -> None:
    with pytest.raises(ValidationError, match="自设岗位"):
        _post(cast, cast.unit_a, kind="other")


# --- phases ------------------------------------------------------------------------------


def test_a_phase_cannot_end_before_it_starts(cast: Cast) -> None:
    with pytest.raises(ValidationError, match="结束日期不能早于开始日期"):
        services.phase_save(
            actor=cast.users["school_admin"],
            phase=None,
            org=cast.school,
            posts=[],
            name="第一阶段",
            starts_on=dt.date(2020, 2, 4),
            ends_on=dt.date(2020, 2, 3),
        )


def test_a_phase_is_created_then_updated_with_its_posts(cast: Cast) -> None:
    post = PostFactory.create(org=cast.school)
    admin = cast.users["school_admin"]
    days = {"starts_on": dt.date(2020, 2, 3), "ends_on": dt.date(2020, 2, 9)}

    phase = services.phase_save(
        actor=admin, phase=None, org=cast.school, posts=[], name="第一阶段", **days
    )
    services.phase_save(
        actor=admin, phase=phase, org=cast.school, posts=[post], name="第一阶段（开学）", **days
    )

    phase.refresh_from_db()
    assert phase.name == "第一阶段（开学）"
    assert list(phase.posts.all()) == [post]
    assert _actions("phase.") == ["phase.create", "phase.update"]


# --- sign-ups ----------------------------------------------------------------------------


def _signup(cast: Cast, phase: Any, **changes: Any) -> SignUp:
    fields: dict[str, Any] = {
        "wanted_posts": [p.pk for p in phase.posts.all()],
        "unavailable_dates": [],
        "unavailable_slots": [],
        "campus": None,
        "health_ok": True,
        "health_note": "",
        "phone": "13800000001",
        "avoid_night": False,
        **changes,
    }
    return services.signup_save(
        actor=cast.users["member_a"], phase=phase, member=cast.member_a, **fields
    )


@pytest.fixture
def phase(cast: Cast) -> Any:
    return PhaseFactory.create(org=cast.school, posts=[PostFactory.create(org=cast.school)])


def test_a_second_signup_updates_the_first(cast: Cast, phase: Any) -> None:
    post = phase.posts.get()
    _signup(cast, phase)

    signup = _signup(cast, phase, wanted_posts=[post.pk, post.pk], unavailable_dates=["2020-02-04"])

    assert SignUp.objects.filter(phase=phase, member=cast.member_a).count() == 1
    assert signup.wanted_posts == [post.pk]
    assert signup.unavailable_dates == ["2020-02-04"]
    assert _actions("signup.") == ["signup.create", "signup.update"]


def test_signup_is_closed_after_its_deadline(cast: Cast, phase: Any) -> None:
    phase.signup_deadline = timezone.now() - dt.timedelta(minutes=1)
    phase.save()

    with pytest.raises(ValidationError, match="报名已截止"):
        _signup(cast, phase)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"wanted_posts": []}, "至少选择一个意向岗位"),
        ({"wanted_posts": [987654]}, "不属于本阶段"),
        ({"health_ok": False}, "健康状况声明"),
        ({"unavailable_dates": ["2020-03-01"]}, "应在本阶段内"),
    ],
)
def test_a_bad_signup_is_refused(
    cast: Cast, phase: Any, changes: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        _signup(cast, phase, **changes)

    assert not SignUp.objects.exists()


def test_recommending_and_taking_it_back(cast: Cast, phase: Any) -> None:
    signup = SignUpFactory.create(phase=phase, member=cast.member_a)
    admin = cast.users["unit_a_admin"]

    services.signup_recommend(actor=admin, signup=signup, recommended=True)
    assert (signup.recommended, signup.recommended_by) == (True, admin)

    services.signup_recommend(actor=admin, signup=signup, recommended=False)
    signup.refresh_from_db()
    assert (signup.recommended, signup.recommended_by, signup.recommended_at) == (False, None, None)
    assert _actions("signup.") == ["signup.recommend", "signup.unrecommend"]


def test_recommendation_closes_at_its_deadline(cast: Cast, phase: Any) -> None:
    phase.recommend_deadline = timezone.now() - dt.timedelta(minutes=1)
    phase.save()
    signup = SignUpFactory.create(phase=phase, member=cast.member_a)

    with pytest.raises(ValidationError, match="推荐已截止"):
        services.signup_recommend(actor=cast.users["unit_a_admin"], signup=signup, recommended=True)


# --- allocations -------------------------------------------------------------------------


def test_a_recommended_member_is_allocated_once(cast: Cast, phase: Any) -> None:
    post = phase.posts.get()
    SignUpFactory.create(phase=phase, member=cast.member_a, recommended=True)
    actor = cast.users["duty_office"]

    first = services.allocation_add(actor=actor, phase=phase, post=post, member=cast.member_a)
    again = services.allocation_add(actor=actor, phase=phase, post=post, member=cast.member_a)

    assert first == again
    assert first.allocated_by == actor


def test_allocation_rules(cast: Cast, phase: Any) -> None:
    school_post = phase.posts.get()
    unit_post = PostFactory.create(org=cast.unit_a, level=PostLevel.UNIT)
    phase.posts.add(unit_post)
    other_post = PostFactory.create(org=cast.school)
    SignUpFactory.create(phase=phase, member=cast.member_a)  # not recommended
    SignUpFactory.create(phase=phase, member=cast.member_b, recommended=True)
    stranger = MemberFactory.create(branch=cast.branch_a2)
    actor = cast.users["school_admin"]

    def add(post: Any, member: Any) -> None:
        services.allocation_add(actor=actor, phase=phase, post=post, member=member)

    with pytest.raises(ValidationError, match="该岗位不属于本阶段"):
        add(other_post, cast.member_b)
    with pytest.raises(ValidationError, match="未报名本阶段"):
        add(school_post, stranger)
    with pytest.raises(ValidationError, match="未经单位推荐"):
        add(school_post, cast.member_a)
    with pytest.raises(ValidationError, match="不是本单位党员"):
        add(unit_post, cast.member_b)
    add(unit_post, cast.member_a)  # a unit's own post takes its own people unrecommended

    assert list(Allocation.objects.values_list("member", flat=True)) == [cast.member_a.pk]


def test_removing_an_allocation_is_audited(cast: Cast, phase: Any) -> None:
    allocation = AllocationFactory.create(phase=phase, post=phase.posts.get(), member=cast.member_a)

    services.allocation_remove(actor=cast.users["duty_office"], allocation=allocation)

    assert not Allocation.objects.exists()
    assert _actions("allocation.") == ["allocation.remove"]


# --- a roster's lock ---------------------------------------------------------------------


def test_a_roster_is_created_once_per_phase_and_org(cast: Cast, phase: Any) -> None:
    actor = cast.users["school_admin"]

    first = services.roster_create(actor=actor, phase=phase, org=cast.school)
    again = services.roster_create(actor=actor, phase=phase, org=cast.school)

    assert first == again
    assert _actions("roster.create") == ["roster.create"]


def test_settings_from_a_stale_page_are_refused(cast: Cast) -> None:
    roster = RosterFactory.create(org=cast.school, phase__org=cast.school)
    actor = cast.users["duty_office"]
    services.roster_settings_update(
        actor=actor, roster=roster, version=roster.version, settings={"time_limit": 10}
    )

    with pytest.raises(ValidationError, match="已被他人修改"):
        services.roster_settings_update(
            actor=actor, roster=roster, version=1, settings={"time_limit": 20}
        )

    roster.refresh_from_db()
    assert roster.settings["time_limit"] == 10
    assert roster.version == 2


def test_a_published_roster_takes_no_settings(cast: Cast) -> None:
    roster = RosterFactory.create(
        org=cast.school, phase__org=cast.school, state=Roster.State.PUBLISHED
    )

    with pytest.raises(ValidationError, match="已发布"):
        services.roster_settings_update(
            actor=cast.users["duty_office"],
            roster=roster,
            version=roster.version,
            settings={"time_limit": 20},
        )


def test_a_roster_being_solved_takes_no_settings(cast: Cast) -> None:
    roster = RosterFactory.create(
        org=cast.school, phase__org=cast.school, solve_state=Roster.SolveState.RUNNING
    )

    with pytest.raises(ValidationError, match="正在自动排班"):
        services.roster_settings_update(
            actor=cast.users["duty_office"],
            roster=roster,
            version=roster.version,
            settings={"time_limit": 20},
        )


def test_unpublishing_returns_the_roster_to_draft(cast: Cast) -> None:
    roster = RosterFactory.create(
        org=cast.school,
        phase__org=cast.school,
        state=Roster.State.PUBLISHED,
        published_at=timezone.now(),
    )

    services.roster_publish(
        actor=cast.users["duty_office"], roster=roster, version=roster.version, publish=False
    )

    roster.refresh_from_db()
    assert (roster.state, roster.published_at, roster.version) == (Roster.State.DRAFT, None, 2)
    assert _actions("roster.") == ["roster.unpublish"]


def test_an_unfilled_roster_cannot_be_published(cast: Cast, phase: Any) -> None:
    roster = RosterFactory.create(phase=phase, org=cast.school)

    with pytest.raises(ValidationError, match="不能发布"):
        services.roster_publish(
            actor=cast.users["duty_office"], roster=roster, version=roster.version
        )

    roster.refresh_from_db()
    assert roster.state == Roster.State.DRAFT


# --- a background solve that cannot finish -----------------------------------------------


def test_a_solve_nobody_queued_is_skipped(cast: Cast) -> None:
    roster = RosterFactory.create(org=cast.school, phase__org=cast.school)

    assert services.roster_solve_run(roster.pk) == "skipped"


def test_a_solve_that_raises_leaves_a_reason_instead_of_spinning(cast: Cast) -> None:
    roster = RosterFactory.create(
        org=cast.school, phase__org=cast.school, solve_state=Roster.SolveState.QUEUED
    )

    state = services.roster_solve_run(roster.pk, problem_data={"version": "不是一个版本"})

    roster.refresh_from_db()
    assert state == Roster.SolveState.FAILED
    assert roster.solve_message.startswith("求解出错")


@pytest.mark.parametrize(
    ("status", "reasons", "state", "message"),
    [
        ("infeasible", ["北门值班值守岗人数不足"], Roster.SolveState.INFEASIBLE, "人数不足"),
        ("stopped", [], Roster.SolveState.STOPPED, "已停止"),
        ("unknown", [], Roster.SolveState.FAILED, "请延长求解时限"),
    ],
)
def test_a_result_without_a_roster_says_why(
    cast: Cast, phase: Any, status: Any, reasons: list[str], state: str, message: str
) -> None:
    roster = RosterFactory.create(phase=phase, org=cast.school)
    built = problem_build(roster)

    services.roster_store_result(
        roster=roster, built=built, result=Result(status=status, reasons=reasons)
    )

    roster.refresh_from_db()
    assert roster.solve_state == state
    assert message in roster.solve_message
    assert not roster.assignments.exists()
