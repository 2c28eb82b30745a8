"""Numbers nobody would type — huge, exponents, superscripts — get a clean answer, never a 500."""

import pytest
from django.conf import settings
from django.db import DataError, IntegrityError
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from campaigns.tests.factories_outputs import CampaignFactory
from config.dberrors import DatabaseRefusalMiddleware
from conftest import Cast

ODD = ["99999999999999999999", "1e30", "²", "-1", "9" * 400]


@pytest.mark.parametrize("value", ODD)
@pytest.mark.parametrize(
    ("url_name", "params"),
    [
        ("member_list", ["unit", "branch", "campus", "per_page", "page"]),
        ("member_export", ["unit", "branch", "campus"]),
        ("member_new", ["branch"]),
        ("submission_list", ["campaign", "deliverable", "unit", "page"]),
        ("library", ["unit", "deliverable", "page"]),
        ("campaign_outputs", ["s"]),
    ],
)
def test_odd_numbers_in_a_query_string_are_ignored(
    cast: Cast, url_name: str, params: list[str], value: str
) -> None:
    args = [CampaignFactory.create().pk] if url_name == "campaign_outputs" else []
    client = cast.client("school_admin")
    client.raise_request_exception = False

    response = client.get(reverse(url_name, args=args), {p: value for p in params})

    assert response.status_code == 200


@pytest.mark.parametrize("value", ["99999999999999999999", "-99999999999999999999"])
def test_huge_ids_in_a_multiple_choice_are_refused_in_chinese(cast: Cast, value: str) -> None:
    client = cast.client("school_admin")
    client.raise_request_exception = False

    response = client.post(
        reverse("zone_new"), {"name": "一号楼", "kind": "dormitory", "members": [value]}
    )

    assert response.status_code in (200, 400)
    assert "Select a valid choice" not in response.content.decode()


def test_a_huge_number_reaching_the_database_is_a_chinese_400(cast: Cast, client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.users["school_admin"])
    client.raise_request_exception = False

    response = client.get(
        reverse("campaign_outputs", args=[CampaignFactory.create().pk]),
        {"s": "9223372036854775808"},
    )

    assert response.status_code in (200, 400)


@pytest.mark.parametrize(
    "exc",
    [
        OverflowError("Python int too large to convert to SQLite INTEGER"),
        DataError('value "99999999999999999999" is out of range for type bigint'),
    ],
)
@pytest.mark.parametrize("path", ["/members/", "/api/members"])
def test_a_number_the_database_cannot_hold_is_a_chinese_400(
    rf: RequestFactory, exc: Exception, path: str
) -> None:
    middleware = DatabaseRefusalMiddleware(lambda request: HttpResponse())

    response = middleware.process_exception(rf.get(path), exc)

    assert response is not None and response.status_code == 400
    assert "数值超出范围" in response.content.decode()


def test_other_database_errors_are_not_hidden(rf: RequestFactory) -> None:
    middleware = DatabaseRefusalMiddleware(lambda request: HttpResponse())

    assert middleware.process_exception(rf.get("/"), DataError("invalid input syntax")) is None


def test_the_middleware_is_installed() -> None:
    assert "config.dberrors.DatabaseRefusalMiddleware" in settings.MIDDLEWARE


@pytest.mark.parametrize(
    "exc",
    [
        IntegrityError("UNIQUE constraint failed: orgs_campus.name"),
        IntegrityError('duplicate key value violates unique constraint "orgs_campus_name_key"'),
    ],
)
@pytest.mark.parametrize("path", ["/orgs/campuses/", "/api/members"])
def test_a_unique_clash_is_a_chinese_409(rf: RequestFactory, exc: Exception, path: str) -> None:
    middleware = DatabaseRefusalMiddleware(lambda request: HttpResponse())

    response = middleware.process_exception(rf.post(path), exc)

    assert response is not None and response.status_code == 409
    text = response.content.decode()
    assert "与已有记录重复" in text
    assert "orgs_campus" not in text


def test_other_integrity_errors_are_not_hidden(rf: RequestFactory) -> None:
    middleware = DatabaseRefusalMiddleware(lambda request: HttpResponse())
    exc = IntegrityError("FOREIGN KEY constraint failed")

    assert middleware.process_exception(rf.post("/"), exc) is None


@pytest.mark.parametrize(
    "url",
    [
        "/members/99999999999999999999/",
        "/members/9223372036854775808/edit/",
        "/api/members/99999999999999999999",
        "/orgs/99999999999999999999/",
    ],
)
def test_ids_beyond_bigint_in_a_path_are_not_found(cast: Cast, url: str) -> None:
    client = cast.client("school_admin")
    client.raise_request_exception = False

    assert client.get(url).status_code == 404


@pytest.mark.parametrize("value", ["²", "٣", "99999999999999999999"])
def test_odd_digits_in_choice_fields_are_form_errors(cast: Cast, value: str) -> None:
    client = cast.client("school_admin")
    client.raise_request_exception = False

    zone = client.post(reverse("zone_new"), {"name": "一号楼", "members": [value]})
    move = client.post(
        reverse("member_move", args=[cast.member_a.pk]),
        {"to_branch": value, "moved_on": "2020-03-01"},
    )

    assert zone.status_code == move.status_code == 200
    assert move.context["form"].errors["to_branch"]
