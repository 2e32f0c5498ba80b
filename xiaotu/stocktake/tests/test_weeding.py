"""剔旧: candidates, a withdrawal batch approved by the 管理员, the register; withdrawn copies keep their history."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from xiaotu.accounts.models import AuditEvent, Role
from xiaotu.catalogue.models import Item
from xiaotu.circulation.models import Loan
from xiaotu.stocktake.models import WithdrawalBatch
from xiaotu.stocktake.services import StocktakeRefused
from xiaotu.stocktake.weeding import (
    Criteria,
    register_lines,
    weeding_candidates,
    withdrawal_batch_approve,
    withdrawal_batch_create,
    withdrawal_batch_reject,
)
from xiaotu.testing.factories import ItemFactory, ReaderFactory, RecordFactory, UserFactory

TODAY = dt.date(2026, 11, 25)


@pytest.fixture
def admin(library):
    return UserFactory.create(library=library, username="boss", role=Role.ADMIN)


def barcodes(items):
    return sorted(item.barcode for item in items)


def test_copies_not_borrowed_for_years_are_candidates(shelves, rules):
    """Given one old copy lent last year and others never lent since 2015, then the never-lent ones are candidates."""
    Item.objects.update(acquired_on=dt.date(2015, 9, 1))
    reader = ReaderFactory.create(library=shelves.library, reader_type=rules.reader_type)
    lent = timezone.make_aware(dt.datetime(2025, 10, 1, 10))
    Loan.objects.create(
        library=shelves.library, item=shelves.fiction[0], reader=reader, issued_at=lent, due_on=dt.date(2025, 10, 15),
        returned_at=lent,
    )  # fmt: skip
    found = weeding_candidates(library=shelves.library, criteria=Criteria(unborrowed_years=3), today=TODAY)
    assert "I1" not in barcodes(found)
    assert barcodes(found) == ["I2", "I3", "I4", "I5", "K1", "K2", "K3"]


def test_new_copies_are_not_candidates_for_never_being_lent(shelves):
    Item.objects.update(acquired_on=dt.date(2026, 9, 1))
    assert not weeding_candidates(library=shelves.library, criteria=Criteria(unborrowed_years=3), today=TODAY)


def test_damaged_copies_by_class_and_location(shelves):
    Item.objects.filter(barcode__in=["I2", "K1"]).update(status=Item.Status.DAMAGED)
    criteria = Criteria(damaged=True, class_prefix="i", location=shelves.loan_room)
    assert barcodes(weeding_candidates(library=shelves.library, criteria=criteria)) == ["I2"]


def test_superseded_editions_are_candidates(shelves):
    """Given two editions of 昆虫记, then the copies of the older one are candidates."""
    old = RecordFactory.create(library=shelves.library, title="昆虫记", author="法布尔", pub_year=1998)
    new = RecordFactory.create(library=shelves.library, title="昆虫记", author="法布尔", pub_year=2020)
    ItemFactory.create(library=shelves.library, record=old, barcode="OLD1", location=shelves.loan_room)
    ItemFactory.create(library=shelves.library, record=new, barcode="NEW1", location=shelves.loan_room)
    assert barcodes(weeding_candidates(library=shelves.library, criteria=Criteria(superseded=True))) == ["OLD1"]


def test_a_batch_is_withdrawn_only_when_the_admin_approves(shelves, librarian, admin):
    """Given a librarian's batch of two, then nothing changes until the 管理员 approves; then both are withdrawn,
    audited, and still have their rows."""
    batch = withdrawal_batch_create(
        library=shelves.library, items=shelves.fiction[:2], reason="worn", note="水浸", by=librarian
    )
    assert not Item.objects.filter(status=Item.Status.WITHDRAWN).exists()
    with pytest.raises(StocktakeRefused):
        withdrawal_batch_approve(batch=batch, by=librarian)
    withdrawal_batch_approve(batch=batch, by=admin)
    assert barcodes(Item.objects.filter(status=Item.Status.WITHDRAWN)) == ["I1", "I2"]
    assert AuditEvent.objects.filter(action="item.status", data__to="withdrawn").count() == 2
    assert [line.item.barcode for line in register_lines(library=shelves.library)] == ["I1", "I2"]


def test_a_copy_on_loan_cannot_be_proposed(shelves, librarian):
    Item.objects.filter(barcode="I1").update(status=Item.Status.ON_LOAN)
    with pytest.raises(StocktakeRefused) as refused:
        withdrawal_batch_create(library=shelves.library, items=shelves.fiction[:1], reason="worn", by=librarian)
    assert "I1" in refused.value.message
    assert not WithdrawalBatch.objects.exists()


def test_a_rejected_batch_changes_nothing(shelves, librarian, admin):
    batch = withdrawal_batch_create(library=shelves.library, items=shelves.fiction[:2], reason="outdated", by=librarian)
    withdrawal_batch_reject(batch=batch, by=admin)
    assert not Item.objects.exclude(status=Item.Status.AVAILABLE).exists()
    assert not register_lines(library=shelves.library)


def test_proposed_copies_are_no_longer_candidates(shelves, librarian):
    Item.objects.update(status=Item.Status.DAMAGED)
    withdrawal_batch_create(library=shelves.library, items=shelves.fiction[:2], reason="worn", by=librarian)
    assert "I1" not in barcodes(weeding_candidates(library=shelves.library, criteria=Criteria(damaged=True)))


def test_an_approved_withdrawal_is_reindexed_for_the_opac(shelves, librarian, admin, monkeypatch):
    """Given an approved batch, then its copies are handed to the search index, so the OPAC drops them."""
    calls: list[list[int]] = []
    monkeypatch.setattr("xiaotu.stocktake.itemstatus.reindex_items", lambda ids, library_id: calls.append(ids))
    batch = withdrawal_batch_create(library=shelves.library, items=shelves.fiction[:2], reason="worn", by=librarian)
    withdrawal_batch_approve(batch=batch, by=admin)
    assert calls == [sorted(item.pk for item in shelves.fiction[:2])]
