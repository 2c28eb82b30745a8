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
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from access.models import Grant
from access.scope import ROLE_PERMS, Perm, has_perm_anywhere, own_member_id
from gates.models import Entry, Gate, GateKeeper
from members.models import Member
from orgs.models import Campus
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


@dataclass(frozen=True)
class Access:
    """What one query learnt of a user at a gate (gate_to_register): whether they may register
    there at any time (GATE_MANAGE, or a keeper of the gate) and their own member id."""

    always: bool
    own: int | None


class Registrar:
    """Decides, for one user and one gate, whether an entry at a given time may be stored.
    Built once per batch: a fixed number of queries whatever the batch's size (none beyond
    gate_to_register's for a manager or a keeper, one for an officer on the roster)."""

    def __init__(
        self,
        user: Any,
        gate: Gate,
        moments: Iterable[dt.datetime],
        *,
        access: Access | None = None,
    ) -> None:
        if access is None:
            access = Access(
                always=manages_gates(user) or gate.pk in _keeper_gate_ids(user),
                own=own_member_id(user),
            )
        self.always = access.always
        self.windows: list[tuple[dt.datetime, dt.datetime]] = []
        if self.always or gate.post_id is None:
            return
        own = access.own
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


GATE_MANAGERS = sorted(role for role, perms in ROLE_PERMS.items() if Perm.GATE_MANAGE in perms)


# The one query of gate_to_register (tables by their models' names; the columns are Django's).
_GATE_SQL = """
SELECT g.id, g.campus_id, g.name, g.post_id, k.name,
    EXISTS (SELECT 1 FROM {grant} WHERE user_id = %s AND role IN ({roles})),
    me.id,
    EXISTS (SELECT 1 FROM {keeper} gk WHERE gk.gate_id = g.id AND gk.member_id = me.id),
    EXISTS (
        SELECT 1 FROM {assignment} a JOIN {roster} r ON r.id = a.roster_id
        WHERE a.member_id = me.id AND a.post_id = g.post_id AND r.state = %s
            AND a.date >= %s AND a.date <= %s
    )
FROM {gate} g
    JOIN {campus} k ON k.id = g.campus_id
    LEFT JOIN {member} me ON me.user_id = %s
WHERE g.id = %s AND g.active
"""


def _gate_sql() -> str:
    tables = {
        "grant": Grant,
        "keeper": GateKeeper,
        "assignment": Assignment,
        "roster": Roster,
        "gate": Gate,
        "campus": Campus,
        "member": Member,
    }
    return _GATE_SQL.format(
        roles=", ".join(["%s"] * len(GATE_MANAGERS)),
        **{name: connection.ops.quote_name(m._meta.db_table) for name, m in tables.items()},
    )


_SQL_BY_VENDOR: dict[str, str] = {}


def gate_to_register(user: Any, pk: int) -> tuple[Gate, Access]:
    """get_gate_for_user(user, pk) and what Registrar needs, in one query (the gate sync's
    hot path: a phone sends each entry as it is made). The same rule as gates_to_register:
    GATE_MANAGE holders, the gate's keepers, officers with a shift on its post from a week ago
    to tomorrow; anyone else, or an inactive or missing gate, is a 404."""
    if not user.is_authenticated:
        raise Http404
    sql = _SQL_BY_VENDOR.get(connection.vendor)
    if sql is None:
        sql = _SQL_BY_VENDOR[connection.vendor] = _gate_sql()
    today = timezone.localdate()
    params = [
        user.pk,
        *GATE_MANAGERS,
        Roster.State.PUBLISHED.value,
        today - VISIBLE_BEFORE,
        today + dt.timedelta(days=1),
        user.pk,
        pk,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        raise Http404
    gate_id, campus_id, name, post_id, campus_name, manages, own, keeper, shift = row
    if not (manages or keeper or shift):
        raise Http404
    # as the ORM would have loaded it (created_at deferred), with its campus's name for str()
    gate = Gate.from_db(
        connection.alias,
        ["id", "campus_id", "name", "post_id", "active"],
        [gate_id, campus_id, name, post_id, True],
    )
    gate.campus = Campus.from_db(connection.alias, ["id", "name"], [campus_id, campus_name])
    user._own_member_id = own  # what access.scope.own_member_id would read again
    return gate, Access(always=bool(manages or keeper), own=own)


def entries_for_user(user: Any) -> QuerySet[Entry]:
    if not manages_gates(user):
        return Entry.objects.none()
    return Entry.objects.all()
