"""The LP relaxation of one component's model (GLOP), inside the load band.

Its optimum, rounded up, is a proven lower bound on the component's preference penalties under
the band; on these problems it is also (nearly) integral: the rest rule is an interval-graph
clique per person and the shifts are covered exactly, so most of the solution is already a
roster. The solver keeps its integral part and lets CP-SAT finish the few people whose values
are fractional (docs/adr/0005-roster-solver.md).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from ortools.linear_solver import pywraplp

from lib.roster.cpsat import _cliques
from lib.roster.eligibility import Index

EPS = 1e-6


class Cancel:
    """Interrupts the relaxations running in other threads, and refuses new ones."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: set[pywraplp.Solver] = set()
        self.cancelled = False

    def attach(self, solver: pywraplp.Solver) -> bool:
        with self._lock:
            if self.cancelled:
                return False
            self._running.add(solver)
            return True

    def detach(self, solver: pywraplp.Solver) -> None:
        with self._lock:
            self._running.discard(solver)

    def cancel(self) -> None:
        with self._lock:
            self.cancelled = True
            for solver in self._running:
                solver.InterruptSolve()


@dataclass
class Relaxation:
    status: str  # "optimal", "infeasible", "unknown"
    bound: int = 0  # ⌈LP optimum⌉: no roster in the band costs less
    ones: list[tuple[int, int]] = field(default_factory=list)  # (shift, person) at 1
    fractional: list[tuple[int, int]] = field(default_factory=list)  # (shift, person) in (0, 1)


def relax(
    ix: Index,
    shifts: list[int],
    people: list[int],
    *,
    band: dict[int, tuple[int, int]],
    time_limit: float,
    cancel: Cancel | None = None,
    window: int | None = None,
    floor_range: dict[int, tuple[int, int]] | None = None,
    keep: list[tuple[int, int]] | None = None,
    engine: str = "GLOP",
    should_stop: Callable[[], bool] | None = None,
) -> Relaxation:
    """Solve the relaxation; `cancel` lets another thread interrupt it (solve() runs the
    components' relaxations in a thread pool while it works on the first ones).

    `keep`: (shift, person) pairs that stay as they are (a neighbourhood of a roster). On the
    relaxation's shifts they fill part of the headcount and the cadres; a person of `people`
    keeps those outside them, which count towards their window and weekly cap and rule out the
    shifts that would overlap them or break the rest (`band` bounds the load inside only).

    `engine`: "GLOP" (interruptible, for the background threads) or "CLP" (COIN-OR's simplex,
    shipped with OR-Tools: five to ten times faster on these relaxations, but it does not stop
    at its time limit, so only the main thread runs it, and only with time to spare).
    `should_stop` is polled while the model is built and once before solving."""
    problem = ix.problem
    rules = problem.rules
    rest = int(rules.rest_hours * 60)
    solver = pywraplp.Solver.CreateSolver(engine)
    if solver is None:
        return Relaxation("unknown")
    started = time.perf_counter()
    in_comp = set(shifts)
    pinned = set(ix.pinned)
    posts = {post.id: post for post in problem.posts}
    cadre = [person.is_cadre for person in problem.people]
    members = set(people)
    taken: dict[int, int] = {}
    taken_cadres: dict[int, int] = {}
    kept_out: dict[int, list[int]] = {}  # a person of `people` -> kept shifts outside
    for s, p in keep or ():
        if s in in_comp and p not in members:
            taken[s] = taken.get(s, 0) + 1
            taken_cadres[s] = taken_cadres.get(s, 0) + int(cadre[p])
        elif s not in in_comp and p in members:
            kept_out.setdefault(p, []).append(s)
    cover = {}
    cadre_cover = {}
    for s in shifts:
        shift = problem.shifts[s]
        need_here = shift.headcount - taken.get(s, 0)
        if need_here < 0:
            return Relaxation("infeasible")
        cover[s] = solver.Constraint(need_here, need_here)
        need = posts[shift.post].min_cadres - taken_cadres.get(s, 0)
        if need > 0:
            cadre_cover[s] = solver.Constraint(need, solver.infinity())
    objective = solver.Objective()
    x: dict[tuple[int, int], pywraplp.Variable] = {}
    floors: dict[int, pywraplp.Variable] = {}
    for p in people:
        if cancel is not None and cancel.cancelled:
            return Relaxation("unknown")  # solve() is ending: stop building at once
        if should_stop is not None and should_stop():
            return Relaxation("unknown")
        if time.perf_counter() - started > time_limit:
            return Relaxation("unknown")
        out_items = kept_out.get(p, [])
        mine = [
            s
            for s in ix.shifts_of[p]
            if s in in_comp
            and not any(
                ix.start[s] < ix.end[k] + rest and ix.start[k] < ix.end[s] + rest for k in out_items
            )
        ]
        off = sum(ix.units[k] for k in out_items)  # kept outside: this many units
        lo, hi = band[p] if p in band else (0, sum(ix.units[s] for s in mine))
        load = solver.Constraint(lo, hi)
        loads = [load]
        if window is not None:  # the group's floating window: floor ≤ load ≤ floor + window
            g = ix.group[p]
            if g not in floors:
                a, b = (floor_range or {}).get(g, (0, 10**6))
                floors[g] = solver.NumVar(float(a), float(b), f"floor{g}")
            above, below = (
                solver.Constraint(-off, solver.infinity()),
                solver.Constraint(-solver.infinity(), window - off),
            )
            above.SetCoefficient(floors[g], -1)
            below.SetCoefficient(floors[g], -1)
            loads += [above, below]
        weeks: dict[tuple[int, int], list[tuple[int, pywraplp.Variable]]] = {}
        for s in mine:
            v = solver.NumVar(1.0 if (s, p) in pinned else 0.0, 1.0, "")
            x[(p, s)] = v
            cover[s].SetCoefficient(v, 1)
            if cadre[p] and s in cadre_cover:
                cadre_cover[s].SetCoefficient(v, 1)
            for ct in loads:
                ct.SetCoefficient(v, ix.units[s])
            weeks.setdefault(ix.week[s], []).append((ix.units[s], v))
            c = ix.cost(p, s)
            if c:
                objective.SetCoefficient(v, c)
        for clique in _cliques(ix, mine, rest):
            ct = solver.Constraint(0, 1)
            for s in clique:
                ct.SetCoefficient(x[(p, s)], 1)
        cap = ix.cap[p]
        if cap is not None:
            used: dict[tuple[int, int], int] = {}
            for k in out_items:
                used[ix.week[k]] = used.get(ix.week[k], 0) + ix.units[k]
            for week, vs in weeks.items():
                room = cap - used.get(week, 0)
                if room < 0:
                    return Relaxation("infeasible")
                if sum(u for u, _ in vs) > room:
                    ct = solver.Constraint(0, room)
                    for u, v in vs:
                        ct.SetCoefficient(v, u)
    kept = set(keep or ())
    for s, p in ix.pinned:
        if s in in_comp and (p, s) not in x and (s, p) not in kept:
            return Relaxation("infeasible")
    objective.SetMinimization()
    built = time.perf_counter() - started
    left = time_limit - built  # building counts against the limit
    if left <= 0.05 or (engine == "CLP" and left < 2 * built + 0.5):
        return Relaxation("unknown")  # CLP would not stop in time (it solves in about `built`)
    if should_stop is not None and should_stop():
        return Relaxation("unknown")
    solver.SetTimeLimit(int(left * 1000))
    if cancel is not None and not cancel.attach(solver):
        return Relaxation("unknown")
    try:
        code = solver.Solve()
    finally:
        if cancel is not None:
            cancel.detach(solver)
    if code == pywraplp.Solver.INFEASIBLE:
        return Relaxation("infeasible")
    if code != pywraplp.Solver.OPTIMAL:
        return Relaxation("unknown")
    ones: list[tuple[int, int]] = []
    fractional: list[tuple[int, int]] = []
    for (p, s), v in x.items():
        value = v.solution_value()
        if value >= 1 - EPS:
            ones.append((s, p))
        elif value > EPS:
            fractional.append((s, p))
    bound = max(0, math.ceil(objective.Value() - 1e-4))
    return Relaxation("optimal", bound, ones, fractional)
