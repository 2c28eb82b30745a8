"""The roster solver (排班求解), free of Django.

    from lib.roster import Problem, solve, check, score, lower_bound

    problem = Problem.load("problem.json")          # or Problem.from_dict(...)
    result = solve(problem, time_limit=10, on_progress=print, should_stop=lambda: False)
    result.status, result.assignments, result.score, result.bound, result.gap_pct, result.reasons
    check(problem, result.assignments)              # [] when every hard rule holds

The JSON format, the score and the hard rules are in docs/roster-format.md; why the solver is
built the way it is, in docs/adr/0005-roster-solver.md.
"""

from lib.roster.checker import check
from lib.roster.generate import generate
from lib.roster.problem import (
    SCHEMA_VERSION,
    FormatError,
    Person,
    Post,
    Problem,
    Progress,
    Result,
    Rules,
    Shift,
    Violation,
    Weights,
)
from lib.roster.scoring import lower_bound, score
from lib.roster.solver import solve

__all__ = [
    "SCHEMA_VERSION",
    "FormatError",
    "Person",
    "Post",
    "Problem",
    "Progress",
    "Result",
    "Rules",
    "Shift",
    "Violation",
    "Weights",
    "check",
    "generate",
    "lower_bound",
    "score",
    "solve",
]
