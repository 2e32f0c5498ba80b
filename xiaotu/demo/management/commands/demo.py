"""`xiaotu demo`: load the demo school (idempotent); larger with --items/--readers/--history for benchmarks."""

from __future__ import annotations

import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from xiaotu.demo.build import DEFAULT_SEED, DemoSize, build_demo, demo_library
from xiaotu.ops.welcome import DEMO_LOGINS, DEMO_PASSWORD, login_hint
from xiaotu.schools.models import Library


def _count(value: str) -> int:
    number = int(value)
    if number < 0:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = _("加载演示学校：24 个班的学生、80 位教师、2 万册藏书和一学期的借阅记录。已加载时不做任何改动。")

    def add_arguments(self, parser: CommandParser) -> None:
        default = DemoSize()
        parser.add_argument("--items", type=_count, default=default.items, help=_("藏书册数（默认 %(default)s）"))
        parser.add_argument("--readers", type=_count, default=default.readers, help=_("读者人数（默认 %(default)s）"))
        parser.add_argument(
            "--history", type=_count, default=default.history, help=_("借阅记录条数（默认 %(default)s）")
        )
        parser.add_argument(
            "--level", choices=[Library.Level.PRIMARY, Library.Level.JUNIOR], default=Library.Level.PRIMARY,
            help=_("学段：primary 小学 1–6 年级，junior 初中 7–9 年级"),
        )  # fmt: skip
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=_("随机种子：同一天同一种子生成同样的学校"))
        parser.add_argument("--if-empty", action="store_true", help=_("仅当数据库中还没有任何图书馆时加载"))

    def handle(self, *args: Any, **options: Any) -> None:
        if library := demo_library():
            self.stdout.write(_("演示学校已加载（%(name)s），没有改动。") % {"name": library.name})
            # `make run` asks every time and `xiaotu serve` prints the logins anyway; checking them is slow.
            if not options["if_empty"] and (hint := login_hint()):
                self.stdout.write(hint)
            return
        if options["if_empty"] and (existing := Library.objects.first()):
            self.stdout.write(_("数据库中已有图书馆（%(name)s），不加载演示数据。") % {"name": existing.name})
            return
        if options["items"] > 10_000_000 or options["readers"] > 1_000_000 or options["history"] > 50_000_000:
            raise CommandError(_("规模过大：最多 1000 万册、100 万读者、5000 万条借阅记录。"))
        size = DemoSize(items=options["items"], readers=options["readers"], history=options["history"])
        started = time.perf_counter()
        verbose = options["verbosity"] > 1

        def log(message: str) -> None:
            if verbose:
                sys.stderr.write(f"  {message}\n")

        report = build_demo(size=size, level=options["level"], seed=options["seed"], log=log)
        seconds = time.perf_counter() - started
        self.stdout.write(
            _(
                "已加载演示学校「%(name)s」：%(records)s 种 %(items)s 册藏书，%(classes)s 个班 %(readers)s 位读者，"
                "%(loans)s 条借阅记录（未还 %(open)s，其中超期 %(overdue)s），用时 %(seconds).1f 秒。"
            )
            % {
                "name": report.library.name,
                "records": report.records,
                "items": report.items,
                "classes": report.classes,
                "readers": report.readers,
                "loans": report.loans,
                "open": report.open_loans,
                "overdue": report.overdue_loans,
                "seconds": seconds,
            }
        )
        logins = [(name, role) for name, role in DEMO_LOGINS if name in report.logins]
        if logins:
            self.stdout.write(_("演示账号（请在正式使用前修改密码）："))
            for name, role in logins:
                self.stdout.write(f"  {role}: {name} / {DEMO_PASSWORD}")
        skipped = [name for name, _role in DEMO_LOGINS if name not in report.logins]
        if skipped:
            self.stdout.write(_("这些用户名已被占用，没有创建：%(names)s") % {"names": ", ".join(skipped)})
