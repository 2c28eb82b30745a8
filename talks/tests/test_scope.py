"""谈心谈话 privacy, role by role: the notes are read by the talker and by those holding
TALK_VIEW over the member's branch (its secretary, the unit, 组织部); the member talked with
sees only that a talk took place; nobody else learns of it."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from conftest import Cast
from talks.scope import get_member_talks_for_user, get_talk_for_user, talks_for_user
from talks.tests.helpers import talk

# A talk with member_a (branch A1) given by other_a (A2, no login) — who learns of it:
# "notes": reads the notes; "exists": sees that it happened; "none": nothing.
WITH_MEMBER_A = {
    "school_admin": "notes",
    "unit_a_admin": "notes",
    "unit_b_admin": "none",
    "branch_secretary": "notes",
    "duty_office": "none",
    "reviewer": "none",
    "member_a": "exists",
    "member_b": "none",
}


@pytest.mark.parametrize(("who", "sees"), WITH_MEMBER_A.items())
def test_who_sees_a_talk_and_its_notes(cast: Cast, who: str, sees: str) -> None:
    t = talk(cast, cast.member_a, talker=cast.other_a)
    user = cast.users[who]

    listed = {x.pk: x.notes_visible for x in talks_for_user(user)}  # type: ignore[attr-defined]

    if sees == "none":
        assert t.pk not in listed
        with pytest.raises(Http404):
            get_talk_for_user(user, t.pk)
        return
    assert listed[t.pk] is (sees == "notes")
    assert get_talk_for_user(user, t.pk).notes_visible is (sees == "notes")  # type: ignore[attr-defined]


def test_talker_reads_the_notes_of_their_own_talk_outside_their_scope(cast: Cast) -> None:
    # member_a (a plain member of A1) talked with member_b of unit B
    t = talk(cast, cast.member_b, talker=cast.member_a)

    assert get_talk_for_user(cast.users["member_a"], t.pk).notes_visible  # type: ignore[attr-defined]
    # and member_b, talked with, only sees that it happened
    assert not get_talk_for_user(cast.users["member_b"], t.pk).notes_visible  # type: ignore[attr-defined]
    # unit B's admin reads it (their member), unit A's does not even see it
    assert get_talk_for_user(cast.users["unit_b_admin"], t.pk).notes_visible  # type: ignore[attr-defined]
    with pytest.raises(Http404):
        get_talk_for_user(cast.users["unit_a_admin"], t.pk)


@pytest.mark.parametrize(
    ("who", "outcome"),
    [
        ("school_admin", "ok"),
        ("unit_a_admin", "ok"),
        ("branch_secretary", "ok"),
        ("unit_b_admin", Http404),
        ("duty_office", Http404),
        ("member_a", PermissionDenied),  # the member talked with may not mark the follow-up
        ("member_b", Http404),
    ],
)
def test_who_may_mark_a_follow_up(cast: Cast, who: str, outcome: object) -> None:
    t = talk(cast, cast.member_a, talker=cast.other_a)
    user = cast.users[who]

    if outcome == "ok":
        assert get_talk_for_user(user, t.pk, write=True) == t
    else:
        with pytest.raises(outcome):  # type: ignore[call-overload]
            get_talk_for_user(user, t.pk, write=True)


def test_talker_may_mark_their_own_follow_up(cast: Cast) -> None:
    t = talk(cast, cast.member_b, talker=cast.member_a)

    assert get_talk_for_user(cast.users["member_a"], t.pk, write=True) == t


@pytest.mark.parametrize(
    ("who", "outcome"),
    [
        ("school_admin", True),
        ("unit_a_admin", True),
        ("branch_secretary", True),
        ("member_a", False),  # their own history: dates only
        ("unit_b_admin", Http404),
        ("reviewer", Http404),
        ("duty_office", PermissionDenied),  # sees the roll, not the talks
        ("member_b", Http404),
    ],
)
def test_who_opens_a_members_talk_history(cast: Cast, who: str, outcome: object) -> None:
    user = cast.users[who]

    if isinstance(outcome, bool):
        member, notes = get_member_talks_for_user(user, cast.member_a.pk)
        assert member == cast.member_a
        assert notes is outcome
    else:
        with pytest.raises(outcome):  # type: ignore[call-overload]
            get_member_talks_for_user(user, cast.member_a.pk)


def test_the_notes_follow_the_branch_of_the_day_not_a_later_transfer(cast: Cast) -> None:
    t = talk(cast, cast.member_a, talker=cast.other_a)
    cast.member_a.branch = cast.branch_b1
    cast.member_a.save()

    assert get_talk_for_user(cast.users["unit_a_admin"], t.pk).notes_visible  # type: ignore[attr-defined]
    with pytest.raises(Http404):
        get_talk_for_user(cast.users["unit_b_admin"], t.pk)
