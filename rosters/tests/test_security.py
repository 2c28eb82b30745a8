"""Security review findings in the rosters app (issue 7 §5), each shown failing first: the
duty office's powers, audited bulk reads of phone numbers, audited changes, and a post form
that refuses nonsense with a Chinese reason."""

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from access.models import Role
from access.scope import ROLE_PERMS, Perm
from audit.models import AuditEvent
from conftest import Cast
from rosters.models import Assignment, Post
from rosters.tests.conftest import DAY1, DAY2, Small

POST = {
    "name": "南门值班值守岗",
    "kind": "gate_duty",
    "place": "南门",
    "headcount": "2",
    "min_cadres": "0",
    "slots_text": "白班 08:00 12\n夜班 20:00 12",
    "active": "on",
}


def _fill(cast: Cast, small: Small) -> None:
    plan = [
        (cast.member_a, DAY1, "08–14"),
        (cast.other_a, DAY1, "20–02"),
        (cast.member_b, DAY2, "08–14"),
        (cast.other_b, DAY2, "20–02"),
    ]
    for m, d, s in plan:
        Assignment.objects.create(roster=small.roster, post=small.post, member=m, date=d, slot=s)


# --- the duty office ----------------------------------------------------------------------


def test_duty_office_powers_are_what_the_readme_says() -> None:
    perms = ROLE_PERMS[Role.DUTY_OFFICE]
    for held in (
        Perm.POST_MANAGE,
        Perm.ALLOCATE,
        Perm.ROSTER_MANAGE,
        Perm.DUTY_STATS,
        Perm.DUTY_FULL_PHONE,
    ):
        assert held in perms
    for withheld in (
        Perm.MEMBER_FULL_PHONE,
        Perm.MEMBER_FULL_ID,
        Perm.MEMBER_EDIT,
        Perm.MEMBER_IMPORT,
        Perm.GRANT_MANAGE,
    ):
        assert withheld not in perms


def test_duty_office_sees_full_phones_on_rosters_but_not_in_the_roll(
    cast: Cast, small: Small
) -> None:
    _fill(cast, small)
    office = cast.client("duty_office")
    page = office.get(reverse("roster_print", args=[small.roster.pk])).content.decode()
    assert "13800000001" in page  # to phone the person on duty
    roll = office.get(reverse("member_list")).content.decode()
    assert "13800000001" not in roll  # the member roll stays masked
    # Others do not reach the school's roster at all.
    response = cast.client("branch_secretary").get(reverse("roster_print", args=[small.roster.pk]))
    assert response.status_code == 404


# --- audited bulk reads -------------------------------------------------------------------


@pytest.mark.parametrize("url", ["roster_print", "roster_export"])
def test_a_roster_read_with_full_phones_is_audited(cast: Cast, small: Small, url: str) -> None:
    _fill(cast, small)
    cast.client("duty_office").get(reverse(url, args=[small.roster.pk]))
    event = AuditEvent.objects.get(action=url.replace("_", "."))
    assert event.actor == cast.users["duty_office"]
    assert event.target_id == str(small.roster.pk)
    assert event.changes["full_phones"] == 4


def test_the_api_roster_read_with_full_phones_is_audited(cast: Cast, small: Small) -> None:
    _fill(cast, small)
    response = cast.client("duty_office").get(f"/api/rosters/{small.roster.pk}")
    assert response.status_code == 200
    assert AuditEvent.objects.get(action="roster.api_read").changes == {"full_phones": 4}


# --- audited changes ----------------------------------------------------------------------


def test_a_post_update_audits_the_fields_it_changed(cast: Cast, small: Small) -> None:
    client = cast.client("duty_office")
    data = {**POST, "org": cast.school.pk, "name": "北门值班值守岗", "headcount": "3"}
    data["slots_text"] = "08–14 08:00 6\n20–02 20:00 6"
    response = client.post(reverse("post_edit", args=[small.post.pk]), data)
    assert response.status_code == 302
    changes = AuditEvent.objects.get(action="post.update").changes
    assert changes["headcount"] == [1, 3]
    assert "name" not in changes  # unchanged fields are not listed


def test_a_phase_update_audits_the_fields_it_changed(cast: Cast, small: Small) -> None:
    client = cast.client("duty_office")
    response = client.post(
        reverse("phase_edit", args=[small.phase.pk]),
        {
            "name": "第一阶段（延长）",
            "org": cast.school.pk,
            "starts_on": DAY1.isoformat(),
            "ends_on": (DAY2 + dt.timedelta(days=1)).isoformat(),
            "posts": [small.post.pk],
        },
    )
    assert response.status_code == 302
    changes = AuditEvent.objects.get(action="phase.update").changes
    assert changes["name"] == ["第一阶段", "第一阶段（延长）"]
    assert changes["ends_on"] == [str(DAY2), str(DAY2 + dt.timedelta(days=1))]
    assert "starts_on" not in changes


def test_a_signup_update_audits_the_fields_it_changed(cast: Cast, small: Small) -> None:
    from rosters import services

    signup = small.phase.signups.get(member=cast.member_a)
    services.signup_save(
        actor=cast.users["member_a"],
        phase=small.phase,
        member=cast.member_a,
        wanted_posts=[small.post.pk],
        unavailable_dates=[],
        unavailable_slots=[],
        campus=None,
        health_ok=True,
        health_note="",
        phone="13800000077",
        avoid_night=True,
    )
    changes = AuditEvent.objects.get(action="signup.update", target_id=str(signup.pk)).changes
    assert changes["phone"] == [signup.phone, "13800000077"]
    assert changes["avoid_night"] == [False, True]
    assert "wanted_posts" not in changes


# --- the post form refuses nonsense -------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("headcount", "0", "每班人数应在 1 到 200 人之间"),
        ("headcount", str(10**14), "每班人数应在 1 到 200 人之间"),
        ("min_cadres", "3", "不能多于每班人数"),
        ("min_cadres", str(10**14), "每班至少干部数应在 0 到 200 人之间"),
        ("slots_text", "白班 25:00 12", "开始时间「25:00」应为 时:分"),
        ("slots_text", "白班 08:00 0", "时长应大于 0 且不超过 24 小时"),
        ("slots_text", "白班 08:00 nan", "时长应大于 0 且不超过 24 小时"),
        ("slots_text", "白班 08:00 30", "时长应大于 0 且不超过 24 小时"),
        ("slots_text", "白班 08:00 6\n白班 14:00 6", "与前面重复"),
        ("slots_text", f"{'长' * 31} 08:00 6", "班次名称过长"),
        ("slots_text", "白班 08:00", "应为「名称 开始时间 时长」三项"),
    ],
)
def test_the_post_form_refuses_nonsense(cast: Cast, field: str, value: str, says: str) -> None:
    data: dict[str, Any] = {**POST, "org": cast.school.pk, field: value}
    response = cast.client("duty_office").post(reverse("post_new"), data)
    assert response.status_code == 200
    assert says in response.content.decode()
    assert not Post.objects.exists()
