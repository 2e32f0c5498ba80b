"""归还 and 续借."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from xiaotu.accounts.models import AuditEvent
from xiaotu.catalogue.models import Item
from xiaotu.circulation.errors import LoanRefused
from xiaotu.circulation.services import checkin, checkout, renew
from xiaotu.schools.models import Term
from xiaotu.testing.factories import ItemFactory, ReaderFactory

pytestmark = pytest.mark.django_db
MONDAY = timezone.make_aware(dt.datetime(2026, 3, 2, 10, 0))


def test_return_closes_the_loan_and_shelves_the_item(rules, librarian):
    item = ItemFactory.create()
    loan = checkout(reader=ReaderFactory.create(), item=item, by=librarian, at=MONDAY)
    result = checkin(item=item, by=librarian, at=MONDAY + dt.timedelta(days=3))
    assert result.loan.pk == loan.pk and result.loan.returned_at is not None
    assert result.days_overdue == 0
    item.refresh_from_db()
    assert item.status == Item.Status.AVAILABLE
    assert AuditEvent.objects.filter(action="loan.checkin", object_id=loan.pk).exists()


def test_late_return_says_how_late(rules, librarian):
    item = ItemFactory.create()
    checkout(reader=ReaderFactory.create(), item=item, by=librarian, at=MONDAY)
    result = checkin(item=item, by=librarian, at=MONDAY + dt.timedelta(days=19))
    assert result.days_overdue == 5


def test_returning_a_book_not_on_loan_is_refused(rules, librarian):
    with pytest.raises(LoanRefused) as info:
        checkin(item=ItemFactory.create(), by=librarian)
    assert info.value.code == "item_not_on_loan"


def test_the_same_book_can_be_lent_again_after_return(rules, librarian):
    item = ItemFactory.create()
    checkout(reader=ReaderFactory.create(), item=item, by=librarian, at=MONDAY)
    checkin(item=item, by=librarian, at=MONDAY + dt.timedelta(hours=1))
    checkout(reader=ReaderFactory.create(), item=item, by=librarian, at=MONDAY + dt.timedelta(hours=2))


def test_renew_counts_from_today(rules, librarian):
    item = ItemFactory.create()
    checkout(reader=ReaderFactory.create(), item=item, by=librarian, at=MONDAY)
    loan = renew(item=item, by=librarian, at=MONDAY + dt.timedelta(days=10))
    assert loan.due_on == dt.date(2026, 3, 26) and loan.renewals == 1
    assert AuditEvent.objects.filter(action="loan.renew", object_id=loan.pk).exists()


def test_a_suspended_reader_cannot_renew(rules, librarian):
    reader = ReaderFactory.create()
    item = ItemFactory.create()
    checkout(reader=reader, item=item, by=librarian, at=MONDAY)
    reader.status = "suspended"
    reader.save(update_fields=["status"])
    with pytest.raises(LoanRefused) as info:
        renew(item=item, by=librarian, at=MONDAY + dt.timedelta(days=1))
    assert info.value.code == "reader_suspended"


def test_renewal_limit(rules, librarian):
    item = ItemFactory.create()
    checkout(reader=ReaderFactory.create(), item=item, by=librarian, at=MONDAY)
    renew(item=item, by=librarian, at=MONDAY + dt.timedelta(days=1))
    with pytest.raises(LoanRefused) as info:
        renew(item=item, by=librarian, at=MONDAY + dt.timedelta(days=2))
    assert info.value.code == "renewal_limit_reached"


def test_overdue_books_are_not_renewed(rules, librarian):
    item = ItemFactory.create()
    checkout(reader=ReaderFactory.create(), item=item, by=librarian, at=MONDAY)
    with pytest.raises(LoanRefused) as info:
        renew(item=item, by=librarian, at=MONDAY + dt.timedelta(days=30))
    assert info.value.code == "renewal_overdue"


def test_no_renewal_past_the_term_end(rules, librarian, library):
    Term.objects.create(library=library, name="春季学期", starts_on=dt.date(2026, 2, 20), ends_on=dt.date(2026, 3, 10))
    item = ItemFactory.create()
    checkout(reader=ReaderFactory.create(), item=item, by=librarian, at=MONDAY)
    with pytest.raises(LoanRefused) as info:
        renew(item=item, by=librarian, at=MONDAY + dt.timedelta(days=1))
    assert info.value.code == "renewal_no_later"


def test_renewing_the_day_it_was_lent_says_it_is_too_soon(rules, librarian):
    """Without a term, renewing on the day of the loan would not move the due date: a refusal that says so."""
    item = ItemFactory.create()
    checkout(reader=ReaderFactory.create(), item=item, by=librarian, at=MONDAY)
    with pytest.raises(LoanRefused) as info:
        renew(item=item, by=librarian, at=MONDAY)
    assert info.value.code == "renewal_too_soon"


def test_a_lost_book_closes_the_loan_and_marks_the_copy_lost(rules, librarian):
    from xiaotu.circulation.services import loan_declare_lost

    item = ItemFactory.create()
    loan = checkout(reader=ReaderFactory.create(), item=item, by=librarian, at=MONDAY)
    loan_declare_lost(loan=loan, by=librarian, at=MONDAY + dt.timedelta(days=30))
    loan.refresh_from_db()
    item.refresh_from_db()
    assert loan.lost and loan.returned_at is not None and item.status == Item.Status.LOST
    assert AuditEvent.objects.filter(action="loan.lost", object_id=loan.pk).exists()
    with pytest.raises(LoanRefused) as info:
        loan_declare_lost(loan=loan, by=librarian)
    assert info.value.code == "loan_not_open"
