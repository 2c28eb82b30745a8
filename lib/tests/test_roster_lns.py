"""The neighbourhood search of one large component that mixes fairness groups: each campus
re-rostered through its LP relaxation with everyone else kept (fix-and-optimise), the people
left fractional placed by CP-SAT."""

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lib.roster import Person, Post, Problem, Rules, Shift, check, generate, lp, score, solver
from lib.roster.eligibility import build_index
from lib.roster.greedy import greedy
from lib.roster.scoring import bounds, score_ix

MONDAY = dt.datetime(2020, 2, 3)


def shift(post: str, day: int, hour: int, hours: int = 8) -> Shift:
    start = MONDAY + dt.timedelta(days=day, hours=hour)
    return Shift(
        f"{post}@{day}T{hour}",
        post,
        start.date().isoformat(),
        f"{hour}",
        start.isoformat(timespec="minutes"),
        (start + dt.timedelta(hours=hours)).isoformat(timespec="minutes"),
    )


def test_kept_pairs_fill_the_headcount_and_rule_out_clashes() -> None:
    # a is kept on A@0T8 (8–16) outside the relaxation: B@0T12 overlaps it and B@1T2 comes
    # within 12 hours of its end; b can take only one of the two (6 hours between them)
    people = [Person(x, allocated_posts=["A", "B"]) for x in ("a", "b", "c")]
    posts = [Post("A", "甲"), Post("B", "乙")]
    shifts = [shift("A", 0, 8), shift("B", 0, 12), shift("B", 1, 2)]
    problem = Problem(people, posts, shifts, Rules(rest_hours=12))
    ix = build_index(problem)
    pos, at = ix.person_pos, ix.shift_pos
    piece = [at["B@0T12"], at["B@1T2"]]
    members = [pos["a"], pos["b"]]
    a_kept = (at["A@0T8"], pos["a"])

    assert lp.relax(ix, piece, members, band={}, time_limit=5).status == "optimal"
    assert lp.relax(ix, piece, members, band={}, time_limit=5, keep=[a_kept]).status == (
        "infeasible"
    )
    # c (not a member) kept on B@1T2 fills it: b takes the other
    rel = lp.relax(
        ix, piece, members, band={}, time_limit=5, keep=[a_kept, (at["B@1T2"], pos["c"])]
    )
    assert rel.status == "optimal"
    assert rel.ones == [(at["B@0T12"], pos["b"])]


def test_a_kept_load_counts_towards_the_window() -> None:
    # a already has 2 units elsewhere, b none: in a window of width 0 both end at 2, so b
    # takes both shifts of the piece and a none
    people = [Person(x, allocated_posts=["A", "B"]) for x in ("a", "b")]
    posts = [Post("A", "甲"), Post("B", "乙")]
    shifts = [shift("A", 0, 0), shift("A", 1, 0), shift("B", 3, 0), shift("B", 4, 0)]
    problem = Problem(people, posts, shifts, Rules(rest_hours=0))
    ix = build_index(problem)
    pos, at = ix.person_pos, ix.shift_pos
    keep = [(at["A@0T0"], pos["a"]), (at["A@1T0"], pos["a"])]
    piece = [at["B@3T0"], at["B@4T0"]]

    rel = lp.relax(ix, piece, [pos["a"], pos["b"]], band={}, time_limit=5, window=0, keep=keep)

    assert rel.status == "optimal"
    assert sorted(rel.ones) == [(at["B@3T0"], pos["b"]), (at["B@4T0"], pos["b"])]


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 10**6))
def test_each_campus_step_keeps_every_rule_and_the_spread(seed: int) -> None:
    problem = generate("mixed-small", seed=seed)
    ix = build_index(problem)
    pairs, missing = greedy(ix)
    if missing:
        return  # a draw the generator could not staff
    run = solver._Solve(problem, 30, None, None, 2, 0)
    run.ix = ix
    run.cancel = lp.Cancel()
    spread = score_ix(ix, pairs)[1]["spread"]
    for piece in run._campus_pieces(ix):
        found, _ = run._relaxation_step(ix, pairs, piece, spread)
        if found is None:
            continue
        roster = [(problem.shifts[s].id, problem.people[p].id) for s, p in found]
        assert check(problem, roster) == []
        assert score_ix(ix, found)[1]["spread"] <= spread
        pairs = found


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(["mixed-small", "mixed-medium"]), st.integers(0, 10**6))
def test_the_neighbourhood_search_never_loses_to_the_greedy(family: str, seed: int) -> None:
    problem = generate(family, seed=seed)
    ix = build_index(problem)
    pairs, missing = greedy(ix)
    saved = solver.HUGE_MIXED_VARS
    solver.HUGE_MIXED_VARS = 0  # every mixed problem takes the large case's path
    try:
        result = solver.solve(problem, time_limit=6)
    finally:
        solver.HUGE_MIXED_VARS = saved
    if result.status == "infeasible":
        assert missing > 0 and result.reasons
        return
    assert result.ok and check(problem, result.assignments) == []
    assert result.score == score(problem, result.assignments)[0]
    assert result.bound <= result.score
    assert result.bound >= bounds(ix).total(problem.weights.spread)
    if missing == 0:
        assert result.score <= score_ix(ix, pairs)[0]


def _whole_bound(problem: Problem) -> tuple[int | None, int]:
    """(the bound with the whole relaxation at the least spread, the greedy's score)."""
    ix = build_index(problem)
    b = bounds(ix)
    pairs, _missing = greedy(ix)
    run = solver._Solve(problem, 30, None, None, 2, 0)
    run.ix, run.cancel, run.least_spread, run.band_of = ix, lp.Cancel(), b.spread, dict(b.band)
    _found, pref = run._relaxation_step(ix, pairs, list(range(ix.n_shifts)), b.spread, whole=True)
    if pref is None:
        return None, score_ix(ix, pairs)[0]
    return b.at_least(ix, problem.weights.spread, at_bound_pref=pref, start=b.spread), score_ix(
        ix, pairs
    )[0]


def test_the_whole_relaxation_bounds_the_preferences_a_roster_must_break() -> None:
    # three shifts at the same time; d can work only W, so b (who wants W) must take X or Y:
    # every roster costs 1, the relaxation says so, while the cheapest person per shift (a on
    # X and Y, b or d on W) and each person's cheapest shift see 0
    people = [
        Person("a", allocated_posts=["X", "Y"]),
        Person("b", allocated_posts=["X", "Y", "W"], wanted_posts=["W"]),
        Person("d", allocated_posts=["W"]),
    ]
    posts = [Post("X", "甲"), Post("Y", "乙"), Post("W", "丙")]
    problem = Problem(people, posts, [shift("X", 0, 8), shift("Y", 0, 8), shift("W", 0, 8)])
    assert bounds(build_index(problem)).total(100) == 0

    bound, _ = _whole_bound(problem)

    assert bound == 1
    result = solver.solve(problem, time_limit=2)
    assert result.status == "optimal" and result.score == 1


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 10**6))
def test_the_whole_relaxation_never_bounds_above_a_roster(seed: int) -> None:
    problem = generate("mixed-small", seed=seed)
    bound, greedy_score = _whole_bound(problem)
    result = solver.solve(problem, time_limit=3)
    if bound is None or not result.ok:
        return
    assert bound <= greedy_score
    assert result.score is not None and bound <= result.score


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(["mixed-small", "small"]), st.integers(0, 10**6))
def test_the_window_relaxation_never_rules_out_a_width_a_roster_has(family: str, seed: int) -> None:
    # the window search takes an infeasible relaxation as the proof that no roster has that
    # spread: the relaxation of any width at or above a real roster's spread must be feasible
    problem = generate(family, seed=seed)
    ix = build_index(problem)
    b = bounds(ix)
    pairs, missing = greedy(ix)
    if missing:
        return
    spread = score_ix(ix, pairs)[1]["spread"]
    people = [p for p in range(ix.n_people) if ix.shifts_of[p]]
    for t in (spread, spread + 1):
        floors = {g: (max(0, b.band[g][1] - t), max(0, b.band[g][0])) for g in range(ix.n_groups)}
        rel = lp.relax(
            ix,
            list(range(ix.n_shifts)),
            people,
            band={},
            time_limit=20,
            window=t,
            floor_range=floors,
            engine="CLP",
        )
        assert rel.status == "optimal"
        assert rel.bound <= sum(ix.cost(p, s) for s, p in pairs)
