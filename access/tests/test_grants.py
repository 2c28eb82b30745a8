import uuid
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from access import services
from access.models import ApiToken, Grant, Role
from conftest import Cast
from members.models import Member
from members.tests.factories import MemberFactory


def grant(cast: Cast, who: str, person: str, org: Any, role: str) -> Any:
    # "username" as well as "person": the same request reads the same on the form before
    # the member picker (so each security test below was seen to fail first).
    return cast.client(who).post(
        reverse("grant_list"),
        {"person": person, "username": person, "org": org.pk, "role": role},
    )


def test_unit_admin_grants_branch_secretary_inside_own_unit(cast: Cast) -> None:
    response = grant(cast, "unit_a_admin", "member_a", cast.branch_a1, Role.BRANCH_SECRETARY)

    assert response.status_code == 302
    assert Grant.objects.filter(user=cast.users["member_a"], role=Role.BRANCH_SECRETARY).exists()
    page = cast.client("member_a").get(reverse("member_list"))
    assert page.status_code == 200


@pytest.mark.parametrize("person", ["张三", "A0001", "张三（A0001）", "张三(A0001)"])
def test_a_grant_picks_a_member_by_name_or_number(cast: Cast, person: str) -> None:
    grant(cast, "unit_a_admin", person, cast.branch_a1, Role.BRANCH_SECRETARY)

    assert Grant.objects.filter(user=cast.users["member_a"], role=Role.BRANCH_SECRETARY).exists()


def test_unit_admin_cannot_grant_in_other_unit_or_school_admin(cast: Cast) -> None:
    grant(cast, "unit_a_admin", "member_a", cast.branch_b1, Role.BRANCH_SECRETARY)
    grant(cast, "unit_a_admin", "member_a", cast.unit_a, Role.SCHOOL_ADMIN)

    assert not Grant.objects.filter(user=cast.users["member_a"]).exists()


def test_unit_admin_cannot_revoke_other_units_grant(cast: Cast) -> None:
    held = Grant.objects.get(user=cast.users["unit_b_admin"])

    response = cast.client("unit_a_admin").post(reverse("grant_revoke", args=[held.pk]))
    missing = cast.client("unit_a_admin").post(reverse("grant_revoke", args=[held.pk + 1000]))

    assert response.status_code == missing.status_code == 404
    assert Grant.objects.filter(pk=held.pk).exists()


def test_unit_admin_cannot_revoke_a_reviewer_grant_in_their_unit(cast: Cast) -> None:
    held = Grant.objects.create(user=cast.users["member_a"], org=cast.unit_a, role=Role.REVIEWER)

    response = cast.client("unit_a_admin").post(reverse("grant_revoke", args=[held.pk]))

    assert response.status_code == 403
    assert Grant.objects.filter(pk=held.pk).exists()


# --- security review: grants confer no more than the granter holds ---------------------


def _admin_as_member(cast: Cast) -> None:
    """unit_a_admin is also on the roll of a branch in their own unit."""
    MemberFactory.create(
        name="管理员甲", number="A0900", branch=cast.branch_a1, user=cast.users["unit_a_admin"]
    )


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.BRANCH_SECRETARY, Role.UNIT_ADMIN])
def test_nobody_grants_to_themselves(cast: Cast, role: str) -> None:
    _admin_as_member(cast)

    grant(cast, "unit_a_admin", "unit_a_admin", cast.unit_a, role)

    assert Grant.objects.filter(user=cast.users["unit_a_admin"]).count() == 1


def test_school_admin_cannot_grant_to_themselves_either(cast: Cast) -> None:
    with pytest.raises(Exception, match="不能给自己授权"):
        services.grant_create(
            actor=cast.users["school_admin"],
            user=cast.users["school_admin"],
            org=cast.unit_a,
            role=Role.REVIEWER,
        )


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.DUTY_OFFICE, Role.SCHOOL_ADMIN])
def test_reviewer_and_school_roles_come_only_from_the_school_admin(cast: Cast, role: str) -> None:
    grant(cast, "unit_a_admin", "member_a", cast.unit_a, role)

    assert not Grant.objects.filter(user=cast.users["member_a"]).exists()
    with pytest.raises(PermissionDenied):
        services.grant_create(
            actor=cast.users["unit_a_admin"],
            user=cast.users["member_a"],
            org=cast.unit_a,
            role=role,
        )


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.DUTY_OFFICE])
def test_school_admin_grants_reviewer_and_duty_office(cast: Cast, role: str) -> None:
    response = grant(cast, "school_admin", "member_a", cast.school, role)

    assert response.status_code == 302
    assert Grant.objects.filter(user=cast.users["member_a"], role=role).exists()


def test_a_grant_confers_no_more_than_the_granter_holds(cast: Cast) -> None:
    # A unit admin whose unit admin role sits on one branch only cannot hand out more
    # than that branch, nor any role whose permissions they lack.
    actor = cast.users["unit_a_admin"]

    assert services.may_confer(actor, cast.branch_a1, Role.BRANCH_SECRETARY)
    assert services.may_confer(actor, cast.unit_a, Role.UNIT_ADMIN)
    assert not services.may_confer(actor, cast.school, Role.UNIT_ADMIN)
    assert not services.may_confer(actor, cast.branch_b1, Role.BRANCH_SECRETARY)
    assert not services.may_confer(
        cast.users["branch_secretary"], cast.branch_a1, Role.BRANCH_SECRETARY
    )
    assert services.grantable_roles(actor) == [Role.UNIT_ADMIN, Role.BRANCH_SECRETARY]


def test_the_form_offers_only_roles_the_granter_may_confer(cast: Cast) -> None:
    form = cast.client("unit_a_admin").get(reverse("grant_list")).context["form"]

    assert [v for v, _ in form.fields["role"].choices] == [Role.UNIT_ADMIN, Role.BRANCH_SECRETARY]


# --- security review: no existence oracle --------------------------------------------------


def _answer(response: Any) -> tuple[int, Any]:
    form = response.context["form"] if response.context else None
    return response.status_code, (form.errors.get("person") if form else None)


@pytest.mark.parametrize(
    ("outside", "nobody"), [("member_b", "nobody"), ("B0001", "Z9999"), ("李四", "无此人")]
)
def test_a_person_outside_scope_answers_like_not_found(
    cast: Cast, outside: str, nobody: str
) -> None:
    seen = grant(cast, "unit_a_admin", outside, cast.branch_a1, Role.BRANCH_SECRETARY)
    unknown = grant(cast, "unit_a_admin", nobody, cast.branch_a1, Role.BRANCH_SECRETARY)

    assert not Grant.objects.filter(user=cast.users["member_b"]).exists()
    assert _answer(seen) == _answer(unknown)
    assert "没有找到这个人" in seen.content.decode()


def test_a_member_without_login_is_named_with_a_reason(cast: Cast) -> None:
    response = grant(cast, "unit_a_admin", "王五", cast.branch_a2, Role.BRANCH_SECRETARY)

    assert "还没有登录账号" in response.content.decode()


def test_same_names_ask_for_the_number(cast: Cast) -> None:
    MemberFactory.create(name="张三", number="A0777", branch=cast.branch_a2)

    response = grant(cast, "unit_a_admin", "张三", cast.branch_a1, Role.BRANCH_SECRETARY)

    assert "请输入学工号" in response.content.decode()


def test_suggestions_list_only_members_in_scope(cast: Cast) -> None:
    client = cast.client("unit_a_admin")

    def options(text: str) -> str:
        return client.get(reverse("grant_people"), {"person": text}).content.decode()

    assert "王五" in options("王") and "A0002" in options("A0")
    assert "李四" not in options("李") and "B0001" not in options("B0")
    assert options("1380000") == ""  # never by phone


def test_suggestions_need_grant_management(cast: Cast) -> None:
    response = cast.client("branch_secretary").get(reverse("grant_people"), {"person": "张"})

    assert response.status_code == 403


# --- API tokens: a double click writes once ------------------------------------------------


def test_token_form_writes_once_on_a_double_click(cast: Cast) -> None:
    client = cast.client("member_a")
    data = {"name": "统计脚本", "form_token": str(uuid.uuid4())}

    first = client.post(reverse("token_list"), data)
    second = client.post(reverse("token_list"), data)

    assert first.status_code == 200 and first.context["new_key"]
    assert second.status_code == 302
    assert ApiToken.objects.filter(user=cast.users["member_a"]).count() == 1


def test_member_rows_are_untouched_by_grants(cast: Cast) -> None:
    grant(cast, "unit_a_admin", "A0001", cast.branch_a1, Role.BRANCH_SECRETARY)

    assert Member.objects.get(number="A0001").user == cast.users["member_a"]
