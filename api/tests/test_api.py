"""/api/: the same scope, masking and query budget as the pages, over session or token."""

import datetime as dt
from typing import Any, get_args

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from ninja.security import SessionAuth

from access.models import ApiToken, hash_token
from api.schemas import MemberSort
from api.urls import api
from audit.models import AuditEvent
from conftest import ROLES, Cast
from members.models import PoliticalStatus
from members.selectors import SORTS
from members.tests.factories import MemberFactory
from orgs.models import OrgKind
from orgs.tests.factories import make_org

ALL_ORGS = {"school", "unit_a", "unit_b", "branch_a1", "branch_a2", "branch_b1"}
ALL_MEMBERS = {"member_a", "member_b", "other_a", "other_b"}

# role: (orgs it sees, members it sees). Anonymous sees nothing: every endpoint is a 401.
VISIBLE: dict[str, tuple[set[str], set[str]]] = {
    "anonymous": (set(), set()),
    "school_admin": (ALL_ORGS, ALL_MEMBERS),
    "unit_a_admin": ({"unit_a", "branch_a1", "branch_a2"}, {"member_a", "other_a"}),
    "unit_b_admin": ({"unit_b", "branch_b1"}, {"member_b", "other_b"}),
    "branch_secretary": ({"branch_a1"}, {"member_a"}),
    "duty_office": (ALL_ORGS, ALL_MEMBERS),
    "reviewer": (ALL_ORGS, set()),  # ORG_VIEW only: no members at all
    "member_a": (set(), {"member_a"}),  # no grants: only the own record
}

# (url template, cast attribute or None for a list, which half of VISIBLE applies)
ENDPOINTS = [
    ("/api/orgs", None, 0),
    ("/api/orgs/{}", "school", 0),
    ("/api/orgs/{}", "unit_a", 0),
    ("/api/orgs/{}", "unit_b", 0),
    ("/api/orgs/{}", "branch_a1", 0),
    ("/api/members", None, 1),
    ("/api/members/{}", "member_a", 1),  # own unit's member for unit A
    ("/api/members/{}", "other_a", 1),
    ("/api/members/{}", "other_b", 1),  # other unit's member for unit A
]


def ids_of(cast: Cast, names: set[str]) -> set[int]:
    return {getattr(cast, name).pk for name in names}


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def make_token(cast: Cast, who: str) -> tuple[ApiToken, str]:
    key = ApiToken.new_key()
    token = ApiToken.objects.create(
        user=cast.users[who], name="测试", key_hash=hash_token(key), prefix=key[:8]
    )
    return token, key


# --- scope ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("url", "target", "half"), ENDPOINTS)
def test_permission_table(cast: Cast, role: str, url: str, target: str | None, half: int) -> None:
    visible = VISIBLE[role][half]

    response = cast.client(role).get(url.format(getattr(cast, target).pk if target else ""))

    if role == "anonymous":
        assert response.status_code == 401
        assert response.json()["detail"].startswith("请先登录")
    elif target is None:
        assert response.status_code == 200
        body = response.json()
        assert {row["id"] for row in body["items"]} == ids_of(cast, visible)
        assert body["count"] == len(visible)
    elif target in visible:
        assert response.status_code == 200
        assert response.json()["id"] == getattr(cast, target).pk
    else:
        assert response.status_code == 404
        assert response.json() == {"detail": "未找到，或不在您的权限范围内。"}


@pytest.mark.parametrize("url", ["/api/orgs/{}", "/api/members/{}"])
def test_guessed_id_looks_like_out_of_scope(cast: Cast, url: str) -> None:
    client = cast.client("unit_a_admin")

    missing = client.get(url.format(987654))
    hidden = client.get(url.format(cast.unit_b.pk if "orgs" in url else cast.other_b.pk))

    assert missing.status_code == hidden.status_code == 404
    assert missing.json() == hidden.json()


def test_reads_write_no_audit_rows(cast: Cast) -> None:
    client = cast.client("school_admin")
    before = AuditEvent.objects.count()

    for url in ["/api/orgs", f"/api/orgs/{cast.unit_a.pk}"]:
        assert client.get(url).status_code == 200
    assert client.get(f"/api/members/{cast.other_a.pk}").status_code == 200

    assert AuditEvent.objects.count() == before


def test_a_list_with_full_numbers_writes_one_audit_row_per_request(cast: Cast) -> None:
    # given the school admin, who sees everyone's full phone and ID number
    client = cast.client("school_admin")
    # when they read a filtered member list through the API, twice
    for _ in range(2):
        response = client.get("/api/members", {"unit": cast.unit_a.pk, "limit": 10})
        assert response.json()["items"][0]["phone"] == "13800000001"
    # then each request left one row (not one per member) with the count and the filters
    events = AuditEvent.objects.filter(action="member.api_list")
    assert events.count() == 2
    event = events.first()
    assert event is not None and event.actor == cast.users["school_admin"]
    assert event.changes == {
        "count": 2,
        "full": 2,
        "total": 2,
        "offset": 0,
        "filters": {"unit": cast.unit_a.pk},
    }


@pytest.mark.parametrize("role", ["member_a", "reviewer"])
def test_a_list_without_others_full_numbers_writes_no_audit_row(cast: Cast, role: str) -> None:
    # a member sees only their own record; a reviewer sees no members
    assert cast.client(role).get("/api/members").status_code == 200
    assert not AuditEvent.objects.filter(action="member.api_list").exists()


# --- authentication ---------------------------------------------------------------------


def test_token_authenticates_as_its_user(cast: Cast) -> None:
    token, key = make_token(cast, "unit_a_admin")

    response = Client().get("/api/members", headers=bearer(key))

    assert response.status_code == 200
    assert {r["id"] for r in response.json()["items"]} == ids_of(cast, {"member_a", "other_a"})
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_token_last_used_is_written_at_most_once_a_minute(cast: Cast) -> None:
    token, key = make_token(cast, "unit_a_admin")
    recent = timezone.now() - dt.timedelta(seconds=20)
    stale = timezone.now() - dt.timedelta(minutes=5)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=recent)

    Client().get("/api/orgs", headers=bearer(key))
    token.refresh_from_db()
    assert token.last_used_at == recent

    ApiToken.objects.filter(pk=token.pk).update(last_used_at=stale)
    Client().get("/api/orgs", headers=bearer(key))
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert token.last_used_at > recent


@pytest.mark.parametrize("who", ["anonymous", "school_admin"])
def test_wrong_token_is_401_even_with_a_session(cast: Cast, who: str) -> None:
    make_token(cast, "school_admin")

    response = cast.client(who).get("/api/members", headers=bearer("not-a-real-key"))

    assert response.status_code == 401
    assert response.json()["detail"].startswith("请先登录")
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_token_of_inactive_user_is_401(cast: Cast) -> None:
    _, key = make_token(cast, "school_admin")
    cast.users["school_admin"].is_active = False
    cast.users["school_admin"].save()

    assert Client().get("/api/orgs", headers=bearer(key)).status_code == 401


def test_session_auth_checks_csrf() -> None:
    sessions = [a for a in api.auth if isinstance(a, SessionAuth)]  # type: ignore[union-attr]

    assert sessions
    assert all(a.csrf for a in sessions)


# --- masking ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "target", "phone", "id_number"),
    [
        ("duty_office", "member_a", "138****0001", "1101************2X"),
        ("duty_office", "other_b", "139****0002", ""),
        ("unit_a_admin", "member_a", "13800000001", "11010519491231002X"),
        ("unit_a_admin", "other_a", "13800000002", ""),
        ("branch_secretary", "member_a", "13800000001", "1101************2X"),
        ("member_a", "member_a", "13800000001", "11010519491231002X"),
        ("school_admin", "other_b", "13900000002", ""),
    ],
)
def test_phone_and_id_number_masked_as_on_pages(
    cast: Cast, role: str, target: str, phone: str, id_number: str
) -> None:
    member = getattr(cast, target)
    client = cast.client(role)

    detail = client.get(f"/api/members/{member.pk}").json()
    row = next(r for r in client.get("/api/members").json()["items"] if r["id"] == member.pk)

    assert detail["phone"] == row["phone"] == phone
    assert detail["id_number"] == row["id_number"] == id_number


def test_member_fields(cast: Cast) -> None:
    body = cast.client("school_admin").get(f"/api/members/{cast.member_a.pk}").json()

    assert body["number"] == "A0001"
    assert body["name"] == "张三"
    assert body["branch"] == {"id": cast.branch_a1.pk, "name": "计算机教工第一党支部"}
    assert body["unit_name"] == "计算机学院党委"
    assert body["political_status_label"] == "正式党员"
    assert body["campus"]["name"] == "主校区"
    assert body["whereabouts"] == "on_campus"


# --- filters ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"unit": "unit_b"}, set()),  # another unit's id narrows, never widens
        ({"unit": "unit_a"}, {"member_a", "other_a"}),
        ({"branch": "branch_a2"}, {"other_a"}),
        ({"q": "张"}, {"member_a"}),
        ({"q": "A0002"}, {"other_a"}),
        ({"political_status": PoliticalStatus.PROBATIONARY}, set()),
        ({"political_status": PoliticalStatus.FULL}, {"member_a", "other_a"}),
    ],
)
def test_member_filters_stay_in_scope(
    cast: Cast, params: dict[str, Any], expected: set[str]
) -> None:
    query = {k: getattr(cast, v).pk if k in ("unit", "branch") else v for k, v in params.items()}

    body = cast.client("unit_a_admin").get("/api/members", query).json()

    assert {r["id"] for r in body["items"]} == ids_of(cast, expected)


def test_member_sort_and_paging(cast: Cast) -> None:
    client = cast.client("school_admin")

    params: dict[str, Any] = {"sort": "-number", "limit": 2, "offset": 1}
    body = client.get("/api/members", params).json()

    assert body["count"] == 4
    assert [r["number"] for r in body["items"]] == ["B0001", "A0002"]


def test_member_sorts_match_the_page_sorts() -> None:
    assert set(get_args(MemberSort)) == set(SORTS)


@pytest.mark.parametrize(
    ("url", "params", "field"),
    [
        ("/api/members", {"political_status": "nonsense"}, "political_status"),
        ("/api/members", {"sort": "phone"}, "sort"),
        ("/api/members", {"limit": 0}, "limit"),
        ("/api/members", {"limit": 1000}, "limit"),
        ("/api/orgs", {"kind": "club"}, "kind"),
        ("/api/orgs", {"offset": -1}, "offset"),
    ],
)
def test_malformed_query_is_400_naming_the_field(
    cast: Cast, url: str, params: dict[str, Any], field: str
) -> None:
    response = cast.client("school_admin").get(url, params)

    assert response.status_code == 400
    body = response.json()
    assert body["detail"].startswith("请求参数有误")
    assert field in body["detail"]
    assert [e["field"] for e in body["errors"]] == [field]


def test_org_list_by_parent_and_kind(cast: Cast) -> None:
    client = cast.client("school_admin")

    children = client.get("/api/orgs", {"parent": cast.unit_a.pk}).json()
    branches = client.get("/api/orgs", {"kind": OrgKind.BRANCH}).json()

    assert {r["id"] for r in children["items"]} == ids_of(cast, {"branch_a1", "branch_a2"})
    assert {r["parent_id"] for r in children["items"]} == {cast.unit_a.pk}
    assert {r["id"] for r in branches["items"]} == ids_of(
        cast, {"branch_a1", "branch_a2", "branch_b1"}
    )
    assert branches["items"][0]["kind_label"] == "党支部"


def test_org_parent_out_of_scope_is_404(cast: Cast) -> None:
    response = cast.client("unit_a_admin").get("/api/orgs", {"parent": cast.unit_b.pk})

    assert response.status_code == 404


def test_org_parent_id_hidden_when_parent_out_of_scope(cast: Cast) -> None:
    unit_admin = cast.client("unit_a_admin").get(f"/api/orgs/{cast.unit_a.pk}").json()
    school_admin = cast.client("school_admin").get(f"/api/orgs/{cast.unit_a.pk}").json()

    assert unit_admin["parent_id"] is None
    assert school_admin["parent_id"] == cast.school.pk
    assert school_admin["kind"] == OrgKind.UNIT_COMMITTEE
    assert school_admin["campus"]["name"] == "主校区"
    assert school_admin["depth"] == 2


# --- query budget -----------------------------------------------------------------------


def count_queries(client: Client, url: str, params: dict[str, Any]) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    assert len(response.json()["items"]) == params["limit"]
    return len(ctx.captured_queries)


@pytest.mark.parametrize("extra", [{}, {"unit": "unit_a", "q": "党员"}])
def test_member_list_queries_do_not_grow_with_page_size(
    cast: Cast, extra: dict[str, str], django_assert_max_num_queries: Any
) -> None:
    MemberFactory.create_batch(60, branch=cast.branch_a1)
    MemberFactory.create_batch(10, branch=cast.branch_b1)
    params = {k: getattr(cast, v).pk if k == "unit" else v for k, v in extra.items()}
    client = cast.client("school_admin")

    small = count_queries(client, "/api/members", {**params, "limit": 5})
    with django_assert_max_num_queries(10):
        large = count_queries(client, "/api/members", {**params, "limit": 50})

    assert small == large


def test_org_list_queries_do_not_grow_with_page_size(
    cast: Cast, django_assert_max_num_queries: Any
) -> None:
    for n in range(60):
        make_org(cast.unit_a if n % 2 else cast.unit_b, f"党支部{n}", OrgKind.BRANCH)
    client = cast.client("unit_a_admin")

    small = count_queries(client, "/api/orgs", {"limit": 5})
    with django_assert_max_num_queries(8):
        large = count_queries(client, "/api/orgs", {"limit": 30})

    assert small == large


# --- description ------------------------------------------------------------------------


def test_openapi_lists_the_paths(client: Client) -> None:
    response = client.get("/api/openapi.json")

    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "党建工作平台 API"
    assert {"/api/orgs", "/api/orgs/{org_id}", "/api/members", "/api/members/{member_id}"} <= set(
        schema["paths"]
    )
    assert set(schema["components"]["securitySchemes"]) == {"TokenAuth", "SessionAuth"}


def test_docs_page_is_served(client: Client) -> None:
    response = client.get("/api/docs")

    assert response.status_code == 200
    assert b"openapi.json" in response.content
