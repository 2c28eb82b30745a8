"""`manage.py restore BACKUP_DIR/dangjian-…`: put a backup back and check it."""

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ops.backups import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "用一份备份替换当前的数据库和上传的文件，然后按备份清单核对各表行数和文件校验值。"
        "会覆盖现有数据：不加 --noinput 时先要求确认。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("backup", type=Path, help="备份目录（manage.py backup --list）")
        parser.add_argument(
            "--noinput", "--no-input", action="store_false", dest="interactive", help="不确认"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["backup"]
        if options["interactive"]:
            answer = input(
                f"将用备份「{path.name}」替换当前的全部数据和文件，现有内容会丢失。确认请输入 yes："
            )
            if answer.strip().lower() != "yes":
                raise CommandError("已取消，未做任何改动。")
        started = time.perf_counter()
        try:
            manifest = backup_restore(directory=path)
        except BackupError as e:
            raise CommandError(str(e)) from e
        seconds = time.perf_counter() - started
        if manifest.mismatches:
            raise CommandError("恢复后核对不一致：\n" + "\n".join(manifest.mismatches))
        self.stdout.write(
            f"已从「{path.name}」恢复（{manifest.created_at} 的备份）：{len(manifest.rows)} 张表、"
            f"{len(manifest.files)} 个文件，核对一致（{seconds:.1f} 秒）。"
        )
