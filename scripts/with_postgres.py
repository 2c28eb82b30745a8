#!/usr/bin/env python3
"""Run a command against a throwaway PostgreSQL cluster.

    scripts/with_postgres.py pytest -x

initdb + pg_ctl from /usr/lib/postgresql/*/bin on a temporary directory and a free port,
as the `postgres` user when run as root. DATABASE_URL points at it while the command runs;
the cluster and its directory are removed afterwards, whatever the command's outcome.
"""

import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile


def pg_bin() -> str:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]))
    if not found:
        sys.exit("PostgreSQL is not installed: apt-get install postgresql (make test does).")
    return found[-1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> int:
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    bindir = pg_bin()
    tmp = tempfile.mkdtemp(prefix="pgtest-")
    as_postgres: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(tmp, "postgres", "postgres")
        as_postgres = ["runuser", "-u", "postgres", "--"]
    data, port = os.path.join(tmp, "data"), free_port()
    run = lambda *cmd: subprocess.run([*as_postgres, *cmd], check=True, stdout=subprocess.DEVNULL)  # noqa: E731
    try:
        run(
            f"{bindir}/initdb",
            "-D",
            data,
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        )
        options = (
            f"-p {port} -k {tmp} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=50"
        )
        run(
            f"{bindir}/pg_ctl",
            "-D",
            data,
            "-o",
            options,
            "-l",
            os.path.join(tmp, "log"),
            "-w",
            "start",
        )
        env = dict(os.environ, DATABASE_URL=f"postgres://postgres@127.0.0.1:{port}/postgres")
        return subprocess.run(sys.argv[1:], env=env).returncode
    finally:
        subprocess.run(
            [*as_postgres, f"{bindir}/pg_ctl", "-D", data, "-m", "immediate", "stop"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
