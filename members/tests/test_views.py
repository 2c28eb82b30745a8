import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AuditEvent
from conftest import Cast
from members.models import Member, PoliticalStatus, StatusChange, Whereabouts
from members.tests.factories import MemberFactory


def test_unit_admin_cannot_see_other_units_members(cast: Cast) -> None:
    response = cast.client("unit_a_admin").get(reverse("member_list"))

    names = {row["m"].name for row in response.context["rows"]}
    assert names == {"张三", "王五"}


def test_unit_admin_filter_for_other_unit_shows_nothing(cast: Cast) -> None:
    response = cast.client("unit_a_admin").get(reverse("member_list"), {"unit": cast.unit_b.pk})

    assert response.context["rows"] == []


def test_branch_secretary_sees_only_their_branch(cast: Cast) -> None:
    response = cast.client("branch_secretary").get(reverse("member_list"))

    assert [row["m"].name for row in response.context["rows"]] == ["张三"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "张"}, {"张三"}),
        ({"q": "Ａ０００２"}, {"王五"}),  # full-width digits still match
        ({"q": "139-0000-0002"}, {"赵六"}),  # phone with dashes
        ({"political_status": "probationary"}, {"赵六"}),
        ({"whereabouts": "quarantined"}, {"李四"}),
        ({"cadre_only": "1"}, {"王五"}),
        ({"category": "student"}, {"王五"}),
    ],
)
def test_member_list_filters(cast: Cast, params: dict[str, str], expected: set[str]) -> None:
    Member.objects.filter(pk=cast.other_b.pk).update(political_status=PoliticalStatus.PROBATIONARY)
    Member.objects.filter(pk=cast.member_b.pk).update(whereabouts=Whereabouts.QUARANTINED)
    Member.objects.filter(pk=cast.other_a.pk).update(cadre_rank="section", category="student")

    response = cast.client("school_admin").get(reverse("member_list"), params)

    assert {row["m"].name for row in response.context["rows"]} == expected


def test_member_list_sorts_by_name_descending(cast: Cast) -> None:
    response = cast.client("school_admin").get(reverse("member_list"), {"sort": "-number"})

    assert [row["m"].number for row in response.context["rows"]] == [
        "B0002",
        "B0001",
        "A0002",
        "A0001",
    ]


def test_member_list_htmx_renders_only_results(cast: Cast) -> None:
    response = cast.client("school_admin").get(
        reverse("member_list"), {"q": "张"}, headers={"HX-Request": "true"}
    )

    body = response.content.decode()
    assert 'id="results"' in body
    assert "<html" not in body


def test_member_list_query_count_does_not_grow_with_page_size(cast: Cast) -> None:
    MemberFactory.create_batch(120, branch=cast.branch_a1)
    client = cast.client("unit_a_admin")
    counts = []
    for per_page in (20, 100):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("member_list"), {"per_page": per_page})
        assert len(response.context["rows"]) == per_page
        counts.append(len(queries))

    assert counts[0] == counts[1]
    assert counts[0] <= 12


def test_phone_masked_for_duty_office_and_full_for_unit_admin(cast: Cast) -> None:
    duty = cast.client("duty_office").get(reverse("member_detail", args=[cast.member_a.pk]))
    admin = cast.client("unit_a_admin").get(reverse("member_detail", args=[cast.member_a.pk]))

    assert duty.context["phone"] == "138****0001"
    assert duty.context["id_number"] == "1101************2X"
    assert admin.context["phone"] == "13800000001"
    assert admin.context["id_number"] == "11010519491231002X"


def test_branch_secretary_sees_phone_but_not_id_number(cast: Cast) -> None:
    response = cast.client("branch_secretary").get(
        reverse("member_detail", args=[cast.member_a.pk])
    )

    assert response.context["phone"] == "13800000001"
    assert "*" in response.context["id_number"]


def test_member_sees_own_record_in_full(cast: Cast) -> None:
    response = cast.client("member_a").get(reverse("member_detail", args=[cast.member_a.pk]))

    assert response.context["id_number"] == "11010519491231002X"


def _new_member_form(cast: Cast, token: str) -> dict[str, object]:
    return {
        "form_token": token,
        "number": "A0100",
        "name": "陈七",
        "category": "staff",
        "branch": cast.branch_a1.pk,
        "political_status": "full",
        "whereabouts": "on_campus",
        "phone": "138 0000 0100",
    }


def test_double_submitted_new_member_form_creates_one(cast: Cast) -> None:
    client = cast.client("unit_a_admin")
    form = _new_member_form(cast, "0b5e2f4e-57a5-4a0e-9d59-6c1f0c3f7a11")

    first = client.post(reverse("member_new"), form)
    second = client.post(reverse("member_new"), form)

    assert Member.objects.filter(number="A0100").count() == 1
    member = Member.objects.get(number="A0100")
    assert member.phone == "13800000100"
    assert first["Location"] == second["Location"] == reverse("member_detail", args=[member.pk])


def test_unit_admin_cannot_create_member_in_other_unit(cast: Cast) -> None:
    form = _new_member_form(cast, "8c1e9c2a-3b1f-4f6e-8f0d-1a2b3c4d5e6f")
    form["branch"] = cast.branch_b1.pk

    response = cast.client("unit_a_admin").post(reverse("member_new"), form)

    assert response.status_code == 200
    assert "branch" in response.context["form"].errors
    assert not Member.objects.filter(number="A0100").exists()


def test_status_change_keeps_history(cast: Cast) -> None:
    client = cast.client("unit_a_admin")
    url = reverse("member_status", args=[cast.other_a.pk])
    Member.objects.filter(pk=cast.other_a.pk).update(political_status="activist")

    client.post(url, {"to_status": "development_target", "changed_on": "2020-02-23"})
    client.post(url, {"to_status": "probationary", "changed_on": "2020-07-01"})

    member = Member.objects.get(pk=cast.other_a.pk)
    assert member.political_status == "probationary"
    assert member.status_since == dt.date(2020, 7, 1)
    history = list(StatusChange.objects.filter(member=member).order_by("changed_on"))
    assert [(h.from_status, h.to_status) for h in history] == [
        ("activist", "development_target"),
        ("development_target", "probationary"),
    ]
    detail = client.get(reverse("member_detail", args=[member.pk]))
    assert len(detail.context["history"]) == 2


def test_member_reports_own_whereabouts(cast: Cast) -> None:
    response = cast.client("member_a").post(
        reverse("member_whereabouts", args=[cast.member_a.pk]),
        {"to_whereabouts": "stranded", "changed_on": "2020-02-01", "place": "湖北武汉"},
    )

    assert response.status_code == 302
    member = Member.objects.get(pk=cast.member_a.pk)
    assert member.whereabouts == "stranded"
    assert member.whereabouts_changes.get().place == "湖北武汉"


def test_member_can_edit_only_allowed_fields_of_own_record(cast: Cast) -> None:
    response = cast.client("member_a").post(
        reverse("member_edit", args=[cast.member_a.pk]),
        {"phone": "13811112222", "dorm_building": "5号楼", "dorm_room": "301", "name": "改名"},
    )

    assert response.status_code == 302
    member = Member.objects.get(pk=cast.member_a.pk)
    assert (member.phone, member.dorm_building, member.name) == ("13811112222", "5号楼", "张三")


def test_move_member_between_branches_records_transfer(cast: Cast) -> None:
    response = cast.client("unit_a_admin").post(
        reverse("member_move", args=[cast.member_a.pk]),
        {"to_branch": cast.branch_a2.pk, "moved_on": "2020-03-01", "note": "毕业留校"},
    )

    assert response.status_code == 302
    member = Member.objects.get(pk=cast.member_a.pk)
    assert member.branch == cast.branch_a2
    transfer = member.transfers.get()
    assert (transfer.from_branch, transfer.to_branch) == (cast.branch_a1, cast.branch_a2)


def test_unit_admin_cannot_move_member_into_other_unit(cast: Cast) -> None:
    response = cast.client("unit_a_admin").post(
        reverse("member_move", args=[cast.member_a.pk]),
        {"to_branch": cast.branch_b1.pk, "moved_on": "2020-03-01"},
    )

    assert response.status_code == 200
    assert Member.objects.get(pk=cast.member_a.pk).branch == cast.branch_a1


def test_edit_writes_audit_row_with_changes_and_address(cast: Cast) -> None:
    cast.client("unit_a_admin").post(
        reverse("member_edit", args=[cast.other_a.pk]),
        {
            "number": "A0002",
            "name": "王五",
            "category": "staff",
            "branch": cast.branch_a2.pk,
            "phone": "13800000099",
        },
        REMOTE_ADDR="10.1.2.3",
    )

    event = AuditEvent.objects.get(action="member.update")
    assert event.actor == cast.users["unit_a_admin"]
    assert event.changes["phone"] == ["13800000002", "13800000099"]
    assert event.ip == "10.1.2.3"


def test_export_is_audited_and_scoped(cast: Cast) -> None:
    from python_calamine import CalamineWorkbook

    response = cast.client("unit_a_admin").get(reverse("member_export"))

    book = CalamineWorkbook.from_filelike(__import__("io").BytesIO(response.content))
    text = str(book.get_sheet_by_index(0).to_python())
    assert "张三" in text and "王五" in text
    assert "李四" not in text and "赵六" not in text
    assert AuditEvent.objects.filter(action="member.export").count() == 1


def test_branch_secretary_sees_unit_names_in_list(cast: Cast) -> None:
    response = cast.client("branch_secretary").get(reverse("member_list"))

    assert [row["unit"] for row in response.context["rows"]] == ["计算机学院党委"]
