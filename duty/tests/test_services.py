import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db.models import ProtectedError
from django.utils import timezone

from conftest import Cast
from duty import services
from duty.models import DutyCheck, DutyLog, Pledge, PledgeSignature, TeamKind, ZoneKind
from duty.selectors import handover_for
from duty.tests.helpers import assign, make_post, make_roster

SHANGHAI_0600 = dt.datetime(2020, 9, 18, 6, 0)


@pytest.fixture
def shift(cast: Cast) -> Any:
    roster = make_roster(cast.school)
    post = make_post(cast.school)  # default slots: 00–06, 06–12, 12–18, 18–24
    return assign(roster, post, cast.member_a, dt.date(2020, 9, 18), "06–12")


def at(hour: int, minute: int = 0, day: int = 18) -> dt.datetime:
    return timezone.make_aware(dt.datetime(2020, 9, day, hour, minute))


@pytest.mark.parametrize(
    ("moment", "ok"),
    [
        (at(5, 29), False),  # 31 minutes early
        (at(5, 30), True),  # the window opens 30 minutes before the start
        (at(9, 0), True),
        (at(12, 0), True),  # until the end of the shift
        (at(12, 1), False),
        (at(8, 0, day=19), False),
    ],
)
def test_check_in_only_within_the_window(
    cast: Cast, shift: Any, moment: dt.datetime, ok: bool
) -> None:
    user = cast.users["member_a"]
    if ok:
        check = services.duty_check_in(actor=user, assignment=shift, now=moment, ip="10.0.0.8")
        assert check.checked_in_at == moment and check.ip == "10.0.0.8"
    else:
        with pytest.raises(ValidationError, match=r"签到时间|还未到"):
            services.duty_check_in(actor=user, assignment=shift, now=moment)
        assert not DutyCheck.objects.exists()


def test_early_refusal_says_when_check_in_opens(cast: Cast, shift: Any) -> None:
    with pytest.raises(ValidationError) as info:
        services.duty_check_in(actor=cast.users["member_a"], assignment=shift, now=at(4, 0))
    assert "09月18日 05:30 起可以签到" in info.value.messages[0]


def test_double_check_in_writes_once(cast: Cast, shift: Any) -> None:
    user = cast.users["member_a"]
    services.duty_check_in(actor=user, assignment=shift, now=at(6, 5))
    with pytest.raises(ValidationError, match="重复签到"):
        services.duty_check_in(actor=user, assignment=shift, now=at(6, 6))
    assert DutyCheck.objects.count() == 1
    assert DutyCheck.objects.get().checked_in_at == at(6, 5)


@pytest.mark.parametrize("who", ["member_b", "school_admin", "branch_secretary"])
def test_only_the_assigned_member_checks_in(cast: Cast, shift: Any, who: str) -> None:
    with pytest.raises(ValidationError, match="本人"):
        services.duty_check_in(actor=cast.users[who], assignment=shift, now=at(6, 5))
    assert not DutyCheck.objects.exists()


@pytest.mark.parametrize(("moment", "ok"), [(at(13, 59), True), (at(14, 1), False)])
def test_check_out_until_two_hours_after_the_end(
    cast: Cast, shift: Any, moment: dt.datetime, ok: bool
) -> None:
    user = cast.users["member_a"]
    services.duty_check_in(actor=user, assignment=shift, now=at(6, 0))
    if ok:
        assert services.duty_check_out(actor=user, assignment=shift, now=moment).checked_out_at
    else:
        with pytest.raises(ValidationError, match="签退时间已过"):
            services.duty_check_out(actor=user, assignment=shift, now=moment)


def test_check_out_needs_a_check_in_and_happens_once(cast: Cast, shift: Any) -> None:
    user = cast.users["member_a"]
    with pytest.raises(ValidationError, match="请先签到"):
        services.duty_check_out(actor=user, assignment=shift, now=at(8))
    services.duty_check_in(actor=user, assignment=shift, now=at(6))
    services.duty_check_out(actor=user, assignment=shift, now=at(12))
    with pytest.raises(ValidationError, match="已签退"):
        services.duty_check_out(actor=user, assignment=shift, now=at(12, 30))


def test_a_night_slot_runs_past_midnight(cast: Cast) -> None:
    roster = make_roster(cast.school)
    post = make_post(cast.school)
    night = assign(roster, post, cast.member_a, dt.date(2020, 9, 18), "18–24")
    times = services.shift_times(night)
    assert times.end == at(0, 0, day=19)
    services.duty_check_in(actor=cast.users["member_a"], assignment=night, now=at(23, 50))


def test_logs_need_a_check_in_and_several_are_kept(cast: Cast, shift: Any) -> None:
    user = cast.users["member_a"]
    with pytest.raises(ValidationError, match="请先签到"):
        services.duty_log_create(
            actor=user, assignment=shift, temperatures_taken=1, people_registered=1
        )
    services.duty_check_in(actor=user, assignment=shift, now=at(6))
    for n in (30, 12):
        services.duty_log_create(
            actor=user, assignment=shift, temperatures_taken=n, people_registered=n // 2
        )
    assert sorted(DutyLog.objects.values_list("temperatures_taken", flat=True)) == [12, 30]
    with pytest.raises(ValidationError, match="本人"):
        services.duty_log_create(
            actor=cast.users["school_admin"],
            assignment=shift,
            temperatures_taken=1,
            people_registered=1,
        )


def test_handover_shows_on_the_next_shift_of_the_same_post(cast: Cast, shift: Any) -> None:
    services.duty_check_in(actor=cast.users["member_a"], assignment=shift, now=at(6))
    services.duty_log_create(
        actor=cast.users["member_a"],
        assignment=shift,
        temperatures_taken=40,
        people_registered=8,
        handover="北门测温枪电池不足，请带备用电池",
    )
    next_shift = assign(shift.roster, shift.post, cast.member_b, shift.date, "12–18")
    other_post = make_post(cast.school, name="南门值班值守岗")
    elsewhere = assign(shift.roster, other_post, cast.member_b, shift.date, "12–18")
    earlier = assign(shift.roster, shift.post, cast.member_b, shift.date, "00–06")

    assert [log.handover for log in handover_for(next_shift)] == [
        "北门测温枪电池不足，请带备用电池"
    ]
    assert handover_for(elsewhere) == []
    assert handover_for(earlier) == []


# --- pledges --------------------------------------------------------------------------------


@pytest.fixture
def pledge(cast: Cast) -> Pledge:
    return services.pledge_create(
        actor=cast.users["school_admin"],
        title="党员疫情防控承诺书",
        body="我承诺：服从安排，坚守岗位。",
        org=cast.school,
    )


def test_pledge_signature_keeps_name_time_and_address(cast: Cast, pledge: Pledge) -> None:
    signature = services.pledge_sign(
        actor=cast.users["member_a"],
        pledge=pledge,
        signed_name=" 张 三 ",
        confirmed=True,
        ip="10.1.2.3",
    )
    assert signature.member == cast.member_a
    assert signature.ip == "10.1.2.3" and signature.signed_at is not None


@pytest.mark.parametrize(
    ("name", "confirmed", "reason"),
    [("李四", True, "姓名一致"), ("张三", False, "勾选确认"), ("", True, "姓名一致")],
)
def test_pledge_signature_refused(
    cast: Cast, pledge: Pledge, name: str, confirmed: bool, reason: str
) -> None:
    with pytest.raises(ValidationError, match=reason):
        services.pledge_sign(
            actor=cast.users["member_a"], pledge=pledge, signed_name=name, confirmed=confirmed
        )
    assert not PledgeSignature.objects.exists()


def test_second_signature_is_refused_and_the_first_kept(cast: Cast, pledge: Pledge) -> None:
    user = cast.users["member_a"]
    first = services.pledge_sign(actor=user, pledge=pledge, signed_name="张三", confirmed=True)
    with pytest.raises(ValidationError, match="不能重复或修改"):
        services.pledge_sign(actor=user, pledge=pledge, signed_name="张三", confirmed=True)
    with pytest.raises(ValidationError, match="不能修改或撤回"):
        services.pledge_signature_change(signature=first, signed_name="张三丰")
    assert PledgeSignature.objects.get().signed_at == first.signed_at


def test_signed_rows_are_protected(cast: Cast, pledge: Pledge) -> None:
    services.pledge_sign(
        actor=cast.users["member_a"], pledge=pledge, signed_name="张三", confirmed=True
    )
    with pytest.raises(ProtectedError):
        pledge.delete()
    with pytest.raises(ProtectedError):
        cast.member_a.delete()


def test_pledge_for_unit_b_cannot_be_signed_in_unit_a(cast: Cast) -> None:
    pledge = services.pledge_create(
        actor=cast.users["unit_b_admin"], title="化学学院责任状", body="…", org=cast.unit_b
    )
    with pytest.raises(ValidationError, match="不面向"):
        services.pledge_sign(
            actor=cast.users["member_a"], pledge=pledge, signed_name="张三", confirmed=True
        )


def test_closed_pledge_is_not_signed(cast: Cast) -> None:
    pledge = services.pledge_create(
        actor=cast.users["school_admin"],
        title="旧承诺书",
        body="…",
        org=cast.school,
        closes_on=dt.date(2020, 2, 25),
    )
    with pytest.raises(ValidationError, match="截止"):
        services.pledge_sign(
            actor=cast.users["member_a"],
            pledge=pledge,
            signed_name="张三",
            confirmed=True,
            today=dt.date(2020, 2, 26),
        )


def test_unit_admin_cannot_write_a_pledge_for_another_unit(cast: Cast) -> None:
    with pytest.raises(ValidationError, match="无权"):
        services.pledge_create(
            actor=cast.users["unit_a_admin"], title="越权", body="…", org=cast.unit_b
        )


def test_signed_pledge_wording_is_fixed(cast: Cast, pledge: Pledge) -> None:
    services.pledge_sign(
        actor=cast.users["member_a"], pledge=pledge, signed_name="张三", confirmed=True
    )
    with pytest.raises(ValidationError, match="不能再修改"):
        services.pledge_update(
            actor=cast.users["school_admin"],
            pledge=pledge,
            title=pledge.title,
            body="改过的内容",
            org=cast.school,
            closes_on=None,
        )
    updated = services.pledge_update(
        actor=cast.users["school_admin"],
        pledge=pledge,
        title=pledge.title,
        body=pledge.body,
        org=cast.school,
        closes_on=dt.date(2020, 3, 1),
    )
    assert updated.closes_on == dt.date(2020, 3, 1)


# --- zones and teams --------------------------------------------------------------------------


def test_zone_members_come_from_the_managers_scope(cast: Cast) -> None:
    with pytest.raises(ValidationError, match="赵六"):
        services.zone_save(
            actor=cast.users["unit_a_admin"],
            zone=None,
            name="1号学生公寓",
            kind=ZoneKind.DORMITORY,
            org=cast.unit_a,
            description="",
            members=[cast.member_a, cast.other_b],
        )
    zone = services.zone_save(
        actor=cast.users["unit_a_admin"],
        zone=None,
        name="1号学生公寓",
        kind=ZoneKind.DORMITORY,
        org=cast.unit_a,
        description="",
        members=[cast.member_a, cast.other_a],
    )
    assert set(zone.members.all()) == {cast.member_a, cast.other_a}


def test_team_leader_is_a_member_and_scope_holds(cast: Cast) -> None:
    team = services.team_save(
        actor=cast.users["branch_secretary"],
        team=None,
        name="教工第一支部党员突击队",
        kind=TeamKind.COMMANDO,
        org=cast.branch_a1,
        description="",
        leader=cast.member_a,
        members=[],
    )
    assert list(team.members.all()) == [cast.member_a]
    with pytest.raises(ValidationError, match="无权"):
        services.team_save(
            actor=cast.users["branch_secretary"],
            team=None,
            name="越权",
            kind=TeamKind.VANGUARD,
            org=cast.branch_a2,
            description="",
            leader=None,
            members=[],
        )
    with pytest.raises(ValidationError, match="王五"):
        services.team_save(
            actor=cast.users["branch_secretary"],
            team=team,
            name=team.name,
            kind=team.kind,
            org=cast.branch_a1,
            description="",
            leader=cast.member_a,
            members=[cast.other_a],
        )


def test_no_check_in_on_a_draft_roster(cast: Cast) -> None:
    draft = make_roster(cast.school, published=False)
    shift = assign(draft, make_post(cast.school), cast.member_a, dt.date(2020, 9, 18))
    with pytest.raises(ValidationError, match="尚未发布"):
        services.duty_check_in(actor=cast.users["member_a"], assignment=shift, now=at(6, 5))
