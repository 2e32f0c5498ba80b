"""Finalising: missing copies become lost, audited, in bulk; the report is kept; acting on what was found."""

from __future__ import annotations

import pytest

from xiaotu.accounts.models import AuditEvent
from xiaotu.catalogue.models import Item
from xiaotu.circulation.models import Loan
from xiaotu.circulation.services import checkout
from xiaotu.stocktake.models import Missing, Stocktake
from xiaotu.stocktake.reconcile import category_rows, reconcile
from xiaotu.stocktake.services import (
    StocktakeRefused,
    restore_found,
    return_found_loan,
    scan_barcode,
    stocktake_finalise,
)
from xiaotu.testing.factories import ReaderFactory


def scan(run, code, user):
    return scan_barcode(
        library=run.stocktake.library, stocktake_id=run.stocktake_id, run_id=run.pk, barcode=code, by=user
    )


def test_missing_copies_become_lost_with_an_audit_row_each(shelves, run, librarian):
    """Given three of five 借阅室 books scanned, when finalised, then the other two are lost, each audited."""
    for code in ("I1", "I2", "I3"):
        scan(run, code, librarian)
    stocktake = stocktake_finalise(stocktake=run.stocktake, by=librarian)
    lost = set(Item.objects.filter(status=Item.Status.LOST).values_list("barcode", flat=True))
    assert lost == {"I4", "I5"}
    events = AuditEvent.objects.filter(action="item.status", object_type="item")
    assert sorted(e.data["to"] for e in events) == ["lost", "lost"]
    assert {e.data["stocktake"] for e in events} == {stocktake.pk}
    assert {e.actor_id for e in events} == {librarian.pk}


def test_copies_outside_the_scope_are_untouched(shelves, run, librarian):
    stocktake_finalise(stocktake=run.stocktake, by=librarian)
    assert not Item.objects.filter(barcode__startswith="K").exclude(status=Item.Status.AVAILABLE).exists()


def test_the_report_is_kept_after_finalising(shelves, run, librarian):
    """Given a finalised stocktake, then its counts and its missing list still read as at the end."""
    scan(run, "I1", librarian)
    stocktake = stocktake_finalise(stocktake=run.stocktake, by=librarian)
    assert stocktake.status == Stocktake.Status.FINALISED
    assert stocktake.summary["lost"] == 4
    assert reconcile(stocktake).counts["missing"] == 4
    assert [row.barcode for row in category_rows(stocktake, "missing")] == ["I2", "I3", "I4", "I5"]
    assert Missing.objects.filter(stocktake=stocktake).count() == 4


def test_finalising_twice_is_refused(shelves, run, librarian):
    stocktake_finalise(stocktake=run.stocktake, by=librarian)
    with pytest.raises(StocktakeRefused):
        stocktake_finalise(stocktake=run.stocktake, by=librarian)


def test_a_book_on_loan_found_on_the_shelf_can_be_returned(shelves, run, librarian, rules):
    """Given a book lent out but scanned on the shelf, when the offer is taken, then circulation closes the loan."""
    reader = ReaderFactory.create(library=shelves.library, reader_type=rules.reader_type)
    item = shelves.fiction[0]
    checkout(reader=reader, item=item, by=librarian)
    assert scan(run, item.barcode, librarian).outcome == "on_loan"
    returned = return_found_loan(stocktake=run.stocktake, item_id=item.pk, by=librarian)
    assert returned.status == Item.Status.AVAILABLE
    assert Loan.objects.get(item=item).returned_at is not None


def test_a_lost_book_found_can_be_restored(shelves, run, librarian):
    item = shelves.fiction[1]
    Item.objects.filter(pk=item.pk).update(status=Item.Status.LOST)
    scan(run, item.barcode, librarian)
    assert restore_found(stocktake=run.stocktake, item_id=item.pk, by=librarian).status == Item.Status.AVAILABLE
    assert AuditEvent.objects.filter(action="item.status", object_id=item.pk).exists()


def test_only_scanned_books_can_be_restored(shelves, run, librarian):
    item = shelves.fiction[1]
    Item.objects.filter(pk=item.pk).update(status=Item.Status.LOST)
    with pytest.raises(StocktakeRefused):
        restore_found(stocktake=run.stocktake, item_id=item.pk, by=librarian)


def test_marking_copies_lost_leaves_the_search_index_alone(shelves, run, librarian, monkeypatch):
    """The index keeps only whether a copy is withdrawn: finalising (on the shelf → lost) has nothing to re-index."""
    calls: list[list[int]] = []
    monkeypatch.setattr("xiaotu.stocktake.itemstatus.reindex_items", lambda ids, library_id: calls.append(ids))
    stocktake_finalise(stocktake=run.stocktake, by=librarian)
    assert calls == []
