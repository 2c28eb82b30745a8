"""The talks pages end to end: record on a phone, double submits write once, bad input keeps
what was typed, the lists filter, coverage makes a fixed number of queries."""

import datetime as dt
import uuid
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from conftest import Cast
from members.models import Whereabouts
from members.tests.factories import MemberFactory
from talks.models import Deliberation, Talk, TalkMethod
from talks.tests.helpers import talk

TODAY = timezone.localdate


def _talk_form(**kw: Any) -> dict[str, Any]:
    data = {
        "form_token": str(uuid.uuid4()),
        "member": "张三（A0001）",
        "talker": "王五",
        "talked_on": str(TODAY()),
        "method": TalkMethod.VIDEO,
        "thoughts": "隔离期间情绪稳定",
        "life": "",
        "work": "",
        "help_given": "",
        "follow_up_on": str(TODAY() + dt.timedelta(days=7)),
    }
    data.update(kw)
    return data


def test_unit_admin_records_a_talk_and_a_double_submit_writes_once(cast: Cast) -> None:
    client = cast.client("unit_a_admin")
    data = _talk_form()

    first = client.post(reverse("talk_new"), data)
    second = client.post(reverse("talk_new"), data)

    t = Talk.objects.get()
    assert (t.member, t.talker, t.method) == (cast.member_a, cast.other_a, TalkMethod.VIDEO)
    assert first["Location"] == second["Location"] == reverse("talk_detail", args=[t.pk])
    assert AuditEvent.objects.filter(action="talk.record").count() == 1


def test_a_member_outside_scope_is_answered_like_nobody(cast: Cast) -> None:
    response = cast.client("branch_secretary").post(
        reverse("talk_new"), _talk_form(member="李四", talker="张三")
    )

    assert response.status_code == 200
    assert "没有找到这个人" in response.content.decode()
    assert "隔离期间情绪稳定" in response.content.decode()  # nothing typed is lost
    assert not Talk.objects.exists()


def test_a_member_who_records_defaults_to_themself_as_talker(cast: Cast) -> None:
    from access.models import Grant, Role

    Grant.objects.create(
        user=cast.users["member_a"], org=cast.branch_a1, role=Role.BRANCH_SECRETARY
    )
    MemberFactory.create(name="钱七", number="A0050", branch=cast.branch_a1)

    response = cast.client("member_a").post(
        reverse("talk_new"), _talk_form(member="A0050", talker="")
    )

    assert response.status_code == 302
    assert Talk.objects.get().talker == cast.member_a


def test_a_future_date_is_refused_in_chinese(cast: Cast) -> None:
    response = cast.client("school_admin").post(
        reverse("talk_new"), _talk_form(talked_on=str(TODAY() + dt.timedelta(days=2)))
    )

    assert "谈话日期不能晚于今天" in response.content.decode()
    assert not Talk.objects.exists()


def test_suggestions_stay_in_scope(cast: Cast) -> None:
    client = cast.client("branch_secretary")

    own = client.get(reverse("talk_people"), {"field": "member", "member": "张"})
    other = client.get(reverse("talk_people"), {"field": "member", "member": "李"})

    assert "张三（A0001）" in own.content.decode()
    assert "李四" not in other.content.decode()


def test_the_member_sees_that_a_talk_happened_but_not_the_notes(cast: Cast) -> None:
    t = talk(cast, cast.member_a, talker=cast.other_a, thoughts="对返校安排有顾虑")

    member_page = cast.client("member_a").get(reverse("talk_detail", args=[t.pk])).content.decode()
    secretary = cast.client("branch_secretary").get(reverse("talk_detail", args=[t.pk]))

    assert "对返校安排有顾虑" not in member_page
    assert "王五" in member_page
    assert "对返校安排有顾虑" in secretary.content.decode()
    own_list = cast.client("member_a").get(reverse("talk_list")).content.decode()
    assert "对返校安排有顾虑" not in own_list and "王五" in own_list
    history = cast.client("member_a").get(reverse("member_talks", args=[cast.member_a.pk]))
    assert "对返校安排有顾虑" not in history.content.decode()


def test_follow_up_through_the_page_once(cast: Cast) -> None:
    t = talk(cast, cast.member_a, days_ago=10, follow_up_in=3)
    client = cast.client("branch_secretary")
    data = {"form_token": str(uuid.uuid4()), "followed_up_on": str(TODAY()), "note": "已好转"}

    client.post(reverse("talk_follow_up", args=[t.pk]), data)
    client.post(reverse("talk_follow_up", args=[t.pk]), data)

    t.refresh_from_db()
    assert t.followed_up_on == TODAY() and t.follow_up_note == "已好转"
    assert AuditEvent.objects.filter(action="talk.follow_up").count() == 1


def test_talk_list_filters_by_branch_period_and_method(cast: Cast) -> None:
    a = talk(cast, cast.member_a, talker=cast.other_a, days_ago=3, method=TalkMethod.PHONE)
    b = talk(cast, cast.other_a, talker=cast.member_a, days_ago=40, method=TalkMethod.WECHAT)
    client = cast.client("unit_a_admin")

    def listed(**params: Any) -> set[int]:
        response = client.get(reverse("talk_list"), params)
        return {t.pk for t in response.context["page"].object_list}

    assert listed() == {a.pk, b.pk}
    assert listed(branch=cast.branch_a1.pk) == {a.pk}
    assert listed(method="wechat") == {b.pk}
    assert listed(date_from=str(TODAY() - dt.timedelta(days=10))) == {a.pk}
    # a branch outside the user's scope filters nothing in
    assert listed(branch=cast.branch_b1.pk) == {a.pk, b.pk}
    bad = client.get(reverse("talk_list"), {"date_from": "2020-03-01", "date_to": "2020-02-01"})
    assert "开始日期不能晚于结束日期" in bad.content.decode()


def test_coverage_page_lists_stranded_first_and_counts(cast: Cast) -> None:
    stranded = MemberFactory.create(
        name="孙八", number="A0060", branch=cast.branch_a2, whereabouts=Whereabouts.STRANDED
    )
    talk(cast, cast.member_a, days_ago=100)

    response = cast.client("unit_a_admin").get(reverse("talk_coverage"), {"days": "30"})

    due = list(response.context["page"].object_list)
    assert due[0] == stranded
    assert set(due) == {stranded, cast.member_a, cast.other_a}
    assert response.context["cov"].total.away_due == 1
    narrower = cast.client("unit_a_admin").get(reverse("talk_coverage"), {"days": "365"})
    assert cast.member_a not in narrower.context["page"].object_list


@pytest.mark.parametrize(("days", "used"), [("0", 90), ("abc", 90), ("99999", 90), ("", 90)])
def test_bad_day_counts_fall_back_with_a_message(cast: Cast, days: str, used: int) -> None:
    response = cast.client("school_admin").get(reverse("talk_coverage"), {"days": days})

    assert response.status_code == 200
    assert response.context["days"] == used


def test_coverage_of_an_org_outside_scope_is_hidden(cast: Cast) -> None:
    client = cast.client("unit_a_admin")

    assert client.get(reverse("talk_coverage"), {"org": cast.unit_b.pk}).status_code == 404
    one = client.get(reverse("talk_coverage"), {"org": cast.branch_a2.pk})
    assert [r.name for r in one.context["cov"].branches] == [cast.branch_a2.name]


def _people(cast: Cast, n: int) -> None:
    for i in range(n):
        for branch in (cast.branch_a1, cast.branch_a2, cast.branch_b1):
            m = MemberFactory.create(branch=branch, whereabouts=Whereabouts.QUARANTINED)
            if i % 2:
                talk(
                    cast,
                    m,
                    talker=cast.other_b if branch != cast.branch_b1 else cast.other_a,
                    follow_up_in=1,
                    days_ago=5,
                )


@pytest.mark.parametrize("who", ["school_admin", "unit_a_admin", "branch_secretary"])
def test_coverage_page_queries_do_not_grow(cast: Cast, who: str) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = cast.client(who)
    _people(cast, 2)
    client.get(reverse("talk_coverage"))
    with CaptureQueriesContext(connection) as before:
        client.get(reverse("talk_coverage"))
    _people(cast, 8)
    with CaptureQueriesContext(connection) as after:
        response = client.get(reverse("talk_coverage"))

    assert response.status_code == 200
    assert len(after.captured_queries) == len(before.captured_queries)


def test_coverage_export_is_audited(cast: Cast) -> None:
    response = cast.client("unit_a_admin").get(reverse("talk_coverage_export"), {"days": "60"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxml")
    assert AuditEvent.objects.filter(action="talk.coverage_export").exists()


# --- deliberations ------------------------------------------------------------------------


def _deliberation_form(cast: Cast, **kw: Any) -> dict[str, Any]:
    data = {
        "form_token": str(uuid.uuid4()),
        "branch": cast.branch_a1.pk,
        "held_on": str(TODAY()),
        "topic": "学生返校工作预案",
        "discussion": "逐条讨论",
        "decision": "分批返校",
        "present": "9",
        "votes_for": "7",
        "votes_against": "1",
        "votes_abstain": "1",
        "owner": "张三（A0001）",
        "due_on": str(TODAY() + dt.timedelta(days=10)),
    }
    data.update(kw)
    return data


def test_secretary_records_a_deliberation_once(cast: Cast) -> None:
    client = cast.client("branch_secretary")
    data = _deliberation_form(cast)

    client.post(reverse("deliberation_new"), data)
    client.post(reverse("deliberation_new"), data)

    item = Deliberation.objects.get()
    assert (item.votes_for, item.owner) == (7, cast.member_a)
    register = cast.client("member_a").get(reverse("deliberation_list")).content.decode()
    assert "学生返校工作预案" in register
    assert (
        "学生返校工作预案"
        not in cast.client("member_b").get(reverse("deliberation_list")).content.decode()
    )


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"votes_for": "9"}, "超过到会人数"),
        ({"votes_against": "-1"}, "负数"),
        ({"branch": "999999"}, "选择一个有效的选项"),
    ],
)
def test_bad_votes_are_refused_and_keep_the_form(
    cast: Cast, kw: dict[str, str], message: str
) -> None:
    response = cast.client("branch_secretary").post(
        reverse("deliberation_new"), _deliberation_form(cast, **kw)
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    assert "逐条讨论" in html
    assert not Deliberation.objects.exists()


def test_the_register_changes_state_through_the_page(cast: Cast) -> None:
    cast.client("branch_secretary").post(reverse("deliberation_new"), _deliberation_form(cast))
    item = Deliberation.objects.get()

    cast.client("unit_a_admin").post(
        reverse("deliberation_state", args=[item.pk]),
        {"form_token": str(uuid.uuid4()), "state": "done", "note": "已全部返校"},
    )

    item.refresh_from_db()
    assert (item.state, item.state_note) == ("done", "已全部返校")
