"""The restore drill: seed, back up, wipe, restore, and compare row counts and checksums."""

from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError

from conftest import Cast
from members.models import Member
from ops.backups import (
    BackupError,
    Manifest,
    backup_create,
    backup_list,
    backup_prune,
    backup_restore,
    file_checksums,
    row_counts,
)


@pytest.fixture(autouse=True)
def own_media(settings: Any, tmp_path: Path) -> None:
    """Each test's files alone in their own MEDIA_ROOT, backups beside it."""
    settings.MEDIA_ROOT = tmp_path / "media"


def _wipe() -> None:
    call_command("flush", interactive=False, verbosity=0)
    for name in list(file_checksums()):
        default_storage.delete(name)


def test_restore_drill_brings_back_every_row_and_file(
    cast: Cast, transactional_db: Any, tmp_path: Path
) -> None:
    # given: a university and two uploaded files, one in a sub-directory
    default_storage.save("submissions/2020/03/微党课.mp4", ContentFile(b"\x00video" * 5000))
    default_storage.save("library/案例.docx", ContentFile("讲稿".encode() * 100))
    rows, files = row_counts(), file_checksums()
    assert rows["members_member"] == Member.objects.count() > 0
    assert len(files) == 2

    # when: backed up, wiped and restored
    path = backup_create(root=tmp_path / "b", keep=3)
    _wipe()
    assert Member.objects.count() == 0 and file_checksums() == {}
    manifest = backup_restore(directory=path)

    # then: the same rows and the same bytes, and the manifest says so
    assert manifest.mismatches == []
    assert row_counts() == rows
    assert file_checksums() == files
    assert Member.objects.filter(pk=cast.member_a.pk, name=cast.member_a.name).exists()


def test_restore_removes_files_the_backup_does_not_have(
    cast: Cast, transactional_db: Any, tmp_path: Path
) -> None:
    default_storage.save("library/kept.txt", ContentFile(b"kept"))
    path = backup_create(root=tmp_path / "b")
    default_storage.save("library/later.txt", ContentFile(b"after the backup"))
    backup_restore(directory=path)
    assert set(file_checksums()) == {"library/kept.txt"}


def test_a_changed_file_is_reported_after_restore(
    cast: Cast, transactional_db: Any, tmp_path: Path
) -> None:
    default_storage.save("library/a.txt", ContentFile(b"original"))
    path = backup_create(root=tmp_path / "b")
    manifest = Manifest.read(path)
    manifest.files["library/a.txt"] = "0" * 64  # as if the archive had been damaged
    manifest.write(path)
    with pytest.raises(CommandError, match="校验值不一致"):
        call_command("restore", str(path), "--noinput", verbosity=0)


def test_retention_keeps_the_newest_backups(tmp_path: Path) -> None:
    for stamp in ("20200101-000000", "20200102-000000", "20200103-000000"):
        made = tmp_path / f"dangjian-{stamp}"
        made.mkdir()
        Manifest(created_at=stamp, vendor="postgresql", rows={}, files={}).write(made)
    (tmp_path / ".dangjian-20200104-000000.part").mkdir()  # unfinished: not a backup
    removed = backup_prune(root=tmp_path, keep=2)
    assert [p.name for p in removed] == ["dangjian-20200101-000000"]
    assert [p.name for p in backup_list(root=tmp_path)] == [
        "dangjian-20200102-000000",
        "dangjian-20200103-000000",
    ]
    with pytest.raises(BackupError):
        backup_prune(root=tmp_path, keep=0)


def test_restore_refuses_a_directory_that_is_not_a_backup(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="不是一份完整的备份"):
        call_command("restore", str(tmp_path), "--noinput", verbosity=0)


def test_restore_asks_first_and_does_nothing_without_yes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    with pytest.raises(CommandError, match="已取消"):
        call_command("restore", str(tmp_path), verbosity=0)


def test_backup_command_says_where_and_lists(
    cast: Cast, transactional_db: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("backup", "--dir", str(tmp_path / "b"), "--keep", "2")
    call_command("backup", "--dir", str(tmp_path / "b"), "--list")
    out = capsys.readouterr().out
    assert "已备份到" in out
    assert str(backup_list(root=tmp_path / "b")[0]) in out
