"""Benchmark: the roster solver on generated problems (small, medium, large), the seeds' real
case and the second generator family (mixed-medium, mixed-large: leaders also at the gates,
people on two campuses, 8/12/24-hour shifts, part-time availability, personal caps), against two
peers: a plain CP-SAT max−min model (10 s) and the greedy alone; and roster_exit_lag_s, from a
3 s solve's limit to its process's exit. About 8 minutes; ROSTER_BENCH_QUICK=1 runs the 10 s
solves of every size but the large ones (about a minute and a half); ROSTER_BENCH_SIZES=
mixed-large,real runs only the sizes named (mixed-large alone: about a minute and a half).

Each size runs in child processes so that peak memory (VmHWM, which sees OR-Tools' C++ heap)
belongs to that size alone; the peer model runs in a child of its own. Needs no database.
NO_ROSTER (1e9) stands for "no roster found" in a score column.
"""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from bench import Figure

ROOT = Path(__file__).resolve().parent.parent
NO_ROSTER = 1e9
SIZES = ("small", "medium", "large", "real", "mixed-medium", "mixed-large")
# ROSTER_BENCH_QUICK=1: only 10 s solves, no 60 s ones, and no large sizes (a quick run)
QUICK = bool(os.environ.get("ROSTER_BENCH_QUICK"))
# ROSTER_BENCH_SIZES=mixed-large,medium: only these sizes (the figures of the others are left
# as they are in bench/results.json)
ONLY = [s for s in os.environ.get("ROSTER_BENCH_SIZES", "").split(",") if s]
TARGETS = {
    "mixed-medium": {
        "first_s": "≤ 1",
        "score_10s": "≥ 5× below the plain CP-SAT peer",
        "gap_pct": "0 at 60 s",
    },
    "mixed-large": {"first_s": "≤ 5", "gap_pct": "≤ 10 at 60 s", "peak_mb": "< 2048"},
    "real": {"score_10s": "optimal (= bound) < 10 s"},
    "medium": {"first_s": "< 0.2", "gap_pct": "0 within 10 s"},
    "large": {"first_s": "< 2", "gap_pct": "≤ 10 within 60 s", "peak_mb": "< 2048"},
}


def _peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(size: str, mode: str) -> dict[str, float]:
    """Run in a fresh process: "ours" (greedy, solve at 10 s and 60 s) or "peer" (plain model)."""
    sys.path.insert(0, str(ROOT))
    from lib.roster import check, generate, solve
    from lib.roster.cpsat import plain_model
    from lib.roster.eligibility import build_index
    from lib.roster.greedy import greedy
    from lib.roster.scoring import score_ix

    problem = generate(size)
    if mode == "peer":
        ix = build_index(problem)
        out = plain_model(ix, time_limit=10, workers=2)
        value = float(score_ix(ix, out.pairs)[0]) if out.pairs else NO_ROSTER
        return {"peer_cpsat_score_10s": value}
    figures: dict[str, float] = {}
    ix = build_index(problem)
    started = time.perf_counter()
    pairs, missing = greedy(ix)
    figures["greedy_s"] = time.perf_counter() - started
    figures["peer_greedy_score"] = float(score_ix(ix, pairs)[0]) if missing == 0 else NO_ROSTER
    ten = solve(problem, time_limit=10)
    figures["first_s"] = ten.first_solution_s if ten.first_solution_s is not None else NO_ROSTER
    figures["score_10s"] = float(ten.score) if ten.score is not None else NO_ROSTER
    figures["gap_pct_10s"] = ten.gap_pct if ten.gap_pct is not None else 100.0
    # when optimal at 10 s there is nothing left to gain: the 60 s run would return at once
    sixty = ten if ten.status == "optimal" or QUICK else solve(problem, time_limit=60)
    figures["score_60s"] = float(sixty.score) if sixty.score is not None else NO_ROSTER
    figures["bound"] = float(max(ten.bound, sixty.bound))
    best = min((r for r in (ten, sixty) if r.score is not None), key=lambda r: r.score or 0)
    figures["gap_pct"] = 100.0 * (best.score - figures["bound"]) / best.score if best.score else 0
    figures["spread_60s"] = float(sixty.breakdown.get("spread", -1))
    figures["violations"] = float(
        len(check(problem, ten.assignments)) + len(check(problem, sixty.assignments))
    )
    figures["peak_mb"] = _peak_mb()
    return figures


def _spawn(size: str, mode: str) -> dict[str, float]:
    proc = subprocess.run(
        [sys.executable, "-m", "bench.bench_roster", size, mode],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=900,
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def run(*, repeat: int | None = None) -> list[Figure]:
    figures: list[Figure] = []
    units = {
        "first_s": "s",
        "score_10s": "score",
        "score_60s": "score",
        "bound": "score",
        "gap_pct": "%",
        "violations": "count",
        "peak_mb": "MB",
        "peer_cpsat_score_10s": "score",
        "peer_greedy_score": "score",
    }
    for size in SIZES:
        if (QUICK and size.endswith("large")) or (ONLY and size not in ONLY):
            continue
        ours = _spawn(size, "ours")
        peer = _spawn(size, "peer")
        values = {**ours, **peer}
        print(
            f"{size}: first {values['first_s']:.3f} s, 10 s {values['score_10s']:.0f} "
            f"(gap {values['gap_pct_10s']:.1f}%), 60 s {values['score_60s']:.0f}, "
            f"bound {values['bound']:.0f}, spread {values['spread_60s']:.0f}, "
            f"peer CP-SAT {values['peer_cpsat_score_10s']:.0f}, greedy "
            f"{values['peer_greedy_score']:.0f} ({values['greedy_s']:.2f} s) "
            f"— {NO_ROSTER:.0e} = no roster found"
        )
        for name, unit in units.items():
            target = TARGETS.get(size, {}).get(name, "")
            if name == "violations":
                target = "0"
            key = size.replace("-", "_")
            figures.append(Figure(f"roster_{key}_{name}", float(values[name]), unit, target))
    figures.append(Figure("roster_exit_lag_s", exit_lag(), "s", "≤ 1"))
    return figures


def exit_lag(limit: float = 3.0) -> float:
    """From the solve's time limit to the exit of the process that ran it (a thread left running
    would hold the process open)."""
    code = (
        "import sys, time; sys.path.insert(0, '.');"
        "from lib.roster import generate, solve;"
        "p = generate('medium'); print(time.time(), flush=True);"
        f"solve(p, time_limit={limit})"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    started = float(proc.stdout.readline())
    proc.wait(timeout=120)
    return max(0.0, time.time() - (started + limit))


if __name__ == "__main__":
    print(json.dumps(child(sys.argv[1], sys.argv[2])))
