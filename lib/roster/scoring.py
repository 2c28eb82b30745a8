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
from dataclasses import dataclass, field

from lib.roster.eligibility import Index, build_index, max_load
from lib.roster.problem import LEADER_GROUP, Assignment, Problem


def score(problem: Problem, assignments: list[Assignment]) -> tuple[int, dict[str, int]]:
    """(total, breakdown) for a roster; works on rosters that break hard rules too."""
    ix = build_index(problem)
    return score_ix(ix, [(ix.shift_pos[s], ix.person_pos[p]) for s, p in assignments])


def score_ix(ix: Index, pairs: list[tuple[int, int]]) -> tuple[int, dict[str, int]]:
    problem = ix.problem
    w = problem.weights
    load = ix.load(pairs)
    pref = unwanted = night = soft = 0
    for s, p in pairs:
        person = problem.people[p]
        shift = problem.shifts[s]
        if person.wanted_posts and shift.post not in person.wanted_posts:
            pref += 1
        if shift.date in person.unwanted_dates:
            unwanted += 1
        if shift.night and person.avoid_night:
            night += 1
        soft += ix.cost(p, s)
    spreads = group_spreads(ix, load)
    spread = max(spreads, default=0)
    total = w.spread * spread + soft
    out = {
        "total": total,
        "spread": spread,
        "soft": soft,
        "preference": pref,
        "unwanted_day": unwanted,
        "night": night,
    }
    for g, name in enumerate(ix.groups):
        out[f"spread:{name}"] = spreads[g]
    if len(ix.groups) <= 2:  # the names version 1 used
        lead = ix.groups.index(LEADER_GROUP) if LEADER_GROUP in ix.groups else None
        out["spread_leaders"] = spreads[lead] if lead is not None else 0
        others = [g for g in range(ix.n_groups) if g != lead]
        out["spread_others"] = spreads[others[0]] if others else 0
    return total, out


def group_spreads(ix: Index, load: list[int]) -> list[int]:
    """Per fairness group: most − least units, over its people who can work at least one
    shift (or have one)."""
    lo: list[int | None] = [None] * ix.n_groups
    hi = [0] * ix.n_groups
    for p in range(ix.n_people):
        if not (ix.shifts_of[p] or load[p]):
            continue
        g = ix.group[p]
        hi[g] = max(hi[g], load[p])
        current = lo[g]
        lo[g] = load[p] if current is None else min(current, load[p])
    return [0 if low is None else hi[g] - low for g, low in enumerate(lo)]


@dataclass
class Component:
    """People and shifts closed under eligibility: its people work only its shifts and its
    shifts take only its people."""

    people: list[int]
    shifts: list[int]
    demand: int  # total units (headcount × units)
    group: int | None  # the fairness group of all its people; None: several
    campus: str = ""
    label: str = ""


@dataclass
class Bounds:
    spread: int  # provable lower bound on the spread
    band: dict[int, tuple[int, int]]  # group -> (lo, hi) loads when the spread is at its bound
    band_unique: dict[int, bool]  # whether any roster at the bound spread has loads in band
    relaxed_pref: int  # lower bound on the preference terms, whatever the spread
    relaxed_pref_of: dict[int, int] = field(default_factory=dict)  # component -> same
    components: list[Component] = field(default_factory=list)
    upper: list[int] = field(default_factory=list)  # max_load per person
    working: list[bool] = field(default_factory=list)  # can work at least one shift

    floor_costs: list[list[int]] = field(default_factory=list)  # per person: prefix sums
    most_units: list[int] = field(default_factory=list)  # per person: units of their biggest

    def person_floor(self, ix: Index, t: int) -> int:
        """Preferences of any roster with spread ≤ t are at least this: everyone in a group
        works at least (the group's least possible maximum − t) units, so at least that many
        divided by their biggest shift's units of shifts, each at least as dear as their
        cheapest."""
        total = 0
        for p, prefix in enumerate(self.floor_costs):
            if not self.working[p]:
                continue
            need = max(0, self.band[ix.group[p]][1] - t)
            shifts = -(-need // max(1, self.most_units[p]))
            total += prefix[min(shifts, len(prefix) - 1)]
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
            if t == first and at_bound_pref is not None:
                pref = max(pref, at_bound_pref)
            value = w * t + pref
            best = value if best is None else min(best, value)
        return best if best is not None else w * first + self.relaxed_pref

    def total(self, weights_spread: int) -> int:
        return weights_spread * self.spread + self.relaxed_pref


def components(ix: Index) -> list[Component]:
    """Connected components of the eligibility graph (people and shifts): the problem's own
    pieces, whatever generator or page drew it."""
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
        member_groups = {ix.group[p] for p in people}
        campuses = sorted({posts[problem.shifts[s].post].campus for s in shifts})
        leader_duty = all(posts[problem.shifts[s].post].is_leader_duty for s in shifts)
        campus = campuses[0] if len(campuses) == 1 else ""
        if leader_duty:
            label = "领导值班" + (f" {campus}" if campus else "")
        else:
            label = campus or "、".join(c for c in campuses if c) or "全部岗位"
        out.append(
            Component(
                people=people,
                shifts=shifts,
                demand=sum(problem.shifts[s].headcount * ix.units[s] for s in shifts),
                group=member_groups.pop() if len(member_groups) == 1 else None,
                campus=campus,
                label=label,
            )
        )
    out.sort(key=lambda c: (not c.label.startswith("领导值班"), c.campus, c.shifts[:1]))
    return out


def bounds(ix: Index) -> Bounds:
    comps = components(ix)
    upper = [max_load(ix, p) for p in range(ix.n_people)]
    working = [bool(items) for items in ix.shifts_of]
    pinned_load = [0] * ix.n_people
    for s, p in ix.pinned:
        pinned_load[p] += ix.units[s]
    pieces = _pieces(ix, comps, upper)
    band: dict[int, tuple[int, int]] = {}
    spread_of: dict[int, int] = {}
    proper: dict[int, bool] = {}
    for g in range(ix.n_groups):
        proper[g] = False
        members = [p for p in range(ix.n_people) if working[p] and ix.group[p] == g]
        if not members:
            band[g] = (0, 0)
            spread_of[g] = 0
            continue
        hi = max(pinned_load[p] for p in members)
        lo = min(upper[p] for p in members)
        for need, able, only, cap_in in pieces:
            # the group's people take at least what the others who can work the piece cannot
            mine = [p for p in able if ix.group[p] == g]
            if mine:
                others_can = sum(cap_in[p] for p in able if ix.group[p] != g)
                hi = max(hi, math.ceil(max(0, need - others_can) / len(mine)))
            # and those who can work nothing else share at most the piece's demand
            bound_to = [p for p in only if ix.group[p] == g]
            if bound_to:
                lo = min(lo, need // len(bound_to))
        band[g] = (lo, hi)
        spread_of[g] = max(0, hi - lo)
        proper[g] = lo <= hi
    spread = max(spread_of.values(), default=0)
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
        most_units=[max((ix.units[s] for s in items), default=1) for items in ix.shifts_of],
        spread=spread,
        band=band,
        band_unique={g: proper[g] and spread_of[g] == spread for g in range(ix.n_groups)},
        relaxed_pref=sum(relaxed_of.values()),
        relaxed_pref_of=relaxed_of,
        components=comps,
        upper=upper,
        working=working,
    )


def _pieces(
    ix: Index, comps: list[Component], upper: list[int]
) -> list[tuple[int, list[int], list[int], dict[int, int]]]:
    """(demand in units, who can work it, who can work nothing else, the most units each can
    take in it) for each component, post, campus and the leaders' duties together: the pieces
    whose averages bound each group's most and least loads."""
    problem = ix.problem
    posts = {p.id: p for p in problem.posts}
    sets: list[set[int]] = [set(c.shifts) for c in comps]
    by_post: dict[str, set[int]] = {}
    by_campus: dict[str, set[int]] = {}
    duty: set[int] = set()
    for s, shift in enumerate(problem.shifts):
        by_post.setdefault(shift.post, set()).add(s)
        post = posts[shift.post]
        by_campus.setdefault(post.campus, set()).add(s)
        if post.is_leader_duty:
            duty.add(s)
    sets += list(by_post.values())
    if len(by_campus) > 1:
        sets += list(by_campus.values())
    if duty:
        sets.append(duty)
    out = []
    seen: set[frozenset[int]] = set()
    for items in sets:
        key = frozenset(items)
        if key in seen or not items:
            continue
        seen.add(key)
        need = sum(problem.shifts[s].headcount * ix.units[s] for s in items)
        able = sorted({p for s in items for p in ix.people_of[s]})
        only = [p for p in able if all(s in items for s in ix.shifts_of[p])]
        cap_in = {p: upper[p] if p in only else max_load(ix, p, items) for p in able}
        out.append((need, able, only, cap_in))
    return out


def lower_bound(problem: Problem) -> int:
    """A provable lower bound on the score of any roster (see Bounds)."""
    ix = build_index(problem)
    return bounds(ix).at_least(ix, problem.weights.spread)
