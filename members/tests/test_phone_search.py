"""A masked phone number cannot be recovered digit by digit through the member search."""

import pytest
from django.urls import reverse

from access.models import Role
from access.scope import ROLE_PERMS, Perm
from conftest import Cast
from members.selectors import MemberFilters, member_list


@pytest.fixture
def duty_office_masked(monkeypatch: pytest.MonkeyPatch) -> None:
    """The duty office sees every member with masked phones (whatever the table says today)."""
    masked = ROLE_PERMS[Role.DUTY_OFFICE] - {Perm.MEMBER_FULL_PHONE}
    monkeypatch.setitem(ROLE_PERMS, Role.DUTY_OFFICE, masked)


def _found(cast: Cast, who: str, q: str) -> list[str]:
    qs = member_list(user=cast.users[who], filters=MemberFilters(q=q))
    return list(qs.values_list("number", flat=True))


@pytest.mark.parametrize("q", ["0001", "1380000", "38000000", "1380000000"])
def test_masked_role_does_not_match_part_of_a_phone(
    cast: Cast, duty_office_masked: None, q: str
) -> None:
    assert "A0001" not in _found(cast, "duty_office", q)


def test_masked_role_finds_a_member_by_the_whole_phone(
    cast: Cast, duty_office_masked: None
) -> None:
    assert _found(cast, "duty_office", "138 0000 0001") == ["A0001"]


def test_masked_probe_through_the_member_page_finds_nobody(
    cast: Cast, duty_office_masked: None
) -> None:
    page = cast.client("duty_office").get(reverse("member_list"), {"q": "13800000"})

    assert page.status_code == 200
    assert "张三" not in page.content.decode()


def test_role_with_full_phones_matches_part_of_a_phone(cast: Cast) -> None:
    assert _found(cast, "unit_a_admin", "0000001") == ["A0001"]


def test_member_matches_part_of_their_own_phone(cast: Cast) -> None:
    assert _found(cast, "member_a", "00000") == ["A0001"]
