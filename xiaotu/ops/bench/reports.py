"""The reports benchmark: every report page over a demo library with a given number of loans, in-process.

Each report is timed as its view runs for a librarian (queries, Python and the template, no network), several times
over; the median of each is printed. The library is the circulation benchmark's kind: built once, then reused.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from collections.abc import Callable
from typing import Any

from django.core.management import call_command
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import timezone

from xiaotu.accounts.models import Role, User
from xiaotu.circulation.models import Loan
from xiaotu.ops.bench.circulation import _library, database_info
from xiaotu.ops.bench.options import positive
from xiaotu.readers.models import SchoolClass
from xiaotu.reports import views
from xiaotu.reports.periods import term_on
from xiaotu.reports.tallies import tallies_refresh
from xiaotu.schools.models import Library

TARGET_MS = 300.0
Log = Callable[[str], None]


def report_pages(library: Library) -> dict[str, tuple[Callable[..., HttpResponse], str, dict[str, str]]]:
    """Name → (view, path, query) for every report, over the term we are in (else this month) and a week."""
    today = timezone.localdate()
    term = term_on(library, today)
    span = {"period": "term", "term": str(term.pk)} if term else {"period": "month"}
    week = {"period": "week", "on": today.isoformat()}
    a_class = SchoolClass.objects.filter(library=library, active=True).order_by("pk").first()
    pages: dict[str, tuple[Callable[..., HttpResponse], str, dict[str, str]]] = {
        "dashboard": (views.dashboard, "/reports/", span),
        "circulation_term": (views.circulation, "/reports/circulation/", span),
        "circulation_week": (views.circulation, "/reports/circulation/", week),
        "circulation_year": (views.circulation, "/reports/circulation/", {"period": "year"}),
        "never_borrowed": (views.never_borrowed, "/reports/never-borrowed/", {}),
        "stars_term": (views.stars, "/reports/stars/", span),
        "stars_week": (views.stars, "/reports/stars/", week),
        "collection": (views.collection, "/reports/collection/", {}),
        "inspection": (views.inspection, "/reports/inspection/", {}),
        "registers_summary_pdf": (views.register_file, "/reports/registers/summary.pdf", {}),
        "registers_classes_pdf": (views.register_file, "/reports/registers/classes.pdf", {}),
        "registers_withdrawals_pdf": (views.register_file, "/reports/registers/withdrawals.pdf", {}),
    }
    if a_class is not None:
        pages["class_term"] = (views.class_report, "/reports/class/", {**span, "class": str(a_class.pk)})
    return pages


def _kwargs(path: str) -> dict[str, str]:
    if path.startswith("/reports/registers/") and path.endswith(".pdf"):
        return {"key": path.rsplit("/", 1)[1].removesuffix(".pdf"), "ext": "pdf"}
    return {}


def time_report(view: Callable[..., HttpResponse], path: str, query: dict[str, str], user: User, runs: int) -> float:
    """The median over `runs` of the view's time in milliseconds; the first, cold run is not counted."""
    factory = RequestFactory()
    samples = []
    for run in range(runs + 1):
        request = factory.get(path, query)
        request.user = user
        started = time.perf_counter()
        response = view(request, **_kwargs(path))
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise RuntimeError(f"{path} answered {response.status_code}")
        if run:
            samples.append(elapsed)
    return round(statistics.median(samples), 1)


class ReportsBench:
    name = "reports"
    help = "统计报表：在有 N 条借阅记录的演示馆上计时每张报表（中位数）"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--loans", type=positive, default=500_000, help="借阅记录条数（默认 %(default)s）")
        parser.add_argument("--items", type=positive, default=50_000, help="藏书册数（默认 %(default)s）")
        parser.add_argument("--readers", type=positive, default=3_000, help="读者人数（默认 %(default)s）")
        parser.add_argument("--runs", type=positive, default=3, help="每张报表计时次数，取中位数（默认 %(default)s）")

    def key(self, options: dict[str, Any]) -> str:
        return f"reports-{options['items']}-{options['readers']}-{options['loans']}"

    def run(self, options: dict[str, Any], log: Log) -> dict[str, Any]:
        call_command("migrate", interactive=False, verbosity=0)
        library, build_s = _library({**options, "history": options["loans"]}, log)
        if connection.vendor == "postgresql" and build_s is not None:
            # A freshly built database has no planner statistics yet; autovacuum would get there in a minute.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        user = User.objects.filter(library=library, role=Role.LIBRARIAN, is_active=True).order_by("pk").first()
        if user is None:
            raise RuntimeError("the benchmark library has no librarian")
        # The daily tallies: built in full the first time (the first report a library ever shows pays for it), then
        # one closed day at a time. Timed on its own so the reports' figures are those of every other day.
        started = time.perf_counter()
        tallies_refresh(library=library)
        tallies_s = round(time.perf_counter() - started, 2)
        log(f"tallies: {tallies_s}s")
        if connection.vendor == "postgresql" and tallies_s > 1:
            # New tallies have no planner statistics yet; autovacuum would analyze them within a minute or so.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        load = os.getloadavg()[0]
        times = {}
        for name, (view, path, query) in report_pages(library).items():
            times[name] = time_report(view, path, query, user, options["runs"])
            log(f"{name}: {times[name]} ms")
        vendor, version = database_info()
        return {
            "benchmark": self.name,
            "reports_ms": times,
            "slowest_ms": max(times.values()),
            "target_ms": TARGET_MS,
            "met": all(ms < TARGET_MS for ms in times.values()),
            "runs": options["runs"],
            "loans": Loan.objects.filter(library=library).count(),
            "items": options["items"],
            "readers": options["readers"],
            "tallies_s": tallies_s,
            "built": build_s is not None,
            "build_s": build_s,
            "load_average": round(load, 2),
            "database": vendor,
            "database_version": version,
            "python": platform.python_version(),
        }
