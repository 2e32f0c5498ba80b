"""`xiaotu backup [PATH]`: a consistent copy of the database, safe to make while the server runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from xiaotu.ops.backup import BackupError, backup_create, backup_prune


class Command(BaseCommand):
    help = _("备份数据库（服务器运行时也可以）。不给路径时存入备份文件夹。")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", nargs="?", type=Path, help=_("备份文件或文件夹；默认为备份文件夹"))
        parser.add_argument(
            "--keep", type=int, default=None, help=_("备份后只保留备份文件夹中最新的 N 个备份（默认不删除）")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            path = backup_create(path=options["path"])
            removed = backup_prune(keep=options["keep"]) if options["keep"] is not None else []
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(_("已备份到 %(path)s") % {"path": path})
        if removed:
            self.stdout.write(
                _("已删除 %(count)d 个旧备份（%(folder)s）")
                % {"count": len(removed), "folder": settings.XIAOTU_BACKUP_DIR}
            )
