"""A fast greedy roster: the one to beat, the complete hint for CP-SAT, and a bench peer.

Shifts are filled in time order. For each, the cadres it needs come first, then the rest; among
the people who may take it (eligible, rested, under the weekly cap), the least loaded go first,
then the cheapest (wanted post, wanted day, no unwanted night), then those with the fewest
remaining options (so flexible people stay free for later shifts). Pinned assignments are placed
before anything else. It may get stuck on a tight problem; then it returns what it filled.

`repair` then moves single assignments into the load band and, for whoever is still above it,
runs ejection chains (p hands a shift to q, q one to r, …, until someone with room takes one),
so the greedy roster usually has the spread's bound (generated medium and large: spread 1).
"""

from __future__ import annotations

import bisect
from collections import Counter

from lib.roster.eligibility import Index


def greedy(ix: Index, shifts: list[int] | None = None) -> tuple[list[tuple[int, int]], int]:
    """(pairs of (shift, person), number of places it could not fill, cadre places included:
    0 means the roster keeps every hard rule)."""
    problem = ix.problem
    rest = int(problem.rules.rest_hours * 60)
    caps = ix.cap
    order = sorted(shifts if shifts is not None else range(ix.n_shifts), key=lambda s: ix.start[s])
    wanted = set(order)
    busy: list[list[tuple[int, int]]] = [[] for _ in range(ix.n_people)]  # sorted (start, end)
    week_load: Counter[tuple[int, tuple[int, int]]] = Counter()
    load = [0] * ix.n_people
    remaining = [len(items) for items in ix.shifts_of]
    on: dict[int, list[int]] = {}
    pairs: list[tuple[int, int]] = []

    def free(p: int, s: int) -> bool:
        cap = caps[p]
        if cap is not None and week_load[(p, ix.week[s])] + ix.units[s] > cap:
            return False
        a, b = ix.start[s], ix.end[s]
        items = busy[p]
        i = bisect.bisect_left(items, (a, b))
        # neighbours in time order are enough: stored intervals keep the rule among themselves
        if i < len(items) and items[i][0] < b + rest:
            return False
        return not (i > 0 and a < items[i - 1][1] + rest)

    def place(p: int, s: int) -> None:
        bisect.insort(busy[p], (ix.start[s], ix.end[s]))
        week_load[(p, ix.week[s])] += ix.units[s]
        load[p] += ix.units[s]
        on.setdefault(s, []).append(p)
        pairs.append((s, p))

    for s, p in ix.pinned:
        if s in wanted:
            place(p, s)

    cadre = [person.is_cadre for person in problem.people]
    posts = {post.id: post for post in problem.posts}
    missing = 0
    for s in order:
        shift = problem.shifts[s]
        here = on.get(s, [])
        need = shift.headcount - len(here)
        cadres_needed = posts[shift.post].min_cadres - sum(1 for p in here if cadre[p])
        candidates = [p for p in ix.people_of[s] if p not in here and free(p, s)]
        for p in ix.people_of[s]:
            remaining[p] -= 1
        candidates.sort(key=lambda p: (load[p], ix.cost(p, s), remaining[p], p))
        chosen: list[int] = []
        if cadres_needed > 0:
            chosen = [p for p in candidates if cadre[p]][: min(cadres_needed, need)]
        for p in candidates:
            if len(chosen) >= need:
                break
            if p not in chosen:
                chosen.append(p)
        for p in chosen:
            place(p, s)
        missing += max(0, need - len(chosen))
        # too few cadres is a place not filled as well (the roster would break min_cadres)
        missing += max(0, cadres_needed - sum(1 for p in chosen if cadre[p]))
    return pairs, missing


def repair(
    ix: Index, pairs: list[tuple[int, int]], band: dict[int, tuple[int, int]]
) -> list[tuple[int, int]]:
    """Move single assignments from people above the band to people below it (or at its low
    end), then ejection chains for those still above it, keeping every hard rule: the greedy
    roster made fair enough to be a good first roster and hint."""
    problem = ix.problem
    rest = int(problem.rules.rest_hours * 60)
    caps = ix.cap
    grp = ix.group
    ld = [0] * ix.n_people  # units per person
    pinned = set(ix.pinned)
    cadre = [person.is_cadre for person in problem.people]
    posts = {post.id: post for post in problem.posts}
    on: dict[int, set[int]] = {}
    mine: list[list[int]] = [[] for _ in range(ix.n_people)]
    week_load: Counter[tuple[int, tuple[int, int]]] = Counter()
    for s, p in pairs:
        on.setdefault(s, set()).add(p)
        mine[p].append(s)
        week_load[(p, ix.week[s])] += ix.units[s]
        ld[p] += ix.units[s]

    def fits(p: int, s: int) -> bool:
        if p in on.get(s, ()):
            return False
        cap = caps[p]
        if cap is not None and week_load[(p, ix.week[s])] + ix.units[s] > cap:
            return False
        a, b = ix.start[s], ix.end[s]
        return all(ix.start[t] >= b + rest or a >= ix.end[t] + rest for t in mine[p])

    def move(s: int, p: int, q: int) -> None:
        on[s].discard(p)
        on[s].add(q)
        mine[p].remove(s)
        mine[q].append(s)
        week_load[(p, ix.week[s])] -= ix.units[s]
        week_load[(q, ix.week[s])] += ix.units[s]
        ld[p] -= ix.units[s]
        ld[q] += ix.units[s]

    for _round in range(3):
        moved = False
        over_band = [p for p in range(ix.n_people) if ld[p] > band[grp[p]][1]]
        for p in sorted(over_band, key=lambda p: -ld[p]):
            lo, hi = band[grp[p]]
            for s in sorted(mine[p], key=lambda s: -ix.cost(p, s)):
                if ld[p] <= hi and not (ld[p] > lo and ix.cost(p, s)):
                    break
                if (s, p) in pinned:
                    continue
                need_cadre = cadre[p] and (
                    sum(1 for x in on[s] if cadre[x]) <= posts[problem.shifts[s].post].min_cadres
                )
                best = None
                for q in ix.people_of[s]:
                    if need_cadre and not cadre[q]:
                        continue
                    lq = ld[q]
                    q_lo, q_hi = band[grp[q]]
                    over = ld[p] > hi
                    # over the band: any taker below their top; else only a cheaper taker
                    if lq + ix.units[s] > q_hi:
                        continue
                    if not over and ix.cost(q, s) >= ix.cost(p, s):
                        continue
                    if not fits(q, s):
                        continue
                    key = (lq >= q_lo, ix.cost(q, s), lq)
                    if best is None or key < best[0]:
                        best = (key, q)
                if best is not None:
                    move(s, p, best[1])
                    moved = True
        # lift people below the band by taking from those above lo
        for q in range(ix.n_people):
            lo, hi = band[grp[q]]
            if not ix.shifts_of[q] or ld[q] >= lo:
                continue
            for s in ix.shifts_of[q]:
                if ld[q] >= lo:
                    break
                if not fits(q, s):
                    continue
                for p in sorted(on.get(s, ()), key=lambda p: -ld[p]):
                    if ld[p] - ix.units[s] < lo or (s, p) in pinned:
                        continue
                    if ld[p] - ix.units[s] < band[grp[p]][0]:
                        continue
                    if (
                        cadre[p]
                        and not cadre[q]
                        and sum(1 for x in on[s] if cadre[x])
                        <= posts[problem.shifts[s].post].min_cadres
                    ):
                        continue
                    move(s, p, q)
                    moved = True
                    break
        if not moved:
            break

    def can_leave(p: int, s: int, q: int) -> bool:
        """Whether p may hand shift s to q as far as pinning and the cadre minimum go."""
        if (s, p) in pinned:
            return False
        return not (
            cadre[p]
            and not cadre[q]
            and sum(1 for x in on[s] if cadre[x]) <= posts[problem.shifts[s].post].min_cadres
        )

    def chain(p: int, depth: int = 4) -> list[tuple[int, int, int]] | None:
        """Ejection chain from p, who is above the band: p hands a shift to q1, q1 (at the top
        of the band) hands another to q2, …, until someone below the top takes one. Breadth
        first, so the shortest chain; each step is checked against the taker's schedule
        before they give their own shift away (stricter than needed, never wrong)."""
        parent: dict[int, tuple[int, int] | None] = {p: None}
        frontier = [p]
        for _ in range(depth):
            nxt = []
            for u in frontier:
                used = set()  # shifts already handed over on the way to u: each at most once
                v = u
                while parent[v] is not None:
                    v, t = parent[v]  # type: ignore[misc]
                    used.add(t)
                for s in sorted(mine[u], key=lambda s: ix.cost(u, s), reverse=True):
                    if s in used:
                        continue
                    for q in ix.people_of[s]:
                        if q in parent:
                            continue
                        if not can_leave(u, s, q) or not fits(q, s):
                            continue
                        parent[q] = (u, s)
                        if ld[q] + ix.units[s] <= band[grp[q]][1]:
                            steps = []
                            v = q
                            while parent[v] is not None:
                                w, t = parent[v]  # type: ignore[misc]
                                steps.append((t, w, v))
                                v = w
                            return steps  # from the end of the chain back to p
                        nxt.append(q)
            frontier = nxt
            if not frontier:
                break
        return None

    for p in range(ix.n_people):
        hi = band[grp[p]][1]
        while ld[p] > hi:
            steps = chain(p)
            if steps is None:
                break
            for s, giver, taker in steps:  # the last hand-over first: the taker is free
                move(s, giver, taker)
    return [(s, p) for p in range(ix.n_people) for s in mine[p]]


def cheaper_moves(ix: Index, pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Hand single shifts to a cheaper eligible person (fewer broken preferences) when it keeps
    every hard rule and no group's loads leave their present range: the score never rises."""
    problem = ix.problem
    rest = int(problem.rules.rest_hours * 60)
    pinned = set(ix.pinned)
    cadre = [person.is_cadre for person in problem.people]
    posts = {post.id: post for post in problem.posts}
    on: dict[int, set[int]] = {}
    mine: list[list[int]] = [[] for _ in range(ix.n_people)]
    week_load: Counter[tuple[int, tuple[int, int]]] = Counter()
    load = [0] * ix.n_people
    for s, p in pairs:
        on.setdefault(s, set()).add(p)
        mine[p].append(s)
        week_load[(p, ix.week[s])] += ix.units[s]
        load[p] += ix.units[s]
    lo: dict[int, int] = {}
    hi: dict[int, int] = {}
    for p in range(ix.n_people):
        if ix.shifts_of[p] or load[p]:
            g = ix.group[p]
            lo[g] = min(lo.get(g, load[p]), load[p])
            hi[g] = max(hi.get(g, load[p]), load[p])

    def fits(q: int, s: int) -> bool:
        if q in on.get(s, ()):
            return False
        cap = ix.cap[q]
        if cap is not None and week_load[(q, ix.week[s])] + ix.units[s] > cap:
            return False
        a, b = ix.start[s], ix.end[s]
        return all(ix.start[t] >= b + rest or a >= ix.end[t] + rest for t in mine[q])

    for s, p in sorted(pairs, key=lambda sp: -ix.cost(sp[1], sp[0])):
        here = ix.cost(p, s)
        if not here or (s, p) in pinned or p not in on.get(s, ()):
            continue
        u = ix.units[s]
        if load[p] - u < lo[ix.group[p]]:
            continue
        need_cadre = cadre[p] and (
            sum(1 for x in on[s] if cadre[x]) <= posts[problem.shifts[s].post].min_cadres
        )
        best = None
        for q in ix.people_of[s]:
            if ix.cost(q, s) >= here or (need_cadre and not cadre[q]):
                continue
            if load[q] + u > hi[ix.group[q]] or not fits(q, s):
                continue
            key = (ix.cost(q, s), load[q])
            if best is None or key < best[0]:
                best = (key, q)
        if best is None:
            continue
        q = best[1]
        on[s].discard(p)
        on[s].add(q)
        mine[p].remove(s)
        mine[q].append(s)
        week_load[(p, ix.week[s])] -= u
        week_load[(q, ix.week[s])] += u
        load[p] -= u
        load[q] += u
    return [(s, p) for p in range(ix.n_people) for s in mine[p]]


def flatten_moves(
    ix: Index, pairs: list[tuple[int, int]], rounds: int = 3
) -> list[tuple[int, int]]:
    """Lower the spread of the worst fairness group by single hand-overs: someone at the group's
    most gives a shift to anyone eligible whose own group's most it does not raise (and who is
    not then the worst group's most). Keeps every hard rule; the spread never rises."""
    problem = ix.problem
    rest = int(problem.rules.rest_hours * 60)
    pinned = set(ix.pinned)
    cadre = [person.is_cadre for person in problem.people]
    posts = {post.id: post for post in problem.posts}
    on: dict[int, set[int]] = {}
    mine: list[list[int]] = [[] for _ in range(ix.n_people)]
    week_load: Counter[tuple[int, tuple[int, int]]] = Counter()
    load = [0] * ix.n_people
    for s, p in pairs:
        on.setdefault(s, set()).add(p)
        mine[p].append(s)
        week_load[(p, ix.week[s])] += ix.units[s]
        load[p] += ix.units[s]
    counted = [p for p in range(ix.n_people) if ix.shifts_of[p] or load[p]]

    def fits(q: int, s: int) -> bool:
        if q in on.get(s, ()):
            return False
        cap = ix.cap[q]
        if cap is not None and week_load[(q, ix.week[s])] + ix.units[s] > cap:
            return False
        a, b = ix.start[s], ix.end[s]
        return all(ix.start[t] >= b + rest or a >= ix.end[t] + rest for t in mine[q])

    for _ in range(rounds):
        lo: dict[int, int] = {}
        hi: dict[int, int] = {}
        for p in counted:
            g = ix.group[p]
            lo[g] = min(lo.get(g, load[p]), load[p])
            hi[g] = max(hi.get(g, load[p]), load[p])
        if not hi:
            break
        worst = max(hi, key=lambda g: hi[g] - lo[g])
        top = [p for p in counted if ix.group[p] == worst and load[p] == hi[worst]]
        moved = 0
        for p in top:
            for s in sorted(mine[p], key=lambda s: -ix.cost(p, s)):
                u = ix.units[s]
                if (s, p) in pinned or load[p] - u < lo[worst]:
                    continue
                need_cadre = cadre[p] and (
                    sum(1 for x in on[s] if cadre[x]) <= posts[problem.shifts[s].post].min_cadres
                )
                best = None
                for q in ix.people_of[s]:
                    g = ix.group[q]
                    limit = hi[g] - 1 if g == worst else hi[g]
                    if load[q] + u > limit or (need_cadre and not cadre[q]) or not fits(q, s):
                        continue
                    key = (ix.cost(q, s) - ix.cost(p, s), load[q])
                    if best is None or key < best[0]:
                        best = (key, q)
                if best is None:
                    continue
                q = best[1]
                on[s].discard(p)
                on[s].add(q)
                mine[p].remove(s)
                mine[q].append(s)
                week_load[(p, ix.week[s])] -= u
                week_load[(q, ix.week[s])] += u
                load[p] -= u
                load[q] += u
                moved += 1
                break
        if moved == len(top):
            continue  # the most came down
        # else raise the least: whoever is at the bottom takes a shift from a holder whose own
        # group's least it does not lower, staying under the worst group's most
        bottom = [p for p in counted if ix.group[p] == worst and load[p] == lo[worst]]
        raised = 0
        for p in bottom:
            for s in sorted(ix.shifts_of[p], key=lambda s: (ix.cost(p, s), ix.units[s])):
                u = ix.units[s]
                if load[p] + u >= hi[worst] + (0 if moved < len(top) else 1) or not fits(p, s):
                    continue
                post_min = posts[problem.shifts[s].post].min_cadres
                giver = None
                for q in sorted(on.get(s, ()), key=lambda q: -load[q]):
                    g = ix.group[q]
                    floor = lo[g] + 1 if g == worst else lo[g]
                    if (s, q) in pinned or load[q] - u < floor:
                        continue
                    if cadre[q] and not cadre[p] and sum(1 for x in on[s] if cadre[x]) <= post_min:
                        continue
                    giver = q
                    break
                if giver is None:
                    continue
                on[s].discard(giver)
                on[s].add(p)
                mine[giver].remove(s)
                mine[p].append(s)
                week_load[(giver, ix.week[s])] -= u
                week_load[(p, ix.week[s])] += u
                load[giver] -= u
                load[p] += u
                raised += 1
                break
        if raised < len(bottom) and moved < len(top):
            break  # neither end moved for everyone: the spread stays
    return [(s, p) for p in range(ix.n_people) for s in mine[p]]
