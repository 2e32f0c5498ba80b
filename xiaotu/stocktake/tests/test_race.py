"""Two scanners reading the same copy at the same instant: forked processes race against the real database.

The rows must be committed for the children to see them, hence `transactional_db`.
"""

from __future__ import annotations

import multiprocessing
import traceback

import pytest
from django.db import connections

from xiaotu.stocktake.models import Scan
from xiaotu.stocktake.services import run_start, scan_barcode

SCANNERS = 4
ROUNDS = 5
TIMEOUT = 60


def _scanner(barrier, results, library, stocktake_id: int, run_id: int, barcode: str) -> None:
    connections.close_all()
    try:
        barrier.wait()
        result = scan_barcode(library=library, stocktake_id=stocktake_id, run_id=run_id, barcode=barcode, by=None)
        results.put(("ok", result.duplicate))
    except BaseException:
        results.put(("crash", traceback.format_exc()))
    finally:
        connections.close_all()


def race(library, stocktake, runs, barcode: str) -> list[tuple[str, object]]:
    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Barrier(len(runs), timeout=TIMEOUT)
    results = ctx.Queue()
    connections.close_all()
    processes = [
        ctx.Process(target=_scanner, args=(barrier, results, library, stocktake.pk, run.pk, barcode), daemon=True)
        for run in runs
    ]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=TIMEOUT) for _ in processes]
    for process in processes:
        process.join(TIMEOUT)
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_the_same_copy_from_four_scanners_at_once_counts_once(shelves, loan_room_count, librarian):
    """Given four scanners, when all read the same copy at the same instant, then one counts it and three are told
    it was already scanned — round after round."""
    runs = [run_start(stocktake=loan_room_count, by=librarian) for _ in range(SCANNERS)]
    for item in shelves.fiction[:ROUNDS]:
        outcomes = race(shelves.library, loan_room_count, runs, item.barcode)
        crashes = [text for kind, text in outcomes if kind == "crash"]
        assert not crashes, "\n".join(map(str, crashes))
        assert sorted(bool(duplicate) for _, duplicate in outcomes) == [False, True, True, True]
        assert Scan.objects.filter(stocktake=loan_room_count, item=item).count() == 1
