"""/healthz: can this node reach the database and the file storage, and is a worker alive?"""

import uuid

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection

from ops.heartbeat import worker_alive

PROBE_DIR = "healthz"


def check_database() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        return cursor.fetchone() == (1,)


def check_storage() -> bool:
    """Write, read back and delete a small file where uploaded files go (disk or S3)."""
    payload = uuid.uuid4().hex.encode()
    name = default_storage.save(f"{PROBE_DIR}/{uuid.uuid4().hex}.txt", ContentFile(payload))
    try:
        with default_storage.open(name, "rb") as f:
            return bool(f.read() == payload)
    finally:
        default_storage.delete(name)


CHECKS = {"database": check_database, "storage": check_storage, "worker": worker_alive}


def health() -> dict[str, bool]:
    """Each check's outcome; a check that raises has failed."""
    results: dict[str, bool] = {}
    for name, check in CHECKS.items():
        try:
            results[name] = bool(check())
        except Exception:
            results[name] = False
    return results
