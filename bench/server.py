"""A real WSGI server for the benchmarks that go through HTTP: gunicorn on loopback, on the
benchmark's database, with a signed-in session for the load client.

    with gunicorn(workers=2) as srv:
        conn = http.client.HTTPConnection("127.0.0.1", srv.port)
        cookie, csrf = session_for("bench_user")
"""

import http.client
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class Server:
    port: int
    master_pid: int

    def worker_pids(self, *, wanted: int = 1, timeout: float = 20) -> list[int]:
        """The worker processes' ids, once `wanted` of them have started."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            pids = [
                int(pid)
                for task in Path(f"/proc/{self.master_pid}/task").iterdir()
                for pid in (task / "children").read_text().split()
            ]
            if len(pids) >= wanted:
                return pids
            time.sleep(0.1)
        raise RuntimeError("gunicorn started too few workers")


@contextmanager
def gunicorn(
    *,
    workers: int = 1,
    threads: int = 1,
    env: dict[str, str] | None = None,
    timeout: int = 300,
    app: str = "config.wsgi",
    ready_path: str = "/login/",
) -> Iterator[Server]:
    """gunicorn serving `app` (the platform's config.wsgi) on a free loopback port with the
    current DATABASE_URL; waits until `ready_path` answers and stops it (and its workers) on
    exit. `env` adds to or overrides the environment (a second node, a CAS server). `threads`
    above 1 runs gthread workers, as deploy/dangjian-web.service does."""
    binary = shutil.which("gunicorn", path=str(Path(sys.executable).parent))
    if binary is None:
        raise RuntimeError("gunicorn is not installed: .venv/bin/pip install gunicorn")
    port = free_port()
    process = subprocess.Popen(
        [
            binary,
            app,
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--timeout",
            str(timeout),
            "--log-level",
            "warning",
            "--config",
            str(ROOT / "deploy" / "gunicorn.conf.py"),  # as production: gc.freeze() per worker
            *(["--worker-class", "gthread", "--threads", str(threads)] if threads > 1 else []),
        ],
        cwd=ROOT,
        env={
            **os.environ,
            "HTTPS_ONLY": "false",
            "DEBUG": "false",
            "ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_SETTINGS_MODULE": "config.settings",
            **(env or {}),
        },
        start_new_session=True,
    )
    try:
        deadline = time.time() + 30
        while True:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            try:
                conn.request("GET", ready_path)
                conn.getresponse().read()
                break
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(0.2)
            finally:
                conn.close()
        yield Server(port=port, master_pid=process.pid)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def session_for(username: str) -> tuple[str, str]:
    """A signed-in session for `username` (created if missing) and a CSRF secret, for the
    headers `Cookie: sessionid=…; csrftoken=…` and `X-CSRFToken: …`."""
    from django.contrib.auth.models import User
    from django.test import Client

    user, _ = User.objects.get_or_create(username=username)
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value, secrets.token_hex(16)  # 32 characters
