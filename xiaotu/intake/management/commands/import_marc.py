"""`xiaotu import-marc FILE`: catalogue a MARC file from the command line, with a progress bar."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn

from xiaotu.catalogue.models import ItemCategory
from xiaotu.intake.importing import BatchInfo, ImportOptions, ImportRefused
from xiaotu.intake.models import Batch
from xiaotu.intake.numbering import NumberingError
from xiaotu.intake.services import marc_import
from xiaotu.interop.marc import MarcFileError
from xiaotu.schools.models import Location
from xiaotu.schools.selectors import library_for_command

FORMATS = {"auto": None, "cnmarc": "cnmarc", "unimarc": "unimarc", "marc21": "marc21"}
ENCODINGS = {"auto": None, "utf-8": "utf-8", "gb18030": "gb18030", "gbk": "gb18030", "marc-8": "marc-8"}


class Command(BaseCommand):
    help = _("导入 MARC 文件（ISO 2709、MARCXML 或 SRU 响应；CNMARC/UNIMARC/MARC21）到书目和馆藏。")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--format", choices=list(FORMATS), default="auto")
        parser.add_argument("--encoding", choices=list(ENCODINGS), default="auto")
        parser.add_argument("--batch", default="", help=_("批次号：已有的批次则追加，否则以此号新建"))
        parser.add_argument("--vendor", default="", help=_("供书单位（新建批次时）"))
        parser.add_argument("--source", choices=[c.value for c in Batch.Source], default=Batch.Source.PURCHASE)
        parser.add_argument("--received-on", default="", help=_("到书日期 YYYY-MM-DD，默认今天"))
        parser.add_argument("--location", default="", help=_("没有馆藏信息的册放入的馆藏地点代码"))
        parser.add_argument("--category", default="", help=_("新册的流通类型代码"))
        parser.add_argument(
            "--copies-without-holdings",
            type=int,
            default=1,
            help=_("文件中没有馆藏字段的记录建几册（0 = 只建书目）"),
        )
        parser.add_argument("--renumber", action="store_true", help=_("不用文件中的索书号，按本馆规则重新分配"))
        parser.add_argument("--dry-run", action="store_true", help=_("只检查，不写入"))
        parser.add_argument("--all-or-nothing", action="store_true", help=_("有任何一条记录出错就什么也不导入"))
        parser.add_argument("--library", default=None, help=_("图书馆代码（有多个图书馆时）"))

    def handle(self, *args: Any, **options: Any) -> None:
        library = library_for_command(options["library"])
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(_("找不到文件：%(path)s") % {"path": path})
        import_options = ImportOptions(
            batch=self._existing_batch(library, options["batch"]),
            new_batch=BatchInfo(
                received_on=self._date(options["received_on"]),
                source=options["source"],
                vendor=options["vendor"],
                number=options["batch"],
            ),
            location=self._by_code(Location, library, options["location"]),
            category=self._by_code(ItemCategory, library, options["category"]),
            copies_without_holdings=max(0, options["copies_without_holdings"]),
            keep_call_numbers=not options["renumber"],
            all_or_nothing=options["all_or_nothing"],
        )
        with Progress(
            TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(), TimeRemainingColumn()
        ) as bar:
            tasks = {
                "read": bar.add_task(_("读取"), total=None),
                "store": bar.add_task(_("写入"), total=None),
                "index": bar.add_task(_("建立检索"), total=None),
            }

            def progress(phase: str, done: int, total: int) -> None:
                bar.update(tasks[phase], completed=done, total=total)

            try:
                outcome = marc_import(
                    library=library,
                    source=str(path),
                    options=import_options,
                    by=None,
                    marc_format=FORMATS[options["format"]],
                    encoding=ENCODINGS[options["encoding"]],
                    dry_run=options["dry_run"],
                    progress=progress,
                )
            except (MarcFileError, ImportRefused, NumberingError) as error:
                problems = getattr(error, "problems", [])
                for problem in problems[:50]:
                    self.stderr.write(_("第 %(n)d 条：%(msg)s") % {"n": problem.position, "msg": problem.message})
                raise CommandError(str(getattr(error, "message", error))) from None
        file = outcome.file
        self.stdout.write(
            _("文件：%(container)s，%(format)s，编码 %(encoding)s（%(reason)s）")
            % {
                "container": file["container"],
                "format": file["format"],
                "encoding": file["encoding"],
                "reason": file["encoding_reason"],
            }
        )
        for problem in outcome.problems[:200]:
            mark = "!" if problem.severity == "error" else "·"
            self.stdout.write(
                f"  {mark} " + _("第 %(n)d 条：%(msg)s") % {"n": problem.position, "msg": problem.message}
            )
        if len(outcome.problems) > 200:
            self.stdout.write(_("  ……另有 %(n)d 条提示未列出") % {"n": len(outcome.problems) - 200})
        counts = outcome.counts
        summary = (
            _(
                "读取 %(read)d 条：新书目 %(records_new)d 种，已有书目 %(records_matched)d 种，"
                "新增 %(copies)d 册；错误 %(errors)d 处，提示 %(warnings)d 处。"
            )
            % counts
        )
        if outcome.result is None:
            self.stdout.write(_("试运行，没有写入：") + summary)
        else:
            batch = outcome.result.batch
            self.stdout.write(summary + (_("批次 %(batch)s。") % {"batch": batch.number} if batch else ""))

    def _date(self, text: str) -> dt.date:
        if not text:
            return timezone.localdate()
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise CommandError(_("日期格式应为 YYYY-MM-DD：%(text)s") % {"text": text}) from None

    def _existing_batch(self, library: Any, number: str) -> Batch | None:
        return Batch.objects.filter(library=library, number=number).first() if number else None

    def _by_code(self, model: Any, library: Any, code: str) -> Any:
        if not code:
            return None
        found = model.objects.filter(library=library, code=code).first()
        if found is None:
            raise CommandError(
                _("本馆没有代码为 %(code)s 的%(what)s") % {"code": code, "what": model._meta.verbose_name}
            )
        return found
