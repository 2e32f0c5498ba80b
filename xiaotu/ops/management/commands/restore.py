"""`xiaotu restore PATH`: bring back a backup made by `xiaotu backup`, after asking."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from xiaotu.ops.backup import BackupError, backup_check, backup_restore


class Command(BaseCommand):
    help = _("用备份替换当前数据库中的全部数据。")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help=_("`xiaotu backup` 生成的备份文件"))
        parser.add_argument("--yes", action="store_true", help=_("不再询问，直接恢复"))

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        try:
            backup_check(path=path)
            if not options["yes"] and not self._confirmed(path):
                self.stdout.write(_("已取消，数据没有改变。"))
                return
            safety = backup_restore(path=path)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(_("已从 %(path)s 恢复。") % {"path": path})
        if safety is not None:
            self.stdout.write(_("恢复前的数据已保存到 %(path)s") % {"path": safety})

    def _confirmed(self, path: Path) -> bool:
        if not sys.stdin.isatty():
            raise CommandError(_("恢复会替换全部数据；请在命令后加 --yes 确认。"))
        self.stdout.write(
            _("将用 %(path)s 替换当前的全部数据（正在运行的服务器会立即看到恢复后的数据）。") % {"path": path}
        )
        answer = input(_("确定恢复吗？输入 yes 继续：")).strip().lower()
        return answer in {"yes", "y", "是"}
