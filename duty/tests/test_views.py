import datetime as dt
import io
import re
from typing import Any

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from python_calamine import CalamineWorkbook

from conftest import Cast
from duty import services
from duty.models import DutyCheck, DutyLog, Pledge, PledgeSignature, ResponsibilityZone, Team
from duty.tests.helpers import shift_starting
from members.tests.factories import MemberFactory


def _messages(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]]


@pytest.fixture
def open_shift(cast: Cast) -> Any:
    return shift_starting(cast.school, cast.member_a, timezone.now() - dt.timedelta(minutes=10))


def test_member_checks_in_on_the_shift_page_once(cast: Cast, open_shift: Any) -> None:
    client = cast.client("member_a")
    page = client.get(reverse("duty_shift", args=[open_shift.pk])).content.decode()
    assert 'id="check-in-button"' in page

    first = client.post(reverse("duty_check_in", args=[open_shift.pk]), follow=True)
    second = client.post(reverse("duty_check_in", args=[open_shift.pk]), follow=True)

    assert "签到成功" in " ".join(_messages(first))
    assert "无需重复签到" in " ".join(_messages(second))
    assert DutyCheck.objects.filter(assignment=open_shift).count() == 1
    check = DutyCheck.objects.get()
    assert check.ip == "127.0.0.1"


def test_check_in_outside_the_window_is_refused_with_the_reason(cast: Cast) -> None:
    later = shift_starting(cast.school, cast.member_a, timezone.now() + dt.timedelta(hours=3))
    response = cast.client("member_a").post(reverse("duty_check_in", args=[later.pk]), follow=True)
    assert "还未到签到时间" in " ".join(_messages(response))
    assert not DutyCheck.objects.exists()


def test_member_writes_logs_and_checks_out(cast: Cast, open_shift: Any) -> None:
    client = cast.client("member_a")
    client.post(reverse("duty_check_in", args=[open_shift.pk]))
    for n in (25, 31):
        client.post(
            reverse("duty_log_new", args=[open_shift.pk]),
            {
                "temperatures_taken": n,
                "people_registered": 3,
                "anomalies": "一人体温37.5℃，已复测",
                "handover": "",
            },
        )
    out = client.post(reverse("duty_check_out", args=[open_shift.pk]), follow=True)
    assert "已签退" in " ".join(_messages(out))
    assert DutyLog.objects.filter(assignment=open_shift).count() == 2
    page = client.get(reverse("duty_shift", args=[open_shift.pk])).content.decode()
    assert "一人体温37.5℃" in page and 'id="checked-out"' in page


def test_a_resent_log_form_writes_once(cast: Cast, open_shift: Any) -> None:
    client = cast.client("member_a")
    client.post(reverse("duty_check_in", args=[open_shift.pk]))
    data = {
        "temperatures_taken": 5,
        "people_registered": 1,
        "form_token": "6f1c8a3e-0000-4000-8000-000000000001",
    }
    client.post(reverse("duty_log_new", args=[open_shift.pk]), data)
    client.post(reverse("duty_log_new", args=[open_shift.pk]), data)
    assert DutyLog.objects.count() == 1


def test_invalid_log_shows_the_field_error(cast: Cast, open_shift: Any) -> None:
    client = cast.client("member_a")
    client.post(reverse("duty_check_in", args=[open_shift.pk]))
    response = client.post(
        reverse("duty_log_new", args=[open_shift.pk]),
        {"temperatures_taken": -1, "people_registered": "x"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not DutyLog.objects.exists()


def test_manager_sees_the_shift_without_check_in_button(cast: Cast, open_shift: Any) -> None:
    page = cast.client("unit_a_admin").get(reverse("duty_shift", args=[open_shift.pk]))
    assert page.status_code == 200
    assert 'id="check-in-button"' not in page.content.decode()


def test_home_lists_todays_shift_and_pledges_to_sign(cast: Cast, open_shift: Any) -> None:
    Pledge.objects.create(title="党员疫情防控承诺书", body="…", org=cast.school)
    Pledge.objects.create(title="化学学院责任状", body="…", org=cast.unit_b)
    html = cast.client("member_a").get(reverse("duty_home")).content.decode()
    assert f'id="shift-{open_shift.pk}"' in html
    assert reverse("duty_check_in", args=[open_shift.pk]) in html
    assert "党员疫情防控承诺书" in html and "化学学院责任状" not in html


# --- pledges --------------------------------------------------------------------------------


@pytest.fixture
def pledge(cast: Cast) -> Pledge:
    return services.pledge_create(
        actor=cast.users["school_admin"], title="党员疫情防控承诺书", body="…", org=cast.school
    )


def test_signing_through_the_page(cast: Cast, pledge: Pledge) -> None:
    client = cast.client("member_a")
    url = reverse("pledge_sign", args=[pledge.pk])
    wrong = client.post(url, {"signed_name": "张四", "confirmed": "on"}, follow=True)
    unticked = client.post(url, {"signed_name": "张三"}, follow=True)
    assert "姓名一致" in " ".join(_messages(wrong))
    assert "勾选确认" in " ".join(_messages(unticked))
    assert not PledgeSignature.objects.exists()

    ok = client.post(url, {"signed_name": "张三", "confirmed": "on"}, follow=True)
    again = client.post(url, {"signed_name": "张三", "confirmed": "on"}, follow=True)
    assert "签署成功" in " ".join(_messages(ok))
    assert "不能重复或修改" in " ".join(_messages(again))
    signature = PledgeSignature.objects.get()
    assert signature.ip == "127.0.0.1" and signature.signed_name == "张三"
    assert 'id="my-signature"' in ok.content.decode()
    assert 'id="sign-form"' not in ok.content.decode()


@pytest.mark.parametrize(
    "name", ["pledge_signature_edit", "pledge_signature_delete", "pledge_unsign"]
)
def test_there_is_no_page_to_change_a_signature(name: str) -> None:
    with pytest.raises(NoReverseMatch):
        reverse(name, args=[1])


def test_unsigned_list_per_branch(cast: Cast, pledge: Pledge) -> None:
    services.pledge_sign(
        actor=cast.users["member_a"], pledge=pledge, signed_name="张三", confirmed=True
    )
    page = cast.client("school_admin").get(reverse("pledge_detail", args=[pledge.pk]))
    branches = {b["name"]: b for b in page.context["branches"]}
    assert branches["计算机教工第一党支部"]["signed"] == 1
    assert branches["计算机教工第一党支部"]["unsigned"] == 0
    assert branches["化学教工党支部"]["unsigned"] == 2
    assert page.context["totals"] == {"expected": 4, "signed": 1, "unsigned": 3}

    only_b1 = cast.client("school_admin").get(
        reverse("pledge_detail", args=[pledge.pk]), {"branch": cast.branch_b1.pk}
    )
    assert {m.name for m in only_b1.context["page"].object_list} == {"李四", "赵六"}

    unit_a = cast.client("unit_a_admin").get(reverse("pledge_detail", args=[pledge.pk]))
    assert {b["name"] for b in unit_a.context["branches"]} == {
        "计算机教工第一党支部",
        "计算机学生党支部",
    }
    assert [m.name for m in unit_a.context["page"].object_list] == ["王五"]


def test_pledge_export_lists_signed_and_unsigned(cast: Cast, pledge: Pledge) -> None:
    services.pledge_sign(
        actor=cast.users["member_a"], pledge=pledge, signed_name="张三", confirmed=True
    )
    response = cast.client("school_admin").get(reverse("pledge_export", args=[pledge.pk]))
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    summary = book.get_sheet_by_name("按支部").to_python()
    assert summary[2] == ["单位", "党支部", "应签人数", "已签人数", "未签人数"]
    assert summary[-1] == ["合计", "", 4, 1, 3]
    roll = book.get_sheet_by_name("签署名单").to_python()
    assert roll[0][:5] == ["单位", "党支部", "学工号", "姓名", "状态"]
    states = {row[3]: row[4] for row in roll[1:]}
    assert states == {"张三": "已签署", "王五": "未签署", "李四": "未签署", "赵六": "未签署"}


def test_unit_admin_creates_a_pledge_only_for_their_subtree(cast: Cast) -> None:
    client = cast.client("unit_a_admin")
    form = client.get(reverse("pledge_new")).context["form"]
    assert set(form.fields["org"].queryset) == {cast.unit_a, cast.branch_a1, cast.branch_a2}
    response = client.post(
        reverse("pledge_new"), {"title": "计算机学院责任状", "body": "…", "org": cast.unit_a.pk}
    )
    pledge = Pledge.objects.get()
    assert response["Location"] == reverse("pledge_detail", args=[pledge.pk])
    refused = client.post(
        reverse("pledge_new"), {"title": "越权", "body": "…", "org": cast.unit_b.pk}
    )
    assert refused.status_code == 200 and Pledge.objects.count() == 1


# --- zones and teams ------------------------------------------------------------------------


def test_zone_form_offers_only_members_in_scope(cast: Cast) -> None:
    client = cast.client("unit_a_admin")
    form = client.get(reverse("zone_new")).context["form"]
    assert set(form.fields["members"].queryset) == {cast.member_a, cast.other_a}
    response = client.post(
        reverse("zone_new"),
        {
            "name": "计算机学院1号楼",
            "kind": "dormitory",
            "org": cast.unit_a.pk,
            "members": [cast.member_a.pk, cast.other_a.pk],
        },
    )
    zone = ResponsibilityZone.objects.get()
    assert response["Location"] == reverse("zone_detail", args=[zone.pk])
    smuggled = client.post(
        reverse("zone_edit", args=[zone.pk]),
        {
            "name": "计算机学院1号楼",
            "kind": "dormitory",
            "org": cast.unit_a.pk,
            "members": [cast.member_b.pk],
        },
    )
    assert smuggled.status_code == 200
    assert set(zone.members.all()) == {cast.member_a, cast.other_a}


def test_team_pages_and_export(cast: Cast) -> None:
    client = cast.client("branch_secretary")
    response = client.post(
        reverse("team_new"),
        {
            "name": "教工第一支部党员突击队",
            "kind": "commando",
            "org": cast.branch_a1.pk,
            "leader": cast.member_a.pk,
            "description": "校门值守",
        },
    )
    team = Team.objects.get()
    assert response["Location"] == reverse("team_detail", args=[team.pk])
    assert list(team.members.all()) == [cast.member_a]
    listing = cast.client("school_admin").get(reverse("team_list")).content.decode()
    assert "教工第一支部党员突击队" in listing
    hidden = cast.client("unit_b_admin").get(reverse("team_list")).content.decode()
    assert "教工第一支部党员突击队" not in hidden

    book = CalamineWorkbook.from_filelike(
        io.BytesIO(cast.client("school_admin").get(reverse("team_export")).content)
    )
    rows = book.get_sheet_by_name("先锋队突击队").to_python()
    assert rows[0] == ["名称", "类型", "所属组织", "职务", "学工号", "姓名", "党支部"]
    assert rows[1] == [
        "教工第一支部党员突击队",
        "党员突击队",
        "计算机教工第一党支部",
        "队长",
        "A0001",
        "张三",
        "计算机教工第一党支部",
    ]


def test_zone_export_is_scoped(cast: Cast) -> None:
    for org, member, name in [
        (cast.unit_a, cast.member_a, "计算机学院1号楼"),
        (cast.unit_b, cast.member_b, "化学学院实验楼"),
    ]:
        zone = ResponsibilityZone.objects.create(name=name, kind="department", org=org)
        zone.members.set([member, MemberFactory.create(branch=member.branch)])
    book = CalamineWorkbook.from_filelike(
        io.BytesIO(cast.client("unit_a_admin").get(reverse("zone_export")).content)
    )
    rows = book.get_sheet_by_name("党员责任区").to_python()
    assert rows[0] == ["名称", "类型", "所属组织", "学工号", "姓名", "党支部"]
    assert {r[0] for r in rows[1:]} == {"计算机学院1号楼"} and len(rows) == 3


def test_pledge_list_queries_do_not_grow_with_the_pledges(cast: Cast) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count() -> tuple[int, list[Any]]:
        client = cast.client("school_admin")
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse("pledge_list"))
        assert response.status_code == 200
        return len(ctx.captured_queries), response.context["pledges"]

    first = Pledge.objects.create(title="承诺书1", body="…", org=cast.school)
    services.pledge_sign(
        actor=cast.users["member_a"], pledge=first, signed_name="张三", confirmed=True
    )
    one, _ = count()
    Pledge.objects.create(title="承诺书2", body="…", org=cast.unit_a)
    Pledge.objects.create(title="承诺书3", body="…", org=cast.unit_b)
    three, pledges = count()

    assert one == three
    by_title = {p.title: p.counts for p in pledges}
    assert by_title["承诺书1"] == {"expected": 4, "signed": 1, "unsigned": 3}
    assert by_title["承诺书2"] == {"expected": 2, "signed": 0, "unsigned": 2}
    assert by_title["承诺书3"] == {"expected": 2, "signed": 0, "unsigned": 2}


@pytest.mark.parametrize(
    ("url", "data", "model"),
    [
        ("pledge_new", {"title": "责任状", "body": "…"}, Pledge),
        ("zone_new", {"name": "1号楼", "kind": "dormitory"}, ResponsibilityZone),
        ("team_new", {"name": "突击队", "kind": "commando"}, Team),
    ],
)
def test_a_double_clicked_creation_form_writes_once(
    cast: Cast, url: str, data: dict[str, Any], model: Any
) -> None:
    client = cast.client("unit_a_admin")
    page = client.get(reverse(url)).content.decode()
    token = re.search(r'name="form_token" value="([^"]+)"', page)
    assert token is not None  # the page carries a one-time token
    data = {**data, "org": cast.unit_a.pk, "members": [cast.member_a.pk]}
    data["form_token"] = token.group(1)
    first = client.post(reverse(url), data)
    second = client.post(reverse(url), data)
    assert model.objects.count() == 1
    assert first["Location"] == second["Location"]
