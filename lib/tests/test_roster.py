"""The roster solver: hard rules, reasons, the checker, scoring, bounds and the JSON format."""

import itertools
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lib.roster import (
    Person,
    Post,
    Problem,
    Progress,
    Rules,
    Shift,
    check,
    generate,
    lower_bound,
    score,
    solve,
)
from lib.roster.eligibility import build_index
from lib.roster.greedy import greedy

SLOTS = {"00–06": (0, 6), "06–12": (6, 12), "12–18": (12, 18), "18–24": (18, 24)}


def shift(sid: str, post: str, date: str, slot: str, headcount: int = 1) -> Shift:
    a, b = SLOTS[slot]
    end = f"{date}T{b:02d}:00" if b < 24 else _next_day(date) + "T00:00"
    return Shift(sid, post, date, slot, f"{date}T{a:02d}:00", end, headcount, night=a == 0)


def _next_day(date: str) -> str:
    import datetime as dt

    return (dt.date.fromisoformat(date) + dt.timedelta(days=1)).isoformat()


def person(pid: str, posts: list[str], **kw: object) -> Person:
    return Person(id=pid, name=pid, allocated_posts=posts, **kw)  # type: ignore[arg-type]


NORTH = Post("gate", "北门")


# --- every hard rule: breaking it is the only way to fill the shifts -------------------------

INFEASIBLE = {
    "headcount": (
        Problem([person("a", ["gate"])], [NORTH], [shift("s1", "gate", "2020-02-03", "00–06", 2)]),
        "需要 2 人，可用的只有 1 人",
    ),
    "double_booking": (
        Problem(
            [person("a", ["gate", "dorm"])],
            [NORTH, Post("dorm", "3号楼")],
            [
                shift("s1", "gate", "2020-02-03", "18–24"),
                shift("s2", "dorm", "2020-02-03", "18–24"),
            ],
        ),
        "同时共需 2 人",
    ),
    "unavailable_date": (
        Problem(
            [person("a", ["gate"]), person("b", ["gate"], unavailable_dates=["2020-02-03"])],
            [NORTH],
            [shift("s1", "gate", "2020-02-03", "18–24", 2)],
        ),
        "当天不能值班",
    ),
    "unavailable_shift": (
        Problem(
            [person("a", ["gate"]), person("b", ["gate"], unavailable_shifts=["s1"])],
            [NORTH],
            [shift("s1", "gate", "2020-02-03", "18–24", 2)],
        ),
        "不能值这个班次",
    ),
    "rest": (
        Problem(
            [person("a", ["gate"])],
            [NORTH],
            [
                shift("s1", "gate", "2020-02-03", "00–06"),
                shift("s2", "gate", "2020-02-03", "12–18"),
            ],
        ),
        "休息 12 小时",
    ),
    "weekly_cap": (
        Problem(
            [person("a", ["gate"])],
            [NORTH],
            [
                shift("s1", "gate", "2020-02-03", "06–12"),
                shift("s2", "gate", "2020-02-05", "06–12"),
            ],
            Rules(weekly_cap=1),
        ),
        "每周最多 1 次",
    ),
    "min_cadres": (
        Problem(
            [
                person("a", ["gate"]),
                person("b", ["gate"]),
                person("c", ["gate"], is_cadre=True, unavailable_dates=["2020-02-03"]),
            ],
            [Post("gate", "北门", min_cadres=1)],
            [shift("s1", "gate", "2020-02-03", "18–24", 2)],
        ),
        "2月3日 18–24 北门 需要 1 名干部，可用的只有 0 名（分配到该岗位的 1 名干部当天都不能值班）",
    ),
    "category": (
        Problem(
            [person("a", ["dorm"], category="staff")],
            [Post("dorm", "3号楼", category="student")],
            [shift("s1", "dorm", "2020-02-03", "18–24")],
        ),
        "不符合岗位的类别或性别要求",
    ),
    "gender": (
        Problem(
            [person("a", ["dorm"], gender="male"), person("b", ["dorm"], gender="female")],
            [Post("dorm", "3号楼", gender="female")],
            [shift("s1", "dorm", "2020-02-03", "18–24", 2)],
        ),
        "不符合岗位的类别或性别要求",
    ),
    "not_allocated": (
        Problem(
            [person("a", ["gate"]), person("b", [])],
            [NORTH],
            [shift("s1", "gate", "2020-02-03", "18–24", 2)],
        ),
        "分配到该岗位的只有 1 人",
    ),
    "pinned": (
        Problem(
            [person("a", ["gate"]), person("b", ["gate"])],
            [NORTH],
            [
                shift("s1", "gate", "2020-02-03", "00–06"),
                shift("s2", "gate", "2020-02-03", "06–12"),
            ],
            Rules(pinned=[("s1", "a"), ("s2", "a")]),
        ),
        "锁定的安排冲突",
    ),
}


@pytest.mark.parametrize("rule", sorted(INFEASIBLE))
def test_solver_reports_why_instead_of_breaking_a_rule(rule: str) -> None:
    problem, expected = INFEASIBLE[rule]
    problem.validate()

    result = solve(problem, time_limit=2)

    assert result.status == "infeasible"
    assert result.assignments == []
    assert any(expected in r for r in result.reasons), result.reasons


def test_rest_that_only_the_model_sees_is_named_after_the_model() -> None:
    # Two posts sharing two people: counting per post passes, the rest rule does not.
    posts = [NORTH, Post("dorm", "3号楼")]
    problem = Problem(
        [person("a", ["gate", "dorm"]), person("b", ["gate", "dorm"])],
        posts,
        [
            shift("s1", "gate", "2020-02-03", "00–06"),
            shift("s2", "dorm", "2020-02-03", "06–12"),
            shift("s3", "gate", "2020-02-03", "12–18"),
        ],
    )

    result = solve(problem, time_limit=3)

    assert result.status == "infeasible"
    assert any("休息" in r for r in result.reasons), result.reasons


# --- the checker names each broken rule -------------------------------------------------------


def test_checker_names_each_broken_rule() -> None:
    problem = Problem(
        [
            person("a", ["gate"], unavailable_dates=["2020-02-04"], unavailable_shifts=["s2"]),
            person("b", ["gate"], category="staff", gender="male"),
            person("c", []),
        ],
        [Post("gate", "北门", min_cadres=1, category="student", gender="female")],
        [
            shift("s1", "gate", "2020-02-03", "00–06"),
            shift("s2", "gate", "2020-02-03", "06–12"),
            shift("s3", "gate", "2020-02-04", "00–06"),
            shift("s4", "gate", "2020-02-05", "00–06", 2),
        ],
        Rules(weekly_cap=2, pinned=[("s4", "b")]),
    )
    roster = [("s1", "a"), ("s2", "a"), ("s3", "a"), ("s4", "c"), ("s1", "b")]

    rules = {v.rule for v in check(problem, roster)}

    assert rules == {
        "headcount",
        "min_cadres",
        "not_allocated",
        "unavailable_date",
        "unavailable_shift",
        "category",
        "gender",
        "rest",
        "weekly_cap",
        "pinned",
    }


def test_checker_sees_double_booking_across_posts() -> None:
    problem = INFEASIBLE["double_booking"][0]

    violations = check(problem, [("s1", "a"), ("s2", "a")])

    assert [v.rule for v in violations] == ["double_booking"]
    assert "同时在" in violations[0].message


# --- rosters the solver and the greedy produce pass the checker --------------------------------


@st.composite
def small_problems(draw: st.DrawFn) -> Problem:
    rng = random.Random(draw(st.integers(0, 10**6)))
    n_people = draw(st.integers(2, 7))
    days = draw(st.integers(1, 3))
    slots = draw(st.sampled_from([["00–06", "12–18"], ["06–12", "18–24"], list(SLOTS)]))
    posts = [Post("g", "北门", min_cadres=draw(st.integers(0, 1))), Post("d", "3号楼")]
    dates = [f"2020-02-0{3 + i}" for i in range(days)]
    shifts = [
        shift(f"{p.id}{d}{sl}", p.id, d, sl, rng.randint(1, 2))
        for p in posts
        for d in dates
        for sl in slots
        if rng.random() < 0.6
    ]
    people = [
        person(
            f"p{i}",
            rng.sample(["g", "d"], k=rng.randint(1, 2)),
            is_cadre=rng.random() < 0.5,
            is_leader=False,
            unavailable_dates=[d for d in dates if rng.random() < 0.15],
            wanted_posts=rng.sample(["g", "d"], k=rng.randint(0, 1)),
            avoid_night=rng.random() < 0.3,
        )
        for i in range(n_people)
    ]
    rules = Rules(
        rest_hours=draw(st.sampled_from([0, 6, 12])), weekly_cap=draw(st.sampled_from([None, 2, 3]))
    )
    return Problem(people, posts, shifts, rules)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_problems(), st.integers(0, 10**6))
def test_any_roster_the_solver_returns_passes_the_checker(problem: Problem, seed: int) -> None:
    result = solve(problem, time_limit=1)

    if result.status == "infeasible":
        assert result.reasons
        return
    assert result.ok, result
    assert check(problem, result.assignments) == []
    assert result.score == score(problem, result.assignments)[0]
    assert result.bound <= result.score
    # An edit that moves one person to another shift changes two headcounts: always caught.
    rng = random.Random(seed)
    if result.assignments and len(problem.shifts) > 1:
        i = rng.randrange(len(result.assignments))
        sid, pid = result.assignments[i]
        other = rng.choice([s.id for s in problem.shifts if s.id != sid])
        edited = [*result.assignments[:i], (other, pid), *result.assignments[i + 1 :]]
        assert "headcount" in {v.rule for v in check(problem, edited)}


@pytest.mark.parametrize("size", ["small", "real"])
def test_greedy_roster_passes_the_checker(size: str) -> None:
    problem = generate(size)
    ix = build_index(problem)

    pairs, missing = greedy(ix)

    assert missing == 0
    roster = [(problem.shifts[s].id, problem.people[p].id) for s, p in pairs]
    assert check(problem, roster) == []


def test_generated_small_problem_is_solved_optimally() -> None:
    problem = generate("small", seed=1)

    result = solve(problem, time_limit=5)

    assert result.status == "optimal"
    assert result.gap_pct == 0
    assert check(problem, result.assignments) == []
    assert result.first_solution_s is not None


# --- optimality against brute force -------------------------------------------------------------


def tiny(seed: int) -> Problem:
    rng = random.Random(seed)
    posts = [Post("g", "北门"), Post("d", "3号楼")]
    shifts = [
        shift("g1", "g", "2020-02-03", "00–06"),
        shift("d1", "d", "2020-02-03", "00–06"),
        shift("g2", "g", "2020-02-03", "12–18"),
        shift("d2", "d", "2020-02-04", "06–12"),
        shift("g3", "g", "2020-02-04", "18–24"),
    ]
    people = [
        person(
            f"p{i}",
            ["g", "d"] if rng.random() < 0.7 else [rng.choice(["g", "d"])],
            wanted_posts=[rng.choice(["g", "d"])],
            avoid_night=rng.random() < 0.5,
            unwanted_dates=["2020-02-04"] if rng.random() < 0.3 else [],
        )
        for i in range(3)
    ]
    return Problem(people, posts, shifts, Rules(rest_hours=rng.choice([0, 12])))


@pytest.mark.parametrize("seed", range(6))
def test_solver_matches_brute_force_on_tiny_problems(seed: int) -> None:
    problem = tiny(seed)
    ids = [p.id for p in problem.people]
    best = None
    for choice in itertools.product(ids, repeat=len(problem.shifts)):
        roster = [(s.id, pid) for s, pid in zip(problem.shifts, choice, strict=True)]
        if not check(problem, roster):
            total = score(problem, roster)[0]
            best = total if best is None else min(best, total)

    result = solve(problem, time_limit=3)

    if best is None:
        assert result.status == "infeasible"
    else:
        assert result.score == best
        assert result.bound <= best
        assert lower_bound(problem) <= best


# --- score and bound ------------------------------------------------------------------------------


def test_score_counts_spread_and_broken_preferences() -> None:
    problem = Problem(
        [
            person("a", ["g"], wanted_posts=["d"], avoid_night=True),
            person("b", ["g"], unwanted_dates=["2020-02-03"]),
            person("c", ["g"]),
        ],
        [Post("g", "北门"), Post("d", "3号楼")],
        [shift("s1", "g", "2020-02-03", "00–06"), shift("s2", "g", "2020-02-04", "00–06")],
    )

    total, parts = score(problem, [("s1", "a"), ("s2", "a")])

    assert parts["spread"] == 2  # a has 2, b and c none
    assert parts["preference"] == 2
    assert parts["night"] == 2
    # a night shift at an unwanted post costs once per assignment (format version 2)
    assert parts["soft"] == 2
    assert total == 100 * 2 + 2
    assert score(problem, [("s1", "b")])[1]["unwanted_day"] == 1


def test_lower_bound_sees_a_spread_of_one_when_load_does_not_divide() -> None:
    problem = Problem(
        [person(x, ["g"]) for x in "ab"],
        [Post("g", "北门")],
        [shift(f"s{i}", "g", f"2020-02-0{3 + i}", "06–12") for i in range(3)],
    )

    assert lower_bound(problem) == 100


# --- the JSON format ------------------------------------------------------------------------------


def test_problem_json_round_trip(tmp_path: object) -> None:
    problem = generate("small", seed=3)
    problem.rules.pinned = [(problem.shifts[0].id, problem.people[0].id)]
    path = f"{tmp_path}/p.json"

    problem.dump(path)
    again = Problem.load(path)

    assert again == problem
    assert again.to_dict() == problem.to_dict()
    assert again.to_dict()["version"] == 2


def test_format_errors_are_refused_with_the_reason() -> None:
    from lib.roster import FormatError

    good = generate("small").to_dict()
    with pytest.raises(FormatError, match="格式版本"):
        Problem.from_dict({**good, "version": 99})
    bad = {**good, "shifts": [{**good["shifts"][0], "post": "nope"}]}
    with pytest.raises(FormatError, match="岗位 nope 不存在"):
        Problem.from_dict(bad)


@pytest.mark.serial
def test_stop_keeps_the_best_roster_so_far() -> None:
    problem = generate("medium")
    seen: list[Progress] = []

    result = solve(problem, time_limit=20, on_progress=seen.append, should_stop=lambda: bool(seen))

    assert result.status in ("stopped", "optimal")
    assert result.time_s < 10
    assert check(problem, result.assignments) == []
    assert seen[0].phase == "greedy"


# --- the LP relaxation, the neighbourhoods and the repair -----------------------------------------


@pytest.mark.serial
def test_generated_medium_problem_is_proven_optimal_well_within_ten_seconds() -> None:
    problem = generate("medium")

    result = solve(problem, time_limit=10)

    assert result.status == "optimal"
    assert result.score == result.bound
    assert result.breakdown["spread"] == 1
    assert result.time_s < 8
    assert check(problem, result.assignments) == []


def test_a_band_with_no_roster_is_widened_and_the_bound_follows() -> None:
    # a can work one day only, so b and c share five shifts: a spread of 1 is impossible.
    problem = Problem(
        [
            person("a", ["g"], unavailable_dates=[f"2020-02-0{3 + i}" for i in range(1, 6)]),
            person("b", ["g"]),
            person("c", ["g"]),
        ],
        [Post("g", "北门")],
        [shift(f"s{i}", "g", f"2020-02-0{3 + i}", "06–12") for i in range(6)],
    )

    result = solve(problem, time_limit=3)

    assert result.status == "optimal"
    assert result.score == result.bound == 200
    assert check(problem, result.assignments) == []


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_problems())
def test_the_repaired_greedy_roster_passes_the_checker(problem: Problem) -> None:
    from lib.roster.greedy import repair
    from lib.roster.scoring import bounds

    ix = build_index(problem)
    pairs, missing = greedy(ix)
    if missing:
        return
    band = {g: (lo, max(lo, hi)) for g, (lo, hi) in bounds(ix).band.items()}

    repaired = repair(ix, pairs, band)

    roster = [(problem.shifts[s].id, problem.people[p].id) for s, p in repaired]
    assert check(problem, roster) == []
    assert sorted(s for s, _ in repaired) == sorted(s for s, _ in pairs)


@pytest.mark.parametrize("size", ["medium", "large"])
def test_repair_brings_every_load_into_the_band(size: str) -> None:
    from lib.roster.greedy import repair
    from lib.roster.scoring import bounds, score_ix

    problem = generate(size)
    ix = build_index(problem)
    b = bounds(ix)
    pairs, missing = greedy(ix)
    assert missing == 0

    repaired = repair(ix, pairs, dict(b.band))

    assert score_ix(ix, repaired)[1]["spread"] == b.spread
    roster = [(problem.shifts[s].id, problem.people[p].id) for s, p in repaired]
    assert check(problem, roster) == []
