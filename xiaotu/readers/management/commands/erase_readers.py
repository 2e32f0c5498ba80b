"""`xiaotu erase-readers [--dry-run] [--library CODE]`: erase the personal data of readers who left long enough ago."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaotu.readers.privacy import readers_due_for_erasure, readers_erase_expired
from xiaotu.schools.models import Library
from xiaotu.schools.selectors import library_for_command


class Command(BaseCommand):
    help = _("删除毕业或离校已满保留天数的读者的个人信息（姓名、学号、学籍号、照片、证号），借阅统计不变。")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help=_("只列出到期的读者，不删除"))
        parser.add_argument("--library", default=None, help=_("图书馆代码（默认：所有图书馆）"))

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        code = options["library"]
        libraries = [library_for_command(code)] if code else list(Library.objects.order_by("pk"))
        total = 0
        for library in libraries:
            days = library.reader_retention_days
            if days <= 0:
                self.stdout.write(_("%(library)s：保留天数为 0，不删除任何读者信息。") % {"library": library.name})
                continue
            if options["dry_run"]:
                due = list(
                    readers_due_for_erasure(library=library, today=today)
                    .select_related("school_class")
                    .order_by("left_on", "pk")
                )
                self.stdout.write(
                    _("%(library)s：有 %(n)d 位读者离校已满 %(days)d 天，将删除其个人信息：")
                    % {"library": library.name, "n": len(due), "days": days}
                )
                for reader in due:
                    self.stdout.write(
                        f"  {reader.card_barcode}\t{reader.name}\t"
                        f"{reader.school_class.name if reader.school_class else ''}\t{reader.left_on}"
                    )
                total += len(due)
                continue
            erased = readers_erase_expired(library=library, today=today)
            self.stdout.write(
                _("%(library)s：已删除 %(n)d 位离校读者的个人信息。") % {"library": library.name, "n": erased}
            )
            total += erased
        if options["dry_run"]:
            self.stdout.write(_("试运行：共 %(n)d 位，没有删除任何信息。") % {"n": total})
