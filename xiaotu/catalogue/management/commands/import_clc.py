"""`xiaotu import-clc FILE`: add a fuller 中图法 table (CSV or JSON) to the one xiaotu ships, for the class picker."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from xiaotu.catalogue.clc.importing import import_table
from xiaotu.catalogue.clc.table import DEFAULT_TABLE, installed_table_path, load_table, table_as_json


class Command(BaseCommand):
    help = _("导入更完整的中图法分类表（CSV：分类号,类名[,上位类]；或 JSON），与自带的简表合并。")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--replace", action="store_true", help=_("不与现有分类表合并，整个替换"))
        parser.add_argument("--dry-run", action="store_true", help=_("只检查，不保存"))
        parser.add_argument("--reset", action="store_true", help=_("删除导入的分类表，恢复自带的简表"))

    def handle(self, *args: Any, **options: Any) -> None:
        target = installed_table_path()
        if options["reset"]:
            target.unlink(missing_ok=True)
            self.stdout.write(_("已恢复自带的分类表（%(n)d 个类目）。") % {"n": len(load_table(DEFAULT_TABLE))})
            return
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(_("找不到文件：%(path)s") % {"path": path})
        result = import_table(path, base=None if options["replace"] else load_table())
        for error in result.errors[:100]:
            self.stderr.write(str(error))
        if result.errors and not result.imported:
            raise CommandError(_("没有可导入的类目，分类表未改变。"))
        summary = _(
            "读入 %(imported)d 个类目，跳过交替/停用类目 %(skipped)d 个，错误 %(errors)d 行；合计 %(total)d 个类目。"
        ) % {
            "imported": result.imported,
            "skipped": result.skipped,
            "errors": len(result.errors),
            "total": len(result.table),
        }
        if options["dry_run"]:
            self.stdout.write(_("试运行，未保存：") + summary)
            return
        partial = target.with_name(target.name + ".partial")
        partial.write_text(table_as_json(result.table), encoding="utf-8")
        partial.replace(target)
        self.stdout.write(summary + _("已保存到 %(path)s。") % {"path": target})
