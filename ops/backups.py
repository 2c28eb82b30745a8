"""Backups that restore: the database and the uploaded files, with a manifest to check them.

A backup is a directory BACKUP_DIR/dangjian-YYYYMMDD-HHMMSS/ holding

    database.dump     PostgreSQL: pg_dump's custom format (database.sqlite3 on SQLite)
    files.tar         every file in the file storage (local disk or S3), by storage name
    manifest.json     when, which database, each table's row count, each file's SHA-256

The row counts are taken in the same snapshot that pg_dump reads (pg_export_snapshot), so a
restore is checked against exactly what was dumped. `backup_restore` replaces the database and
the files with the backup's and then compares counts and checksums with the manifest.
See docs/adr/0018-backups-pg-dump.md.
"""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import connection, connections, transaction
from django.utils import timezone

PREFIX = "dangjian-"
MANIFEST = "manifest.json"
PG_DUMP = "database.dump"
SQLITE_COPY = "database.sqlite3"
FILES = "files.tar"
SKIPPED_DIRS = ("healthz",)  # /healthz's probe files come and go
READ_CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go on; the message is Chinese."""


@dataclass
class Manifest:
    created_at: str
    vendor: str
    rows: dict[str, int]
    files: dict[str, str]
    mismatches: list[str] = field(default_factory=list)

    @classmethod
    def read(cls, directory: Path) -> "Manifest":
        try:
            data = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
        except FileNotFoundError as e:
            raise BackupError(f"「{directory}」不是一份完整的备份（缺少 {MANIFEST}）。") from e
        return cls(
            created_at=data["created_at"],
            vendor=data["vendor"],
            rows=data["rows"],
            files=data["files"],
        )

    def write(self, directory: Path) -> None:
        data = {
            "created_at": self.created_at,
            "vendor": self.vendor,
            "rows": self.rows,
            "files": self.files,
        }
        (directory / MANIFEST).write_text(
            json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True), encoding="utf-8"
        )


# --- what is there -------------------------------------------------------------------------


def row_counts() -> dict[str, int]:
    """Each table's row count, in the current transaction's view."""
    counts: dict[str, int] = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = int(cursor.fetchone()[0])
    return counts


def storage_files(directory: str = "") -> list[str]:
    """Every file's storage name in the file storage, sorted."""
    names: list[str] = []
    try:
        dirs, files = default_storage.listdir(directory)
    except FileNotFoundError:
        return names
    for name in files:
        names.append(f"{directory}/{name}" if directory else name)
    for sub in dirs:
        if not directory and sub in SKIPPED_DIRS:
            continue
        names.extend(storage_files(f"{directory}/{sub}" if directory else sub))
    return sorted(names)


def _sha256(f: Any) -> str:
    hasher = hashlib.sha256()
    while chunk := f.read(READ_CHUNK):
        hasher.update(chunk)
    return hasher.hexdigest()


def file_checksums() -> dict[str, str]:
    checksums = {}
    for name in storage_files():
        with default_storage.open(name, "rb") as f:
            checksums[name] = _sha256(f)
    return checksums


# --- backing up ----------------------------------------------------------------------------


def _pg_env() -> dict[str, str]:
    db = connection.settings_dict
    env = {**os.environ, "PGDATABASE": str(db["NAME"])}
    for key, var in (("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD"), ("HOST", "PGHOST")):
        if db.get(key):
            env[var] = str(db[key])
    if db.get("PORT"):
        env["PGPORT"] = str(db["PORT"])
    return env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"找不到 {name}，请安装 PostgreSQL 客户端（postgresql-client）。")
    return found


def _run(command: list[str], *, env: dict[str, str] | None = None) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} 失败：{done.stderr.strip()[-2000:]}")


def _dump_database(directory: Path) -> dict[str, int]:
    """Dump the database into `directory` and return the row counts of that same state."""
    if connection.vendor == "postgresql":
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                cursor.execute("SELECT pg_export_snapshot()")
                snapshot = cursor.fetchone()[0]
            rows = row_counts()
            _run(
                [
                    _tool("pg_dump"),
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    f"--snapshot={snapshot}",
                    f"--file={directory / PG_DUMP}",
                ],
                env=_pg_env(),
            )
        return rows
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        with transaction.atomic():
            rows = row_counts()
            target = sqlite3.connect(directory / SQLITE_COPY)
            try:
                connection.connection.backup(target)
            finally:
                target.close()
        return rows
    raise BackupError(f"不支持备份 {connection.vendor} 数据库。")


def _archive_files(directory: Path) -> dict[str, str]:
    checksums: dict[str, str] = {}
    with tarfile.open(directory / FILES, "w") as tar:
        for name in storage_files():
            with default_storage.open(name, "rb") as f, tempfile.TemporaryFile() as copy:
                hasher = hashlib.sha256()
                while chunk := f.read(READ_CHUNK):
                    hasher.update(chunk)
                    copy.write(chunk)
                info = tarfile.TarInfo(name)
                info.size = copy.tell()
                info.mtime = int(timezone.now().timestamp())
                copy.seek(0)
                tar.addfile(info, copy)
                checksums[name] = hasher.hexdigest()
    return checksums


def backup_create(*, root: Path | None = None, keep: int | None = None) -> Path:
    """Back up the database and the files into a new directory under `root` (BACKUP_DIR),
    then remove all but the newest `keep` (BACKUP_KEEP) backups. Returns the new directory."""
    root = Path(root or settings.BACKUP_DIR)
    root.mkdir(parents=True, exist_ok=True)
    now = timezone.now()
    final = root / f"{PREFIX}{now:%Y%m%d-%H%M%S}"
    if final.exists():
        raise BackupError(f"备份「{final.name}」已存在，请稍后再试。")
    working = root / f".{final.name}.part"
    shutil.rmtree(working, ignore_errors=True)
    working.mkdir()
    try:
        rows = _dump_database(working)
        files = _archive_files(working)
        Manifest(
            created_at=now.isoformat(), vendor=connection.vendor, rows=rows, files=files
        ).write(working)
        working.rename(final)  # a backup directory without ".part" is complete
    except BaseException:
        shutil.rmtree(working, ignore_errors=True)
        raise
    backup_prune(root=root, keep=settings.BACKUP_KEEP if keep is None else keep)
    return final


def backup_list(*, root: Path | None = None) -> list[Path]:
    """Complete backups under `root`, oldest first."""
    root = Path(root or settings.BACKUP_DIR)
    if not root.is_dir():
        return []
    return sorted(
        p
        for p in root.iterdir()
        if p.is_dir() and p.name.startswith(PREFIX) and (p / MANIFEST).exists()
    )


def backup_prune(*, root: Path | None = None, keep: int) -> list[Path]:
    """Remove all but the newest `keep` backups; returns those removed."""
    if keep < 1:
        raise BackupError("至少要保留 1 份备份。")
    removed = backup_list(root=root)[:-keep]
    for path in removed:
        shutil.rmtree(path)
    return removed


# --- restoring -----------------------------------------------------------------------------


def _restore_database(directory: Path, manifest: Manifest) -> None:
    if manifest.vendor != connection.vendor:
        raise BackupError(
            f"这份备份来自 {manifest.vendor} 数据库，不能恢复到 {connection.vendor} 数据库。"
        )
    if connection.vendor == "postgresql":
        connections.close_all()
        _run(
            [
                _tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                f"--dbname={connection.settings_dict['NAME']}",
                str(directory / PG_DUMP),
            ],
            env=_pg_env(),
        )
        return
    connection.ensure_connection()
    source = sqlite3.connect(directory / SQLITE_COPY)
    try:
        source.backup(connection.connection)
    finally:
        source.close()


def _restore_files(directory: Path, manifest: Manifest) -> None:
    for name in storage_files():
        if name not in manifest.files:
            default_storage.delete(name)
    with tarfile.open(directory / FILES, "r") as tar:
        for info in tar:
            if not info.isfile() or info.name not in manifest.files:
                continue
            source = tar.extractfile(info)
            if source is None:
                continue
            if default_storage.exists(info.name):
                default_storage.delete(info.name)
            saved = default_storage.save(info.name, File(source, name=info.name))
            if saved != info.name:
                raise BackupError(f"文件「{info.name}」恢复后的名称变成了「{saved}」。")


def backup_verify(manifest: Manifest) -> list[str]:
    """What differs between the live database and files and `manifest` (in Chinese)."""
    problems: list[str] = []
    rows = row_counts()
    for table, count in sorted(manifest.rows.items()):
        if rows.get(table) != count:
            problems.append(f"表 {table}：备份中 {count} 行，恢复后 {rows.get(table)} 行")
    checksums = file_checksums()
    for name, digest in sorted(manifest.files.items()):
        if checksums.get(name) != digest:
            problems.append(f"文件 {name}：校验值不一致或缺失")
    return problems


def backup_restore(*, directory: Path) -> Manifest:
    """Replace the database and the files with the backup's, then check them against its
    manifest (the differences, if any, are in the returned manifest's `mismatches`)."""
    directory = Path(directory)
    manifest = Manifest.read(directory)
    for needed in (PG_DUMP if manifest.vendor == "postgresql" else SQLITE_COPY, FILES):
        if not (directory / needed).exists():
            raise BackupError(f"备份「{directory.name}」缺少 {needed}，不能恢复。")
    _restore_database(directory, manifest)
    _restore_files(directory, manifest)
    manifest.mismatches = backup_verify(manifest)
    return manifest
