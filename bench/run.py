"""Run the benchmarks against a throwaway PostgreSQL and record the figures.

    make bench                                   # every benchmark
    make bench BENCH_ARGS="--only member_list"   # one of them
    .venv/bin/python scripts/with_postgres.py .venv/bin/python bench/run.py --repeat 5

Migrates the database in DATABASE_URL, seeds the large university (seed_large), runs each
benchmark module, prints a table and merges the figures into bench/results.json (a flat
object, figure -> number; keys from other benchmarks are kept).
"""

import argparse
import importlib
import json
import os
import sys
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results.json"
BENCHMARKS = {
    "member_list": "bench.bench_member_list",
    "import": "bench.bench_import",
    "probe": "bench.bench_probe",
    "upload": "bench.bench_upload",
    "progress_board": "bench.bench_progress_board",
    "roster": "bench.bench_roster",
    "meetings": "bench.bench_meetings",
    "audit": "bench.bench_audit",
    "talks": "bench.bench_talks",
    "escalations": "bench.bench_escalations",
    "reports": "bench.bench_reports",
    "notices": "bench.bench_notices",
    "gates": "bench.bench_gates",
    "carefund": "bench.bench_carefund",
    # Running it for real (issue 13): backup + restore, uploads on two nodes, province scale.
    "ops": "bench.bench_ops",
    "province": "bench.bench_province",
    "dashboard": "bench.bench_dashboard",  # issue 12
}


def setup_django() -> None:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["HTTPS_ONLY"] = "false"
    os.environ["DEBUG"] = "false"
    # Production settings need a key of their own; the benchmark's throwaway one will do.
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "k3y" * 20)
    import django

    django.setup()


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Run the benchmarks and record bench/results.json")
    parser.add_argument("--only", choices=sorted(BENCHMARKS), help="run one benchmark")
    parser.add_argument(
        "--repeat",
        type=int,
        default=None,
        help="repetitions: timed requests per case for member_list (default and minimum 30), "
        "imports per importer for import (default 3)",
    )
    parser.add_argument(
        "--allow-sqlite",
        action="store_true",
        help="run even when DATABASE_URL is not PostgreSQL (figures are not comparable)",
    )
    return parser.parse_args(argv)


def format_value(value: float) -> str:
    if float(value).is_integer() or abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:,.2f}"


def print_table(figures: list) -> None:
    from demo.builders import format_table

    rows = [(f.key, format_value(f.value), f.unit, f.target) for f in figures]
    print()
    print(format_table(("figure", "value", "unit", "target"), rows))


def merge_results(figures: list) -> dict[str, float]:
    results: dict[str, float] = {}
    if RESULTS.exists():
        try:
            results = json.loads(RESULTS.read_text())
        except ValueError:
            print(f"warning: {RESULTS} is not JSON; starting afresh", file=sys.stderr)
    for f in figures:
        results[f.key] = round(f.value, 3)
    RESULTS.write_text(json.dumps(dict(sorted(results.items())), indent=2) + "\n")
    return results


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not os.environ.get("DATABASE_URL", "").startswith("postgres") and not args.allow_sqlite:
        print(
            "DATABASE_URL is not PostgreSQL. Run through scripts/with_postgres.py (make bench) "
            "or pass --allow-sqlite.",
            file=sys.stderr,
        )
        return 2
    setup_django()
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("seed_large")
    print(f"setup (migrate + seed_large): {time.perf_counter() - started:.1f} s")

    names = [args.only] if args.only else list(BENCHMARKS)
    figures = []
    failed = []
    for name in names:
        print(f"\n== {name} ==")
        module = importlib.import_module(BENCHMARKS[name])
        try:
            figures += module.run(repeat=args.repeat)
        except Exception as e:  # report and carry on with the other benchmarks
            failed.append(name)
            traceback.print_exc()
            print(f"benchmark {name} failed: {type(e).__name__}: {e}", file=sys.stderr)
    if figures:
        print_table(figures)
        merge_results(figures)
        print(f"\nwrote {RESULTS.relative_to(ROOT)}")
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
