"""The CP-SAT model of one component (a campus, the leaders' duties), and the plain peer model.

Fairness is a hard band on each person's load (lo ≤ shifts ≤ hi) rather than a max − min term in
the objective: the objective is only the preference penalties, which CP-SAT bounds well, and the
band makes the spread part of the score known up front (docs/adr/0005-roster-solver.md).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from lib.roster.eligibility import Index

RELAXABLE = ("rest", "weekly_cap", "min_cadres")


@dataclass
class Outcome:
    status: str  # "optimal", "feasible", "infeasible", "unknown"
    pairs: list[tuple[int, int]] = field(default_factory=list)
    objective: int | None = None
    bound: int = 0
    stopped: bool = False
    first_s: float | None = None


class _Callback(cp_model.CpSolverSolutionCallback):
    def __init__(self, on_solution: Callable[[int, int], None] | None, started: float) -> None:
        super().__init__()
        self.on_solution = on_solution
        self.started = started
        self.first_s: float | None = None

    def on_solution_callback(self) -> None:
        if self.first_s is None:
            self.first_s = time.perf_counter() - self.started
        if self.on_solution is not None:
            self.on_solution(round(self.objective_value), round(self.best_objective_bound))


def _cliques(ix: Index, items: list[int], rest: int) -> list[list[int]]:
    """Maximal sets of a person's shifts that pairwise break the overlap or rest rule: at each
    shift's start, the shifts whose [start, end + rest) contains it."""
    items = sorted(items, key=lambda s: ix.start[s])
    out: list[list[int]] = []
    prev: set[int] = set()
    reach = max((ix.end[s] - ix.start[s] for s in items), default=0) + rest
    j0 = 0
    for i, a in enumerate(items):
        t = ix.start[a]
        while ix.start[items[j0]] <= t - reach:
            j0 += 1
        clique = [b for b in items[j0 : i + 1] if t < ix.end[b] + rest]
        # also later shifts with the same start
        k = i + 1
        while k < len(items) and ix.start[items[k]] == t:
            clique.append(items[k])
            k += 1
        cs = set(clique)
        if len(clique) >= 2 and not cs <= prev:
            out.append(clique)
        prev = cs
    return out


def build_model(
    ix: Index,
    shifts: list[int],
    people: list[int],
    *,
    band: dict[int, tuple[int, int]] | None,
    relax: frozenset[str] = frozenset(),
    fixed: list[tuple[int, int]] | None = None,
) -> tuple[
    cp_model.CpModel, dict[tuple[int, int], cp_model.IntVar], list[tuple[int, cp_model.IntVar]]
]:
    problem = ix.problem
    rules = problem.rules
    rest = 0 if "rest" in relax else int(rules.rest_hours * 60)
    no_cap = "weekly_cap" in relax
    model = cp_model.CpModel()
    in_comp = set(shifts)
    x: dict[tuple[int, int], cp_model.IntVar] = {}
    for p in people:
        for s in ix.shifts_of[p]:
            if s in in_comp:
                x[(p, s)] = model.new_bool_var(f"x{p}_{s}")
    # `fixed`: (shift, person) pairs of people outside `people`, kept as they are; they fill part
    # of the shifts' headcounts and cadre needs (a neighbourhood of a roster).
    fixed_set = set(fixed or ())
    for s, p in ix.pinned:
        if (p, s) in x:
            model.add(x[(p, s)] == 1)
        elif s in in_comp and (s, p) not in fixed_set:
            model.add_bool_or([])  # pinned to someone who cannot take it: infeasible
    posts = {post.id: post for post in problem.posts}
    cadre = [person.is_cadre for person in problem.people]
    taken: dict[int, int] = {}
    taken_cadres: dict[int, int] = {}
    for s, p in fixed_set:
        taken[s] = taken.get(s, 0) + 1
        if cadre[p]:
            taken_cadres[s] = taken_cadres.get(s, 0) + 1
    for s in shifts:
        here = [(p, x[(p, s)]) for p in ix.people_of[s] if (p, s) in x]
        model.add(sum(v for _, v in here) == problem.shifts[s].headcount - taken.get(s, 0))
        need = posts[problem.shifts[s].post].min_cadres - taken_cadres.get(s, 0)
        if need > 0 and "min_cadres" not in relax:
            model.add(sum(v for p, v in here if cadre[p]) >= need)
    for p in people:
        mine = [s for s in ix.shifts_of[p] if s in in_comp]
        for clique in _cliques(ix, mine, rest):
            model.add_at_most_one(x[(p, s)] for s in clique)
        cap = None if no_cap else ix.cap[p]
        if cap is not None:
            weeks: dict[tuple[int, int], list[int]] = {}
            for s in mine:
                weeks.setdefault(ix.week[s], []).append(s)
            for items in weeks.values():
                if sum(ix.units[s] for s in items) > cap:
                    model.add(sum(ix.units[s] * x[(p, s)] for s in items) <= cap)
        if band is not None and p in band:
            lo, hi = band[p]
            model.add_linear_constraint(sum(ix.units[s] * x[(p, s)] for s in mine), lo, hi)
    terms = [(ix.cost(p, s), v) for (p, s), v in x.items() if ix.cost(p, s)]
    model.minimize(sum(c * v for c, v in terms))
    return model, x, terms


def run(
    model: cp_model.CpModel,
    x: dict[tuple[int, int], cp_model.IntVar],
    *,
    time_limit: float,
    workers: int,
    seed: int,
    hint: set[tuple[int, int]] | None = None,
    on_solution: Callable[[int, int], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    first_only: bool = False,
    repair_hint: bool = False,
) -> Outcome:
    if hint is not None:
        model.clear_hints()
        for key, v in x.items():
            model.add_hint(v, key in hint)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.05, time_limit)
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    if first_only:
        solver.parameters.stop_after_first_solution = True
    if repair_hint:
        solver.parameters.repair_hint = True
    started = time.perf_counter()
    callback = _Callback(on_solution, started)
    stopped = threading.Event()
    done = threading.Event()

    def watch() -> None:
        while not done.wait(0.1):
            if should_stop is not None and should_stop():
                stopped.set()
                solver.stop_search()
                return

    watcher = threading.Thread(target=watch, daemon=True)
    if should_stop is not None:
        watcher.start()
    try:
        code = solver.solve(model, callback)
    finally:
        done.set()
        if watcher.is_alive():
            watcher.join()  # no thread outlives the call
    status = {
        cp_model.OPTIMAL: "optimal",
        cp_model.FEASIBLE: "feasible",
        cp_model.INFEASIBLE: "infeasible",
    }.get(code, "unknown")
    if status == "infeasible" or code == cp_model.MODEL_INVALID:
        return Outcome(
            "infeasible" if status == "infeasible" else "unknown", stopped=stopped.is_set()
        )
    if status == "unknown":
        return Outcome("unknown", stopped=stopped.is_set())
    keys = list(x)
    values = solver.boolean_values([x[k] for k in keys])
    pairs = [(s, p) for (p, s), on in zip(keys, values, strict=True) if on]
    return Outcome(
        status,
        pairs,
        round(solver.objective_value),
        round(solver.best_objective_bound),
        stopped=stopped.is_set(),
        first_s=callback.first_s,
    )


def window_model(
    ix: Index,
    shifts: list[int],
    people: list[int],
    *,
    spread: int,
    hint: list[tuple[int, int]] | None = None,
    floor_range: dict[int, tuple[int, int]] | None = None,
    fixed: list[tuple[int, int]] | None = None,
) -> tuple[cp_model.CpModel, dict[tuple[int, int], cp_model.IntVar]]:
    """Every fairness group's loads within a window of width `spread` that floats (its lowest
    load is a variable), the preferences the objective: its rosters are exactly those with a
    spread of at most `spread`, so it proves a spread infeasible or bounds the preferences at
    that spread. Needs every person who can work in `people` (the spread is over them all)."""
    model, x, _terms = build_model(ix, shifts, people, band=None, fixed=fixed)
    in_model = set(shifts)
    top = max((ix.units[s] for s in shifts), default=1) * len(shifts) + 1
    floors: dict[int, cp_model.IntVar] = {}
    for p in people:
        g = ix.group[p]
        if g not in floors:
            a, b = (floor_range or {}).get(g, (0, top))
            floors[g] = model.new_int_var(a, max(a, b), f"floor{g}")
        load = sum(ix.units[s] * x[(p, s)] for s in ix.shifts_of[p] if s in in_model)
        model.add(load >= floors[g])
        model.add(load <= floors[g] + spread)
    if hint is not None:  # a whole roster: the hint of x and of each group's floor
        loads = ix.load(hint)
        chosen = {(p, s) for s, p in hint}
        for g, floor in floors.items():
            lowest = min(loads[p] for p in people if ix.group[p] == g)
            a, b = (floor_range or {}).get(g, (lowest, lowest))
            model.add_hint(floor, min(max(lowest, a), max(a, b)))
        for key, v in x.items():
            model.add_hint(v, key in chosen)
    return model, x


def spread_model(
    ix: Index,
    shifts: list[int],
    people: list[int],
    *,
    fixed_load: dict[int, tuple[int, int]] | None = None,
) -> tuple[cp_model.CpModel, dict[tuple[int, int], cp_model.IntVar]]:
    """One model whose objective is the score itself: w × (the worst group's most − least units,
    over the people who can work) + the preference costs. `fixed_load`: per group, the (least,
    most) loads of its people outside this model, which the spread must also cover."""
    model, x, terms = build_model(ix, shifts, people, band=None)
    horizon = sum(ix.units[s] * ix.problem.shifts[s].headcount for s in shifts) + 1
    for lo_hi in (fixed_load or {}).values():
        horizon = max(horizon, lo_hi[1] + 1)
    spread = model.new_int_var(0, horizon, "spread")
    in_model = set(shifts)
    by_group: dict[int, list[int]] = {}
    for p in people:
        by_group.setdefault(ix.group[p], []).append(p)
    for g, members in by_group.items():
        hi = model.new_int_var(0, horizon, f"max{g}")
        lo = model.new_int_var(0, horizon, f"min{g}")
        for p in members:
            load = sum(ix.units[s] * x[(p, s)] for s in ix.shifts_of[p] if s in in_model)
            model.add(hi >= load)
            model.add(lo <= load)
        if fixed_load and g in fixed_load:
            model.add(hi >= fixed_load[g][1])
            model.add(lo <= fixed_load[g][0])
        model.add(spread >= hi - lo)
    w = ix.problem.weights.spread
    model.minimize(w * spread + sum(c * v for c, v in terms))
    return model, x


def plain_model(ix: Index, *, time_limit: float, workers: int = 2, seed: int = 0) -> Outcome:
    """The peer: one model of everything, max − min fairness in the objective, no hint, no
    decomposition, no band. Its objective is the score itself."""
    people = [p for p in range(ix.n_people) if ix.shifts_of[p]]
    model, x = spread_model(ix, list(range(ix.n_shifts)), people)
    return run(model, x, time_limit=time_limit, workers=workers, seed=seed)
