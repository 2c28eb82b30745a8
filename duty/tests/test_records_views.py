"""The roster pages around duty records: a worked shift shows it is frozen, unpublish, re-solve
and delete ask first and say what they change, publishing after a hand edit works, and a
deactivated member's calendar feed stops."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import Cast
from duty.models import DutyCheck, DutyLog
from duty.tests.helpers import assign, make_post, make_roster
from rosters.models import Allocation, Assignment, CalendarFeed, Roster

DAY1 = dt.date(2020, 2, 3)
DAY2 = dt.date(2020, 2, 4)
SLOTS = [
    {"name": "08–14", "start": "08:00", "hours": 6},
    {"name": "20–02", "start": "20:00", "hours": 6},
]


@pytest.fixture
def roster(cast: Cast) -> Roster:
    """A draft roster of one post, two days of two shifts, four people allocated."""
    roster = make_roster(cast.school, starts_on=DAY1, ends_on=DAY2, published=False)
    post = make_post(cast.school, slots=SLOTS, headcount=1)
    roster.phase.posts.set([post])
    for m in (cast.member_a, cast.other_a, cast.member_b, cast.other_b):
        Allocation.objects.create(phase=roster.phase, post=post, member=m)
    return roster


def _fill(cast: Cast, roster: Roster, *, last: bool = True) -> list[Assignment]:
    post = roster.phase.posts.get()
    plan = [
        (cast.member_a, DAY1, "08–14"),
        (cast.other_a, DAY1, "20–02"),
        (cast.member_b, DAY2, "08–14"),
        (cast.other_b, DAY2, "20–02"),
    ]
    return [assign(roster, post, m, d, s) for m, d, s in (plan if last else plan[:3])]


def _check_in(a: Assignment) -> DutyCheck:
    Assignment.objects.filter(pk=a.pk).update(pinned=True)
    check = DutyCheck.objects.create(**DutyCheck.shift_fields(a), checked_in_at=timezone.now())
    DutyLog.objects.create(**DutyLog.shift_fields(a), temperatures_taken=3)
    return check


def test_publish_after_a_hand_edit_takes_the_new_version(cast: Cast, roster: Roster) -> None:
    _fill(cast, roster, last=False)
    client = cast.client("duty_office")
    page = client.get(reverse("roster_detail", args=[roster.pk])).content.decode()
    assert 'class="roster-version"' in page
    key = f"{roster.phase.posts.get().pk}|{DAY2.isoformat()}|20–02"
    response = client.post(
        reverse("roster_edit", args=[roster.pk]),
        {"version": roster.version, "op": f"add:{key}", f"member_{key}": cast.other_b.pk},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert "已安排" in body
    # The grid comes back with the publish form's version, swapped in out of band.
    found = re.search(r'value="(\d+)" class="roster-version" hx-swap-oob', body)
    assert found is not None
    version = int(found.group(1))
    assert version == Roster.objects.get(pk=roster.pk).version != roster.version
    response = client.post(reverse("roster_publish", args=[roster.pk]), {"version": version})
    assert response.status_code == 302
    assert Roster.objects.get(pk=roster.pk).state == Roster.State.PUBLISHED


def test_a_worked_shift_shows_it_is_frozen(cast: Cast, roster: Roster) -> None:
    first = _fill(cast, roster)[0]
    _check_in(first)
    client = cast.client("duty_office")
    page = client.get(reverse("roster_detail", args=[roster.pk]) + f"?day={DAY1}").content
    assert "已签到，不能调整" in page.decode()
    response = client.post(
        reverse("roster_edit", args=[roster.pk]),
        {"version": roster.version, "op": f"remove:{first.pk}", "day": DAY1.isoformat()},
        HTTP_HX_REQUEST="true",
    )
    assert "已签到，不能调整" in response.content.decode()
    assert Assignment.objects.filter(pk=first.pk).exists()


@pytest.mark.parametrize(
    ("action", "published", "says"),
    [
        ("roster_solve", False, ['将移除 <strong id="n-removed">3</strong>', "已签到的"]),
        ("roster_delete", False, ['全部 <strong id="n-removed">4</strong> 条安排']),
        ("roster_publish", True, ["回到草稿", "所有 <strong>4</strong> 条安排保持不变"]),
    ],
)
def test_confirm_pages_say_what_will_change(
    cast: Cast, roster: Roster, action: str, published: bool, says: list[str]
) -> None:
    _check_in(_fill(cast, roster)[0])
    if published:
        Roster.objects.filter(pk=roster.pk).update(state=Roster.State.PUBLISHED)
    versions = dict(Roster.objects.values_list("pk", "version"))
    page = cast.client("duty_office").get(reverse(action, args=[roster.pk])).content.decode()
    for text in says:
        assert text in page
    assert '签到记录 <strong id="n-check-ins">1</strong>' in page
    assert '值班日志 <strong id="n-logs">1</strong>' in page
    assert dict(Roster.objects.values_list("pk", "version")) == versions  # asking changes nothing
    assert Assignment.objects.count() == 4


def test_deleting_a_roster_through_the_page_keeps_every_record(cast: Cast, roster: Roster) -> None:
    _check_in(_fill(cast, roster)[0])
    response = cast.client("duty_office").post(reverse("roster_delete", args=[roster.pk]))
    assert response.status_code == 302
    assert not Roster.objects.filter(pk=roster.pk).exists()
    check, log = DutyCheck.objects.get(), DutyLog.objects.get()
    assert (check.member, check.date, check.slot) == (cast.member_a, DAY1, "08–14")
    assert (log.member, log.date, log.slot) == (cast.member_a, DAY1, "08–14")


def test_a_deactivated_members_calendar_feed_stops(cast: Cast) -> None:
    feed = CalendarFeed.objects.create(member=cast.member_a)
    url = reverse("calendar_feed", args=[feed.key])
    assert cast.client("anonymous").get(url).status_code == 200
    user = cast.users["member_a"]
    user.is_active = False
    user.save()
    assert cast.client("anonymous").get(url).status_code == 404


def test_a_shift_page_whose_log_author_is_gone_still_shows(cast: Cast, roster: Roster) -> None:
    first = _fill(cast, roster)[0]
    _check_in(first)
    Roster.objects.filter(pk=roster.pk).update(state=Roster.State.PUBLISHED)
    assert DutyLog.objects.get().written_by is None
    response = cast.client("duty_office").get(reverse("duty_shift", args=[first.pk]))
    assert response.status_code == 200
    assert "测温 <strong>3</strong>" in response.content.decode()


HUGE = str(10**30)


@pytest.mark.parametrize(
    ("who", "url"),
    [
        ("duty_office", "/duty/stats/?phase=" + HUGE),
        ("duty_office", "/duty/stats/?unit=" + HUGE + "&post=" + HUGE),
        ("duty_office", "/api/duty/person-times?phase=" + HUGE),
        ("duty_office", "/rosters/r/{roster}/print/?post=" + HUGE + "&campus=" + HUGE),
        ("duty_office", "/rosters/phases/{phase}/allocate/?post=" + HUGE),
    ],
)
def test_a_huge_number_in_a_query_is_no_500(cast: Cast, roster: Roster, who: str, url: str) -> None:
    url = url.format(roster=roster.pk, phase=roster.phase_id)
    response = cast.client(who).get(url)
    assert response.status_code in (200, 400)


@pytest.mark.parametrize("op", ["remove:" + HUGE, "add:x|y|z", "add:1|2020-13-45|08–14"])
def test_a_mangled_edit_is_refused_in_chinese(cast: Cast, roster: Roster, op: str) -> None:
    response = cast.client("duty_office").post(
        reverse("roster_edit", args=[roster.pk]),
        {"version": roster.version, "op": op, "member_x|y|z": cast.member_a.pk},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code in (200, 404)
    assert Roster.objects.get(pk=roster.pk).version == roster.version
