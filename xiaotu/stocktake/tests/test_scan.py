"""Scanning one barcode at a time: each result, and the same copy counted once."""

from __future__ import annotations

import pytest

from xiaotu.catalogue.models import Item
from xiaotu.stocktake.models import Scan
from xiaotu.stocktake.services import StocktakeRefused, run_start, scan_barcode, stocktake_finalise


def scan(run, code, user):
    return scan_barcode(
        library=run.stocktake.library, stocktake_id=run.stocktake_id, run_id=run.pk, barcode=code, by=user
    )


def test_a_copy_in_scope_is_found(shelves, run, librarian):
    """Given a stocktake of the 借阅室, when one of its books is scanned, then it is found."""
    result = scan(run, "i1", librarian)
    assert (result.outcome, result.duplicate, result.title) == ("found", False, "小说1")


def test_a_copy_of_another_location_is_misplaced(shelves, run, librarian):
    """Given a stocktake of the 借阅室, when a 阅览室 book is scanned, then it is misplaced and says where it
    belongs."""
    result = scan(run, "K2", librarian)
    assert result.outcome == "misplaced"
    assert "阅览室" in result.message


def test_a_copy_of_the_scope_but_another_run_location_is_misplaced(shelves, loan_room_count, librarian):
    """Given a whole-library count and a scanner standing in the 阅览室, when a 借阅室 book is scanned, then it is
    misplaced."""
    whole = loan_room_count
    whole.location_ids = []
    whole.save()
    run = run_start(stocktake=whole, location=shelves.reading_room, by=librarian)
    assert scan(run, "I3", librarian).outcome == "misplaced"
    assert scan(run, "K3", librarian).outcome == "found"


def test_a_copy_on_loan_found_on_the_shelf_is_flagged(shelves, run, librarian):
    Item.objects.filter(barcode="I2").update(status=Item.Status.ON_LOAN)
    assert scan(run, "I2", librarian).outcome == "on_loan"


@pytest.mark.parametrize("status", [Item.Status.LOST, Item.Status.WITHDRAWN])
def test_a_lost_or_withdrawn_copy_found_is_flagged(shelves, run, librarian, status):
    Item.objects.filter(barcode="I4").update(status=status)
    assert scan(run, "I4", librarian).outcome == "lost"


def test_an_unknown_barcode_is_recorded(shelves, run, librarian):
    result = scan(run, "X999", librarian)
    assert result.outcome == "unknown"
    assert Scan.objects.filter(stocktake=run.stocktake, barcode="X999", item__isnull=True).exists()


def test_the_same_copy_twice_counts_once(shelves, run, librarian, student_librarian):
    """Given a copy scanned once, when another scanner reads it again, then it is a duplicate and one scan is kept."""
    other = run_start(stocktake=run.stocktake, by=student_librarian)
    scan(run, "I1", librarian)
    again = scan(other, " i1 ", student_librarian)
    assert again.duplicate
    assert Scan.objects.filter(stocktake=run.stocktake).count() == 1


def test_a_finalised_stocktake_refuses_scans(shelves, run, librarian):
    stocktake_finalise(stocktake=run.stocktake, by=librarian)
    with pytest.raises(StocktakeRefused) as refused:
        scan(run, "I1", librarian)
    assert refused.value.code == "stocktake_finalised"
    assert not Scan.objects.filter(stocktake=run.stocktake).exists()


def test_an_empty_or_control_barcode_is_refused(shelves, run, librarian):
    with pytest.raises(StocktakeRefused):
        scan(run, "I1\x00", librarian)


def test_a_run_of_another_stocktake_is_refused(shelves, run, librarian):
    with pytest.raises(StocktakeRefused) as refused:
        scan_barcode(library=shelves.library, stocktake_id=run.stocktake_id, run_id=run.pk + 99, barcode="I1", by=None)
    assert refused.value.code == "not_found"
