"""Each role's home is its to-do list: rows appear when there is something to do, disappear
once it is done, and never show what lies outside the user's scope."""

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from campaigns import services as campaign_services
from campaigns.models import DeliverableKind
from campaigns.tests.helpers import draft, make_campaign, submitted
from conftest import Cast
from duty import services as duty_services
from duty.models import DutyCheck
from home.tests.conftest import (
    draft_roster,
    member_without_login,
    open_phase,
    pending_swap,
    pledge_for,
    shift_soon,
    sign_up,
)
from home.todos import Todo, todos_for
from members.models import Whereabouts
from members.tests.factories import MemberFactory
from rosters import services as roster_services
from talks import services as talk_services
from talks.tests.helpers import talk

K = DeliverableKind


def rows(cast: Cast, who: str) -> list[Todo]:
    return todos_for(cast.users[who])


def labelled(cast: Cast, who: str, text: str) -> list[Todo]:
    return [t for t in rows(cast, who) if text in t.label]


# --- a member -----------------------------------------------------------------------------


def test_member_sees_the_next_shift_with_check_in(cast: Cast) -> None:
    assignment = shift_soon(cast, minutes=10)

    [row] = labelled(cast, "member_a", "班：")

    assert row.action == "签到"
    assert row.action_post == reverse("duty_check_in", args=[assignment.pk])
    assert row.url == reverse("duty_shift", args=[assignment.pk])
    assert row.label.startswith("下一班")
    assert not labelled(cast, "member_b", "班：")


def test_a_started_shift_is_the_current_one(cast: Cast) -> None:
    shift_soon(cast, minutes=-5)

    [row] = labelled(cast, "member_a", "班：")

    assert row.label.startswith("当前班")
    assert row.action == "签到"


def test_member_sees_no_check_in_before_the_window(cast: Cast) -> None:
    shift_soon(cast, minutes=24 * 60)

    [row] = labelled(cast, "member_a", "班：")

    assert row.action == ""


def test_member_sees_unsigned_pledges_until_signed(cast: Cast) -> None:
    pledge = pledge_for(cast, "unit_a")

    [row] = labelled(cast, "member_a", "承诺书")
    assert row.count == 1
    assert row.url == reverse("pledge_detail", args=[pledge.pk])
    assert not labelled(cast, "member_b", "承诺书")

    duty_services.pledge_sign(
        actor=cast.users["member_a"], pledge=pledge, signed_name="张三", confirmed=True
    )
    assert not labelled(cast, "member_a", "承诺书")


def test_member_sees_open_signups_until_signed_up(cast: Cast) -> None:
    phase = open_phase(cast)

    [row] = labelled(cast, "member_a", "可报名")
    assert row.count == 1
    assert row.url == reverse("signup_form", args=[phase.pk])

    sign_up(cast, phase, cast.member_a)
    assert not labelled(cast, "member_a", "可报名")
    assert labelled(cast, "member_b", "可报名")


# --- a reviewer ---------------------------------------------------------------------------


def test_reviewer_sees_submissions_waiting(cast: Cast, media: Path) -> None:
    _, four = make_campaign(cast)
    submitted(cast, four[K.STORY])
    draft(cast, four[K.MATERIAL])  # a draft is not the reviewer's business

    [row] = rows(cast, "reviewer")

    assert row.label == "待评审的报送"
    assert row.count == 1
    assert row.url == reverse("submission_list") + "?state=submitted"
    assert not labelled(cast, "unit_b_admin", "待评审")


# --- a unit admin -------------------------------------------------------------------------


def test_unit_admin_sees_deadlines_this_week_and_what_is_missing(cast: Cast, media: Path) -> None:
    campaign, four = make_campaign(cast, days=3)
    submitted(cast, four[K.MATERIAL])  # no quota: one is enough
    submitted(cast, four[K.STORY])  # quota 5: four still missing

    a = {t.label.split("（")[0]: t for t in labelled(cast, "unit_a_admin", "尚缺")}
    b = {t.label.split("（")[0]: t for t in labelled(cast, "unit_b_admin", "尚缺")}

    lecture, story, material = (four[k].name for k in (K.MICRO_LECTURE, K.STORY, K.MATERIAL))
    assert material not in a
    assert a[lecture].count == 1
    assert a[story].count == 4
    assert "已报 1 / 5" in a[story].note
    assert a[story].url == reverse("campaign_detail", args=[campaign.pk])
    assert b[material].count == 1
    assert b[story].count == 5


def test_unit_admin_sees_no_deadline_beyond_a_week(cast: Cast, media: Path) -> None:
    make_campaign(cast, days=10)

    assert not labelled(cast, "unit_a_admin", "尚缺")


def test_unit_admin_sees_drafts_and_returned_submissions(cast: Cast, media: Path) -> None:
    _, four = make_campaign(cast)
    draft(cast, four[K.MATERIAL])
    s = submitted(cast, four[K.STORY])
    campaign_services.submission_transition(
        submission=s, to_state="returned", actor=cast.users["reviewer"], comment="请补充材料"
    )

    got = {t.label: t.count for t in rows(cast, "unit_a_admin")}

    assert got["被退回待修改的报送"] == 1
    assert got["尚未报送的草稿"] == 1
    assert "尚未报送的草稿" not in {t.label for t in rows(cast, "unit_b_admin")}


def test_unit_admin_sees_signups_to_recommend_in_their_unit(cast: Cast) -> None:
    phase = open_phase(cast)
    signup = sign_up(cast, phase, cast.member_a)

    [row] = labelled(cast, "unit_a_admin", "待推荐")
    assert row.count == 1
    assert row.url == reverse("signup_list", args=[phase.pk])
    assert not labelled(cast, "unit_b_admin", "待推荐")

    roster_services.signup_recommend(
        actor=cast.users["unit_a_admin"], signup=signup, recommended=True
    )
    assert not labelled(cast, "unit_a_admin", "待推荐")


def test_no_signups_to_recommend_after_the_deadline(cast: Cast) -> None:
    phase = open_phase(cast)
    sign_up(cast, phase, cast.member_a)
    phase.recommend_deadline = timezone.now() - dt.timedelta(minutes=1)
    phase.save()

    assert not labelled(cast, "unit_a_admin", "待推荐")


# --- 组织部 ---------------------------------------------------------------------------------


def test_school_admin_sees_units_missing_a_deadline(cast: Cast, media: Path) -> None:
    campaign, four = make_campaign(cast, days=3)
    submitted(cast, four[K.MATERIAL])

    got = {t.label.split("（")[0]: t for t in labelled(cast, "school_admin", "未报齐")}

    assert got[four[K.MATERIAL].name].count == 1  # unit B
    assert got[four[K.STORY].name].count == 2
    assert got[four[K.STORY].name].url == reverse("campaign_board", args=[campaign.pk])


def test_school_admin_sees_recently_closed_deliverables_still_missing(
    cast: Cast, media: Path
) -> None:
    _, four = make_campaign(cast, days=3)
    d = four[K.RED_FIREWALL]
    d.deadline = timezone.now() - dt.timedelta(days=2)
    d.save()

    [row] = [t for t in labelled(cast, "school_admin", "未报齐") if d.name in t.label]

    assert row.count == 2
    assert row.note.startswith("已于")
    assert not labelled(cast, "unit_a_admin", d.name)  # closed: no longer the unit's to-do


# --- 防控办 ---------------------------------------------------------------------------------


def test_duty_office_sees_swaps_drafts_and_phases_without_rosters(cast: Cast) -> None:
    pending_swap(cast)
    draft_roster(cast)
    phase = open_phase(cast)

    got = {t.label: t for t in rows(cast, "duty_office")}

    assert got["待审批的换班申请"].count == 1
    assert got["待审批的换班申请"].url == reverse("swap_list")
    assert got["尚未发布的值班表"].count == 1
    assert got["尚未排班的阶段"].count == 1
    assert got["尚未排班的阶段"].url == reverse("phase_detail", args=[phase.pk])

    roster_services.roster_create(actor=cast.users["duty_office"], phase=phase, org=cast.school)
    got = {t.label: t for t in rows(cast, "duty_office")}
    assert "尚未排班的阶段" not in got
    assert got["尚未发布的值班表"].count == 2
    assert not labelled(cast, "unit_b_admin", "换班")


# --- a branch secretary ---------------------------------------------------------------------


def test_branch_secretary_sees_their_members_without_login(cast: Cast) -> None:
    member_without_login(cast)  # in A1; other_a (A2, no login) is not theirs

    [row] = labelled(cast, "branch_secretary", "登录")

    assert row.count == 1
    assert row.url == reverse("member_list")
    assert labelled(cast, "unit_a_admin", "登录")[0].count == 2  # A1 and A2


def test_branch_secretary_sees_unsigned_pledges_of_their_branch(cast: Cast) -> None:
    pledge = pledge_for(cast, "unit_a")
    member_without_login(cast)
    duty_services.pledge_sign(
        actor=cast.users["member_a"], pledge=pledge, signed_name="张三", confirmed=True
    )

    [row] = labelled(cast, "branch_secretary", "未签")

    assert row.count == 1  # 钱七 in A1; 王五 in A2 is not theirs
    assert "已签 1 / 2" in row.note
    assert labelled(cast, "unit_a_admin", "未签")[0].count == 2


# --- the page ---------------------------------------------------------------------------------


def test_empty_list_says_so(cast: Cast) -> None:
    response = cast.client("reviewer").get(reverse("home"))

    assert "暂无待办事项" in response.content.decode()


def test_page_shows_rows_with_counts_and_check_in(cast: Cast) -> None:
    shift = shift_soon(cast)
    pledge_for(cast, "unit_a")
    client = cast.client("member_a")

    html = client.get(reverse("home")).content.decode()

    assert "待签署的承诺书" in html
    check_in = reverse("duty_check_in", args=[shift.pk])
    assert f'<form method="post" action="{check_in}">' in html
    assert "暂无待办事项" not in html

    # one tap on the home page checks in; the row then offers 签退 on the shift's page
    client.post(check_in)
    assert DutyCheck.objects.filter(assignment=shift).exists()
    [row] = labelled(cast, "member_a", "班：")
    assert (row.action, row.action_post) == ("签退", "")


# --- organisational life: 谈心谈话 -----------------------------------------------------------


def away_member(cast: Cast, number: str = "A0300") -> Any:
    return MemberFactory.create(
        number=number, branch=cast.branch_a1, whereabouts=Whereabouts.STRANDED
    )


def test_secretary_sees_members_not_talked_with_stranded_counted_apart(cast: Cast) -> None:
    away = away_member(cast)

    [row] = labelled(cast, "branch_secretary", "未谈心谈话")

    assert row.count == 2  # member_a and the stranded member
    assert "滞留外地 / 隔离 1 人" in row.note
    assert row.url == reverse("talk_coverage")
    assert labelled(cast, "unit_b_admin", "未谈心谈话")[0].count == 2  # B1's two members
    assert not labelled(cast, "member_a", "未谈心谈话")
    assert not labelled(cast, "duty_office", "未谈心谈话")

    talk(cast, away)
    talk(cast, cast.member_a, talker=cast.other_a)
    assert not labelled(cast, "branch_secretary", "未谈心谈话")


def test_follow_ups_due_show_until_followed_up(cast: Cast) -> None:
    t = talk(cast, cast.member_a, talker=cast.other_a, days_ago=10, follow_up_in=3)

    [row] = labelled(cast, "branch_secretary", "未回访")
    assert row.count == 1
    assert not labelled(cast, "unit_b_admin", "未回访")

    talk_services.talk_follow_up(
        actor=cast.users["branch_secretary"], talk=t, followed_up_on=timezone.localdate()
    )
    assert not labelled(cast, "branch_secretary", "未回访")


def _everything(cast: Cast, media: Path, n: int = 1) -> None:
    """Something on every role's list, several of each, so a query per row would show."""
    _, four = make_campaign(cast, days=3)
    submitted(cast, four[K.STORY])
    submitted(cast, four[K.STORY], title="第二个故事")
    draft(cast, four[K.MATERIAL])
    for name in ("一", "二"):
        phase = open_phase(cast, name=f"阶段{name}{n}")
        sign_up(cast, phase, cast.member_a)
    open_phase(cast, name=f"阶段三{n}")
    pledge_for(cast, "unit_a")
    pledge_for(cast, "school", who="school_admin")
    member_without_login(cast, number=f"A01{n:02d}")
    shift_soon(cast, minutes=10 + n)
    pending_swap(cast)
    draft_roster(cast)
    away_member(cast, number=f"A02{n:02d}")
    talk(cast, cast.member_a, talker=cast.other_a, days_ago=10, follow_up_in=2)
    meetings_in_every_state(cast)
    escalations_on_every_desk(cast)


def escalations_on_every_desk(cast: Cast) -> None:
    """A report on branch A1's desk, a request on unit A's, a unit report on 组织部's."""
    from escalations import services as escalation_services
    from escalations.tests.helpers import branch_request, member_report

    member_report(cast)
    branch_request(cast)
    escalation_services.escalation_create(
        actor=cast.users["unit_a_admin"],
        org=cast.unit_a,
        kind="situation",
        category="safety",
        urgency="normal",
        title="学院楼封闭管理",
        body="即日起封闭管理。",
    )


def meetings_in_every_state(cast: Cast) -> None:
    """A meeting waiting for the unit, one for 组织部, one returned to branch A1."""
    from meetings import services as meeting_services
    from meetings.tests.factories import held_meeting

    unit = cast.users["unit_a_admin"]
    waiting = held_meeting(cast.branch_a1)
    meeting_services.meeting_submit(actor=None, meeting=waiting)
    for step_two in (False, True):
        m = meeting_services.meeting_submit(actor=None, meeting=held_meeting(cast.branch_a1))
        m = meeting_services.meeting_approve(actor=unit, meeting=m, step="unit")
        if step_two:
            meeting_services.meeting_return(actor=None, meeting=m, step="school", reason="缺记录")
    today = timezone.localdate()
    meeting_services.seat_add(
        actor=None,
        branch=cast.branch_a1,
        member=cast.member_a,
        title="secretary",
        term_start=today - dt.timedelta(days=1000),
        term_end=today + dt.timedelta(days=30),
    )


def test_meetings_to_approve_and_returned_meetings(cast: Cast) -> None:
    meetings_in_every_state(cast)

    def meeting_rows(who: str) -> list[tuple[str, int | None]]:
        return [(t.label, t.count) for t in rows(cast, who) if "会议记录" in t.label]

    assert meeting_rows("unit_a_admin") == [("待审核的会议记录", 1), ("被退回待修改的会议记录", 1)]
    assert meeting_rows("school_admin") == [("待审核的会议记录", 1)]
    assert meeting_rows("branch_secretary") == [("被退回待修改的会议记录", 1)]
    assert not meeting_rows("unit_b_admin")
    assert labelled(cast, "branch_secretary", "请及时换届")[0].count == 1


def test_a_secretary_is_reminded_of_meetings_due_before_the_period_ends(
    cast: Cast, monkeypatch: Any
) -> None:
    from meetings import compliance

    monkeypatch.setattr(compliance, "REMIND_BEFORE", dt.timedelta(days=400))
    due = labelled(cast, "branch_secretary", "本期尚未完成的规定会议")

    assert len(due) == 1
    assert due[0].count == 5  # the default rules but 党小组会 (the branch has no groups)
    assert not labelled(cast, "unit_a_admin", "本期尚未完成的规定会议")


# The dashboard beside a school or unit admin's list: one GROUP BY per tile, the lists' own org
# lookups, one per trend line, the org, its ancestors and children (dashboard/selectors.py);
# +6: meeting compliance (compliance_rows, 5) and talk coverage (coverage, 4) for two GROUP BYs.
DASHBOARD_QUERIES = 31
# Queries of the whole page (session, user, grants, member, rows, nav) with data on every row.
# Every role +1: unread notices (the navigation bar's count and the urgent row, one query).
MAX_QUERIES = {
    # +2: members not talked with; follow-ups due; +1: meetings to approve / returned
    # +1 everywhere a desk is: situation reports and requests to acknowledge or answer
    # +1 报备 schedules past due (and one count per schedule, at most three)
    # +1 everyone: the unread notices (the navigation's count and the urgent row share it)
    # +1: care-fund payouts to approve; +1: honours to review / objections (one each for units)
    # +2 development files due (rules, files); +1 role models to review
    "school_admin": 23 + DASHBOARD_QUERIES,
    "unit_a_admin": 26 + DASHBOARD_QUERIES,
    # +2 talks; +6 meetings: returned (1), due (groups, rules, exemptions, meetings), terms (1)
    "branch_secretary": 22,
    "duty_office": 11,  # +2 gates: fevers today, gates whose devices went quiet
    "reviewer": 7,
    # shifts, then their check-ins looked up by shift (one query); +2 报备 (member, schedules);
    # +1 self-study
    "member_a": 17,
}


@pytest.mark.parametrize(("who", "most"), MAX_QUERIES.items())
def test_home_makes_a_fixed_number_of_queries(
    cast: Cast, media: Path, who: str, most: int, django_assert_max_num_queries: Any
) -> None:
    _everything(cast, media)
    client = cast.client(who)

    with django_assert_max_num_queries(most):
        response = client.get(reverse("home"))

    assert response.status_code == 200
    assert "暂无待办事项" not in response.content.decode()


def test_rows_are_grouped_by_area_in_the_menus_order(cast: Cast) -> None:
    pledge_for(cast, "unit_a")
    member_without_login(cast)

    areas = [t.area for t in rows(cast, "unit_a_admin")]

    assert areas == ["组织与党员", "先锋岗与值守", "组织生活"]


@pytest.mark.parametrize("who", list(MAX_QUERIES))
def test_home_queries_do_not_grow_with_the_data(cast: Cast, media: Path, who: str) -> None:
    _everything(cast, media)
    client = cast.client(who)
    client.get(reverse("home"))  # the session is saved on the first request

    with CaptureQueriesContext(connection) as before:
        client.get(reverse("home"))
    _everything(cast, media, n=2)
    with CaptureQueriesContext(connection) as after:
        response = client.get(reverse("home"))

    assert len(after.captured_queries) == len(before.captured_queries)
    assert response.status_code == 200
