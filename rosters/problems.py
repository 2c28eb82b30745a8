"""The database ⇄ lib.roster bridge: a Roster's rows as a `Problem`, and a result back as rows.

Ids in the problem: a person is the Member's pk, a post the Post's pk, a shift
"<post pk>|<date>|<slot name>". A roster staffs the phase's posts of its own level set by its
own org's subtree: the school's roster the school-level posts, a unit's roster its unit posts.
"""

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from lib.roster import problem as lp
from members.models import Member
from rosters.models import Allocation, Assignment, Post, Roster, SignUp

DEFAULT_SETTINGS: dict[str, Any] = {
    "rest_hours": 12,
    "weekly_cap": None,
    "time_limit": 30,
    "leaders_own_group": True,  # 校领导's load compared among themselves
    "person_caps": {},  # 学工号 or name -> own weekly cap in units
    "weights": {"spread": 100, "preference": 1, "unwanted_day": 1, "night": 1},
}

# A shift is a night shift when it overlaps these hours of a day (and is shorter than a day).
NIGHT_START, NIGHT_END = 0, 6


def roster_settings(roster: Roster) -> dict[str, Any]:
    merged = {**DEFAULT_SETTINGS, **(roster.settings or {})}
    merged["weights"] = {
        **DEFAULT_SETTINGS["weights"],
        **(roster.settings or {}).get("weights", {}),
    }
    return merged


def shift_id(post_id: int, date: dt.date | str, slot: str) -> str:
    return f"{post_id}|{date}|{slot}"


def parse_shift_id(sid: str) -> tuple[int, dt.date, str]:
    post, date, slot = sid.split("|", 2)
    return int(post), dt.date.fromisoformat(date), slot


def days(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]


def slot_times(date: dt.date, slot: dict[str, Any]) -> tuple[dt.datetime, dt.datetime]:
    hour, minute = (int(x) for x in str(slot.get("start", "00:00")).split(":"))
    start = dt.datetime.combine(date, dt.time(hour, minute))
    return start, start + dt.timedelta(hours=float(slot.get("hours", 6)))


def slot_units(slot: dict[str, Any]) -> int:
    """What a shift counts towards the weekly cap and the load: the slot's own `units`, else one
    per started 12 hours (a 6-, 8- or 12-hour shift 1, a 24-hour duty 2)."""
    if slot.get("units"):
        return max(1, int(slot["units"]))
    return max(1, math.ceil(float(slot.get("hours", 6)) / 12 - 1e-9))


def is_night(start: dt.datetime, end: dt.datetime) -> bool:
    if end - start >= dt.timedelta(hours=24):
        return False
    day = start.date()
    for d in (day, day + dt.timedelta(days=1)):
        n0 = dt.datetime.combine(d, dt.time(NIGHT_START))
        n1 = dt.datetime.combine(d, dt.time(NIGHT_END))
        if start < n1 and end > n0:
            return True
    return False


def roster_posts(roster: Roster) -> list[Post]:
    return list(
        roster.phase.posts.filter(
            active=True, level=roster.level, org__path__startswith=roster.org.path
        )
        .select_related("campus")
        .order_by("campus__name", "name", "pk")
    )


@dataclass
class Built:
    """A problem and what it was built from, for turning ids back into rows."""

    problem: lp.Problem
    posts: dict[int, Post]
    members: dict[int, Member]
    assignments: list[lp.Assignment] = field(default_factory=list)  # the roster's current ones


def problem_build(roster: Roster, *, posts: Iterable[Post] | None = None) -> Built:
    phase = roster.phase
    post_rows = list(posts) if posts is not None else roster_posts(roster)
    post_by_id = {p.pk: p for p in post_rows}
    conf = roster_settings(roster)

    problem_posts = [
        lp.Post(
            id=str(p.pk),
            name=p.place or p.name,
            campus=p.campus.name if p.campus else "",
            min_cadres=p.min_cadres,
            category=p.category,
            gender=p.gender,
            is_leader_duty=p.is_leader_duty,
        )
        for p in post_rows
    ]
    shifts: list[lp.Shift] = []
    shift_ids: set[str] = set()
    for day in days(phase.starts_on, phase.ends_on):
        for p in post_rows:
            for slot in p.slots or []:
                start, end = slot_times(day, slot)
                sid = shift_id(p.pk, day, slot["name"])
                shift_ids.add(sid)
                shifts.append(
                    lp.Shift(
                        id=sid,
                        post=str(p.pk),
                        date=day.isoformat(),
                        slot=slot["name"],
                        start=start.isoformat(timespec="minutes"),
                        end=end.isoformat(timespec="minutes"),
                        headcount=p.headcount,
                        night=is_night(start, end),
                        units=slot_units(slot),
                    )
                )

    allocated: dict[int, list[str]] = {}
    for member_id, post_id in Allocation.objects.filter(
        phase=phase, post_id__in=post_by_id
    ).values_list("member_id", "post_id"):
        allocated.setdefault(member_id, []).append(str(post_id))
    # People already on the roster stay in the problem, so a check can name them.
    current = list(
        Assignment.objects.filter(roster=roster).values_list(
            "post_id", "date", "slot", "member_id", "pinned"
        )
    )
    member_ids = set(allocated) | {row[3] for row in current}
    members = {m.pk: m for m in Member.objects.filter(pk__in=member_ids).select_related("campus")}
    signups = {s.member_id: s for s in SignUp.objects.filter(phase=phase, member_id__in=member_ids)}
    leader_posts = {str(p.pk) for p in post_rows if p.is_leader_duty}
    own_caps: dict[str, int] = conf.get("person_caps") or {}
    people = []
    for mid in sorted(members):
        m = members[mid]
        s = signups.get(mid)
        unavailable_shifts = []
        if s is not None:
            for date, slot in s.unavailable_slots or []:
                for pid in post_by_id:
                    sid = shift_id(pid, date, slot)
                    if sid in shift_ids:
                        unavailable_shifts.append(sid)
        is_leader = any(a in leader_posts for a in allocated.get(mid, []))
        number = m.number
        own_cap = own_caps.get(number) if number in own_caps else own_caps.get(m.name)
        people.append(
            lp.Person(
                id=str(mid),
                name=m.name,
                is_cadre=bool(m.cadre_rank),
                is_leader=is_leader,
                fairness_group=(
                    lp.LEADER_GROUP if is_leader and conf.get("leaders_own_group", True) else ""
                ),
                weekly_cap=None if own_cap is None else int(own_cap),
                category=m.category,
                gender=m.gender,
                campus=(s.campus.name if s and s.campus else (m.campus.name if m.campus else "")),
                unavailable_dates=list(s.unavailable_dates) if s else [],
                unavailable_shifts=unavailable_shifts,
                wanted_posts=[str(p) for p in (s.wanted_posts if s else []) if p in post_by_id],
                avoid_night=bool(s and s.avoid_night),
                allocated_posts=allocated.get(mid, []),
            )
        )
    pinned = []
    assignments = []
    for post_id, date, slot, member_id, is_pinned in current:
        pair = (shift_id(post_id, date, slot), str(member_id))
        if pair[0] not in shift_ids:
            continue
        assignments.append(pair)
        if is_pinned:
            pinned.append(pair)
    problem = lp.Problem(
        people=people,
        posts=problem_posts,
        shifts=shifts,
        rules=lp.Rules(
            rest_hours=float(conf["rest_hours"]),
            weekly_cap=int(conf["weekly_cap"]) if conf.get("weekly_cap") else None,
            pinned=pinned,
        ),
        weights=lp.Weights(**{k: int(v) for k, v in conf["weights"].items()}),
        name=str(roster),
    )
    return Built(problem=problem, posts=post_by_id, members=members, assignments=assignments)


def assignment_rows(
    roster: Roster, pairs: Iterable[lp.Assignment], *, pinned: bool = False
) -> list[Assignment]:
    """Unsaved Assignment rows for (shift id, person id) pairs."""
    rows = []
    for sid, pid in pairs:
        post_id, date, slot = parse_shift_id(sid)
        rows.append(
            Assignment(
                roster=roster,
                post_id=post_id,
                date=date,
                slot=slot,
                member_id=int(pid),
                pinned=pinned,
            )
        )
    return rows
