"""修补: damaged → repair → back, logged and audited, counted per term."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from xiaotu.accounts.models import AuditEvent
from xiaotu.catalogue.models import Item
from xiaotu.schools.models import Term
from xiaotu.stocktake.models import Repair
from xiaotu.stocktake.repairs import item_mark_damaged, repair_counts, repair_return, repair_send
from xiaotu.stocktake.services import StocktakeRefused


def test_a_damaged_copy_goes_to_repair_and_comes_back(shelves, librarian):
    item = shelves.fiction[0]
    item_mark_damaged(item=item, by=librarian)
    repair = repair_send(item=item, problem="书脊开裂", by=librarian)
    assert Item.objects.get(pk=item.pk).status == Item.Status.REPAIR
    repair_return(item=item, by=librarian)
    repair.refresh_from_db()
    assert (repair.outcome, Item.objects.get(pk=item.pk).status) == ("mended", "available")
    steps = list(AuditEvent.objects.filter(object_id=item.pk, action="item.status").order_by("id"))
    assert [e.data["to"] for e in steps] == ["damaged", "repair", "available"]


def test_a_copy_beyond_repair_goes_back_to_damaged(shelves, librarian):
    item = shelves.fiction[0]
    repair_send(item=item, by=librarian)
    repair_return(item=item, mended=False, by=librarian)
    assert Item.objects.get(pk=item.pk).status == Item.Status.DAMAGED


def test_a_copy_on_loan_cannot_be_sent(shelves, librarian):
    Item.objects.filter(pk=shelves.fiction[0].pk).update(status=Item.Status.ON_LOAN)
    with pytest.raises(StocktakeRefused):
        repair_send(item=shelves.fiction[0], by=librarian)
    assert not Repair.objects.exists()


def test_a_copy_not_in_repair_cannot_come_back(shelves, librarian):
    with pytest.raises(StocktakeRefused):
        repair_return(item=shelves.fiction[0], by=librarian)


def test_repairs_are_counted_per_term(shelves, librarian):
    autumn = Term.objects.create(
        library=shelves.library, name="2026秋", starts_on=dt.date(2026, 9, 1), ends_on=dt.date(2027, 1, 20)
    )
    Term.objects.create(
        library=shelves.library, name="2026春", starts_on=dt.date(2026, 2, 20), ends_on=dt.date(2026, 7, 5)
    )
    at = timezone.make_aware(dt.datetime(2026, 10, 8, 9))
    for item in shelves.fiction[:3]:
        repair_send(item=item, by=librarian, at=at)
    repair_return(item=shelves.fiction[0], by=librarian, at=at)
    repair_return(item=shelves.fiction[1], mended=False, by=librarian, at=at)
    counts = repair_counts(library=shelves.library)
    first = counts[0]
    assert (first.term, first.sent, first.mended, first.beyond_repair) == (autumn, 3, 1, 1)
    assert counts[1].sent == 0
