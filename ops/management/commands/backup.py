"""`manage.py backup`: back up the database and the uploaded files (deploy/ runs it nightly)."""

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ops.backups import BackupError, backup_create, backup_list


class Command(BaseCommand):
    help = (
        "备份数据库和上传的文件到 BACKUP_DIR 下的新目录（含清单：各表行数、各文件校验值），"
        "并只保留最新的 BACKUP_KEEP 份。--list 列出已有的备份。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dir", type=Path, help="备份存放目录（默认 BACKUP_DIR）")
        parser.add_argument("--keep", type=int, help="保留的备份份数（默认 BACKUP_KEEP）")
        parser.add_argument("--list", action="store_true", help="只列出已有的备份")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["list"]:
            for path in backup_list(root=options["dir"]):
                self.stdout.write(str(path))
            return
        started = time.perf_counter()
        try:
            path = backup_create(root=options["dir"], keep=options["keep"])
        except BackupError as e:
            raise CommandError(str(e)) from e
        self.stdout.write(f"已备份到 {path}（{time.perf_counter() - started:.1f} 秒）。")
