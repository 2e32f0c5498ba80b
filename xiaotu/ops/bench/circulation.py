"""The circulation benchmark: desks lending and taking back books over HTTP, against a demo library of a given size.

Each client process has its own books and its own readers, so no two desks ever contend for the same loan; the
readers are those the rules let borrow one more ordinary book (nothing overdue, room under their limits).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import queue
import random
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections
from django.db.models import Count, Q
from django.utils import timezone

from xiaotu.accounts.models import User
from xiaotu.accounts.permissions import DESK
from xiaotu.accounts.services import api_token_issue
from xiaotu.catalogue.models import Item, ItemCategory
from xiaotu.circulation.models import Loan, LoanCap, LoanRule
from xiaotu.demo.build import DemoSize, build_demo, demo_library
from xiaotu.ops.bench.client import DeskResult, DeskWork, run_desk
from xiaotu.ops.bench.options import positive
from xiaotu.ops.bench.place import INSIDE
from xiaotu.ops.bench.server import free_port, running_server
from xiaotu.ops.bench.stats import percentiles, throughput
from xiaotu.readers.models import Reader
from xiaotu.schools.models import Library

BOOKS_PER_DESK = 200
READERS_PER_DESK = 50
# Published figures of other systems, for the summary (see docs/performance.md for the sources).
PEERS = "FOLIO ≈ 900 ms / check-out, Koha ≈ 340 ms"
TARGET = {"p95_ms": 15.0, "ops_per_s": 300.0}

Log = Callable[[str], None]


class BenchError(RuntimeError):
    pass


class Circulation:
    name = "circulation"
    help = "借还：多个客户端进程通过 HTTP 借出、归还（checkout / checkin）"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--items", type=positive, default=50_000, help="藏书册数（默认 %(default)s）")
        parser.add_argument("--readers", type=positive, default=3_000, help="读者人数（默认 %(default)s）")
        parser.add_argument("--history", type=positive, default=500_000, help="历史借阅记录条数（默认 %(default)s）")

    def key(self, options: dict[str, Any]) -> str:
        return f"circulation-{options['items']}-{options['readers']}-{options['history']}"

    def run(self, options: dict[str, Any], log: Log) -> dict[str, Any]:
        call_command("migrate", interactive=False, verbosity=0)
        library, build_s = _library(options, log)
        plan = plan_desks(library, clients=options["clients"], seed=options["seed"])
        token = api_token_issue(user=desk_user(library), name="xiaotu bench")
        vendor, version = database_info()
        # The server and the clients open their own connections; ours must not be shared with forked children.
        connections.close_all()
        results, server_cpu_s = drive(plan, token, options, log)
        return {
            "benchmark": self.name,
            **figures(results, server_cpu_s),
            "database": vendor,
            "database_version": version,
            "items": options["items"],
            "readers": options["readers"],
            "history": options["history"],
            "clients": options["clients"],
            "seconds": options["seconds"],
            "server_threads": options["server_threads"],
            "built": build_s is not None,
            "build_s": build_s,
            "python": platform.python_version(),
        }


def drive(plan: Plan, token: str, options: dict[str, Any], log: Log) -> tuple[list[DeskResult], float | None]:
    """Start the server, run one client process per desk of the plan, stop the server; the server's CPU time too."""
    port = options["port"] or free_port()
    log(f"server: xiaotu serve on port {port}; {options['clients']} clients for {options['seconds']}s")
    with running_server(port=port, threads=options["server_threads"], log=server_log(), env=server_environment()) as s:
        works = [
            DeskWork(s.host, s.port, token, readers, items, options["seconds"])
            for readers, items in zip(plan.readers, plan.items, strict=True)
        ]
        before = s.cpu_seconds()
        results = run_desks(works, timeout=options["seconds"] + 120)
        after = s.cpu_seconds()
    return results, (after - before if before is not None and after is not None else None)


def figures(results: list[DeskResult], server_cpu_s: float | None) -> dict[str, Any]:
    """Percentiles over every timed request of every client; throughput over the longest client's run."""
    checkout = [ms for r in results for ms in r.checkout_ms]
    checkin = [ms for r in results for ms in r.checkin_ms]
    timings = checkout + checkin
    elapsed = max(r.elapsed_s for r in results)
    # The server's CPU per request, warm-up requests included: what a leaner request path would have to cut.
    requests = len(timings) + sum(2 * r.warmups for r in results)
    samples = [sample for r in results for sample in r.error_samples][:5]
    overall = percentiles(timings)
    return {
        **{k: v for k, v in overall.items() if k != "max_ms"},
        "ops_per_s": throughput(len(timings), elapsed),
        "errors": sum(r.errors for r in results),
        "operations": len(timings),
        "checkouts": len(checkout),
        "checkins": len(checkin),
        "checkout_p95_ms": percentiles(checkout)["p95_ms"],
        "checkin_p95_ms": percentiles(checkin)["p95_ms"],
        "max_ms": overall["max_ms"],
        "elapsed_s": round(elapsed, 2),
        "server_cpu_ms_per_op": round(server_cpu_s * 1000 / requests, 2) if server_cpu_s and requests else None,
        "client_cpu_ms_per_op": round(sum(r.cpu_s for r in results) * 1000 / len(timings), 2) if timings else None,
        **({"error_samples": samples} if samples else {}),
    }


def server_log() -> Path:
    return Path(settings.DATA_DIR) / "bench-server.log"


def server_environment() -> dict[str, str]:
    """Ours (the benchmark's data folder and database), without the marker that made us the benchmark's child."""
    return {name: value for name, value in os.environ.items() if name != INSIDE}


def _library(options: dict[str, Any], log: Log) -> tuple[Library, float | None]:
    size = DemoSize(items=options["items"], readers=options["readers"], history=options["history"])
    return demo_bench_library(size, options["seed"], log)


def demo_bench_library(size: DemoSize, seed: int, log: Log) -> tuple[Library, float | None]:
    """The benchmark's demo library: reused when it exists, else built at the asked size."""
    if library := demo_library():
        log(f"library: reusing {library.name}")
        return library, None
    log(f"library: building {size.items} items, {size.readers} readers, {size.history} loans")
    started = time.perf_counter()
    report = build_demo(size=size, seed=seed, log=lambda line: log(f"  {line}"))
    build_s = round(time.perf_counter() - started, 1)
    log(f"library: built in {build_s}s")
    return report.library, build_s


def desk_user(library: Library) -> User:
    user = User.objects.filter(library=library, role__in=DESK, is_active=True).order_by("pk").first()
    if user is None:
        raise BenchError("the benchmark library has no desk user to issue an API token to")
    return user


@dataclass(frozen=True)
class Plan:
    readers: list[list[str]]  # card barcodes, one list per client
    items: list[list[str]]  # item barcodes, one list per client


def plan_desks(library: Library, *, clients: int, seed: int) -> Plan:
    """Disjoint books on the shelf and readers who may borrow one more, shared out among the clients."""
    book = ItemCategory.objects.get(library=library, code="book")
    items = list(
        Item.objects.filter(library=library, category=book, status=Item.Status.AVAILABLE, location__code="loan")
        .order_by("pk")
        .values_list("barcode", flat=True)
    )
    readers = eligible_readers(library, book)
    rng = random.Random(seed)
    rng.shuffle(items)
    rng.shuffle(readers)
    books, people = min(BOOKS_PER_DESK, len(items) // clients), min(READERS_PER_DESK, len(readers) // clients)
    if books < 1 or people < 1:
        raise BenchError(f"not enough books ({len(items)}) or readers ({len(readers)}) for {clients} clients")
    return Plan(
        readers=[readers[i * people : (i + 1) * people] for i in range(clients)],
        items=[items[i * books : (i + 1) * books] for i in range(clients)],
    )


def eligible_readers(library: Library, category: ItemCategory) -> list[str]:
    """Cards of active readers the loan rules let borrow one more book of the category: the desk would say yes."""
    rules = {rule.reader_type_id: rule for rule in LoanRule.objects.filter(library=library, item_category=category)}
    caps = dict(LoanCap.objects.filter(library=library).values_list("reader_type_id", "max_total"))
    today = timezone.localdate()
    held = {
        row["reader_id"]: row
        for row in Loan.objects.filter(library=library, returned_at__isnull=True)
        .values("reader_id")
        .annotate(
            total=Count("id"),
            same=Count("id", filter=Q(item__category=category)),
            late=Count("id", filter=Q(due_on__lt=today)),
        )
    }
    cards = []
    for pk, card, type_id in (
        Reader.objects.filter(library=library, status=Reader.Status.ACTIVE, reader_type_id__in=rules)
        .order_by("pk")
        .values_list("pk", "card_barcode", "reader_type_id")
    ):
        rule, counts = rules[type_id], held.get(pk, {"total": 0, "same": 0, "late": 0})
        if counts["late"] and rule.overdue_blocks:
            continue
        if counts["same"] + 1 > rule.max_loans or counts["total"] + 1 > caps.get(type_id, counts["total"] + 1):
            continue
        cards.append(card)
    return cards


def run_desks(works: list[DeskWork], *, timeout: float) -> list[DeskResult]:
    """One process per desk, released together by a barrier once each has warmed up its connection."""
    context = multiprocessing.get_context()
    barrier = context.Barrier(len(works))
    results: multiprocessing.Queue[tuple[int, DeskResult]] = context.Queue()
    processes = [
        context.Process(target=run_desk, args=(work, barrier, results, index), daemon=True)
        for index, work in enumerate(works)
    ]
    for process in processes:
        process.start()
    collected: dict[int, DeskResult] = {}
    deadline = time.monotonic() + timeout
    try:
        while len(collected) < len(works):
            index, result = results.get(timeout=max(1.0, deadline - time.monotonic()))
            collected[index] = result
    except queue.Empty:
        raise BenchError(f"only {len(collected)} of {len(works)} clients reported within {timeout:.0f}s") from None
    finally:
        for process in processes:
            process.join(timeout=5)
            if process.is_alive():
                process.terminate()
    return [collected[i] for i in range(len(works))]


def database_info() -> tuple[str, str]:
    if connection.vendor == "sqlite":
        return "sqlite", sqlite3.sqlite_version
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        row = cursor.fetchone()
    return str(connection.vendor), str(row[0]) if row else ""
