"""The settings refuse to run a production server on the committed development key."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

from campaigns.package import installation_id


def _run(*args: str, **env_overrides: str) -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("SECRET_KEY", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE", "INSTALLATION_ID")
    }
    env.update({"DATABASE_URL": "sqlite:///unused.sqlite3", **env_overrides})
    return subprocess.run(
        [sys.executable, "manage.py", *args], env=env, capture_output=True, text=True
    )


def test_production_without_secret_key_refuses_to_start() -> None:
    result = _run("check", "--deploy")

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY" in result.stderr


def test_debug_without_secret_key_runs_on_the_development_key() -> None:
    result = _run("check", DEBUG="true")

    assert result.returncode == 0, result.stderr


def test_check_deploy_flags_the_development_key() -> None:
    result = _run("check", "--deploy", DEBUG="true", HTTPS_ONLY="true")

    assert "security.W009" in result.stdout + result.stderr


def test_tests_run_without_secret_key() -> None:
    assert settings.SECRET_KEY


@pytest.mark.parametrize("configured", ["9f1c2b4e-0000-4000-8000-000000000001", "省委组织部-01"])
def test_installation_id_is_read_from_the_environment(configured: str) -> None:
    result = _run(
        "shell",
        "-c",
        "from campaigns.package import installation_id; print(installation_id())",
        DEBUG="true",
        INSTALLATION_ID=configured,
    )

    assert result.stdout.strip().splitlines()[-1] == configured, result.stderr


def test_installation_id_without_setting_is_derived_from_the_key(settings) -> None:  # type: ignore[no-untyped-def]
    settings.INSTALLATION_ID = ""
    first = installation_id()
    settings.SECRET_KEY = "another-key-" + "x" * 50

    assert installation_id() != first


CONCURRENT_WRITES = """
import threading, time
from django.db import connection, transaction
with connection.cursor() as c:
    c.execute("PRAGMA journal_mode")
    print("journal_mode", c.fetchone()[0])
    c.execute("CREATE TABLE tally (n integer)")
errors = []
def work():
    try:
        with transaction.atomic():
            with connection.cursor() as c:
                c.execute("SELECT count(*) FROM tally")
                time.sleep(0.3)
                c.execute("INSERT INTO tally VALUES (1)")
    except Exception as e:
        errors.append(repr(e))
    finally:
        connection.close()
threads = [threading.Thread(target=work) for _ in range(4)]
[t.start() for t in threads]
[t.join() for t in threads]
with connection.cursor() as c:
    c.execute("SELECT count(*) FROM tally")
    print("rows", c.fetchone()[0], "errors", errors)
"""


def test_sqlite_concurrent_writes_wait_instead_of_failing(tmp_path) -> None:  # type: ignore[no-untyped-def]
    result = _run(
        "shell",
        "-c",
        CONCURRENT_WRITES,
        DEBUG="true",
        DATABASE_URL=f"sqlite:///{tmp_path}/demo.sqlite3",
    )

    assert "journal_mode wal" in result.stdout, result.stdout + result.stderr
    assert "rows 4 errors []" in result.stdout, result.stdout + result.stderr
