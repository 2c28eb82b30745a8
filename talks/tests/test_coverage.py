"""Talk coverage: who has not been talked with in N days (滞留外地 and 隔离 first), follow-ups
due, counts per branch and unit in a fixed number of queries, and the .xlsx."""

import datetime as dt
import io
import zipfile
from typing import Any

import pytest
from django.utils import timezone
from python_calamine import CalamineWorkbook

from conftest import Cast
from members.models import Whereabouts
from members.tests.factories import MemberFactory
from talks import selectors, spreadsheets
from talks.tests.helpers import talk


def test_members_not_talked_with_are_listed_stranded_and_quarantined_first(cast: Cast) -> None:
    quarantined = MemberFactory.create(
        number="A0100", branch=cast.branch_a1, whereabouts=Whereabouts.QUARANTINED
    )
    stranded = MemberFactory.create(
        number="A0200", branch=cast.branch_a2, whereabouts=Whereabouts.STRANDED
    )
    talk(cast, cast.member_a, days_ago=10)  # covered
    talk(cast, cast.other_a, talker=cast.member_a, days_ago=200)  # talked long ago

    due = list(selectors.talks_due(cast.users["unit_a_admin"], days=90))

    assert set(due[:2]) == {stranded, quarantined}  # away first, then by branch and number
    assert due[2:] == [cast.other_a]
    assert due[2].last_talk == timezone.localdate() - dt.timedelta(days=200)  # type: ignore[attr-defined]
    # with N = 365 the old talk counts
    assert cast.other_a not in selectors.talks_due(cast.users["unit_a_admin"], days=365)


def test_coverage_counts_per_branch_and_unit(cast: Cast) -> None:
    MemberFactory.create(number="A0100", branch=cast.branch_a1, whereabouts=Whereabouts.STRANDED)
    talk(cast, cast.member_a, days_ago=5, follow_up_in=2)
    talk(cast, cast.member_b, days_ago=5)

    cov = selectors.coverage(user=cast.users["school_admin"], days=90)

    by_branch = {r.name: (r.counts.members, r.counts.due, r.counts.away_due) for r in cov.branches}
    assert by_branch == {
        cast.branch_a1.name: (2, 1, 1),
        cast.branch_a2.name: (1, 1, 0),
        cast.branch_b1.name: (2, 1, 0),
    }
    by_unit = {r.name: (r.counts.members, r.counts.due) for r in cov.units}
    assert by_unit == {cast.unit_a.name: (3, 2), cast.unit_b.name: (2, 1)}
    assert (cov.total.members, cov.total.due, cov.total.away_due) == (5, 3, 1)
    assert cov.follow_ups_due == 1


def test_a_secretary_counts_only_their_branch(cast: Cast) -> None:
    cov = selectors.coverage(user=cast.users["branch_secretary"])

    assert [r.name for r in cov.branches] == [cast.branch_a1.name]
    assert cov.total.members == 1


def test_follow_ups_due_leave_once_followed_up(cast: Cast) -> None:
    from talks import services

    t = talk(cast, cast.member_a, days_ago=10, follow_up_in=3)
    talk(cast, cast.member_a, days_ago=2, follow_up_in=30)  # not yet due
    user = cast.users["branch_secretary"]
    assert list(selectors.follow_ups_due(user)) == [t]
    assert not selectors.follow_ups_due(cast.users["unit_b_admin"]).exists()

    services.talk_follow_up(actor=user, talk=t, followed_up_on=timezone.localdate())

    assert not selectors.follow_ups_due(user).exists()


def _school(cast: Cast, n: int) -> None:
    for i in range(n):
        for branch in (cast.branch_a1, cast.branch_a2, cast.branch_b1):
            m = MemberFactory.create(branch=branch, whereabouts=Whereabouts.STRANDED)
            if i % 2:
                talk(cast, m, talker=cast.member_b if branch != cast.branch_b1 else cast.member_a)


@pytest.mark.parametrize("who", ["school_admin", "unit_a_admin", "branch_secretary"])
def test_coverage_makes_a_fixed_number_of_queries(
    cast: Cast, who: str, django_assert_num_queries: Any
) -> None:
    user = cast.users[who]
    selectors.coverage(user=user)  # grants and own member are read once per request
    _school(cast, 2)
    with django_assert_num_queries(4):
        selectors.coverage(user=user)
    _school(cast, 6)
    with django_assert_num_queries(4):
        selectors.coverage(user=user)


def test_export_writes_user_text_as_text(cast: Cast) -> None:
    MemberFactory.create(name='=HYPERLINK("x")', number="A0300", branch=cast.branch_a1)
    talk(cast, cast.member_a, days_ago=5, follow_up_in=1)
    user = cast.users["school_admin"]

    data = spreadsheets.coverage_xlsx(
        selectors.coverage(user=user),
        selectors.talks_due(user),
        selectors.follow_ups_due(user),
    )

    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    due = book.get_sheet_by_name("待谈话党员").to_python()
    assert ["A0300", '=HYPERLINK("x")'] in [r[:2] for r in due]
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheets = [z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/")]
    assert sheets and not any(b"<f>" in x for x in sheets)  # no formula anywhere
    assert book.get_sheet_by_name("到期未回访").to_python()[1][0] == cast.member_a.name
