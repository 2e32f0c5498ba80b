"""Reconciliation: the counts and lists of each category, over partial runs, and shelf order."""

from __future__ import annotations

from xiaotu.catalogue.models import Item
from xiaotu.stocktake.reconcile import category_rows, longest_ordered, out_of_order, reconcile, shelf_key
from xiaotu.stocktake.services import run_start, scan_barcode, stocktake_create


def scan_all(run, codes, user):
    for code in codes:
        scan_barcode(library=run.stocktake.library, stocktake_id=run.stocktake_id, run_id=run.pk, barcode=code, by=user)


def test_every_category_is_counted(shelves, run, librarian):
    """Given a 借阅室 count with one copy on loan and one lost, when a mix is scanned, then each category counts."""
    Item.objects.filter(barcode="I4").update(status=Item.Status.ON_LOAN)
    Item.objects.filter(barcode="I5").update(status=Item.Status.LOST)
    scan_all(run, ["I1", "I2", "I4", "I5", "K1", "NOPE"], librarian)
    counts = reconcile(run.stocktake).counts
    assert counts == {"found": 2, "missing": 1, "misplaced": 1, "on_loan": 1, "lost": 1, "unknown": 1}


def test_missing_lists_the_copies_in_scope_not_scanned(shelves, run, librarian):
    scan_all(run, ["I1", "I2", "I3"], librarian)
    missing = category_rows(run.stocktake, "missing")
    assert [row.barcode for row in missing] == ["I4", "I5"]


def test_copies_not_expected_on_the_shelf_are_not_missing(shelves, run, librarian):
    """Given copies on loan and in repair, when nothing is scanned, then only copies on the shelf are missing."""
    Item.objects.filter(barcode="I1").update(status=Item.Status.ON_LOAN)
    Item.objects.filter(barcode="I2").update(status=Item.Status.REPAIR)
    assert reconcile(run.stocktake).counts["missing"] == 3


def test_partial_runs_over_days_add_up(shelves, run, librarian, student_librarian):
    """Given a first run on one day, when a second scanner goes on another day, then both runs count together."""
    scan_all(run, ["I1", "I2"], librarian)
    second = run_start(stocktake=run.stocktake, by=student_librarian)
    scan_all(second, ["I2", "I3"], student_librarian)
    counts = reconcile(run.stocktake).counts
    assert (counts["found"], counts["missing"]) == (3, 2)


def test_a_call_number_range_scope(shelves, librarian):
    """Given a stocktake of I247.5/2 … I247.5/4, then the others are out of scope."""
    stocktake = stocktake_create(
        library=shelves.library, name="一个书架", call_number_ranges=[["I247.5/2", "I247.5/4"]], by=librarian
    )
    run = run_start(stocktake=stocktake, by=librarian)
    scan_all(run, ["I1", "I2"], librarian)
    counts = reconcile(stocktake).counts
    assert (counts["found"], counts["misplaced"], counts["missing"]) == (1, 1, 2)


def test_a_class_scope(shelves, librarian):
    stocktake = stocktake_create(library=shelves.library, name="K 类", clc_classes=["k"], by=librarian)
    assert reconcile(stocktake).counts["missing"] == 3


def test_a_book_scanned_out_of_shelf_order_is_listed(shelves, run, librarian):
    """Given a shelf scanned left to right, when one book stands between the wrong neighbours, then only it is
    listed."""
    scan_all(run, ["I1", "I2", "I5", "I3", "I4"], librarian)
    assert [row.barcode for row in out_of_order(run.stocktake)] == ["I5"]


def test_shelf_order_counts_book_numbers_as_numbers():
    assert shelf_key("I247.5/9") < shelf_key("I247.5/12") < shelf_key("I247.8/1")


def test_longest_ordered_keeps_a_longest_run():
    assert longest_ordered([1, 2, 9, 3, 4, 5]) == {0, 1, 3, 4, 5}
    assert longest_ordered([]) == set()
