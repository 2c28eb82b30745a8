"""Who may take which shift, and the per-assignment penalty: shared by the greedy, the model,
the scorer and the reasons (the independent checker in checker.py does not use this).

Everything is in indices (people, shifts in the problem's list order) for speed.
"""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass

from lib.roster.problem import Person, Post, Problem, Shift


def allowed_by_post(person: Person, post: Post) -> bool:
    """Allocated to the post and matching its category and gender rules."""
    if post.id not in person.allocated_posts:
        return False
    if post.category and person.category != post.category:
        return False
    return not (post.gender and person.gender != post.gender)


def penalty(problem: Problem, person: Person, shift: Shift) -> int:
    """The soft cost of putting this person on this shift (see docs/roster-format.md): a broken
    preference counts once per assignment, at the dearest of its reasons."""
    w = problem.weights
    cost = 0
    if person.wanted_posts and shift.post not in person.wanted_posts:
        cost = max(cost, w.preference)
    if shift.date in person.unwanted_dates:
        cost = max(cost, w.unwanted_day)
    if shift.night and person.avoid_night:
        cost = max(cost, w.night)
    return cost


def group_names(problem: Problem) -> list[str]:
    """The fairness groups, in order of first appearance."""
    return list(dict.fromkeys(p.fairness_group for p in problem.people))


@dataclass
class Index:
    """The problem in indices: eligible shifts per person and people per shift, times as
    minutes from the earliest start, ISO weeks, penalties."""

    problem: Problem
    person_pos: dict[str, int]
    shift_pos: dict[str, int]
    start: list[int]  # minutes
    end: list[int]
    week: list[tuple[int, int]]  # ISO (year, week) of the shift's date
    day: list[int]  # ordinal of the shift's date
    shifts_of: list[list[int]]  # person -> eligible shifts (sorted by start)
    people_of: list[list[int]]  # shift -> eligible people
    pen: dict[tuple[int, int], int]  # (person, shift) -> penalty, only where > 0
    pinned: list[tuple[int, int]]  # (shift, person), deduplicated
    group: list[int]  # person -> fairness group (index into groups)
    groups: list[str]  # the fairness groups' names
    units: list[int]  # shift -> units (weight towards the cap and the load)
    cap: list[int | None]  # person -> weekly cap in units (their own, else the rule's)

    @property
    def n_people(self) -> int:
        return len(self.problem.people)

    @property
    def n_shifts(self) -> int:
        return len(self.problem.shifts)

    def cost(self, p: int, s: int) -> int:
        return self.pen.get((p, s), 0)

    @property
    def n_groups(self) -> int:
        return len(self.groups)

    def load(self, pairs: list[tuple[int, int]]) -> list[int]:
        """Per person: units of the (shift, person) pairs."""
        out = [0] * self.n_people
        for s, p in pairs:
            out[p] += self.units[s]
        return out


def build_index(problem: Problem) -> Index:
    shifts = problem.shifts
    posts = {p.id: p for p in problem.posts}
    starts_dt = [s.start_dt for s in shifts]
    origin = min(starts_dt) if starts_dt else dt.datetime(2000, 1, 1)
    start = [int((t - origin).total_seconds() // 60) for t in starts_dt]
    end = [int((s.end_dt - origin).total_seconds() // 60) for s in shifts]
    dates = [dt.date.fromisoformat(s.date) for s in shifts]
    week = [(d.isocalendar()[0], d.isocalendar()[1]) for d in dates]
    day = [d.toordinal() for d in dates]
    shifts_by_post: dict[str, list[int]] = {}
    for i, s in enumerate(shifts):
        shifts_by_post.setdefault(s.post, []).append(i)
    shift_pos = {s.id: i for i, s in enumerate(shifts)}
    shifts_of: list[list[int]] = []
    people_of: list[list[int]] = [[] for _ in shifts]
    pen: dict[tuple[int, int], int] = {}
    w = problem.weights
    for pi, person in enumerate(problem.people):
        off_dates = set(person.unavailable_dates)
        off_shifts = {shift_pos[x] for x in person.unavailable_shifts if x in shift_pos}
        unwanted = set(person.unwanted_dates)
        wanted = set(person.wanted_posts)
        mine: list[int] = []
        for post_id in dict.fromkeys(person.allocated_posts):
            post = posts.get(post_id)
            if post is None or not allowed_by_post(person, post):
                continue
            pref_cost = w.preference if wanted and post_id not in wanted else 0
            for si in shifts_by_post.get(post_id, ()):
                s = shifts[si]
                if s.date in off_dates or si in off_shifts:
                    continue
                mine.append(si)
                people_of[si].append(pi)
                cost = pref_cost  # once per assignment: the dearest reason
                if unwanted and s.date in unwanted:
                    cost = max(cost, w.unwanted_day)
                if s.night and person.avoid_night:
                    cost = max(cost, w.night)
                if cost:
                    pen[(pi, si)] = cost
        mine.sort(key=lambda x: (start[x], x))
        shifts_of.append(mine)
    person_pos = {p.id: i for i, p in enumerate(problem.people)}
    names = group_names(problem)
    pinned = list(
        dict.fromkeys(
            (shift_pos[sid], person_pos[pid])
            for sid, pid in problem.rules.pinned
            if sid in shift_pos and pid in person_pos
        )
    )
    return Index(
        problem=problem,
        person_pos=person_pos,
        shift_pos=shift_pos,
        start=start,
        end=end,
        week=week,
        day=day,
        shifts_of=shifts_of,
        people_of=people_of,
        pen=pen,
        pinned=pinned,
        group=[names.index(p.fairness_group) for p in problem.people],
        groups=names,
        units=[s.units for s in shifts],
        cap=[
            p.weekly_cap if p.weekly_cap is not None else problem.rules.weekly_cap
            for p in problem.people
        ],
    )


def max_load(ix: Index, p: int, within: set[int] | None = None) -> int:
    """An upper bound on the units person p can take (among `within`, if given): per ISO week,
    the most units of eligible shifts that keep the rest rule between any two (weighted
    interval scheduling on intervals stretched by the rest), capped by their weekly cap; and
    never more than the whole period's own count (weeks join at their edges)."""
    rest = max(0, int(ix.problem.rules.rest_hours * 60))
    cap = ix.cap[p]
    items = [s for s in ix.shifts_of[p] if within is None or s in within]
    by_week: dict[tuple[int, int], list[int]] = {}
    for s in items:
        by_week.setdefault(ix.week[s], []).append(s)
    total = 0
    for week in by_week.values():
        most = _most_units(ix, week, rest)
        total += most if cap is None else min(cap, most)
    if len(by_week) > 1:
        total = min(total, _most_units(ix, items, rest))
    return total


def _most_units(ix: Index, items: list[int], rest: int) -> int:
    items = sorted(items, key=lambda s: ix.end[s])
    ends = [ix.end[s] + rest for s in items]
    best = [0] * (len(items) + 1)  # best[i]: most units among the first i (by end)
    for i, s in enumerate(items):
        j = bisect.bisect_right(ends, ix.start[s], 0, i)  # compatible predecessors
        best[i + 1] = max(best[i], best[j] + ix.units[s])
    return best[-1]
