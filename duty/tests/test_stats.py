"""Person-times (人次): totals, groupings, scope, charts' JSON, the .xlsx export, query counts."""

import datetime as dt
import io
import json
import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from python_calamine import CalamineWorkbook

from conftest import Cast
from duty.models import DutyCheck
from duty.selectors import StatsFilters, person_times
from duty.tests.helpers import make_post, make_roster
from members.tests.factories import MemberFactory
from orgs.tests.factories import CampusFactory
from rosters.models import Assignment

START = dt.date(2020, 9, 17)
SLOTS = ["00–06", "06–12", "12–18", "18–24"]


@pytest.fixture
def season(cast: Cast) -> dict[str, Any]:
    """30 days from 9月17日, two gates on two campuses, four slots a day, three people a slot:
    720 person-shifts, all checked in; 10 more scheduled but missed; a draft roster ignored."""
    north = make_post(cast.school, "北门", campus=cast.unit_a.campus)
    east = make_post(cast.school, "东门", campus=CampusFactory.create(name="东校区"))
    roster = make_roster(cast.school, starts_on=START, ends_on=START + dt.timedelta(days=40))
    people = [
        MemberFactory.create(branch=cast.branch_a1 if i % 3 else cast.branch_b1) for i in range(12)
    ]
    rows = []
    i = 0
    for day in range(30):
        for post in (north, east):
            for slot in SLOTS:
                for _ in range(3):
                    rows.append(
                        Assignment(
                            roster=roster,
                            post=post,
                            member=people[i % len(people)],
                            date=START + dt.timedelta(days=day),
                            slot=slot,
                        )
                    )
                    i += 1
    worked = Assignment.objects.bulk_create(rows)
    now = timezone.now()
    DutyCheck.objects.bulk_create(
        DutyCheck(**DutyCheck.shift_fields(a), checked_in_at=now) for a in worked
    )
    Assignment.objects.bulk_create(
        Assignment(
            roster=roster,
            post=north,
            member=cast.member_a,
            date=START + dt.timedelta(days=31 + d),
            slot="06–12",
        )
        for d in range(10)
    )
    draft = make_roster(cast.school, name="草稿阶段", published=False)
    Assignment.objects.create(
        roster=draft, post=north, member=cast.member_a, date=START, slot="06–12"
    )
    return {"people": people, "north": north, "east": east, "roster": roster}


def test_720_person_times_since_september_17(cast: Cast, season: dict[str, Any]) -> None:
    figures = person_times(user=cast.users["school_admin"], filters=StatsFilters(date_from=START))
    assert figures.total == 720
    assert sum(r["n"] for r in figures.by_unit) == 720
    assert {r["name"]: r["n"] for r in figures.by_post} == {"北门": 360, "东门": 360}
    assert {r["name"]: r["n"] for r in figures.by_campus} == {"主校区": 360, "东校区": 360}
    assert [r["n"] for r in figures.by_phase] == [720]
    assert len(figures.by_day) == 30 and figures.by_day[0] == {"date": START, "n": 24}
    assert sum(r["n"] for r in figures.by_member) == 720 and figures.members == 12


def test_scheduled_toggle_counts_missed_shifts_too(cast: Cast, season: dict[str, Any]) -> None:
    user = cast.users["school_admin"]
    assert person_times(user=user, filters=StatsFilters(scheduled=True)).total == 730
    assert person_times(user=user, filters=StatsFilters()).total == 720


def test_date_range_and_filters(cast: Cast, season: dict[str, Any]) -> None:
    user = cast.users["duty_office"]
    week = StatsFilters(date_from=START, date_to=START + dt.timedelta(days=6))
    assert person_times(user=user, filters=week).total == 7 * 24
    east = StatsFilters(post=season["east"].pk)
    assert person_times(user=user, filters=east).total == 360
    unit_b = StatsFilters(unit=cast.unit_b.pk)
    assert person_times(user=user, filters=unit_b).total == 720 // 3


@pytest.mark.parametrize(
    ("who", "total"),
    [("school_admin", 720), ("duty_office", 720), ("unit_a_admin", 480), ("unit_b_admin", 240)],
)
def test_person_times_are_scoped(cast: Cast, season: dict[str, Any], who: str, total: int) -> None:
    figures = person_times(user=cast.users[who], filters=StatsFilters())
    assert figures.total == total


def test_stats_page_shows_the_figure_and_chart_json(cast: Cast, season: dict[str, Any]) -> None:
    response = cast.client("school_admin").get(reverse("duty_stats"), {"date_from": "2020-09-17"})
    html = response.content.decode()
    assert "累计值班 720 人次" in html
    found = re.search(r'id="chart-data"[^>]*>(.*?)</script>', html, re.S)
    assert found is not None
    data = json.loads(found.group(1))
    assert len(data["days"]) == 30 and data["days"][0] == "2020-09-17"
    assert sum(data["day_counts"]) == 720
    assert sorted(data["units"]) == ["化学学院党委", "计算机学院党委"]
    assert sum(data["unit_counts"]) == 720
    assert "echarts.min.js" in html


def test_unit_admin_page_counts_only_their_unit(cast: Cast, season: dict[str, Any]) -> None:
    html = cast.client("unit_a_admin").get(reverse("duty_stats")).content.decode()
    assert "累计值班 480 人次" in html
    assert "化学学院党委" not in html.split('id="figures"')[1]


def test_stats_page_htmx_returns_the_figures_partial(cast: Cast, season: dict[str, Any]) -> None:
    response = cast.client("school_admin").get(
        reverse("duty_stats"), {"scheduled": "1"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="figures">')
    assert "累计值班 730 人次" in html


def test_stats_page_query_count_does_not_grow(cast: Cast, season: dict[str, Any]) -> None:
    client = cast.client("school_admin")
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("duty_stats"), {"date_to": "2020-09-18"})
    with CaptureQueriesContext(connection) as large:
        client.get(reverse("duty_stats"))
    assert len(small) == len(large)
    assert len(large) <= 18  # session, user, grants; 9 figures; 4 menus


def test_stats_export_has_headers_and_totals(cast: Cast, season: dict[str, Any]) -> None:
    response = cast.client("school_admin").get(
        reverse("duty_stats_export"), {"date_from": "2020-09-17"}
    )
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    assert book.sheet_names == ["汇总", "按单位", "按岗位", "按校区", "按阶段", "按日期", "按人员"]
    summary = book.get_sheet_by_name("汇总").to_python()
    assert ["累计值班人次", 720] in [row[:2] for row in summary]
    units = book.get_sheet_by_name("按单位").to_python()
    assert units[0] == ["单位", "人次"]
    assert units[-1] == ["合计", 720]
    assert sum(float(str(row[1])) for row in units[1:-1]) == 720
    people = book.get_sheet_by_name("按人员").to_python()
    assert people[0] == ["学工号", "姓名", "单位", "党支部", "人次"]
    assert len(people) == 1 + 12 + 1 and people[-1][-1] == 720
    days = book.get_sheet_by_name("按日期").to_python()
    assert days[1][0] == dt.date(2020, 9, 17)
    assert days[-1] == ["合计", 720]


def test_unit_admin_export_is_scoped(cast: Cast, season: dict[str, Any]) -> None:
    response = cast.client("unit_b_admin").get(reverse("duty_stats_export"))
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    units = book.get_sheet_by_name("按单位").to_python()
    assert units[1:] == [["化学学院党委", 240], ["合计", 240]]
