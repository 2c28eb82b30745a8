"""Benchmark: upload 1 GB through the tus endpoint on loopback to a real WSGI server.

Starts gunicorn (one sync worker: the whole upload goes through one process, as one user's
upload would) on 127.0.0.1 with the same DATABASE_URL and a throwaway MEDIA_ROOT under
bench/data/. A client on http.client creates the upload and sends it in 8 MB PATCHes, as
uploader.js does. Figures:

- upload_1gb_mb_s: 1024 MB / wall time from the POST to the last PATCH's answer (includes the
  server's fdatasync per PATCH and the SHA-256 of the whole file);
- upload_peak_rss_growth_mb: the worker's peak RSS (VmHWM, reset before the upload through
  /proc/<pid>/clear_refs) minus its RSS when idle after a warm-up request.

gunicorn comes from bench/server.py.
"""

import base64
import hashlib
import http.client
import os
import shutil
import time
from pathlib import Path

from bench import Figure
from bench.server import gunicorn, session_for

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"
TOTAL = 1024 * 1024 * 1024
CHUNK = 8 * 1024 * 1024


def _status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/{pid}/status")


def _request(
    conn: http.client.HTTPConnection,
    method: str,
    path: str,
    headers: dict[str, str],
    body: bytes = b"",
) -> http.client.HTTPResponse:
    conn.request(method, path, body=body or None, headers=headers)
    response = conn.getresponse()
    response.read()
    return response


def run(*, repeat: int | None = None) -> list[Figure]:

    session, csrf = session_for("bench_uploader")
    media = DATA / "upload_media"
    shutil.rmtree(media, ignore_errors=True)
    media.mkdir(parents=True)
    try:
        with gunicorn(workers=1, env={"MEDIA_ROOT": str(media)}) as server:
            port = server.port
            worker = server.worker_pids()[0]
            elapsed, peak_kb, idle_kb = _upload(port, worker, session, csrf)
    finally:
        from uploads.models import Upload

        Upload.objects.filter(user__username="bench_uploader").delete()
        shutil.rmtree(media, ignore_errors=True)

    mb_s = TOTAL / 1024**2 / elapsed
    growth_mb = (peak_kb - idle_kb) / 1024
    print(
        f"1 GB in {TOTAL // CHUNK} PATCHes of 8 MB: {elapsed:.2f} s, {mb_s:.0f} MB/s; worker RSS "
        f"idle {idle_kb / 1024:.1f} MB, peak {peak_kb / 1024:.1f} MB; sha256 matches"
    )
    return [
        Figure("upload_1gb_mb_s", mb_s, "MB/s", "≥ 200"),
        Figure("upload_peak_rss_growth_mb", growth_mb, "MB", "< 100"),
    ]


def _upload(port: int, worker: int, session: str, csrf: str) -> tuple[float, int, int]:
    """Warm up, then send 1 GB; return (seconds, peak RSS kB, idle RSS kB)."""
    headers = {
        "Cookie": f"sessionid={session}; csrftoken={csrf}",
        "X-CSRFToken": csrf,
        "Tus-Resumable": "1.0.0",
    }
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    # warm up: a small upload, so the idle figure includes Django, the DB connection …
    small = _request(conn, "POST", "/uploads/", {**headers, "Upload-Length": "1024"})
    assert small.status == 201, small.status
    path = small.headers["Location"].split(str(port), 1)[1]
    ok = _request(
        conn,
        "PATCH",
        path,
        {**headers, "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"},
        bytes(1024),
    )
    assert ok.status == 204, ok.status
    time.sleep(0.5)
    idle_kb = _status_kb(worker, "VmRSS")
    Path(f"/proc/{worker}/clear_refs").write_text("5")  # reset VmHWM to the current RSS

    block = os.urandom(CHUNK)
    digest = hashlib.sha256()
    for _ in range(TOTAL // CHUNK):  # what the server should compute, worked out beforehand
        digest.update(block)
    name = base64.b64encode("基准测试.mp4".encode()).decode()
    started = time.perf_counter()
    created = _request(
        conn,
        "POST",
        "/uploads/",
        {**headers, "Upload-Length": str(TOTAL), "Upload-Metadata": f"filename {name}"},
    )
    assert created.status == 201, created.status
    path = created.headers["Location"].split(str(port), 1)[1]
    offset = 0
    while offset < TOTAL:
        response = _request(
            conn,
            "PATCH",
            path,
            {
                **headers,
                "Upload-Offset": str(offset),
                "Content-Type": "application/offset+octet-stream",
                "Content-Length": str(CHUNK),
            },
            block,
        )
        assert response.status == 204, response.status
        offset = int(response.headers["Upload-Offset"])
    elapsed = time.perf_counter() - started
    peak_kb = _status_kb(worker, "VmHWM")
    conn.close()

    from uploads.models import Upload

    upload = Upload.objects.get(pk=path.rstrip("/").rsplit("/", 1)[1])
    assert upload.is_complete and upload.sha256 == digest.hexdigest(), "checksum differs"
    return elapsed, peak_kb, idle_kb
