"""The score of a roster and a lower bound on the score of any roster.

score = weights.spread × spread + weights.preference × (assignments to a post outside the
person's wanted_posts, for people who named any) + weights.unwanted_day × (assignments on the
person's unwanted_dates) + weights.night × (night shifts of people who avoid nights).

spread = the larger of the leaders' and the others' (most − least shifts per person), over the
people who can work at least one shift (allocated to its post, available, matching its rules).
Lower is better; docs/roster-format.md has the same definition for users.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

from lib.roster.eligibility import Index, build_index, max_load
from lib.roster.problem import Assignment, Problem


def score(problem: Problem, assignments: list[Assignment]) -> tuple[int, dict[str, int]]:
    """(total, breakdown) for a roster; works on rosters that break hard rules too."""
    ix = build_index(problem)
    return score_ix(ix, [(ix.shift_pos[s], ix.person_pos[p]) for s, p in assignments])


def score_ix(ix: Index, pairs: list[tuple[int, int]]) -> tuple[int, dict[str, int]]:
    problem = ix.problem
    w = problem.weights
    load = Counter(p for _, p in pairs)
    pref = unwanted = night = 0
    for s, p in pairs:
        person = problem.people[p]
        shift = problem.shifts[s]
        if person.wanted_posts and shift.post not in person.wanted_posts:
            pref += 1
        if shift.date in person.unwanted_dates:
            unwanted += 1
        if shift.night and person.avoid_night:
            night += 1
    spreads = {}
    for group, leader in (("leaders", True), ("others", False)):
        loads = [
            load[p]
            for p in range(ix.n_people)
            if ix.is_leader[p] == leader and (ix.shifts_of[p] or load[p])
        ]
        spreads[group] = max(loads) - min(loads) if loads else 0
    spread = max(spreads.values())
    total = w.spread * spread + w.preference * pref + w.unwanted_day * unwanted + w.night * night
    return total, {
        "total": total,
        "spread": spread,
        "spread_leaders": spreads["leaders"],
        "spread_others": spreads["others"],
        "preference": pref,
        "unwanted_day": unwanted,
        "night": night,
    }


@dataclass
class Component:
    """People and shifts closed under eligibility: its people work only its shifts and its
    shifts take only its people."""

    people: list[int]
    shifts: list[int]
    demand: int  # total headcount
    group: bool | None  # True: all leaders, False: no leaders, None: mixed
    campus: str = ""


@dataclass
class Bounds:
    spread: int  # provable lower bound on the spread
    band: dict[bool, tuple[int, int]]  # group -> (lo, hi) loads when the spread is at its bound
    band_unique: dict[bool, bool]  # whether any roster at the bound spread has loads in band
    relaxed_pref: int  # lower bound on the preference terms, whatever the spread
    relaxed_pref_of: dict[int, int] = field(default_factory=dict)  # component -> same
    components: list[Component] = field(default_factory=list)
    upper: list[int] = field(default_factory=list)  # max_load per person
    working: list[bool] = field(default_factory=list)  # can work at least one shift

    floor_costs: list[list[int]] = field(default_factory=list)  # per person: prefix sums

    def person_floor(self, ix: Index, t: int) -> int:
        """Preferences of any roster with spread ≤ t are at least this: everyone in a group
        works at least (the group's least possible maximum − t) shifts, each at least as dear
        as their cheapest."""
        total = 0
        for p, prefix in enumerate(self.floor_costs):
            if not self.working[p]:
                continue
            need = max(0, self.band[ix.is_leader[p]][1] - t)
            total += prefix[min(need, len(prefix) - 1)]
        return total

    def at_least(
        self, ix: Index, w: int, at_bound_pref: int | None = None, start: int | None = None
    ) -> int:
        """min over the spread t ≥ start (default self.spread) of w·t + a bound on the
        preferences at t; at t = self.spread the caller may pass a stronger one (the LP's or
        CP-SAT's, within the band), or a larger start once the band is proven infeasible."""
        first = self.spread if start is None else max(self.spread, start)
        top = max((hi for _lo, hi in self.band.values()), default=0)
        best = None
        for t in range(first, max(first, top) + 1):
            pref = max(self.relaxed_pref, self.person_floor(ix, t))
            if t == self.spread and at_bound_pref is not None:
                pref = max(pref, at_bound_pref)
            value = w * t + pref
            best = value if best is None else min(best, value)
        return best if best is not None else w * first + self.relaxed_pref

    def total(self, weights_spread: int) -> int:
        return weights_spread * self.spread + self.relaxed_pref


def components(ix: Index) -> list[Component]:
    """Connected components of the eligibility graph (people and shifts)."""
    parent = list(range(ix.n_people + ix.n_shifts))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    n = ix.n_people
    for p, items in enumerate(ix.shifts_of):
        rp = find(p)
        for s in items:
            rs = find(n + s)
            if rs != rp:
                parent[rs] = rp
    groups: dict[int, tuple[list[int], list[int]]] = {}
    for p in range(n):
        if ix.shifts_of[p]:
            groups.setdefault(find(p), ([], []))[0].append(p)
    for s in range(ix.n_shifts):
        groups.setdefault(find(n + s), ([], []))[1].append(s)
    out = []
    problem = ix.problem
    posts = {p.id: p for p in problem.posts}
    for people, shifts in groups.values():
        leaders = {ix.is_leader[p] for p in people}
        campuses = {posts[problem.shifts[s].post].campus for s in shifts}
        out.append(
            Component(
                people=people,
                shifts=shifts,
                demand=sum(problem.shifts[s].headcount for s in shifts),
                group=leaders.pop() if len(leaders) == 1 else None,
                campus=campuses.pop() if len(campuses) == 1 else "",
            )
        )
    out.sort(key=lambda c: (c.group is not True, c.campus, c.shifts[:1]))
    return out


def bounds(ix: Index) -> Bounds:
    comps = components(ix)
    upper = [max_load(ix, p) for p in range(ix.n_people)]
    working = [bool(items) for items in ix.shifts_of]
    pinned_load = Counter(p for _, p in ix.pinned)
    band: dict[bool, tuple[int, int]] = {}
    spread_of: dict[bool, int] = {}
    proper: dict[bool, bool] = {True: False, False: False}
    for leader in (True, False):
        members = [p for p in range(ix.n_people) if working[p] and ix.is_leader[p] == leader]
        if not members:
            band[leader] = (0, 0)
            spread_of[leader] = 0
            continue
        hi = max(pinned_load[p] for p in members)
        lo = min(upper[p] for p in members)
        for c in comps:
            if c.group is leader and c.people:
                hi = max(hi, math.ceil(c.demand / len(c.people)))
                lo = min(lo, c.demand // len(c.people))
        band[leader] = (lo, hi)
        spread_of[leader] = max(0, hi - lo)
        proper[leader] = lo <= hi
    spread = max(spread_of.values())
    relaxed_of: dict[int, int] = {}
    pinned_by_shift: dict[int, list[int]] = {}
    for s, p in ix.pinned:
        pinned_by_shift.setdefault(s, []).append(p)
    for ci, c in enumerate(comps):
        total = 0
        for s in c.shifts:
            fixed = pinned_by_shift.get(s, [])
            need = ix.problem.shifts[s].headcount - len(fixed)
            total += sum(ix.cost(p, s) for p in fixed)
            if need > 0:
                costs = sorted(ix.cost(p, s) for p in ix.people_of[s] if p not in fixed)
                total += sum(costs[:need])
        relaxed_of[ci] = total
    floor_costs = []
    for p, items in enumerate(ix.shifts_of):
        costs = sorted(ix.cost(p, s) for s in items)
        prefix = [0]
        for cost in costs:
            prefix.append(prefix[-1] + cost)
        floor_costs.append(prefix)
    return Bounds(
        floor_costs=floor_costs,
        spread=spread,
        band=band,
        band_unique={g: proper[g] and spread_of[g] == spread for g in (True, False)},
        relaxed_pref=sum(relaxed_of.values()),
        relaxed_pref_of=relaxed_of,
        components=comps,
        upper=upper,
        working=working,
    )


def lower_bound(problem: Problem) -> int:
    """A provable lower bound on the score of any roster (see Bounds)."""
    ix = build_index(problem)
    return bounds(ix).at_least(ix, problem.weights.spread)
