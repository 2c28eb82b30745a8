"""Member logins from the roll: bulk creation with a sheet of initial passwords, the forced
first change, resets, deactivation; each within the admin's scope."""

import io
import re
import uuid
from typing import Any
from urllib.parse import quote

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from access.models import ApiToken, Grant, Role, TemporaryPassword
from access.services import api_token_create
from audit.models import AuditEvent
from conftest import PASSWORD, Cast
from members.models import Member
from members.tests.factories import MemberFactory

User = get_user_model()


def create_logins(client: Client, token: str | None = None, **filters: Any) -> Any:
    data = {"form_token": token or str(uuid.uuid4()), **filters}
    return client.post(reverse("account_create"), data)


def sheet_rows(response: Any) -> list[tuple[Any, ...]]:
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    return list(workbook["初始密码"].iter_rows(values_only=True))


def sheet_notes(response: Any) -> str:
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    return "\n".join(str(r[0]) for r in workbook["说明"].iter_rows(values_only=True))


def sign_in(username: str, password: str) -> tuple[Client, Any]:
    client = Client()
    response = client.post(reverse("login"), {"username": username, "password": password})
    return client, response


# --- bulk creation ----------------------------------------------------------------------


def test_unit_admin_creates_logins_for_a_branch_and_downloads_the_passwords(cast: Cast) -> None:
    response = create_logins(cast.client("unit_a_admin"), branch=cast.branch_a2.pk)

    assert response.status_code == 200
    assert quote("初始密码") in response["Content-Disposition"]
    assert response["Content-Disposition"].startswith("attachment")
    header, *rows = sheet_rows(response)
    assert header == ("姓名", "学工号", "党支部", "用户名", "初始密码")
    assert [r[:4] for r in rows] == [("王五", "A0002", "计算机学生党支部", "A0002")]
    password = rows[0][4]
    cast.other_a.refresh_from_db()
    login = cast.other_a.user
    assert login is not None and login.username == "A0002" and login.first_name == "王五"
    assert login.check_password(password)
    assert TemporaryPassword.objects.filter(user=login).exists()


def test_members_with_a_login_are_skipped_and_counted(cast: Cast) -> None:
    response = create_logins(cast.client("unit_a_admin"), unit=cast.unit_a.pk)

    _, *rows = sheet_rows(response)
    assert [r[1] for r in rows] == ["A0002"]
    assert "已有登录账号、未改动：1 人" in sheet_notes(response)
    cast.member_a.refresh_from_db()
    assert cast.member_a.user == cast.users["member_a"]


def test_a_taken_username_is_skipped_and_named(cast: Cast) -> None:
    User.objects.create_user(username="A0002", password="x")

    response = create_logins(cast.client("unit_a_admin"), branch=cast.branch_a2.pk)

    assert sheet_rows(response) == [("姓名", "学工号", "党支部", "用户名", "初始密码")]
    assert "王五（A0002）" in sheet_notes(response)
    cast.other_a.refresh_from_db()
    assert cast.other_a.user is None


def test_unit_admin_creates_no_login_outside_their_unit(cast: Cast) -> None:
    response = create_logins(cast.client("unit_a_admin"), branch=cast.branch_b1.pk)

    assert len(sheet_rows(response)) == 1
    cast.other_b.refresh_from_db()
    assert cast.other_b.user is None


def test_school_admin_creates_logins_everywhere(cast: Cast) -> None:
    response = create_logins(cast.client("school_admin"))

    assert sorted(r[1] for r in sheet_rows(response)[1:]) == ["A0002", "B0002"]


@pytest.mark.parametrize("role", ["branch_secretary", "duty_office", "reviewer", "member_a"])
def test_roles_without_grant_management_cannot_create_logins(cast: Cast, role: str) -> None:
    response = create_logins(cast.client(role))

    assert response.status_code == 403
    assert not User.objects.filter(username__in=["A0002", "B0002"]).exists()


def test_a_double_click_creates_once_and_audits_once(cast: Cast) -> None:
    client = cast.client("unit_a_admin")
    token = str(uuid.uuid4())

    first = create_logins(client, token, branch=cast.branch_a2.pk)
    second = create_logins(client, token, branch=cast.branch_a2.pk)

    assert first.status_code == 200
    assert second.status_code == 302
    assert second["Location"].startswith(reverse("account_list"))
    assert User.objects.filter(username="A0002").count() == 1
    event = AuditEvent.objects.get(action="account.create_bulk")
    assert event.changes["numbers"] == ["A0002"]
    assert event.actor == cast.users["unit_a_admin"]


def test_the_sheet_writes_user_text_as_text(cast: Cast) -> None:
    MemberFactory.create(name="=HYPERLINK(1)", number="A0099", branch=cast.branch_a2)

    response = create_logins(cast.client("unit_a_admin"), branch=cast.branch_a2.pk)

    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    cells = [c for row in workbook["初始密码"].iter_rows() for c in row]
    assert all(c.data_type == "s" for c in cells)
    assert "=HYPERLINK(1)" in [c.value for c in cells]


def test_no_password_is_stored_in_clear(cast: Cast) -> None:
    response = create_logins(cast.client("unit_a_admin"), branch=cast.branch_a2.pk)
    password = sheet_rows(response)[1][4]

    event = AuditEvent.objects.get(action="account.create_bulk")
    assert password not in str(event.changes)
    assert password not in User.objects.get(username="A0002").password


def test_reissue_replaces_unused_initial_passwords(cast: Cast) -> None:
    client = cast.client("unit_a_admin")
    old = sheet_rows(create_logins(client, branch=cast.branch_a2.pk))[1][4]

    response = client.post(
        reverse("account_reissue"), {"form_token": str(uuid.uuid4()), "branch": cast.branch_a2.pk}
    )

    new = sheet_rows(response)[1][4]
    login = User.objects.get(username="A0002")
    assert new != old
    assert login.check_password(new) and not login.check_password(old)


def test_reissue_leaves_logins_already_used(cast: Cast) -> None:
    client = cast.client("unit_a_admin")
    password = sheet_rows(create_logins(client, branch=cast.branch_a2.pk))[1][4]
    sign_in("A0002", password)

    response = client.post(
        reverse("account_reissue"), {"form_token": str(uuid.uuid4()), "branch": cast.branch_a2.pk}
    )

    assert len(sheet_rows(response)) == 1
    assert User.objects.get(username="A0002").check_password(password)


def test_account_list_counts_the_filtered_members(cast: Cast) -> None:
    response = cast.client("unit_a_admin").get(reverse("account_list"))

    assert response.context["counts"]["total"] == 2
    assert response.context["counts"]["without_login"] == 1
    assert "王五" in response.content.decode() and "李四" not in response.content.decode()


# --- the first sign-in ------------------------------------------------------------------


def test_first_login_must_change_the_password_before_anything_else(cast: Cast) -> None:
    password = sheet_rows(create_logins(cast.client("unit_a_admin"), branch=cast.branch_a2.pk))[1][
        4
    ]

    client, response = sign_in("A0002", password)

    assert response["Location"] == reverse("password_change")
    assert client.get(reverse("home"))["Location"] == reverse("password_change")
    assert client.get(reverse("token_list"))["Location"] == reverse("password_change")
    assert client.get("/api/members/").status_code == 403
    hx = client.get(reverse("home"), HTTP_HX_REQUEST="true")
    assert hx["HX-Redirect"] == reverse("password_change")
    page = client.get(reverse("password_change"))
    assert page.status_code == 200 and "临时密码" in page.content.decode()

    weak = client.post(
        reverse("password_change"),
        {"old_password": password, "new_password1": "1234", "new_password2": "1234"},
    )
    assert "密码太短" in weak.content.decode()
    done = client.post(
        reverse("password_change"),
        {
            "old_password": password,
            "new_password1": "Wuhan-spring-2020",
            "new_password2": "Wuhan-spring-2020",
        },
    )

    assert done["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200
    assert not TemporaryPassword.objects.filter(user__username="A0002").exists()
    assert AuditEvent.objects.filter(action="password.change", actor__username="A0002").exists()


def test_a_password_change_is_audited(cast: Cast) -> None:
    client = cast.client("member_a")

    client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "Wuhan-spring-2020",
            "new_password2": "Wuhan-spring-2020",
        },
    )

    event = AuditEvent.objects.get(action="password.change")
    assert event.actor == cast.users["member_a"]
    assert event.changes == {"was_temporary": False}


@pytest.mark.parametrize("password", ["12345678", "password", "abc", "member_a12", "1234567890"])
def test_password_rules_answer_in_chinese(cast: Cast, password: str) -> None:
    with pytest.raises(ValidationError) as refused:
        validate_password(password, cast.users["member_a"])

    for message in refused.value.messages:
        assert re.search("[\u4e00-\u9fff]", message), message
        assert not re.search("[A-Za-z]{4,}", message.replace("member_a", "")), message


# --- reset ------------------------------------------------------------------------------


def test_unit_admin_resets_a_password_shown_once_and_ends_the_sessions(cast: Cast) -> None:
    member_client, _ = sign_in("member_a", PASSWORD)
    assert member_client.get(reverse("home")).status_code == 200

    response = cast.client("unit_a_admin").post(
        reverse("member_account_reset", args=[cast.member_a.pk])
    )

    assert response.status_code == 200
    password = response.context["password"]
    assert password in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    login = User.objects.get(username="member_a")
    assert login.check_password(password) and not login.check_password(PASSWORD)
    assert member_client.get(reverse("home")).status_code == 302
    _, again = sign_in("member_a", password)
    assert again["Location"] == reverse("password_change")
    assert AuditEvent.objects.filter(action="account.password_reset").count() == 1


@pytest.mark.parametrize(
    ("role", "status"),
    [("unit_b_admin", 404), ("branch_secretary", 403), ("duty_office", 403), ("member_a", 403)],
)
def test_password_reset_outside_scope_is_refused(cast: Cast, role: str, status: int) -> None:
    response = cast.client(role).post(reverse("member_account_reset", args=[cast.member_a.pk]))

    assert response.status_code == status
    assert User.objects.get(username="member_a").check_password(PASSWORD)


def test_unit_admin_cannot_reset_the_login_of_someone_holding_more(cast: Cast) -> None:
    # The school admin is also a member of a branch in unit A.
    MemberFactory.create(number="A0100", branch=cast.branch_a1, user=cast.users["school_admin"])
    member = Member.objects.get(number="A0100")

    response = cast.client("unit_a_admin").post(reverse("member_account_reset", args=[member.pk]))

    assert response.status_code == 403
    assert User.objects.get(username="school_admin").check_password(PASSWORD)


def test_nobody_resets_or_deactivates_their_own_login_here(cast: Cast) -> None:
    MemberFactory.create(number="A0101", branch=cast.branch_a1, user=cast.users["unit_a_admin"])
    member = Member.objects.get(number="A0101")
    client = cast.client("unit_a_admin")

    assert client.post(reverse("member_account_reset", args=[member.pk])).status_code == 403
    assert client.post(reverse("member_account_deactivate", args=[member.pk])).status_code == 403
    assert User.objects.get(username="unit_a_admin").is_active


# --- deactivation -----------------------------------------------------------------------


def test_deactivation_ends_sessions_and_tokens_at_once(cast: Cast) -> None:
    member_client, _ = sign_in("member_a", PASSWORD)
    _, key = api_token_create(actor=cast.users["member_a"], name="脚本")
    bearer = {"Authorization": f"Bearer {key}"}
    assert Client().get("/api/rosters/phases", headers=bearer).status_code == 200
    member_session = member_client.session.session_key
    assert Session.objects.filter(session_key=member_session).exists()

    response = cast.client("unit_a_admin").post(
        reverse("member_account_deactivate", args=[cast.member_a.pk])
    )

    assert response.status_code == 302
    login = User.objects.get(username="member_a")
    assert not login.is_active
    assert not Session.objects.filter(session_key=member_session).exists()
    assert member_client.get(reverse("home")).status_code == 302
    assert not ApiToken.objects.filter(user=login).exists()
    assert Client().get("/api/rosters/phases", headers=bearer).status_code == 401
    _, refused = sign_in("member_a", PASSWORD)
    assert refused.status_code == 200  # the sign-in form again
    event = AuditEvent.objects.get(action="account.deactivate")
    assert event.changes["sessions_ended"] == 1 and event.changes["tokens_revoked"] == 1


def test_a_deactivated_login_can_be_reactivated(cast: Cast) -> None:
    client = cast.client("unit_a_admin")
    client.post(reverse("member_account_deactivate", args=[cast.member_a.pk]))

    client.post(reverse("member_account_activate", args=[cast.member_a.pk]))

    assert User.objects.get(username="member_a").is_active
    _, response = sign_in("member_a", PASSWORD)
    assert response["Location"] == reverse("home")


def test_deactivation_outside_scope_is_hidden(cast: Cast) -> None:
    response = cast.client("unit_b_admin").post(
        reverse("member_account_deactivate", args=[cast.member_a.pk])
    )

    assert response.status_code == 404
    assert User.objects.get(username="member_a").is_active


# --- POST routes for every role ---------------------------------------------------------

POSTS = [
    ("member_account_reset", {"school_admin": 200, "unit_a_admin": 200}),
    ("member_account_link", {"school_admin": 200, "unit_a_admin": 200}),
    ("member_account_deactivate", {"school_admin": 302, "unit_a_admin": 302}),
    ("member_account_activate", {"school_admin": 302, "unit_a_admin": 302}),
]
HIDDEN_FROM = {"unit_b_admin", "reviewer", "branch_secretary", "member_a"}  # other_a is in A2


@pytest.mark.parametrize("name", [p[0] for p in POSTS])
@pytest.mark.parametrize(
    "role",
    [
        "anonymous",
        "school_admin",
        "unit_a_admin",
        "unit_b_admin",
        "branch_secretary",
        "duty_office",
        "reviewer",
        "member_a",
    ],
)
def test_member_account_posts_for_every_role(cast: Cast, name: str, role: str) -> None:
    allowed = dict(POSTS)[name]
    expected = allowed.get(role, 404 if role in HIDDEN_FROM else 403)
    if role == "anonymous":
        expected = 302
    target = cast.other_a
    target.user = User.objects.create_user(username="A0002", password=PASSWORD)
    target.save()
    if name == "member_account_activate":
        User.objects.filter(username="A0002").update(is_active=False)

    response = cast.client(role).post(reverse(name, args=[target.pk]))

    assert response.status_code == expected


@pytest.mark.parametrize("name", ["account_create", "account_reissue"])
@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", 302),
        ("school_admin", 200),
        ("unit_a_admin", 200),
        ("unit_b_admin", 200),
        ("branch_secretary", 403),
        ("duty_office", 403),
        ("reviewer", 403),
        ("member_a", 403),
    ],
)
def test_bulk_account_posts_for_every_role(cast: Cast, name: str, role: str, status: int) -> None:
    response = cast.client(role).post(reverse(name), {"form_token": str(uuid.uuid4())})

    assert response.status_code == status


def test_grants_of_a_deactivated_login_stay_on_record(cast: Cast) -> None:
    cast.client("school_admin").post(reverse("member_account_deactivate", args=[cast.member_a.pk]))
    Grant.objects.create(
        user=cast.users["member_a"], org=cast.branch_a1, role=Role.BRANCH_SECRETARY
    )

    assert Grant.objects.filter(user__username="member_a").count() == 1


# --- one-time link ----------------------------------------------------------------------


def _link(cast: Cast, who: str = "unit_a_admin") -> str:
    response = cast.client(who).post(reverse("member_account_link", args=[cast.member_a.pk]))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    return str(response.context["link"]).removeprefix("http://testserver")


def test_a_one_time_link_sets_the_members_own_password_once(cast: Cast) -> None:
    TemporaryPassword.objects.create(user=cast.users["member_a"])
    link = _link(cast)
    member = Client()

    form_page = member.get(link, follow=True)
    assert form_page.context["validlink"]
    new = "Spring-in-Wuhan-2020"
    done = member.post(
        form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new}
    )

    assert done["Location"] == reverse("login")
    assert User.objects.get(username="member_a").check_password(new)
    assert not TemporaryPassword.objects.filter(user__username="member_a").exists()
    _, signed_in = sign_in("member_a", new)
    assert signed_in["Location"] == reverse("home")
    assert not Client().get(link, follow=True).context["validlink"]
    assert AuditEvent.objects.filter(action="account.link_issue").count() == 1
    assert AuditEvent.objects.filter(action="password.set_by_link").count() == 1


def test_a_link_for_a_deactivated_login_does_not_work(cast: Cast) -> None:
    link = _link(cast)
    User.objects.filter(username="member_a").update(is_active=False)

    assert not Client().get(link, follow=True).context["validlink"]


@pytest.mark.parametrize(("role", "status"), [("unit_b_admin", 404), ("branch_secretary", 403)])
def test_a_link_outside_scope_is_refused(cast: Cast, role: str, status: int) -> None:
    response = cast.client(role).post(reverse("member_account_link", args=[cast.member_a.pk]))

    assert response.status_code == status
    assert not AuditEvent.objects.filter(action="account.link_issue").exists()


# --- limits and costs -------------------------------------------------------------------


def test_too_many_at_once_is_refused_with_a_reason(cast: Cast, monkeypatch: Any) -> None:
    monkeypatch.setattr("members.accounts.MAX_ACCOUNTS_AT_ONCE", 1)
    client = cast.client("school_admin")

    response = create_logins(client)

    assert response.status_code == 302
    assert "一次最多处理 1 人" in client.get(response["Location"]).content.decode()
    assert not User.objects.filter(username__in=["A0002", "B0002"]).exists()


def test_account_list_makes_a_fixed_number_of_queries(cast: Cast) -> None:
    client = cast.client("school_admin")
    client.get(reverse("account_list"))  # warm up
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("account_list"))
    for n in range(30):
        MemberFactory.create(number=f"A1{n:03d}", branch=cast.branch_a2)
    create_logins(client, branch=cast.branch_a2.pk)

    with CaptureQueriesContext(connection) as many:
        client.get(reverse("account_list"))

    assert len(many) == len(few)
