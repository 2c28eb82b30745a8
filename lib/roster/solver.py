"""solve(): greedy first, then CP-SAT per component inside a hard load band, with progress, an
early stop that keeps the best roster, a provable bound and reasons when no roster exists."""

from __future__ import annotations

import itertools
import os
import time
from collections import Counter
from concurrent.futures import Future, ThreadPoolExecutor

from lib.roster import cpsat, explain, lp
from lib.roster.checker import check
from lib.roster.eligibility import Index, build_index
from lib.roster.greedy import cheaper_moves, flatten_moves, greedy, repair
from lib.roster.problem import (
    Problem,
    Progress,
    ProgressCallback,
    Result,
    StopCallback,
    gap_pct,
)
from lib.roster.scoring import Bounds, Component, bounds, score_ix

RULE_CN = {
    "rest": "两班之间至少休息 {rest:g} 小时",
    "weekly_cap": "每人每周最多 {cap} 次",
    "min_cadres": "每班的干部人数要求",
}
DEBUG = bool(os.environ.get("ROSTER_DEBUG"))
MAX_WIDEN = 2  # then drop the band altogether
HUGE_MIXED_VARS = 50_000  # assignment variables: above this, no model of the whole component
LNS_PEOPLE = 80  # people freed at once in a neighbourhood of one large component
LNS_STEP_S = 4.0  # CP-SAT's time on one neighbourhood
LP_S_PER_VAR = 4e-5  # building an LP in Python (and about as long in CLP): 5 s for 120k
SMALL_GROUP = 60  # a fairness group of at most this many people is freed with every neighbourhood
MAX_FLOOR_COMBOS = 8  # the window's floors tried one by one for the bound, at most
MAX_WIDEN_MIXED = 12  # where the bound on the spread is weaker (groups share components)
BUILD_S_PER_VAR = 3e-5  # building a CP-SAT model in Python: about 1.5 s for 60k variables


def solve(
    problem: Problem,
    *,
    time_limit: float = 10.0,
    on_progress: ProgressCallback | None = None,
    should_stop: StopCallback | None = None,
    workers: int = 2,
    seed: int = 0,
) -> Result:
    return _Solve(problem, time_limit, on_progress, should_stop, workers, seed).run()


def _label(c: Component) -> str:
    return c.label or c.campus or "全部岗位"


class _Solve:
    def __init__(
        self,
        problem: Problem,
        time_limit: float,
        on_progress: ProgressCallback | None,
        should_stop: StopCallback | None,
        workers: int,
        seed: int,
    ) -> None:
        self.started = time.perf_counter()
        self.problem = problem
        # stop searching a little before the limit: the final check, scoring and the joins
        # of the background threads fit inside it
        self.time_limit = time_limit - min(0.5, 0.1 * time_limit)
        self.on_progress = on_progress
        self.should_stop = should_stop
        self.workers = workers
        self.seed = seed
        self.first_s: float | None = None
        self.stopped = False
        self.ix: Index | None = None
        self.running = 0  # the bound proven so far, for progress reports
        self.model_infeasible = False  # the score's own model proved there is no roster
        self.band_infeasible = False  # a component has no roster in the spread bound's band
        self.least_spread = 0  # the proven bound on the spread
        self.band_of: dict[int, tuple[int, int]] = {}  # Bounds.band
        self.lp_pref_bound: int | None = None  # the whole relaxation's, at least_spread
        self.bounds_of: Bounds | None = None

    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    def left(self) -> float:
        return self.time_limit - self.elapsed()

    def report(self, score: int | None, bound: int, phase: str) -> None:
        if self.on_progress is not None:
            self.on_progress(
                Progress(round(self.elapsed(), 3), score, bound, gap_pct(score, bound), phase)
            )

    def stop_requested(self) -> bool:
        if self.should_stop is not None and self.should_stop():
            self.stopped = True
        return self.stopped

    # --- main -----------------------------------------------------------------------------

    def run(self) -> Result:
        self.cancel = lp.Cancel()
        # the relaxations run ahead of the main thread, two at a time on two or more workers
        self.pool = ThreadPoolExecutor(max_workers=max(1, min(2, self.workers)))
        try:
            return self._run()
        finally:
            # interrupt the relaxations still running and wait for them: solve() leaves no
            # thread behind (GLOP stops at once when interrupted, and has the limit anyway)
            self.cancel.cancel()
            self.pool.shutdown(wait=True, cancel_futures=True)

    def _relax(self, c: Component, band: dict[int, tuple[int, int]]) -> lp.Relaxation:
        assert self.ix is not None
        return lp.relax(
            self.ix, c.shifts, c.people, band=band, time_limit=self.left(), cancel=self.cancel
        )

    def _run(self) -> Result:
        ix = self.ix = build_index(self.problem)
        # the greedy first: a complete roster is the first answer and proves the counting
        # below has nothing to say
        g_pairs, missing = greedy(ix)
        g_complete = missing == 0
        why = explain.quick_reasons(ix) if g_complete else explain.reasons(ix)
        if why:
            return Result("infeasible", time_s=self.elapsed(), reasons=why)
        if g_complete:
            self.first_s = self.elapsed()
            self.report(score_ix(ix, g_pairs)[0], 0, "greedy")
        b = bounds(ix)
        self.least_spread = b.spread
        self.band_of = dict(b.band)
        self.bounds_of = b
        w = self.problem.weights.spread
        static_bound = b.at_least(ix, w)
        self.running = static_bound

        self.mixed = any(c.group is None for c in b.components if c.shifts and c.people)
        band = self._band(ix, b)
        if g_complete:
            g_pairs = cheaper_moves(ix, flatten_moves(ix, repair(ix, g_pairs, band)))
            g_score = score_ix(ix, g_pairs)[0]
            self.report(g_score, static_bound, "greedy")
        comps = [c for c in b.components if c.shifts and c.people]
        comp_of_shift = {s: ci for ci, c in enumerate(comps) for s in c.shifts}
        current: dict[int, list[tuple[int, int]] | None] = {ci: [] for ci in range(len(comps))}
        g_by_comp: dict[int, list[tuple[int, int]]] = {ci: [] for ci in range(len(comps))}
        for s, p in g_pairs:
            if s in comp_of_shift:
                g_by_comp[comp_of_shift[s]].append((s, p))
        for ci, c in enumerate(comps):
            places = sum(ix.problem.shifts[s].headcount for s in c.shifts)
            current[ci] = g_by_comp[ci] if len(g_by_comp[ci]) == places else None

        widened = dict.fromkeys(range(ix.n_groups), 0)
        if self.mixed:
            # where groups share components a band of width 0 is seldom feasible and its
            # relaxation is the slowest to say so: start one wider (the window search proves
            # the narrower width afterwards)
            for g in range(ix.n_groups):
                if band[g][0] == band[g][1]:
                    self._widen(band, widened, {g})
        tried_lp: set[tuple[int, tuple[tuple[int, tuple[int, int]], ...]]] = set()
        # every component's relaxation in the initial band, in the background (GLOP lets go of
        # the GIL): the first components are solved while the later ones' LPs run
        sizes = {ci: sum(len(ix.shifts_of[p]) for p in c.people) + 1 for ci, c in enumerate(comps)}
        # one component of mixed groups too large for a whole model: neighbourhoods only
        self.huge = self.mixed and sum(sizes.values()) > HUGE_MIXED_VARS and len(comps) == 1
        relaxing = {
            ci: self.pool.submit(self._relax, c, {p: band[ix.group[p]] for p in c.people})
            for ci, c in enumerate(comps)
            if not self.huge
        }
        initial_band = tuple(sorted(band.items()))
        comp_bound: dict[int, int] = {}
        proven_infeasible: list[str] = []
        # Components that mix fairness groups (leaders at the gates, people on two campuses)
        # get more widenings of the band, and the window search afterwards (below).
        max_widen = MAX_WIDEN_MIXED if self.mixed else MAX_WIDEN
        for ci, c in enumerate(comps):
            if self.huge or self.stop_requested() or self.left() <= 0.05:
                break
            weight_left = sum(sizes[cj] for cj in range(ci, len(comps)))
            budget = max(min(1.0, self.left()), self.left() * sizes[ci] / weight_left)
            deadline = self.elapsed() + budget
            while True:
                groups = {ix.group[p] for p in c.people}
                use_band = all(widened[gr] <= max_widen for gr in groups)
                person_band = {p: band[ix.group[p]] for p in c.people} if use_band else None
                bounded = use_band and all(widened[gr] == 0 and b.band_unique[gr] for gr in groups)
                lp_key = (ci, tuple(sorted(band.items())))
                if person_band is not None and lp_key not in tried_lp:
                    tried_lp.add(lp_key)
                    job = relaxing.pop(ci, None) if lp_key[1] == initial_band else None
                    lp_status, found, lp_bound, proven = self._via_lp(
                        ix, c, person_band, deadline, job
                    )
                    if lp_status == "infeasible" and not self.stop_requested():
                        # no roster in this band, not even a fractional one: widen it
                        self.band_infeasible |= bounded
                        self._widen(band, widened, groups)
                        if self.left() > 0.05:
                            deadline = max(deadline, self.elapsed() + 0.5)
                            continue
                        break
                    if found is not None and (
                        current[ci] is None
                        or self._pref(ix, found) <= self._pref(ix, current[ci] or [])
                        or not self._in_band(ix, current[ci] or [], band)
                    ):
                        current[ci] = found
                        self._first_if_complete(current)
                        self.report(
                            self._estimate(ix, comps, current, -1, 0, band),
                            self.running,
                            _label(c),
                        )
                    if lp_bound is not None and bounded:
                        comp_bound[ci] = max(comp_bound.get(ci, 0), lp_bound)
                        self.running = self._bound(b, comps, comp_bound, w, static_bound)
                    if proven or (lp_bound is not None and self.left() <= 0.05):
                        break
                    if found is not None and deadline - self.elapsed() < 0.2:
                        break
                if self.left() < 0.2 + BUILD_S_PER_VAR * sizes[ci]:
                    break  # no time left to even build the model: keep what there is
                model, x, _terms = cpsat.build_model(ix, c.shifts, c.people, band=person_band)
                hint = set((p, s) for s, p in (current[ci] or g_by_comp[ci]))

                def on_solution(obj: int, bnd: int, ci: int = ci) -> None:
                    if self.first_s is None and all(
                        current[cj] is not None for cj in range(len(comps)) if cj != ci
                    ):
                        self.first_s = self.elapsed()
                    self.report(
                        self._estimate(ix, comps, current, ci, obj, band),
                        self.running,
                        _label(comps[ci]),
                    )

                out = cpsat.run(
                    model,
                    x,
                    time_limit=max(0.05, min(deadline - self.elapsed(), self.left())),
                    workers=self.workers,
                    seed=self.seed,
                    hint=hint,
                    on_solution=on_solution,
                    should_stop=self.should_stop,
                )
                if DEBUG:
                    print(
                        f"  [{_label(c)}] band={use_band and band} {out.status} "
                        f"obj={out.objective} "
                        f"bound={out.bound} t={self.elapsed():.2f} vars={len(x)}"
                    )
                if out.stopped:
                    self.stopped = True
                if out.status in ("optimal", "feasible"):
                    if (
                        current[ci] is None
                        or self._pref(ix, out.pairs) <= self._pref(ix, current[ci] or [])
                        or not self._in_band(ix, current[ci] or [], band)
                    ):
                        current[ci] = out.pairs
                    if bounded:
                        comp_bound[ci] = max(comp_bound.get(ci, 0), out.bound)
                        self.running = self._bound(b, comps, comp_bound, w, static_bound)
                    break
                if out.status == "infeasible" and not out.stopped:
                    if not use_band:
                        proven_infeasible += self._diagnose(ix, c)
                        break
                    self.band_infeasible |= bounded
                    self._widen(band, widened, groups)
                    if self.left() > 0.05 and not self.stop_requested():
                        deadline = max(deadline, self.elapsed() + 0.5)
                        continue
                break  # unknown: keep the greedy part if there is one

        if proven_infeasible:
            return Result(
                "infeasible",
                bound=static_bound,
                time_s=self.elapsed(),
                reasons=[r for r in proven_infeasible if r],
            )
        pairs: list[tuple[int, int]] = []
        complete = all(v is not None for v in current.values())
        if complete:
            for v in current.values():
                pairs += v or []
        candidates = []
        if complete:
            candidates.append(pairs)
        if g_complete:
            candidates.append(g_pairs)
        bound = self._bound(b, comps, comp_bound, w, static_bound)
        if self.mixed and not self.huge and self.left() > 0.3 and not self.stop_requested():
            start = min(candidates, key=lambda ps: score_ix(ix, ps)[0]) if candidates else None
            found, window_bound = self._window_search(ix, b, start, g_pairs)
            bound = max(bound, window_bound)
            if found is not None:
                candidates.append(found)
            elif self.model_infeasible:
                return Result(
                    "infeasible",
                    bound=0,
                    time_s=self.elapsed(),
                    reasons=[r for r in self._diagnose(ix, comps[0]) if r],
                )
        if not candidates and self.left() > 0.3 and not self.stop_requested():
            # neither the greedy nor the band found a roster: the score's own model, from the
            # greedy's partial roster
            found, proven_bound = self._improve(ix, comps, g_pairs, bound, complete=False)
            bound = max(bound, proven_bound)
            if found is not None:
                candidates.append(found)
            elif self.model_infeasible:
                return Result(
                    "infeasible",
                    bound=0,
                    time_s=self.elapsed(),
                    reasons=[r for r in self._diagnose(ix, comps[0]) if r],
                )
        if not candidates:
            self.report(None, bound, "done")
            return Result(
                "stopped" if self.stopped else "timeout_no_solution",
                bound=bound,
                time_s=self.elapsed(),
                reasons=["在时限内没有找到完整的值班表，请延长求解时间后重试"],
            )
        problem = self.problem

        def as_ids(ps: list[tuple[int, int]]) -> list[tuple[str, str]]:
            return sorted((problem.shifts[s].id, problem.people[p].id) for s, p in ps)

        # The independent checker has the last word: a roster that breaks a rule is never
        # returned, whatever its score (a bug in the model or the greedy would show here).
        ranked = sorted(candidates, key=lambda ps: score_ix(ix, ps)[0])
        best = next((ps for ps in ranked if not check(problem, as_ids(ps))), None)
        if best is not None and self.mixed and score_ix(ix, best)[0] > bound:
            # one large component: neighbourhoods of it, in turn, until the limit
            better = self._lns(ix, best, bound)
            if better is not None and not check(problem, as_ids(better)):
                best = better
            if self.lp_pref_bound is not None:
                bound = max(bound, self._lp_bound(ix, b))
        if best is not None and score_ix(ix, best)[0] > bound:
            # the gap is open: search on until the limit or a proven optimum
            better, proven_bound = self._improve(ix, comps, best, bound)
            bound = max(bound, proven_bound)
            if (
                better is not None
                and score_ix(ix, better)[0] < score_ix(ix, best)[0]
                and not check(problem, as_ids(better))
            ):
                best = better
        if best is None:
            self.report(None, bound, "done")
            return Result(
                "timeout_no_solution",
                bound=bound,
                time_s=self.elapsed(),
                reasons=["求解器得到的值班表未通过规则检查，请联系管理员"],
            )
        total, breakdown = score_ix(ix, best)
        bound = min(bound, total)
        status = "optimal" if total == bound else ("stopped" if self.stopped else "feasible")
        self.report(total, bound, "done")
        return Result(
            status,  # type: ignore[arg-type]
            assignments=as_ids(best),
            score=total,
            bound=bound,
            gap_pct=gap_pct(total, bound),
            time_s=self.elapsed(),
            first_solution_s=self.first_s,
            breakdown=breakdown,
        )

    # --- pieces ---------------------------------------------------------------------------

    def _window_search(
        self,
        ix: Index,
        b: Bounds,
        best: list[tuple[int, int]] | None,
        partial: list[tuple[int, int]],
    ) -> tuple[list[tuple[int, int]] | None, int]:
        """For problems whose components mix fairness groups (leaders at the gates, people on
        two campuses): bisect on the spread with the window model (each group's loads within a
        floating window of that width), each infeasible width raising the proven spread, each
        roster found lowering the best; then the preferences at the best width until the limit
        or a proven optimum. Returns (the best roster found or None, a proven bound)."""
        w = self.problem.weights.spread
        people = [p for p in range(ix.n_people) if ix.shifts_of[p]]
        shifts = list(range(ix.n_shifts))
        size = sum(len(ix.shifts_of[p]) for p in people)
        proven_lo = b.spread  # no roster has a smaller spread
        lo = proven_lo  # where the bisection looks next (may pass unproven widths)
        found: list[tuple[int, int]] | None = None
        hint_from = best if best is not None else partial
        hi = score_ix(ix, best)[1]["spread"] if best is not None else None
        top = max(b.upper, default=0)
        pref_bound: dict[int, int] = {}
        lp_checked: set[int] = set()
        while self.left() > 0.3 + BUILD_S_PER_VAR * size and not self.stop_requested():
            if hi is not None and lo >= hi:
                t = hi
            elif hi is None:
                t = top if lo >= top else lo
            else:
                t = (lo + hi) // 2
            final = hi is not None and t == hi
            # the floor of each group's window: its most is at least band[1] and its least at
            # most band[0] (Bounds), so the floor lies in [band[1] − t, band[0]]
            floor_range = {
                g: (max(0, b.band[g][1] - t), max(0, b.band[g][0])) for g in range(ix.n_groups)
            }
            if not final and t not in lp_checked and self.left() > 1.0 + 3 * LP_S_PER_VAR * size:
                # the window's LP relaxation first (CLP, seconds at medium size): infeasible
                # proves the width impossible, where CP-SAT may take its whole budget to say so
                lp_checked.add(t)
                rel = lp.relax(
                    ix,
                    shifts,
                    people,
                    band={},
                    time_limit=self.left() - 0.5,
                    window=t,
                    floor_range=floor_range,
                    engine="CLP",
                    should_stop=self.stop_requested,
                )
                if DEBUG:
                    print(f"  [window {t}] LP {rel.status} t={self.elapsed():.2f}")
                if rel.status == "infeasible":
                    proven_lo = max(proven_lo, t + 1)
                    lo = max(lo, t + 1)
                    continue
            lp_bound = 0
            ours = found if found is not None else best
            if final and t == proven_lo and ours is not None:
                lp_bound = self._window_lp_bound(ix, shifts, people, t, floor_range)
                pref_bound[t] = max(pref_bound.get(t, 0), lp_bound)
                if self._pref(ix, ours) <= lp_bound:
                    break  # proven: the best preferences at the least spread
            model, x = cpsat.window_model(
                ix, shifts, people, spread=t, hint=hint_from, floor_range=floor_range
            )
            budget = self.left() - 0.2 if final else max(1.0, self.left() / 3)
            outcome = cpsat.run(
                model,
                x,
                time_limit=max(0.1, min(budget, self.left() - 0.2)),
                workers=self.workers,
                seed=self.seed,
                on_solution=self._window_found,
                should_stop=self.should_stop,
                first_only=not final,
            )
            if DEBUG:
                print(
                    f"  [window {t}] {outcome.status} obj={outcome.objective} "
                    f"bound={outcome.bound} t={self.elapsed():.2f}"
                )
            if outcome.stopped:
                self.stopped = True
            if outcome.status == "infeasible" and not outcome.stopped:
                if t >= top:
                    self.model_infeasible = True  # not even the widest window: no roster
                    return None, 0
                proven_lo = max(proven_lo, t + 1)
                lo = max(lo, t + 1)
                continue
            if outcome.status in ("optimal", "feasible"):
                spread = score_ix(ix, outcome.pairs)[1]["spread"]
                if found is None or score_ix(ix, outcome.pairs)[0] < score_ix(ix, found)[0]:
                    found = outcome.pairs
                    hint_from = found
                    if self.first_s is None:
                        self.first_s = self.elapsed()
                if final:
                    pref_bound[t] = max(pref_bound.get(t, 0), lp_bound, outcome.bound)
                    break
                hi = spread if hi is None else min(hi, spread)
                continue
            # unknown: out of time for this width; look wider without a proof
            if final:
                break
            lo = t + 1
        # the bound: no roster below proven_lo; at proven_lo, the preferences CP-SAT proved
        at_lo = pref_bound.get(proven_lo)
        return found, b.at_least(ix, w, at_bound_pref=at_lo, start=proven_lo)

    def _small_groups(self, ix: Index) -> list[int]:
        """The people of the fairness groups of at most SMALL_GROUP who can work."""
        by_group: dict[int, list[int]] = {}
        for p in range(ix.n_people):
            if ix.shifts_of[p]:
                by_group.setdefault(ix.group[p], []).append(p)
        return [p for members in by_group.values() if len(members) <= SMALL_GROUP for p in members]

    def _neighbourhoods(self, ix: Index) -> list[list[int]]:
        """Sets of people to re-roster together, the rest kept as they are: each small
        fairness group whole (the leaders), and the people of each campus (with the small
        groups), in pieces of at most LNS_PEOPLE."""
        working = [p for p in range(ix.n_people) if ix.shifts_of[p]]
        small = self._small_groups(ix)
        out: list[list[int]] = []
        if small:
            out.append(small)
        by_campus: dict[str, list[int]] = {}
        in_small = set(small)
        for p in working:
            if p not in in_small:
                by_campus.setdefault(self.problem.people[p].campus, []).append(p)
        for members in by_campus.values():
            # people of the same posts side by side, so that a piece can trade shifts
            members.sort(key=lambda p: (self.problem.people[p].allocated_posts[:1], p))
            pieces = max(1, round(len(members) / LNS_PEOPLE))
            size = -(-len(members) // pieces)
            for i in range(0, len(members), size):
                out.append(small + members[i : i + size])
        return out

    def _campus_pieces(self, ix: Index) -> list[list[int]]:
        """The shifts of each campus, and the leaders' duties together: the pieces the
        relaxation steps of the neighbourhood search re-roster one at a time."""
        posts = {post.id: post for post in self.problem.posts}
        by: dict[str, list[int]] = {}
        for s, shift in enumerate(self.problem.shifts):
            post = posts[shift.post]
            by.setdefault("" if post.is_leader_duty else post.campus, []).append(s)
        return [items for _key, items in sorted(by.items(), key=lambda kv: -len(kv[1]))]

    def _floor_range(
        self, ix: Index, pairs: list[tuple[int, int]], free: set[int], target: int
    ) -> dict[int, tuple[int, int]] | None:
        """Where each group's window of width `target` may start when everyone outside `free`
        keeps their load in `pairs`: at or below the least of them, and at or above the most of
        them less `target`; None when they already spread wider."""
        loads = ix.load(pairs)
        span: dict[int, tuple[int, int]] = {}
        for p in range(ix.n_people):
            if ix.shifts_of[p] and p not in free:
                lo, hi = span.get(ix.group[p], (loads[p], loads[p]))
                span[ix.group[p]] = (min(lo, loads[p]), max(hi, loads[p]))
        out = {}
        for g in range(ix.n_groups):
            lo, hi = span.get(g, (10**6, 0))
            # and any roster's: its most is at least the band's high end, its least at most
            # the low end (scoring.bounds)
            band_lo, band_hi = self.band_of.get(g, (10**6, 0))
            lo, hi = min(lo, max(0, band_lo)), max(hi, band_hi)
            if hi - lo > target:
                return None
            out[g] = (max(0, hi - target), lo)
        return out

    def _relaxation_step(
        self,
        ix: Index,
        current: list[tuple[int, int]],
        piece: list[int],
        target: int,
        *,
        whole: bool = False,
    ) -> tuple[list[tuple[int, int]] | None, int | None]:
        """Fix-and-optimise one piece (a campus; `whole`: the whole problem): everyone who can
        work its shifts is freed there and wherever else they can work (the others keep their
        shifts), and the piece's LP relaxation with every group's loads in a window of width
        `target` gives a nearly integral roster of it; the people left fractional are placed by
        CP-SAT with everyone else as the relaxation has them, widening to the people sharing
        their shifts when that fails. Returns (a roster with spread ≤ target that keeps every
        hard rule, or None; for `whole`, the relaxation's bound on the preferences of any
        roster with spread ≤ target, or None)."""
        if not whole:
            # only the posts of the piece that someone paying for a preference can work: the
            # others have nothing to gain (late in the search, a small part of the campus)
            paying = {p for s, p in current if ix.cost(p, s)}
            in_piece = set(piece)
            posts = {
                ix.problem.shifts[s].post for p in paying for s in ix.shifts_of[p] if s in in_piece
            }
            piece = [s for s in piece if ix.problem.shifts[s].post in posts]
            if not piece:
                return None, None
        free = {p for s in piece for p in ix.people_of[s]}
        # everything the freed people can work, wherever it is: those allocated to posts on two
        # campuses move on both (the others there keep their shifts)
        piece = sorted({s for p in free for s in ix.shifts_of[p]})
        inside = set(piece)
        keep = [(s, p) for s, p in current if (s in inside) != (p in free)]
        floor_range = self._floor_range(ix, current, free, target)
        size = sum(len(ix.shifts_of[p]) for p in free)
        # CLP does not stop at its limit: start it only with time for about three times what
        # building the model takes
        if floor_range is None or self.left() < 1.5 + 3 * LP_S_PER_VAR * size:
            return None, None
        before = sum(ix.cost(p, s) for s, p in current if p in free)
        rel = lp.relax(
            ix,
            piece,
            sorted(free),
            band={},
            time_limit=self.left() - 1.0,
            cancel=self.cancel,
            window=target,
            floor_range=floor_range,
            keep=keep,
            engine="CLP",
            should_stop=self.stop_requested,
        )
        if DEBUG:
            print(
                f"  [relax piece {len(piece)} shifts, {len(free)} people, spread {target}] "
                f"{rel.status} bound={rel.bound} (now {before}) "
                f"fractional={len(rel.fractional)} t={self.elapsed():.2f}"
            )
        whole_bound = rel.bound if whole and rel.status == "optimal" else None
        spread = score_ix(ix, current)[1]["spread"]
        if rel.status != "optimal" or (rel.bound >= before and target >= spread):
            return None, whole_bound
        rest = [(s, p) for s, p in current if not (s in inside and p in free)]
        stuck = {p for _s, p in rel.fractional}
        partial = rest + [(s, p) for s, p in rel.ones if p not in stuck]
        for step in range(3):
            if not stuck:
                return partial, whole_bound
            if self.left() < 0.8 or self.stop_requested():
                return None, whole_bound
            people = sorted(stuck)
            shifts = sorted({s for p in people for s in ix.shifts_of[p]})
            hood = set(shifts)
            fixed = [(s, p) for s, p in partial if p not in stuck and s in hood]
            window_floors = self._floor_range(ix, partial, stuck, target)
            if window_floors is None:
                return None, whole_bound
            model, x = cpsat.window_model(
                ix, shifts, people, spread=target, floor_range=window_floors, fixed=fixed
            )
            outcome = cpsat.run(
                model,
                x,
                time_limit=min(3.0, self.left() - 0.4),
                workers=self.workers,
                seed=self.seed + step,
                should_stop=self.should_stop,
            )
            if DEBUG:
                print(
                    f"  [relax fill {len(people)} people] {outcome.status} "
                    f"obj={outcome.objective} t={self.elapsed():.2f}"
                )
            if outcome.stopped:
                self.stopped = True
            if outcome.status in ("optimal", "feasible"):
                return [(s, p) for s, p in partial if p not in stuck] + outcome.pairs, whole_bound
            if outcome.status != "infeasible":
                return None, whole_bound
            # the people sharing a shift with them, then those on the same posts
            touched = {s for s, p in (*rel.fractional, *rel.ones) if p in stuck}
            if step == 0:
                stuck |= {p for s, p in partial if s in touched}
            else:
                posts = {ix.problem.shifts[s].post for s in touched}
                stuck |= {
                    p for s, p in partial if ix.problem.shifts[s].post in posts and s in inside
                }
        return None, whole_bound

    def _lns(
        self, ix: Index, best: list[tuple[int, int]], bound: int
    ) -> list[tuple[int, int]] | None:
        """Large-neighbourhood search: free one neighbourhood, keep everyone else's shifts,
        and re-roster it with every group's loads in a window as narrow as the fixed people
        allow (one narrower than the spread first when it can be), the preferences the
        objective. The neighbourhoods: each campus through its LP relaxation (fix-and-optimise,
        `_relaxation_step`), then the small groups and pieces of each campus's people through
        CP-SAT. Returns a better roster or None."""
        current = list(best)
        current_score = score_ix(ix, current)[0]
        improved = False
        # a quick first pass: single hand-overs that lower the spread, then cheaper ones
        moved = cheaper_moves(ix, flatten_moves(ix, current))
        if score_ix(ix, moved)[0] < current_score:
            current, current_score, improved = moved, score_ix(ix, moved)[0], True
            self.report(current_score, bound, "邻域改进")
        # the whole problem's relaxation at the least spread, when there is time for it (CLP:
        # about 10 s on mixed-large, 77 of 123k values fractional): a proven bound on the
        # preferences there, and a roster from its integral part
        found, whole_bound = self._relaxation_step(
            ix, current, list(range(ix.n_shifts)), self.least_spread, whole=True
        )
        if whole_bound is not None and self.bounds_of is not None:
            self.lp_pref_bound = whole_bound
            bound = max(bound, self._lp_bound(ix, self.bounds_of))
        if found is not None and score_ix(ix, found)[0] < current_score:
            current, current_score, improved = found, score_ix(ix, found)[0], True
        self.report(current_score, bound, "全局松弛")
        people_hoods = self._neighbourhoods(ix)
        if len(people_hoods) <= 1:
            return current if improved else None  # the window search has done the rest
        # the relaxations twice round (each campus's moves change what the others can do),
        # the small groups between, then the people's pieces by CP-SAT
        pieces: list[tuple[str, list[int]]] = [("lp", p) for p in self._campus_pieces(ix)]
        hoods = [*pieces, ("cp", people_hoods[0]), *pieces]
        hoods += [("cp", free) for free in people_hoods[1:]]
        least_spread = self.least_spread
        stale = 0
        k = 0
        while (
            self.left() > 1.2
            and not self.stop_requested()
            and current_score > bound
            and stale < len(hoods)
        ):
            kind, members = hoods[k % len(hoods)]
            k += 1
            stale += 1
            spread = score_ix(ix, current)[1]["spread"]
            targets = [spread - 1, spread] if spread - 1 >= least_spread else [spread]
            for target in targets:
                if self.left() <= 1.0 or self.stop_requested():
                    break
                if kind == "lp":
                    found, _ = self._relaxation_step(ix, current, members, target)
                else:
                    found = self._people_step(ix, current, members, target, len(targets), k)
                if found is None:
                    continue
                value = score_ix(ix, found)[0]
                if value < current_score:
                    current, current_score, improved, stale = found, value, True, 0
                    self.report(value, bound, "邻域改进")
                    break
        return current if improved else None

    def _lp_bound(self, ix: Index, b: Bounds) -> int:
        """The bound with the whole relaxation's preferences at the least spread."""
        w = self.problem.weights.spread
        return b.at_least(ix, w, at_bound_pref=self.lp_pref_bound, start=self.least_spread)

    def _people_step(
        self,
        ix: Index,
        current: list[tuple[int, int]],
        free: list[int],
        target: int,
        tries: int,
        k: int,
    ) -> list[tuple[int, int]] | None:
        """Re-roster `free` (all their shifts) by CP-SAT, everyone else fixed, every group's
        loads in a window of width `target`."""
        free_set = set(free)
        shifts = sorted({s for p in free for s in ix.shifts_of[p]})
        in_hood = set(shifts)
        fixed = [(s, p) for s, p in current if p not in free_set and s in in_hood]
        floor_range = self._floor_range(ix, current, free_set, target)
        if floor_range is None:
            return None
        model, x = cpsat.window_model(
            ix,
            shifts,
            free,
            spread=target,
            hint=[(s, p) for s, p in current if p in free_set],
            floor_range=floor_range,
            fixed=fixed,
        )
        outcome = cpsat.run(
            model,
            x,
            time_limit=min(LNS_STEP_S / tries, self.left() - 0.4),
            workers=self.workers,
            seed=self.seed + k,
            should_stop=self.should_stop,
        )
        if DEBUG:
            print(
                f"  [lns {k} {len(free)} people, spread {target}] {outcome.status} "
                f"obj={outcome.objective} t={self.elapsed():.2f}"
            )
        if outcome.stopped:
            self.stopped = True
        if outcome.status in ("optimal", "feasible"):
            return [(s, p) for s, p in current if p not in free_set] + outcome.pairs
        return None

    def _window_lp_bound(
        self,
        ix: Index,
        shifts: list[int],
        people: list[int],
        t: int,
        floor_range: dict[int, tuple[int, int]],
    ) -> int:
        """A lower bound on the preferences of any roster with spread ≤ t: the least, over the
        few possible floors of the groups' windows, of the LP relaxation with loads in
        [floor, floor + t]; with many possible floors, the relaxation of the floating window."""
        present = sorted({ix.group[p] for p in people})
        ranges = [range(floor_range[g][0], floor_range[g][1] + 1) for g in present]
        combos = list(itertools.islice(itertools.product(*ranges), MAX_FLOOR_COMBOS + 1))
        if 0 < len(combos) <= MAX_FLOOR_COMBOS:
            least: int | None = None
            for combo in combos:
                if self.left() < 1.0 or self.stop_requested():
                    return 0
                floors = dict(zip(present, combo, strict=True))
                band = {p: (floors[ix.group[p]], floors[ix.group[p]] + t) for p in people}
                rel = lp.relax(
                    ix, shifts, people, band=band, time_limit=self.left() / 2, cancel=self.cancel
                )
                if DEBUG:
                    print(f"  [window {t} floors {combo}] LP {rel.status} bound={rel.bound}")
                if rel.status == "infeasible":
                    continue  # no roster with these floors
                if rel.status != "optimal":
                    return 0
                least = rel.bound if least is None else min(least, rel.bound)
            return least if least is not None else 0
        rel = lp.relax(
            ix,
            shifts,
            people,
            band={},
            time_limit=self.left() / 3,
            window=t,
            floor_range=floor_range,
            cancel=self.cancel,
        )
        if DEBUG:
            print(f"  [window {t}] LP {rel.status} bound={rel.bound} t={self.elapsed():.2f}")
        return rel.bound if rel.status == "optimal" else 0

    def _window_found(self, obj: int, bnd: int) -> None:
        if self.first_s is None:
            self.first_s = self.elapsed()

    def _found(self, obj: int, bnd: int, bound: int, whole: bool) -> None:
        if self.first_s is None:
            self.first_s = self.elapsed()
        self.report(obj if whole else None, max(bound, bnd) if whole else bound, "全局改进")

    def _improve(
        self,
        ix: Index,
        comps: list[Component],
        best: list[tuple[int, int]],
        bound: int,
        *,
        complete: bool = True,
    ) -> tuple[list[tuple[int, int]] | None, int]:
        """Each component in turn under a model whose objective is the score itself (the
        spread within each fairness group, counting the other components' loads as they stand,
        plus the preferences), hinted with the best roster, until the limit or a proven
        optimum. Returns (a better roster or None, a proven bound or 0)."""
        comp_of_shift = {s: ci for ci, c in enumerate(comps) for s in c.shifts}
        current = list(best)
        current_score = score_ix(ix, current)[0] if complete else 10**12
        improved = False
        proven = 0
        whole = len(comps) == 1
        order = sorted(
            range(len(comps)), key=lambda ci: -sum(len(ix.shifts_of[p]) for p in comps[ci].people)
        )
        rounds = 0
        while not self.stop_requested() and self.left() > 0.3 and current_score > bound:
            rounds += 1
            changed = False
            sizes = {ci: sum(len(ix.shifts_of[p]) for p in comps[ci].people) for ci in order}
            for k, ci in enumerate(order):
                if self.stop_requested() or self.left() < 0.3 + BUILD_S_PER_VAR * sizes[ci]:
                    break
                c = comps[ci]
                mine = set(c.shifts)
                others = [(s, p) for s, p in current if comp_of_shift.get(s) != ci]
                load = ix.load(others)
                fixed: dict[int, tuple[int, int]] = {}
                outside = set(c.people)
                for p in range(ix.n_people):
                    if p in outside or not ix.shifts_of[p]:
                        continue
                    lo, hi = fixed.get(ix.group[p], (load[p], load[p]))
                    fixed[ix.group[p]] = (min(lo, load[p]), max(hi, load[p]))
                model, x = cpsat.spread_model(ix, c.shifts, c.people, fixed_load=fixed)
                left_weight = sum(sizes[cj] for cj in order[k:]) or 1
                budget = self.left() - 0.2
                if not whole and rounds == 1:
                    budget = max(1.0, budget * sizes[ci] / left_weight)
                base = [(s, p) for s, p in current if s in mine]
                outcome = cpsat.run(
                    model,
                    x,
                    time_limit=max(0.1, min(budget, self.left() - 0.2)),
                    workers=self.workers,
                    seed=self.seed + rounds,
                    hint={(p, s) for s, p in base},
                    on_solution=lambda obj, bnd: self._found(obj, bnd, bound, whole),
                    should_stop=self.should_stop,
                )
                if DEBUG:
                    print(
                        f"  [improve {_label(c)}] {outcome.status} obj={outcome.objective} "
                        f"bound={outcome.bound} t={self.elapsed():.2f}"
                    )
                if outcome.stopped:
                    self.stopped = True
                if whole and outcome.status in ("optimal", "feasible"):
                    proven = max(proven, outcome.bound)
                if outcome.status in ("optimal", "feasible"):
                    candidate = others + outcome.pairs
                    value = score_ix(ix, candidate)[0]
                    if value < current_score:
                        current, current_score = candidate, value
                        improved = changed = True
                if whole and outcome.status == "infeasible" and not outcome.stopped:
                    self.model_infeasible = True  # the whole problem, proven: no roster
                    return None, 0
                if whole and outcome.status == "optimal":
                    return (current if improved else None), max(proven, current_score)
            if whole or not changed:
                break
        return (current if improved else None), proven

    @staticmethod
    def _widen(band: dict[int, tuple[int, int]], widened: dict[int, int], groups: set[int]) -> None:
        for gr in groups:  # the high end first, then the low end
            widened[gr] += 1
            lo, hi = band[gr]
            band[gr] = (lo, hi + 1) if widened[gr] % 2 else (max(0, lo - 1), hi)

    def _first_if_complete(self, current: dict[int, list[tuple[int, int]] | None]) -> None:
        if self.first_s is None and all(v is not None for v in current.values()):
            self.first_s = self.elapsed()

    def _via_lp(
        self,
        ix: Index,
        c: Component,
        band: dict[int, tuple[int, int]],
        deadline: float,
        job: Future[lp.Relaxation] | None = None,
    ) -> tuple[str, list[tuple[int, int]] | None, int | None, bool]:
        """(the LP's status, a roster of the component in the band or None, the LP's bound or
        None, whether the roster is proven optimal in the band). The LP relaxation is nearly
        integral here: keep the people whose values are all 0 or 1 and let CP-SAT place the
        others, widening that neighbourhood when it cannot reach the LP's bound."""
        if job is None:
            job = self.pool.submit(self._relax, c, band)
        while True:
            try:
                rel = job.result(timeout=0.1)
                break
            except TimeoutError:
                if self.stop_requested() or self.left() <= 0:
                    self.cancel.cancel()
                    return "unknown", None, None, False
        if DEBUG:
            print(
                f"  [{_label(c)}] LP {rel.status} bound={rel.bound} "
                f"fractional={len(rel.fractional)} t={self.elapsed():.2f}"
            )
        if rel.status != "optimal":
            return rel.status, None, None, False
        if not rel.fractional:
            return rel.status, rel.ones, rel.bound, True
        comp_shifts = set(c.shifts)
        free = {p for _, p in rel.fractional}
        best: list[tuple[int, int]] | None = None
        best_cost: int | None = None
        for step in range(3):
            if self.stop_requested() or self.left() <= 0.05:
                break
            fixed = [(s, p) for s, p in rel.ones if p not in free]
            sub_shifts = sorted({s for p in free for s in ix.shifts_of[p] if s in comp_shifts})
            people = sorted(free)
            model, x, _ = cpsat.build_model(
                ix, sub_shifts, people, band={p: band[p] for p in people}, fixed=fixed
            )
            if best is not None:
                hint = {(p, s) for s, p in best if p in free}
            else:
                hint = {(p, s) for s, p in rel.ones if p in free}
            model.clear_hints()
            for key, v in x.items():  # a partial hint: the LP's ones
                if key in hint or best is not None:
                    model.add_hint(v, key in hint)
            out = cpsat.run(
                model,
                x,
                # at least 2 s: a neighbourhood is small, and giving up sends the whole
                # component to CP-SAT (slow at campus size)
                time_limit=max(min(2.0, self.left()), min(deadline - self.elapsed(), self.left())),
                workers=self.workers,
                seed=self.seed,
                should_stop=self.should_stop,
            )
            if DEBUG:
                print(
                    f"  [{_label(c)}] neighbourhood {step}: {len(people)} people, "
                    f"{len(x)} vars, {out.status} obj={out.objective} t={self.elapsed():.2f}"
                )
            if out.stopped:
                self.stopped = True
            if out.status in ("optimal", "feasible"):
                pairs = fixed + out.pairs
                cost = self._pref(ix, pairs)
                if best_cost is None or cost < best_cost:
                    best, best_cost = pairs, cost
                if cost <= rel.bound:
                    return rel.status, best, rel.bound, True
                if out.status == "feasible":
                    break  # out of time in this neighbourhood
            elif out.status != "infeasible":
                break
            # widen: first the people sharing a shift with them, then everyone on their posts
            touched = {s for s, p in (*rel.fractional, *rel.ones) if p in free}
            if step == 0:
                free |= {p for s, p in rel.ones if s in touched}
            else:
                posts = {ix.problem.shifts[s].post for s in touched}
                free |= {
                    p
                    for s in c.shifts
                    if ix.problem.shifts[s].post in posts
                    for p in ix.people_of[s]
                }
        return rel.status, best, rel.bound, False

    def _band(self, ix: Index, b: Bounds) -> dict[int, tuple[int, int]]:
        band = dict(b.band)
        for g in range(ix.n_groups):
            lo, hi = band[g]
            if lo > hi and self.mixed:
                # no average to aim at: as high as the least available can go, and the spread's
                # bound below it (leaders who also stand at gates take their share there)
                band[g] = (max(0, lo - b.spread), lo)
            elif lo > hi:  # let everyone be anywhere up to their maximum
                band[g] = (0, max(lo, hi))
        return band

    def _pref(self, ix: Index, pairs: list[tuple[int, int]]) -> int:
        return sum(ix.cost(p, s) for s, p in pairs)

    def _in_band(
        self, ix: Index, pairs: list[tuple[int, int]], band: dict[int, tuple[int, int]]
    ) -> bool:
        load: Counter[int] = Counter()
        for s, p in pairs:
            load[p] += ix.units[s]
        return all(band[ix.group[p]][0] <= n <= band[ix.group[p]][1] for p, n in load.items())

    def _estimate(
        self,
        ix: Index,
        comps: list[Component],
        current: dict[int, list[tuple[int, int]] | None],
        solving: int,
        obj: int,
        band: dict[int, tuple[int, int]],
    ) -> int | None:
        """The score of the best roster so far: the other components as they stand, the one
        being solved at its objective with loads inside the band."""
        pref = obj
        extremes: dict[int, list[int]] = {g: [] for g in range(ix.n_groups)}
        for ci, pairs in current.items():
            if ci == solving:
                for g in {ix.group[p] for p in comps[ci].people}:
                    extremes[g] += list(band[g])
                continue
            if pairs is None:
                return None
            pref += self._pref(ix, pairs)
            load: Counter[int] = Counter()
            for s, p in pairs:
                load[p] += ix.units[s]
            for p in comps[ci].people:
                extremes[ix.group[p]].append(load[p])
        spread = max((max(v) - min(v) for v in extremes.values() if v), default=0)
        return self.problem.weights.spread * spread + pref

    def _bound(
        self,
        b: Bounds,
        comps: list[Component],
        comp_bound: dict[int, int],
        w: int,
        static_bound: int,
    ) -> int:
        """min over the spread: at the spread's bound every load is in the band, so each
        component's preferences are at least CP-SAT's bound under the band; one more unit of
        spread costs w and frees the band (then only the relaxed per-shift bound holds)."""
        relaxed_of = {}
        for ci, c in enumerate(comps):
            relaxed_of[ci] = sum(v for k, v in b.relaxed_pref_of.items() if b.components[k] is c)
        at_bound = sum(max(relaxed_of[ci], comp_bound.get(ci, 0)) for ci in range(len(comps)))
        if self.ix is None:
            return static_bound
        if self.band_infeasible:  # proven: no roster keeps everyone in the band
            return max(static_bound, b.at_least(self.ix, w, start=b.spread + 1))
        return max(static_bound, b.at_least(self.ix, w, at_bound))

    def _diagnose(self, ix: Index, c: Component) -> list[str]:
        """The model proved the component infeasible; name the rule that, relaxed alone,
        makes it feasible."""
        rules = self.problem.rules
        where = ix_label(c)
        for rule in cpsat.RELAXABLE:
            if rule == "weekly_cap" and rules.weekly_cap is None:
                continue
            if self.left() <= 0.05:
                break
            model, x, _ = cpsat.build_model(
                ix, c.shifts, c.people, band=None, relax=frozenset({rule})
            )
            out = cpsat.run(
                model, x, time_limit=min(2.0, self.left()), workers=self.workers, seed=self.seed
            )
            if out.status in ("optimal", "feasible"):
                text = RULE_CN[rule].format(rest=rules.rest_hours, cap=rules.weekly_cap)
                return [
                    f"{where}：在「{text}」的规则下排不出值班表（只放宽这一条即可排出）；"
                    f"请为这些岗位增加人员、减少班次或调整该规则"
                ]
        return [
            f"{where}：人员、可值班时间与规则的组合使值班表无法排出"
            f"（单独放宽休息时间、每周上限或干部要求都不够）"
        ]


def ix_label(c: Component) -> str:
    return _label(c)
