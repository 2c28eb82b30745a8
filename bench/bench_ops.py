"""Benchmarks of running it for real (issue 13), on the 20,000-member university:

- backup_restore_s: `backup_create` (pg_dump in the manifest's snapshot, the files, the
  manifest) plus `backup_restore` (pg_restore in one transaction, the files, the check of
  every row count and checksum) — the RTO of the database part, without reinstalling;
- upload_two_nodes_mb_s: 1 GB through tus to two gunicorn nodes sharing this PostgreSQL and a
  local S3-compatible server (moto's), 8 MB PATCHes as uploader.js sends them, switching node
  every 64 MB (so no node keeps the running SHA-256: the finished object is hashed once from
  S3); upload_one_node_s3_mb_s: the same through one node, for comparison. The local-disk
  one-node figure is upload_1gb_mb_s (bench_upload).
"""

import hashlib
import http.client
import os
import shutil
import tempfile
import time
from pathlib import Path

from bench import Figure
from bench.server import gunicorn, session_for

TOTAL = 1024 * 1024 * 1024
CHUNK = 8 * 1024 * 1024
SWITCH_EVERY = 64 * 1024 * 1024


def _backup_restore() -> tuple[float, float, int, int]:
    from ops.backups import backup_create, backup_restore

    root = Path(tempfile.mkdtemp(prefix="bench-backup-"))
    try:
        started = time.perf_counter()
        path = backup_create(root=root, keep=1)
        backed = time.perf_counter() - started
        started = time.perf_counter()
        manifest = backup_restore(directory=path)
        restored = time.perf_counter() - started
        if manifest.mismatches:
            raise RuntimeError("; ".join(manifest.mismatches[:5]))
        return backed, restored, sum(manifest.rows.values()), len(manifest.files)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _upload(ports: list[int], session: str, csrf: str) -> float:
    headers = {
        "Cookie": f"sessionid={session}; csrftoken={csrf}",
        "X-CSRFToken": csrf,
        "Tus-Resumable": "1.0.0",
    }
    conns = [http.client.HTTPConnection("127.0.0.1", p, timeout=600) for p in ports]
    block = os.urandom(CHUNK)
    digest = hashlib.sha256()
    for _ in range(TOTAL // CHUNK):
        digest.update(block)
    started = time.perf_counter()
    conns[0].request("POST", "/uploads/", headers={**headers, "Upload-Length": str(TOTAL)})
    created = conns[0].getresponse()
    created.read()
    assert created.status == 201, created.status
    path = "/" + created.headers["Location"].split("://", 1)[1].split("/", 1)[1]
    offset = 0
    while offset < TOTAL:
        conn = conns[(offset // SWITCH_EVERY) % len(conns)]
        conn.request(
            "PATCH",
            path,
            body=block,
            headers={
                **headers,
                "Upload-Offset": str(offset),
                "Content-Type": "application/offset+octet-stream",
                "Content-Length": str(CHUNK),
            },
        )
        answer = conn.getresponse()
        answer.read()
        assert answer.status == 204, answer.status
        offset = int(answer.headers["Upload-Offset"])
    elapsed = time.perf_counter() - started
    for conn in conns:
        conn.close()
    from uploads.models import Upload

    upload = Upload.objects.get(pk=path.rstrip("/").rsplit("/", 1)[1])
    assert upload.sha256 == digest.hexdigest(), "checksum differs"
    return elapsed


def _uploads_on_s3(session: str, csrf: str) -> tuple[float, float]:
    from uploads.tests.s3server import moto_s3

    with moto_s3() as s3:
        env = {**s3.env(), "MEDIA_ROOT": tempfile.mkdtemp(prefix="bench-s3-media-")}
        with gunicorn(env=env) as one, gunicorn(env=env) as two:
            single = _upload([one.port], session, csrf)
            double = _upload([one.port, two.port], session, csrf)
        shutil.rmtree(env["MEDIA_ROOT"], ignore_errors=True)
    return single, double


def run(*, repeat: int | None = None) -> list[Figure]:
    backed, restored, rows, files = _backup_restore()
    print(f"backup {backed:.1f} s, restore + check {restored:.1f} s ({rows} rows, {files} files)")
    session, csrf = session_for("bench_uploader")
    try:
        single, double = _uploads_on_s3(session, csrf)
    finally:
        from uploads.models import Upload

        Upload.objects.filter(user__username="bench_uploader").delete()
    mb = TOTAL / 1024**2
    print(f"1 GB on S3: one node {single:.1f} s, two nodes switching every 64 MB {double:.1f} s")
    return [
        Figure("backup_restore_s", backed + restored, "s", "backup + restore + check, 20k"),
        Figure("backup_s", backed, "s", "pg_dump + files + manifest"),
        Figure("upload_two_nodes_mb_s", mb / double, "MB/s", "1 GB, node switched every 64 MB"),
        Figure("upload_one_node_s3_mb_s", mb / single, "MB/s", "1 GB, one node, S3"),
    ]
