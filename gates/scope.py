"""Scope of gates: every page, export and API endpoint fetches gates and entries here.

- The duty office and 组织部 (GATE_MANAGE) keep the gates and their keepers, read every entry,
  the figures and the exports, import a device's saved file, and may register at any gate.
- An officer registers at a gate while on one of its post's shifts on a published roster (the
  gate's roster post), or at any time if the duty office assigned them to it (GateKeeper).
  Each entry is checked against its own time, so entries made on a shift and synced after it
  still count; a gate is visible to an officer with a shift there from a week ago to tomorrow.
- Entries are read only by GATE_MANAGE holders; an officer sees the entries on their device.
- Every member with a login has their own pass code.
"""

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from access.scope import Perm, has_perm_anywhere, own_member_id
from gates.models import Entry, Gate, GateKeeper
from rosters.models import Assignment, Roster

# An officer's entries are accepted this long before and after their shift (handover, a late
# relief, a phone clock a little off).
SHIFT_GRACE = dt.timedelta(minutes=30)
VISIBLE_BEFORE = dt.timedelta(days=7)


def manages_gates(user: Any) -> bool:
    return bool(user.is_authenticated) and has_perm_anywhere(user, Perm.GATE_MANAGE)


def _keeper_gate_ids(user: Any) -> set[int]:
    own = own_member_id(user)
    if own is None:
        return set()
    return set(GateKeeper.objects.filter(member_id=own).values_list("gate_id", flat=True))


def _shifts(member_id: int, post_ids: Iterable[int], days: Iterable[dt.date]) -> list[Any]:
    return list(
        Assignment.objects.filter(
            member_id=member_id,
            post_id__in=list(post_ids),
            date__in=list(days),
            roster__state=Roster.State.PUBLISHED,
        )
        .select_related("post")
        .only("date", "slot", "post_id", "post__slots")
    )


def shift_window(assignment: Any) -> tuple[dt.datetime, dt.datetime] | None:
    """When the shift starts and ends (aware, local time), from its post's slot table."""
    for slot in assignment.post.slots or []:
        if slot.get("name") == assignment.slot:
            hour, minute = (int(x) for x in str(slot.get("start", "00:00")).split(":"))
            start = timezone.make_aware(dt.datetime.combine(assignment.date, dt.time(hour, minute)))
            return start, start + dt.timedelta(hours=float(slot.get("hours", 24)))
    return None


class Registrar:
    """Decides, for one user and one gate, whether an entry at a given time may be stored.
    Built once per batch: a fixed number of queries whatever the batch's size."""

    def __init__(self, user: Any, gate: Gate, moments: Iterable[dt.datetime]) -> None:
        self.always = manages_gates(user) or gate.pk in _keeper_gate_ids(user)
        self.windows: list[tuple[dt.datetime, dt.datetime]] = []
        if self.always or gate.post_id is None:
            return
        own = own_member_id(user)
        if own is None:
            return
        days = set()
        for moment in moments:
            day = timezone.localdate(moment)
            days |= {day, day - dt.timedelta(days=1)}  # a night shift began the day before
        for shift in _shifts(own, [gate.post_id], days):
            window = shift_window(shift)
            if window is not None:
                self.windows.append((window[0] - SHIFT_GRACE, window[1] + SHIFT_GRACE))

    def allows(self, moment: dt.datetime) -> bool:
        return self.always or any(start <= moment < end for start, end in self.windows)


def gates_to_register(user: Any) -> QuerySet[Gate]:
    """Gates the user may open 门岗登记 for: all of them for GATE_MANAGE; an officer's gates
    (assigned, or with a shift from a week ago to tomorrow)."""
    gates = Gate.objects.filter(active=True).select_related("campus", "post")
    if not user.is_authenticated:
        return gates.none()
    if manages_gates(user):
        return gates
    own = own_member_id(user)
    if own is None:
        return gates.none()
    today = timezone.localdate()
    posts = Assignment.objects.filter(
        member_id=own,
        roster__state=Roster.State.PUBLISHED,
        date__gte=today - VISIBLE_BEFORE,
        date__lte=today + dt.timedelta(days=1),
    ).values("post_id")
    return gates.filter(Q(post_id__in=posts) | Q(keepers__member_id=own)).distinct()


def get_gate_for_user(user: Any, pk: Any, *, manage: bool = False) -> Gate:
    """The gate, or 404: with `manage`, for GATE_MANAGE holders; otherwise for whoever may
    register there (see gates_to_register)."""
    if manage:
        if not manages_gates(user):
            raise Http404
        gate = Gate.objects.filter(pk=pk).select_related("campus", "post").first()
    else:
        gate = gates_to_register(user).filter(pk=pk).first()
    if gate is None:
        raise Http404
    return gate


def entries_for_user(user: Any) -> QuerySet[Entry]:
    if not manages_gates(user):
        return Entry.objects.none()
    return Entry.objects.all()
