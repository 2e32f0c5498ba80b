"""`xiaotu reindex`: rebuild the search table of one library, or of every library."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _
from rich.progress import BarColumn, Progress, TaskID, TaskProgressColumn, TextColumn, TimeRemainingColumn

from xiaotu.schools.models import Library
from xiaotu.schools.selectors import library_for_command
from xiaotu.search.services import reindex_library


class Command(BaseCommand):
    help = _("重建书目检索索引。")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--library", default=None, help=_("图书馆代码；不写则为唯一的图书馆"))
        parser.add_argument("--all", action="store_true", help=_("重建所有图书馆的索引"))

    def handle(self, *args: Any, **options: Any) -> None:
        libraries = (
            list(Library.objects.order_by("pk")) if options["all"] else [library_for_command(options["library"])]
        )
        for library in libraries:
            started = time.perf_counter()
            with Progress(
                TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(), TimeRemainingColumn()
            ) as bar:
                task = bar.add_task(library.name, total=None)

                def progress(done: int, total: int, task: TaskID = task) -> None:
                    bar.update(task, completed=done, total=total)

                count = reindex_library(library=library, progress=progress)
            self.stdout.write(
                _("%(library)s：已为 %(n)d 种书目建立检索索引，用时 %(s).1f 秒。")
                % {"library": library.name, "n": count, "s": time.perf_counter() - started}
            )
