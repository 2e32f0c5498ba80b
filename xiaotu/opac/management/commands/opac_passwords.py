"""`xiaotu opac-passwords [--class NAME …] [--overwrite]`: each pupil's OPAC password from the last 6 of their 学号."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from xiaotu.opac.services import class_passwords_from_student_numbers
from xiaotu.readers.models import SchoolClass
from xiaotu.schools.selectors import library_for_command


class Command(BaseCommand):
    help = _("按班级设置读者的公共检索初始密码（学号后 6 位）；已有密码的读者不变，除非加 --overwrite。")
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--class", dest="classes", action="append", default=[], help=_("班级名称，可写多次（默认：所有在校班级）")
        )
        parser.add_argument("--overwrite", action="store_true", help=_("已有密码的读者也重新设置"))
        parser.add_argument("--library", default=None, help=_("图书馆代码（有多个图书馆时）"))

    def handle(self, *args: Any, **options: Any) -> None:
        library = library_for_command(options["library"])
        active = SchoolClass.objects.filter(library=library, active=True).select_related("grade")
        classes = list(active.order_by("grade__number", "number"))
        if options["classes"]:
            by_name = {school_class.name: school_class for school_class in classes}
            unknown = [name for name in options["classes"] if name not in by_name]
            if unknown:
                raise CommandError(_("本馆没有这些在校班级：%(names)s") % {"names": "、".join(unknown)})
            classes = [by_name[name] for name in options["classes"]]
        total = 0
        for school_class in classes:
            outcome = class_passwords_from_student_numbers(
                school_class=school_class, by=None, overwrite=options["overwrite"]
            )
            total += outcome.set_count
            self.stdout.write(
                _("%(name)s：设置 %(set)d 位，已有密码未改 %(kept)d 位，没有学号 %(missing)d 位")
                % {
                    "name": school_class.name,
                    "set": outcome.set_count,
                    "kept": len(outcome.kept),
                    "missing": len(outcome.without_number),
                }
            )
            for reader in outcome.without_number:
                self.stdout.write(
                    "  " + _("没有学号：%(name)s（%(card)s）") % {"name": reader.name, "card": reader.card_barcode}
                )
        self.stdout.write(_("共设置 %(n)d 位读者的密码。") % {"n": total})
