"""`xiaotu export-marc OUT`: the catalogue as a MARC file (CNMARC or MARC21, UTF-8 or GB18030, ISO 2709 or XML)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from xiaotu.catalogue.marc_export import export_catalogue
from xiaotu.interop.marc import ISO2709, MARCXML, MarcFileError
from xiaotu.schools.selectors import library_for_command


class Command(BaseCommand):
    help = _("把书目和馆藏导出为 MARC 文件。")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("out", type=Path)
        parser.add_argument("--format", choices=["cnmarc", "unimarc", "marc21"], default="cnmarc")
        parser.add_argument("--encoding", choices=["utf-8", "gb18030"], default="utf-8")
        parser.add_argument("--xml", action="store_true", help=_("导出 MARCXML 而不是 ISO 2709"))
        parser.add_argument("--records", default="", help=_("只导出这些书目（逗号分隔的书目号）"))
        parser.add_argument("--library", default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        library = library_for_command(options["library"])
        record_ids = None
        if options["records"]:
            try:
                record_ids = [int(part) for part in options["records"].split(",") if part.strip()]
            except ValueError:
                raise CommandError(_("--records 应是逗号分隔的数字")) from None
        out: Path = options["out"]
        partial = out.with_name(out.name + ".partial")
        try:
            with partial.open("wb") as stream:
                summary = export_catalogue(
                    library=library,
                    out=stream,
                    marc_format=options["format"],
                    encoding=options["encoding"],
                    container=MARCXML if options["xml"] else ISO2709,
                    record_ids=record_ids,
                )
        except (MarcFileError, OSError) as error:
            partial.unlink(missing_ok=True)
            raise CommandError(str(error)) from None
        partial.replace(out)
        for problem in summary.problems:
            self.stderr.write(f"{problem.position}: {problem.message}")
        self.stdout.write(_("已导出 %(n)d 条记录到 %(out)s") % {"n": summary.written, "out": out})
