"""Two app nodes (two gunicorn processes on two loopback ports) on one PostgreSQL and one
S3-compatible server (moto's, started here): what one node starts, the other finishes."""

import hashlib
import os
import subprocess
import sys
from typing import Any

import pytest
import requests
from django.db import connection

from bench.server import ROOT, gunicorn
from conftest import PASSWORD, Cast
from ops.tests.test_cas import _database_url, real_password
from rosters.models import Roster
from rosters.tests.conftest import Small, small  # noqa: F401  (the fixture)
from uploads.models import Upload
from uploads.tests.s3server import moto_s3

pytestmark = [
    pytest.mark.serial,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the nodes share a PostgreSQL"),
]
MB = 1024 * 1024
TUS = {"Tus-Resumable": "1.0.0"}


def _node_env(s3_env: dict[str, str]) -> dict[str, str]:
    return {
        "DATABASE_URL": _database_url(),
        "SECRET_KEY": "two-nodes-" + "s" * 50,  # every node of an installation has the same
        **s3_env,
    }


def _sign_in(base: str, username: str) -> requests.Session:
    browser = requests.Session()
    browser.get(f"{base}/login/")
    signed = browser.post(
        f"{base}/login/",
        data={
            "username": username,
            "password": PASSWORD,
            "csrfmiddlewaretoken": browser.cookies["csrftoken"],
        },
        allow_redirects=False,
    )
    assert signed.status_code == 302, signed.text[:300]
    return browser


def test_two_nodes_share_sessions_uploads_and_the_task_queue(
    cast: Cast,
    small: Small,  # noqa: F811
    transactional_db: Any,
) -> None:
    real_password(cast.users["school_admin"])
    data = (hashlib.sha256(b"two nodes").digest() * (20 * MB // 32 + 1))[: 20 * MB + 777]
    with (
        moto_s3() as s3,
        gunicorn(env=_node_env(s3.env())) as one,
        gunicorn(env=_node_env(s3.env())) as two,
    ):
        if True:
            node1, node2 = f"http://127.0.0.1:{one.port}", f"http://127.0.0.1:{two.port}"

            # A session made on node 1 is valid on node 2.
            browser = _sign_in(node1, "school_admin")
            assert browser.get(f"{node2}/", allow_redirects=False).status_code == 200
            csrf = {"X-CSRFToken": str(browser.cookies["csrftoken"])}

            # A resumable upload started on node 1 finishes on node 2.
            created = browser.post(
                f"{node1}/uploads/",
                headers={**TUS, **csrf, "Upload-Length": str(len(data))},
            )
            assert created.status_code == 201, created.text[:300]
            path = created.headers["Location"].split("127.0.0.1", 1)[1].split("/", 1)[1]
            patch = {**TUS, **csrf, "Content-Type": "application/offset+octet-stream"}
            first = browser.patch(
                f"{node1}/{path}", data=data[: 12 * MB], headers={**patch, "Upload-Offset": "0"}
            )
            assert first.status_code == 204 and first.headers["Upload-Offset"] == str(12 * MB)
            head = browser.head(f"{node2}/{path}", headers={**TUS, **csrf})
            assert head.headers["Upload-Offset"] == str(12 * MB)
            rest = browser.patch(
                f"{node2}/{path}",
                data=data[12 * MB :],
                headers={**patch, "Upload-Offset": str(12 * MB)},
            )
            assert rest.status_code == 204 and rest.headers["Upload-Offset"] == str(len(data))
            upload = Upload.objects.get()
            assert upload.is_complete
            assert upload.sha256 == hashlib.sha256(data).hexdigest()
            stored = s3.client().get_object(Bucket=s3.bucket, Key=f"uploads/partial/{upload.pk}")
            assert hashlib.sha256(stored["Body"].read()).hexdigest() == upload.sha256

            # A roster solve queued on node 1 is run by a worker beside node 2.
            queued = browser.post(
                f"{node1}/rosters/r/{small.roster.pk}/solve/", headers=csrf, allow_redirects=False
            )
            assert queued.status_code == 302
            assert Roster.objects.get(pk=small.roster.pk).solve_state == Roster.SolveState.QUEUED
            subprocess.run(
                [
                    sys.executable,
                    "manage.py",
                    "db_worker",
                    "--batch",
                    "--no-startup-delay",
                    "-v",
                    "0",
                ],
                cwd=ROOT,
                env={**os.environ, "DEBUG": "false", **_node_env(s3.env())},
                check=True,
                timeout=120,
            )
            roster = Roster.objects.get(pk=small.roster.pk)
            assert roster.solve_state == Roster.SolveState.DONE, roster.solve_message
            assert roster.assignments.exists()
