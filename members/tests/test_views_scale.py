"""The member list at province scale (issue 13): an estimated count above EXACT_UP_TO rows,
and a branch filter that lists branches only when there are few enough to choose from."""

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import members.models
from conftest import Cast
from members import paging, views
from members.models import Member
from members.tests.factories import MemberFactory


def test_count_is_exact_up_to_the_threshold(cast: Cast) -> None:
    response = cast.client("school_admin").get(reverse("member_list"))

    assert response.context["page"].paginator.count == 4
    assert not response.context["page"].paginator.estimated
    assert "共 4 人" in response.content.decode()


def test_count_above_the_threshold_is_estimated_on_postgresql(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    MemberFactory.create_batch(6, branch=cast.branch_a1)
    monkeypatch.setattr(paging, "EXACT_UP_TO", 3)

    response = cast.client("school_admin").get(reverse("member_list"), {"per_page": 20})

    paginator = response.context["page"].paginator
    body = response.content.decode()
    if connection.vendor == "postgresql":
        assert paginator.estimated
        assert paginator.count >= 4  # never below what was counted
        assert "人数较多，为估算值" in body
    else:
        assert not paginator.estimated
        assert paginator.count == 10
    assert len(response.context["rows"]) == 10  # the page itself is never estimated


def test_estimated_count_keeps_the_query_count_fixed(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = cast.client("school_admin")
    counts = []
    for extra in (0, 30):
        MemberFactory.create_batch(extra, branch=cast.branch_a1)
        monkeypatch.setattr(paging, "EXACT_UP_TO", 3)
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("member_list"))
        counts.append(len(queries))

    assert counts[0] == counts[1]


def test_branch_filter_lists_branches_when_few(cast: Cast) -> None:
    response = cast.client("school_admin").get(reverse("member_list"))

    pks = {pk for pk, _ in response.context["branches"]}
    assert {cast.branch_a1.pk, cast.branch_b1.pk} <= pks
    assert not response.context["too_many_branches"]


def test_branch_filter_asks_for_a_unit_when_branches_are_too_many(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(views, "BRANCH_OPTIONS_MAX", 1)
    client = cast.client("school_admin")

    response = client.get(reverse("member_list"))
    assert response.context["too_many_branches"]
    assert list(response.context["branches"]) == []
    assert "选择单位后可选党支部" in response.content.decode()

    # A chosen branch stays selectable (and selected) even then.
    response = client.get(reverse("member_list"), {"branch": cast.branch_b1.pk})
    assert [pk for pk, _ in response.context["branches"]] == [cast.branch_b1.pk]
    assert {row["m"].branch_id for row in response.context["rows"]} == {cast.branch_b1.pk}


def test_branch_filter_never_offers_a_branch_out_of_scope(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(views, "BRANCH_OPTIONS_MAX", 0)

    response = cast.client("unit_a_admin").get(
        reverse("member_list"), {"branch": cast.branch_b1.pk}
    )

    assert list(response.context["branches"]) == []
    assert response.context["rows"] == []


@pytest.mark.parametrize("per_lookup", [5000, 1])
def test_numbered_finds_members_by_number(cast: Cast, monkeypatch: Any, per_lookup: int) -> None:
    monkeypatch.setattr(members.models, "NUMBERS_PER_LOOKUP", per_lookup)  # one at a time too

    found = Member.objects.numbered(["A0001", "B0002", "Z9999", "A0001"])

    assert sorted(found.values_list("number", flat=True)) == ["A0001", "B0002"]
    assert list(Member.objects.numbered([])) == []
