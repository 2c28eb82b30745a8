"""The dashboard: every number equals the length of the list it links to, for the org and
for each child org; the date range; tiles gated by permissions; a fixed number of queries."""

import datetime as dt
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import Cast
from dashboard.selectors import day_range
from dashboard.tests.helpers import Spread, list_count, list_of, seed
from meetings.models import Meeting, MeetingState
from meetings.tests.factories import held_meeting
from members.tests.factories import MemberFactory
from orgs.models import OrgKind
from orgs.tests.factories import make_org


def _board(cast: Cast, role: str, org: Any, query: str = "") -> Any:
    response = cast.client(role).get(reverse("dashboard_org", args=[org.pk]) + query)
    assert response.status_code == 200
    return response


def _assert_numbers_match_lists(cast: Cast, role: str, response: Any) -> int:
    """Follow every link of the page's numbers; return how many were checked."""
    client = cast.client(role)
    board = response.context["board"]
    checked = 0
    for tile in board.tiles:
        got = client.get(tile.url)
        assert got.status_code == 200, tile.url
        assert list_count(got) == tile.total, f"{tile.kind.key}: {tile.url}"
        assert list_of(got) == tile.of, f"{tile.kind.key} (of): {tile.url}"
        checked += 1
        for cell in tile.by_child.values():
            got = client.get(cell.url)
            assert got.status_code == 200, cell.url
            assert list_count(got) == cell.n, f"{tile.kind.key} child: {cell.url}"
            assert list_of(got) == cell.of, f"{tile.kind.key} child (of): {cell.url}"
            checked += 1
    return checked


spreads = st.builds(
    Spread,
    members=st.integers(0, 3),
    talks=st.integers(0, 3),
    shifts=st.integers(0, 3),
    submissions=st.integers(0, 3),
    meetings=st.integers(0, 2),
    candidates=st.integers(0, 2),
    days_ago=st.lists(st.integers(0, 40), min_size=1, max_size=3),
)


@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    a1=spreads,
    a2=spreads,
    b1=spreads,
    role_org=st.sampled_from(
        [("school_admin", "school"), ("unit_a_admin", "unit_a"), ("branch_secretary", "branch_a1")]
    ),
    preset=st.sampled_from(["", "?range=today", "?range=week", "?range=all"]),
)
def test_every_number_is_the_length_of_its_list(
    cast: Cast, a1: Spread, a2: Spread, b1: Spread, role_org: tuple[str, str], preset: str
) -> None:
    role, org_name = role_org
    with transaction.atomic():
        seed(cast, {"branch_a1": a1, "branch_a2": a2, "branch_b1": b1})
        response = _board(cast, role, getattr(cast, org_name), preset)
        assert _assert_numbers_match_lists(cast, role, response) >= 5
        transaction.set_rollback(True)


def test_a_custom_range_counts_only_its_days(cast: Cast) -> None:
    seed(cast, {"branch_a1": Spread(members=2, shifts=3, days_ago=[0, 10, 30])})
    today = timezone.localdate()
    start = (today - dt.timedelta(days=12)).isoformat()
    query = f"?date_from={start}&date_to={today.isoformat()}"
    response = _board(cast, "school_admin", cast.school, query)
    board = response.context["board"]
    shifts = next(t for t in board.tiles if t.kind.key == "duty_scheduled")
    assert board.range.preset == "custom"
    assert shifts.total == 2  # 0 and 10 days ago, not 30
    assert f"date_from={start}" in shifts.url
    _assert_numbers_match_lists(cast, "school_admin", response)


def test_day_range_presets() -> None:
    wed = dt.date(2026, 12, 2)
    assert day_range({}, wed).date_from == dt.date(2026, 12, 1)
    assert day_range({"range": "today"}, wed).date_from == wed
    assert day_range({"range": "week"}, wed).date_from == dt.date(2026, 11, 30)
    assert day_range({"range": "all"}, wed).date_from is None
    swapped = day_range({"date_from": "2026-12-02", "date_to": "2026-11-02"}, wed)
    assert (swapped.date_from, swapped.date_to) == (dt.date(2026, 11, 2), wed)
    assert day_range({"date_from": "2026-13-40"}, wed).preset == "month"


def test_school_dashboard_lists_units_and_unit_rows_open_their_dashboard(cast: Cast) -> None:
    seed(cast, {"branch_a1": Spread(members=2), "branch_b1": Spread(members=1)})
    response = _board(cast, "school_admin", cast.school)
    rows = response.context["rows"]
    assert [r["org"] for r in rows] == [cast.unit_a, cast.unit_b]
    content = response.content.decode()
    assert reverse("dashboard_org", args=[cast.unit_a.pk]) in content
    members = {r["org"].pk: r["cells"][0] for r in rows}
    assert members[cast.unit_a.pk].key == "members"
    assert members[cast.unit_a.pk].n == 2 + 2  # the cast's member_a and other_a
    assert f"unit={cast.unit_a.pk}" in members[cast.unit_a.pk].url


def test_a_units_dashboard_lists_its_branches_with_member_links(cast: Cast) -> None:
    response = _board(cast, "unit_a_admin", cast.unit_a)
    rows = response.context["rows"]
    assert [r["org"] for r in rows] == [cast.branch_a1, cast.branch_a2]
    cell = rows[0]["cells"][0]
    assert cell.url == reverse("member_list") + f"?branch={cast.branch_a1.pk}"
    assert cell.n == 1


def test_tiles_follow_each_capabilitys_permission(cast: Cast) -> None:
    seed(cast, {"branch_a1": Spread()})
    keys = {t.kind.key for t in _board(cast, "school_admin", cast.school).context["board"].tiles}
    assert {"members", "duty_worked", "coverage", "compliance", "gate_entries"} <= keys
    unit = {t.kind.key for t in _board(cast, "unit_a_admin", cast.unit_a).context["board"].tiles}
    assert "gate_entries" not in unit  # gates are school-wide (组织部, 防控办)
    assert {"coverage", "compliance"} <= unit
    reviewer = {t.kind.key for t in _board(cast, "reviewer", cast.school).context["board"].tiles}
    assert reviewer == {"submissions"}
    duty = {t.kind.key for t in _board(cast, "duty_office", cast.school).context["board"].tiles}
    assert "coverage" not in duty and "duty_worked" in duty


def test_the_default_dashboard_is_the_users_widest_org(cast: Cast) -> None:
    response = cast.client("unit_a_admin").get(reverse("dashboard"))
    assert response.context["board"].org == cast.unit_a
    response = cast.client("branch_secretary").get(reverse("dashboard"))
    assert response.context["board"].org == cast.branch_a1


def test_the_page_loads_its_charts_from_a_static_file_and_json(cast: Cast) -> None:
    seed(cast, {"branch_a1": Spread()})
    content = _board(cast, "school_admin", cast.school).content.decode()
    assert 'id="dashboard-chart-data"' in content
    assert "js/dashboard.js" in content
    assert "<script>" not in content  # every inline script carries the CSP nonce


# The page's whole query budget: session, user, grants, the org, its ancestors and children,
# one GROUP BY per tile (and the org lookups of the lists' own filters), one per trend line.
MAX_QUERIES = 36


def _queries(cast: Cast, role: str, org: Any) -> int:
    client = cast.client(role)
    url = reverse("dashboard_org", args=[org.pk])
    client.get(url)  # the session's first request
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    ("role", "org_name"), [("school_admin", "school"), ("unit_a_admin", "unit_a")]
)
def test_the_dashboard_makes_the_same_queries_whatever_the_size(
    cast: Cast, role: str, org_name: str
) -> None:
    org = getattr(cast, org_name)
    seed(cast, {"branch_a1": Spread(members=10), "branch_b1": Spread(members=2)})
    small = _queries(cast, role, org)
    # more members and more orgs: over 100 members, 8 branches instead of 3
    seed(cast, {"branch_a1": Spread(members=90, talks=5, shifts=5, submissions=3)})
    for i in range(5):
        unit = cast.unit_a if i % 2 else cast.unit_b
        branch = make_org(unit, f"新增党支部{i}", OrgKind.BRANCH)
        MemberFactory.create_batch(3, branch=branch)
    cast.unit_a.refresh_from_db()
    cast.school.refresh_from_db()
    large = _queries(cast, role, getattr(cast, org_name))
    assert large == small
    assert large <= MAX_QUERIES


def test_each_child_counts_only_its_own_subtree(cast: Cast) -> None:
    seed(
        cast,
        {
            "branch_a1": Spread(
                members=2, talks=3, shifts=4, submissions=3, meetings=2, candidates=2
            ),
            "branch_b1": Spread(members=1, talks=1, shifts=2, submissions=0, meetings=0),
        },
    )
    board = _board(cast, "school_admin", cast.school, "?range=all").context["board"]
    tiles = {t.kind.key: t for t in board.tiles}
    a, b = cast.unit_a.pk, cast.unit_b.pk
    # coverage: the members talked with (2 and 1 seeded) of the member records in scope (the
    # cast's two per unit, and unit A's two applicants, as the coverage page counts them)
    coverage = tiles["coverage"]
    assert (coverage.by_child[a].n, coverage.by_child[b].n) == (2, 1)
    assert (coverage.by_child[a].of, coverage.by_child[b].of) == (2 + 2 + 2, 1 + 2)
    assert coverage.total == 3 and coverage.of == 9
    assert (tiles["duty_scheduled"].by_child[a].n, tiles["duty_scheduled"].by_child[b].n) == (4, 2)
    assert (tiles["duty_worked"].by_child[a].n, tiles["duty_worked"].by_child[b].n) == (2, 1)
    assert tiles["submissions"].by_child[a].n == 2  # 1 of 3 is a draft
    # compliance: every branch is counted under its unit, short or not (of)
    compliance = tiles["compliance"]
    assert (compliance.by_child[a].of, compliance.by_child[b].of) == (2, 1)
    assert compliance.of == 3
    assert tiles["escalations_open"].by_child[a].n == 2
    assert tiles["escalations_open"].by_child[b].n == 0
    assert (tiles["signups"].by_child[a].n, tiles["signups"].by_child[b].n) == (1, 1)
    for tile in board.tiles:
        if tile.by_child:
            assert sum(c.n for c in tile.by_child.values()) + tile.own == tile.total, tile.kind.key
    assert (tiles["candidates"].by_child[a].n, tiles["candidates"].by_child[b].n) == (2, 0)
    assert tiles["gate_fevers"].total == 2 and not tiles["gate_fevers"].by_child


def test_compliance_counts_the_short_branches_and_opens_a_branchs_own_table(cast: Cast) -> None:
    seed(cast, {"branch_a1": Spread(meetings=0), "branch_b1": Spread(meetings=0)})
    # an approved 主题党日 last month: branch A1 meets the rule, A2 and B1 fall short
    today = timezone.localdate()
    meeting = held_meeting(cast.branch_a1, days_ago=today.day + 1)
    Meeting.objects.filter(pk=meeting.pk).update(state=MeetingState.APPROVED)
    # the range of last month: its year's compliance (also in January)
    end = today.replace(day=1) - dt.timedelta(days=1)
    query = f"?date_from={end.replace(day=1).isoformat()}&date_to={end.isoformat()}"
    school = _board(cast, "school_admin", cast.school, query).context["board"]
    tile = next(t for t in school.tiles if t.kind.key == "compliance")
    assert (tile.total, tile.of) == (2, 3)
    a, b = tile.by_child[cast.unit_a.pk], tile.by_child[cast.unit_b.pk]
    assert (a.n, a.of, b.n, b.of) == (1, 2, 1, 1)
    assert a.url == reverse("compliance") + f"?year={end.year}&unit={cast.unit_a.pk}"
    unit = _board(cast, "unit_a_admin", cast.unit_a, query).context["board"]
    cells = next(t for t in unit.tiles if t.kind.key == "compliance").by_child
    assert (cells[cast.branch_a1.pk].n, cells[cast.branch_a2.pk].n) == (0, 1)
    assert cells[cast.branch_a1.pk].url.startswith(
        reverse("compliance_branch", args=[cast.branch_a1.pk])
    )
    page = cast.client("unit_a_admin").get(cells[cast.branch_a2.pk].url)
    assert "未达标</span>" in page.content.decode()
