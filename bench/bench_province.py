"""Province scale (issue 13): 300,000 members under one root (`seed_large --members 300000`:
90 second-level units, 6,000 branches), in a throwaway PostgreSQL cluster of its own so the
20,000-member figures of the other benchmarks stay comparable.

- seed_large_300k_s: building the province (bulk inserts in batches of 2,000);
- member_list_300k_p95_ms: bench_member_list's four cases (school admin and a unit admin,
  all and one unit, sorted by name, pages 1–5), worst p95;
- import_20k_into_300k_s: a school's 20,000-row workbook imported (read, validate, write)
  into the province by its 组织部, median of three runs (each printed with the load average);
- import_20k_into_300k_cpu_s: the CPU those runs cost (median), this process and its
  PostgreSQL backend together: on a shared machine the wall-clock figure mostly measures
  the other tenants, this one measures the import.

    .venv/bin/python bench/run.py --only province     (under scripts/with_postgres.py)
"""

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import Figure, median

ROOT = Path(__file__).resolve().parent.parent
MEMBERS = 300_000
IMPORT_RUNS = 3


def run(*, repeat: int | None = None) -> list[Figure]:
    """Run `inner()` in a fresh cluster and read its figures back."""
    out = Path(tempfile.mkstemp(prefix="bench-province-", suffix=".json")[1])
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "with_postgres.py"),
            sys.executable,
            "-m",
            "bench.bench_province",
            str(out),
            str(repeat or 0),
        ],
        cwd=ROOT,
        check=True,
    )
    figures = [Figure(**f) for f in json.loads(out.read_text())]
    out.unlink()
    return figures


def inner(out: Path, repeat: int) -> None:
    from bench.run import setup_django

    setup_django()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from bench import bench_import, bench_member_list

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    call_command("seed_large", members=MEMBERS)
    seeded = time.perf_counter() - started

    listed = {f.key: f.value for f in bench_member_list.run(repeat=repeat or None)}

    user = get_user_model().objects.get(username="bench_school")
    rows = bench_import.member_rows()
    data = bench_import.workbook_bytes(rows)
    numbers = [r["学工号"] for r in rows]
    runs: list[float] = []
    cpu: list[float] = []
    for i in range(IMPORT_RUNS):
        load = os.getloadavg()[0]
        started_cpu = time.process_time(), backend_cpu()
        runs.append(bench_import.import_ours(user, data))
        ours, backend = time.process_time() - started_cpu[0], backend_cpu() - started_cpu[1]
        cpu.append(ours + backend)
        bench_import.delete_members(numbers)
        print(
            f"import run {i + 1}: {runs[-1]:.2f} s at a load of {load:.1f} "
            f"(CPU {ours:.2f} s here + {backend:.2f} s in PostgreSQL)"
        )

    figures = [
        Figure("seed_large_300k_s", seeded, "s", "seed_large --members 300000"),
        Figure(
            "member_list_300k_p95_ms",
            listed["member_list_p95_ms"],
            "ms",
            "≤ 200 (issue 13; worst of 4 cases)",
        ),
        Figure("member_list_300k_queries", listed["member_list_queries"], "queries", "fixed"),
        Figure("import_20k_into_300k_s", median(runs), "s", "≤ 5 (issue 13)"),
        Figure("import_20k_into_300k_cpu_s", median(cpu), "s", "CPU: ours + PostgreSQL"),
    ]
    out.write_text(json.dumps([f.__dict__ for f in figures]))


def backend_cpu() -> float:
    """CPU seconds used so far by this connection's PostgreSQL backend (the benchmark's
    cluster runs on this machine), read from /proc; 0 where that cannot be read."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


if __name__ == "__main__":
    inner(Path(sys.argv[1]), int(sys.argv[2]))
