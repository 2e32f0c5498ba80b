"""The stocktake benchmark: reconcile N scans against a library of M copies, and time single scans over HTTP.

reconcile_s is the reconciliation the stocktake page shows (xiaotu.stocktake.reconcile.reconcile: a GROUP BY over
the scans and a NOT EXISTS count of the copies in scope), in this process, on a stocktake whose scans were written
in bulk beforehand. scan_p95_ms is the scan page's own endpoint (POST /api/v1/stocktakes/…/scans) on the real
server, each client a scanner reading copies nobody has counted yet. finalise_s times finalising that stocktake
(every copy not found marked lost, audited) inside a transaction that is then rolled back, so the library is reused.
"""

from __future__ import annotations

import argparse
import multiprocessing
import platform
import queue
import random
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.synchronize import Barrier
from typing import Any

from django.core.management import call_command
from django.db import connections, transaction
from django.utils import timezone

from xiaotu.accounts.models import User
from xiaotu.accounts.services import api_token_issue
from xiaotu.bulk import insert_rows
from xiaotu.catalogue.models import Item
from xiaotu.demo.build import DemoSize
from xiaotu.ops.bench.circulation import (
    BenchError,
    database_info,
    demo_bench_library,
    desk_user,
    server_environment,
    server_log,
)
from xiaotu.ops.bench.client import Desk, DeskResult, DeskWork, ResultQueue
from xiaotu.ops.bench.options import positive
from xiaotu.ops.bench.server import free_port, running_server
from xiaotu.ops.bench.stats import percentiles, throughput
from xiaotu.schools.models import Library, Location
from xiaotu.stocktake.models import Run, Scan, Stocktake
from xiaotu.stocktake.reconcile import reconcile
from xiaotu.stocktake.services import run_start, stocktake_create, stocktake_finalise

TARGET = {"reconcile_s": 2.0, "scan_p95_ms": 15.0}
BENCH_NAME = "xiaotu bench stocktake"
# The demo library's readers and loans matter little here: small, so that a 200,000-copy library builds quickly.
READERS, HISTORY = 1_200, 20_000
UNKNOWN_SHARE = 0.01  # barcodes that are no copy of the library
REPEATS = 3
Log = Callable[[str], None]


class StocktakeBench:
    name = "stocktake"
    help = "清点：核对 N 次扫描与 M 册藏书（reconcile_s），网页扫描接口的单次扫描延迟（HTTP，scan_p95_ms）"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--items", type=positive, default=200_000, help="藏书册数（默认 %(default)s）")
        parser.add_argument("--scans", type=positive, default=100_000, help="已有扫描数（默认 %(default)s）")

    def key(self, options: dict[str, Any]) -> str:
        return f"stocktake-{options['items']}"

    def run(self, options: dict[str, Any], log: Log) -> dict[str, Any]:
        call_command("migrate", interactive=False, verbosity=0)
        library, build_s = _library(options, log)
        user = desk_user(library)
        _forget_earlier_runs(library)
        stocktake, unscanned, write_s = prepare(library, user, scans=options["scans"], seed=options["seed"], log=log)
        timings = []
        for _ in range(REPEATS):
            started = time.perf_counter()
            counts = reconcile(stocktake).counts
            timings.append(time.perf_counter() - started)
        log(f"reconcile: {[round(t, 3) for t in timings]} s; {counts}")
        finalise_s = _finalise_rolled_back(stocktake, user)
        log(f"finalise (rolled back): {finalise_s} s")
        token = api_token_issue(user=user, name=BENCH_NAME)
        runs = [run_start(stocktake=stocktake, by=user) for _ in range(options["clients"])]
        vendor, version = database_info()
        connections.close_all()
        results = drive(stocktake, runs, unscanned, token, options, log)
        scans = [ms for r in results for ms in r.checkout_ms]
        _forget_earlier_runs(library)
        return {
            "benchmark": self.name,
            "reconcile_s": round(statistics.median(timings), 3),
            "reconcile_first_s": round(timings[0], 3),
            "finalise_s": finalise_s,
            "scan_p95_ms": percentiles(scans)["p95_ms"],
            "scan_p50_ms": percentiles(scans)["p50_ms"],
            "scan_p99_ms": percentiles(scans)["p99_ms"],
            "scan_max_ms": percentiles(scans)["max_ms"],
            "scans_per_s": throughput(len(scans), max((r.elapsed_s for r in results), default=0.0)),
            "scans_timed": len(scans),
            "errors": sum(r.errors for r in results),
            **(
                {"error_samples": [s for r in results for s in r.error_samples][:5]}
                if any(r.errors for r in results)
                else {}
            ),
            "counts": counts,
            "scans_written_s": write_s,
            "database": vendor,
            "database_version": version,
            "items": options["items"],
            "scans": options["scans"],
            "clients": options["clients"],
            "seconds": options["seconds"],
            "built": build_s is not None,
            "build_s": build_s,
            "python": platform.python_version(),
        }


def _library(options: dict[str, Any], log: Log) -> tuple[Library, float | None]:
    size = DemoSize(items=options["items"], readers=READERS, history=HISTORY)
    return demo_bench_library(size, options["seed"], log)


def _forget_earlier_runs(library: Library) -> None:
    """Each run counts afresh: the scans of an earlier run (or of a run that failed half-way) go."""
    with transaction.atomic():
        for old in Stocktake.objects.filter(library=library, name=BENCH_NAME):
            Scan.objects.filter(stocktake=old).delete()
            Run.objects.filter(stocktake=old).delete()
            old.delete()


def prepare(library: Library, user: User, *, scans: int, seed: int, log: Log) -> tuple[Stocktake, list[str], float]:
    """A whole-library stocktake with `scans` scans already made by four scanners, one of them standing in the
    reading room (so copies from elsewhere read there are misplaced), about 1% of them unknown barcodes. Returns it
    with the barcodes of copies still on the shelf and not scanned, for the HTTP part."""
    rng = random.Random(seed)
    stocktake = stocktake_create(library=library, name=BENCH_NAME, by=user)
    reading = Location.objects.filter(library=library, code="reading").first()
    runs = [run_start(stocktake=stocktake, location=reading if i == 0 else None, by=user) for i in range(4)]
    copies = list(Item.objects.filter(library=library).values_list("id", "barcode", "status"))
    rng.shuffle(copies)
    unknown = int(scans * UNKNOWN_SHARE)
    chosen = copies[: scans - unknown]
    at = timezone.now()
    rows: list[tuple[Any, ...]] = [
        (stocktake.pk, runs[i % 4].pk, pk, code, at, user.pk, "found") for i, (pk, code, _) in enumerate(chosen)
    ]
    rows += [(stocktake.pk, runs[i % 4].pk, None, f"ZZ{i:08d}", at, user.pk, "unknown") for i in range(unknown)]
    started = time.perf_counter()
    with transaction.atomic():
        insert_rows(Scan, ["stocktake_id", "run_id", "item_id", "barcode", "scanned_at", "by_id", "outcome"], rows)
    write_s = round(time.perf_counter() - started, 2)
    log(f"scans: {len(rows)} written in {write_s}s")
    unscanned = [code for _, code, status in copies[scans:] if status == Item.Status.AVAILABLE]
    return stocktake, unscanned, write_s


def _finalise_rolled_back(stocktake: Stocktake, user: User) -> float:
    with transaction.atomic():
        started = time.perf_counter()
        stocktake_finalise(stocktake=stocktake, by=user)
        elapsed = round(time.perf_counter() - started, 2)
        transaction.set_rollback(True)
    stocktake.refresh_from_db()
    return elapsed


@dataclass(frozen=True)
class ScannerWork:
    desk: DeskWork
    path: str


def run_scanner(work: ScannerWork, barrier: Barrier, results: ResultQueue, index: int) -> None:
    """One scanner: a keep-alive connection posting its own barcodes, one at a time, each timed (in checkout_ms)."""
    try:
        desk = Desk(work.desk)
        result = DeskResult()
        codes = iter(work.desk.items)
        for code in [next(codes) for _ in range(work.desk.warmup)]:
            desk.post(work.path, {"barcode": code})
        result.warmups = work.desk.warmup
        barrier.wait(timeout=120)
        started, cpu = time.perf_counter(), time.process_time()
        deadline = started + work.desk.seconds
        for code in codes:
            if time.perf_counter() >= deadline:
                break
            desk.timed(work.path, {"barcode": code}, 201, result.checkout_ms, result)
        result.elapsed_s = time.perf_counter() - started
        result.cpu_s = time.process_time() - cpu
        results.put((index, result))
    except BaseException as error:  # the parent must hear of any failure
        results.put((index, DeskResult(errors=1, error_samples=[f"scanner crashed: {error!r}"])))
        raise


def drive(
    stocktake: Stocktake, runs: list[Run], unscanned: list[str], token: str, options: dict[str, Any], log: Log
) -> list[DeskResult]:
    clients = len(runs)
    share = len(unscanned) // clients
    if share < 100:
        raise BenchError(f"only {len(unscanned)} copies left unscanned for {clients} scanners")
    port = options["port"] or free_port()
    log(f"server: xiaotu serve on port {port}; {clients} scanners for {options['seconds']}s")
    with running_server(port=port, threads=options["server_threads"], log=server_log(), env=server_environment()) as s:
        works = [
            ScannerWork(
                DeskWork(s.host, s.port, token, [], unscanned[i * share : (i + 1) * share], options["seconds"]),
                f"/api/v1/stocktakes/{stocktake.pk}/runs/{run.pk}/scans",
            )
            for i, run in enumerate(runs)
        ]
        context = multiprocessing.get_context()
        barrier = context.Barrier(clients)
        results: multiprocessing.Queue[tuple[int, DeskResult]] = context.Queue()
        processes = [
            context.Process(target=run_scanner, args=(work, barrier, results, i), daemon=True)
            for i, work in enumerate(works)
        ]
        for process in processes:
            process.start()
        collected: dict[int, DeskResult] = {}
        deadline = time.monotonic() + options["seconds"] + 120
        try:
            while len(collected) < clients:
                index, result = results.get(timeout=max(1.0, deadline - time.monotonic()))
                collected[index] = result
        except queue.Empty:
            raise BenchError(f"only {len(collected)} of {clients} scanners reported") from None
        finally:
            for process in processes:
                process.join(timeout=5)
                if process.is_alive():
                    process.terminate()
    return [collected[i] for i in range(clients)]
