"""Edits on the pages get the same checks as the import: ID check digit, dates that could have
happened (not in the future, not before 1900), a whereabouts history that never runs backwards,
and a Chinese word for a number already taken."""

import datetime as dt

import pytest
from django.urls import reverse

from conftest import Cast
from members.models import Member

TODAY = dt.date.today()
TOMORROW = (TODAY + dt.timedelta(days=1)).isoformat()


def _edit(cast: Cast, **changes: str) -> dict[str, str]:
    form = {
        "number": "A0002",
        "name": "王五",
        "category": "staff",
        "branch": str(cast.branch_a2.pk),
        "phone": "13800000002",
    }
    form.update(changes)
    return form


def _errors(response) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.status_code
    return dict(response.context["form"].errors)


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("id_number", "110105194912310021", "校验位"),
        ("id_number", "11010519491231002", "18 位"),
        ("joined_on", TOMORROW, "晚于今天"),
        ("joined_on", "1899-12-31", "1900"),
    ],
)
def test_member_edit_refuses_what_the_import_refuses(
    cast: Cast, field: str, value: str, says: str
) -> None:
    response = cast.client("unit_a_admin").post(
        reverse("member_edit", args=[cast.other_a.pk]), _edit(cast, **{field: value})
    )

    assert says in " ".join(_errors(response)[field])
    assert getattr(Member.objects.get(pk=cast.other_a.pk), field) in ("", None)


def test_member_edit_accepts_a_valid_id_number(cast: Cast) -> None:
    response = cast.client("unit_a_admin").post(
        reverse("member_edit", args=[cast.other_a.pk]),
        _edit(cast, id_number="11010519491231002x", joined_on="2001-07-01"),
    )

    assert response.status_code == 302
    assert Member.objects.get(pk=cast.other_a.pk).id_number == "11010519491231002X"


def test_a_number_already_taken_is_named_in_chinese(cast: Cast) -> None:
    response = cast.client("unit_a_admin").post(
        reverse("member_edit", args=[cast.other_a.pk]), _edit(cast, number="A0001")
    )

    assert _errors(response)["number"] == ["该学工号已被另一位党员使用。"]


@pytest.mark.parametrize(
    ("url_name", "form"),
    [
        ("member_whereabouts", {"to_whereabouts": "home", "changed_on": TOMORROW}),
        ("member_status", {"to_status": "probationary", "changed_on": "1899-01-01"}),
        ("member_move", {"to_branch": "0", "moved_on": TOMORROW}),
    ],
)
def test_dated_changes_refuse_impossible_dates(
    cast: Cast, url_name: str, form: dict[str, str]
) -> None:
    if "to_branch" in form:
        form = {**form, "to_branch": str(cast.branch_a1.pk)}
    response = cast.client("unit_a_admin").post(reverse(url_name, args=[cast.other_a.pk]), form)

    errors = _errors(response)
    date_field = "moved_on" if "moved_on" in form else "changed_on"
    assert errors[date_field]


def test_whereabouts_history_never_runs_backwards(cast: Cast) -> None:
    client = cast.client("unit_a_admin")
    url = reverse("member_whereabouts", args=[cast.other_a.pk])
    first = client.post(url, {"to_whereabouts": "home", "changed_on": "2020-02-10"})
    assert first.status_code == 302

    response = client.post(url, {"to_whereabouts": "on_campus", "changed_on": "2020-02-01"})

    assert "2020-02-10" in " ".join(_errors(response)["changed_on"])
    member = Member.objects.get(pk=cast.other_a.pk)
    assert (member.whereabouts, member.whereabouts_since) == ("home", dt.date(2020, 2, 10))
    assert member.whereabouts_changes.count() == 1


@pytest.mark.parametrize("joined_on", [TOMORROW, "1899-12-31"])
def test_the_import_refuses_the_same_impossible_dates(cast: Cast, joined_on: str) -> None:
    from members.spreadsheets import parse_workbook
    from members.tests.test_spreadsheets import build_xlsx, row

    data = build_xlsx([row(入党日期=joined_on)], title_rows=1)
    plan = parse_workbook(data, user=cast.users["school_admin"])

    assert [e.column for e in plan.errors] == ["入党日期"]
