"""`xiaotu import-readers FILE`: import a school's pupil or staff roster (Excel or CSV) from the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from xiaotu.interop.tables import Severity, Table, TableError, column_letter, guess_mapping, heading_key, read_table
from xiaotu.readers.importing import RosterOutcome, readers_import
from xiaotu.readers.models import ReaderType
from xiaotu.readers.roster import ROSTER_FIELDS, RosterOptions, RosterRefused
from xiaotu.schools.selectors import library_for_command

SHOWN_PROBLEMS = 200
SHOWN_NAMES = 10


class Command(BaseCommand):
    help = _("导入学校的学生或教职工花名册（Excel 或 CSV）：按学号更新已有读者，其余新建。")
    # The system checks take a second and a half and find nothing a roster needs; `xiaotu check` runs them.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help=_("只检查，不写入"))
        parser.add_argument("--sheet", default=None, help=_("工作表名称（默认第一个有内容的工作表）"))
        parser.add_argument("--header-line", type=int, default=None, help=_("表头在第几行（默认自动查找）"))
        parser.add_argument(
            "--mapping",
            default="",
            help=_(
                "列对应，如 name=C,school_class=班级名称：项目名（或中文名“姓名”）= 列字母、列序号或表头文字；"
                "不写的项目按表头猜"
            ),
        )
        parser.add_argument("--create-classes", action="store_true", help=_("新建文件中有、本校还没有的班级"))
        parser.add_argument("--reader-type", default="", help=_("没有写读者类型的行用这个读者类型代码（默认学生）"))
        parser.add_argument("--library", default=None, help=_("图书馆代码（有多个图书馆时）"))

    def handle(self, *args: Any, **options: Any) -> None:
        library = library_for_command(options["library"])
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(_("找不到文件：%(path)s") % {"path": path})
        reader_type = None
        if options["reader_type"]:
            reader_type = ReaderType.objects.filter(library=library, code=options["reader_type"]).first()
            if reader_type is None:
                codes = ", ".join(ReaderType.objects.filter(library=library).values_list("code", flat=True))
                raise CommandError(
                    _("本馆没有代码为 %(code)s 的读者类型。可用的有：%(codes)s")
                    % {"code": options["reader_type"], "codes": codes}
                )
        try:
            table = read_table(
                path.read_bytes(),
                filename=path.name,
                sheet=options["sheet"],
                header_line=options["header_line"],
                fields=ROSTER_FIELDS,
            )
            mapping = self._mapping(table, options["mapping"])
            self._describe(path, table, mapping)
            outcome = readers_import(
                library=library,
                table=table,
                mapping=mapping,
                options=RosterOptions(reader_type=reader_type, create_classes=options["create_classes"]),
                by=None,
                dry_run=options["dry_run"],
                filename=path.name,
            )
        except (TableError, RosterRefused) as error:
            raise CommandError(str(error.message)) from None
        self._report(outcome, create_classes=options["create_classes"])

    def _mapping(self, table: Table, text: str) -> dict[str, int | None]:
        """The guess from the headings, with what --mapping says instead."""
        mapping = guess_mapping(table.headers, ROSTER_FIELDS)
        by_name = {spec.name: spec.name for spec in ROSTER_FIELDS}
        by_name.update({str(spec.label): spec.name for spec in ROSTER_FIELDS})
        for part in filter(None, (p.strip() for p in text.split(","))):
            key, sep, column = part.partition("=")
            field = by_name.get(key.strip())
            if not sep or field is None:
                names = ", ".join(spec.name for spec in ROSTER_FIELDS)
                raise CommandError(_("看不懂列对应“%(part)s”。项目有：%(names)s") % {"part": part, "names": names})
            mapping[field] = self._column(table, column.strip())
        return mapping

    def _column(self, table: Table, text: str) -> int | None:
        if not text:
            return None
        if text.isdigit():
            return int(text) - 1
        if text.isascii() and text.isalpha() and len(text) <= 3:
            index = 0
            for ch in text.upper():
                index = index * 26 + ord(ch) - 64
            return index - 1
        for index, heading in enumerate(table.headers):
            if heading_key(heading) == heading_key(text):
                return index
        raise CommandError(_("表头中没有“%(heading)s”这一列。") % {"heading": text})

    def _describe(self, path: Path, table: Table, mapping: dict[str, int | None]) -> None:
        where = f"，{_('工作表“%(sheet)s”') % {'sheet': table.sheet}}" if table.sheet else ""
        encoding = f"，{table.encoding}" if table.encoding else ""
        self.stdout.write(
            _("文件：%(name)s（%(format)s%(encoding)s）%(where)s，表头在第 %(line)d 行，%(rows)d 行数据")
            % {
                "name": path.name,
                "format": table.source_format,
                "encoding": encoding,
                "where": where,
                "line": table.header_line,
                "rows": len(table.rows),
            }
        )
        separator = pgettext("list separator", "，")
        used = [
            f"{spec.label} ← {column_letter(column)}「{table.headers[column]}」"
            for spec in ROSTER_FIELDS
            if (column := mapping.get(spec.name)) is not None and column < table.width
        ]
        self.stdout.write(_("列对应：") + separator.join(used))

    def _report(self, outcome: RosterOutcome, *, create_classes: bool) -> None:
        preview = outcome.plan.preview
        for problem in preview.problems[:SHOWN_PROBLEMS]:
            mark = {Severity.ERROR: "!", Severity.WARNING: "·"}.get(problem.severity, "-")
            self.stdout.write(f"  {mark} " + _("第 %(n)d 行：%(msg)s") % {"n": problem.line, "msg": problem.message})
        if len(preview.problems) > SHOWN_PROBLEMS:
            self.stdout.write(_("  ……另有 %(n)d 处未列出") % {"n": len(preview.problems) - SHOWN_PROBLEMS})
        separator = pgettext("list separator", "，")
        if preview.new_classes:
            classes = separator.join(
                _("%(name)s（%(n)d 人）") % {"name": c.name, "n": c.pupils} for c in preview.new_classes
            )
            self.stdout.write(_("新建班级：") + classes)
        if preview.missing_classes:
            classes = separator.join(c.name for c in preview.missing_classes)
            self.stdout.write(
                _("本校还没有这些班级，它们的学生没有导入：%(classes)s。加上 --create-classes 可以在导入时新建。")
                % {"classes": classes}
            )
        for group in preview.absent:
            names = separator.join(
                f"{name}（{number}）" if number else name for name, number in group.readers[:SHOWN_NAMES]
            )
            more = _("等") if len(group.readers) > SHOWN_NAMES else ""
            self.stdout.write(
                _("不在文件中（不会改动）：%(group)s %(n)d 人：%(names)s%(more)s")
                % {"group": group.name, "n": len(group.readers), "names": names, "more": more}
            )
        counts = outcome.plan.counts()
        summary = (
            _(
                "读取 %(read)d 行：新读者 %(new)d 人，更新 %(updated)d 人，无变化 %(unchanged)d 人；"
                "有错误、不导入的 %(error_rows)d 行；新建班级 %(classes_new)d 个。"
            )
            % counts
        )
        if outcome.result is None:
            self.stdout.write(_("试运行，没有写入：") + summary)
        elif not outcome.result.changed_anything:
            self.stdout.write(summary + _("与本馆的读者完全一致，没有任何改变。"))
        else:
            self.stdout.write(summary + _("已导入。"))
