"""借出: the rules the desk applies, one behaviour per test."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from xiaotu.accounts.models import AuditEvent
from xiaotu.catalogue.models import Item
from xiaotu.circulation.errors import LoanRefused
from xiaotu.circulation.models import Loan
from xiaotu.circulation.services import checkout
from xiaotu.readers.models import Reader, SchoolClass
from xiaotu.schools.models import ClosedDay, Term
from xiaotu.testing.factories import ItemCategoryFactory, ItemFactory, LibraryFactory, ReaderFactory

pytestmark = pytest.mark.django_db
MONDAY = timezone.make_aware(dt.datetime(2026, 3, 2, 10, 0))


def refused(code: str, **kwargs) -> LoanRefused:
    with pytest.raises(LoanRefused) as info:
        checkout(**kwargs)
    assert info.value.code == code, info.value
    return info.value


def test_lends_with_due_date_from_the_rule(rules, librarian):
    """Given a 14-day rule, when a pupil borrows on 2 March, then the book is due on 16 March and on loan."""
    reader, item = ReaderFactory.create(), ItemFactory.create()
    loan = checkout(reader=reader, item=item, by=librarian, at=MONDAY)
    assert loan.due_on == dt.date(2026, 3, 16)
    item.refresh_from_db()
    assert item.status == Item.Status.ON_LOAN
    assert AuditEvent.objects.filter(action="loan.checkout", object_id=loan.pk, actor=librarian).exists()


def test_due_date_skips_closed_days(rules, librarian, library):
    """Given 16 March is closed, then the book is due on the next open day."""
    ClosedDay.objects.create(library=library, date=dt.date(2026, 3, 16))
    ClosedDay.objects.create(library=library, date=dt.date(2026, 3, 17))
    loan = checkout(reader=ReaderFactory.create(), item=ItemFactory.create(), by=librarian, at=MONDAY)
    assert loan.due_on == dt.date(2026, 3, 18)


def test_term_end_caps_due_date(rules, librarian, library):
    """Given the term ends on 10 March, a loan on 2 March is due on 10 March, and back off a closed term end."""
    Term.objects.create(library=library, name="春季学期", starts_on=dt.date(2026, 2, 20), ends_on=dt.date(2026, 3, 10))
    ClosedDay.objects.create(library=library, date=dt.date(2026, 3, 10))
    loan = checkout(reader=ReaderFactory.create(), item=ItemFactory.create(), by=librarian, at=MONDAY)
    assert loan.due_on == dt.date(2026, 3, 9)


def test_refuses_an_item_already_on_loan(rules, librarian):
    item = ItemFactory.create()
    first, second = ReaderFactory.create(), ReaderFactory.create()
    checkout(reader=first, item=item, by=librarian, at=MONDAY)
    error = refused("item_on_loan", reader=second, item=item, by=librarian, at=MONDAY)
    assert error.params["holder"] == first.name and error.params["same_reader"] is False
    assert Loan.objects.filter(item=item).count() == 1


def test_refuses_reference_only(rules, librarian, library):
    reference = ItemCategoryFactory.create(library=library, code="ref")
    refused(
        "item_reference_only", reader=ReaderFactory.create(), item=ItemFactory.create(category=reference), by=librarian
    )
    assert not Loan.objects.exists()


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (Reader.Status.SUSPENDED, "reader_suspended"),
        (Reader.Status.GRADUATED, "reader_graduated"),
        (Reader.Status.LEFT, "reader_left"),
    ],
)
def test_refuses_inactive_readers(rules, librarian, status, code):
    refused(code, reader=ReaderFactory.create(status=status), item=ItemFactory.create(), by=librarian)


@pytest.mark.parametrize(
    ("status", "code"),
    [(Item.Status.LOST, "item_lost"), (Item.Status.WITHDRAWN, "item_withdrawn"), (Item.Status.DAMAGED, "item_damaged")],
)
def test_refuses_items_not_on_the_shelf(rules, librarian, status, code):
    refused(code, reader=ReaderFactory.create(), item=ItemFactory.create(status=status), by=librarian)


def test_category_limit(rules, librarian):
    """Given max 2 ordinary books, the third is refused with the counts."""
    reader = ReaderFactory.create()
    for _ in range(2):
        checkout(reader=reader, item=ItemFactory.create(), by=librarian, at=MONDAY)
    error = refused("category_limit_reached", reader=reader, item=ItemFactory.create(), by=librarian, at=MONDAY)
    assert (error.params["count"], error.params["limit"]) == (2, 2)


def test_total_cap_across_categories(rules, librarian, library):
    """Given a total cap of 3 and room in another category, the cap still refuses the fourth."""
    from xiaotu.testing.factories import LoanRuleFactory

    picture = ItemCategoryFactory.create(library=library, code="picture", name="绘本")
    LoanRuleFactory.create(library=library, reader_type=rules.reader_type, item_category=picture, max_loans=5)
    reader = ReaderFactory.create()
    checkout(reader=reader, item=ItemFactory.create(), by=librarian, at=MONDAY)
    checkout(reader=reader, item=ItemFactory.create(category=picture), by=librarian, at=MONDAY)
    checkout(reader=reader, item=ItemFactory.create(category=picture), by=librarian, at=MONDAY)
    refused("reader_limit_reached", reader=reader, item=ItemFactory.create(category=picture), by=librarian, at=MONDAY)


def test_overdue_blocks_when_the_rule_says_so(rules, librarian):
    reader = ReaderFactory.create()
    checkout(reader=reader, item=ItemFactory.create(), by=librarian, at=MONDAY)
    later = MONDAY + dt.timedelta(days=20)
    error = refused("reader_has_overdue", reader=reader, item=ItemFactory.create(), by=librarian, at=later)
    assert error.params["count"] == 1


def test_overdue_does_not_block_when_the_rule_allows(rules, librarian):
    rules.overdue_blocks = False
    rules.save()
    reader = ReaderFactory.create()
    checkout(reader=reader, item=ItemFactory.create(), by=librarian, at=MONDAY)
    checkout(reader=reader, item=ItemFactory.create(), by=librarian, at=MONDAY + dt.timedelta(days=20))
    assert Loan.objects.filter(reader=reader, returned_at__isnull=True).count() == 2


def test_no_rule_for_the_pair(rules, librarian, library):
    periodical = ItemCategoryFactory.create(library=library, code="journal", name="期刊")
    refused("no_loan_rule", reader=ReaderFactory.create(), item=ItemFactory.create(category=periodical), by=librarian)


def test_item_of_another_library_is_unknown(rules, librarian):
    other = LibraryFactory.create(code="other", name="另一所学校")
    refused("item_not_found", reader=ReaderFactory.create(), item=ItemFactory.create(library=other), by=librarian)


def test_refusal_message_names_the_reason(rules, librarian):
    reader = ReaderFactory.create(name="张小明", status=Reader.Status.GRADUATED)
    error = refused("reader_graduated", reader=reader, item=ItemFactory.create(), by=librarian)
    assert error.message == "张小明 已毕业，不能再借书"


def test_due_date_moves_off_the_weekend(rules, librarian):
    """Given the library closes on Saturdays and Sundays, a loan due on a Saturday is due on Monday."""
    saturday = MONDAY + dt.timedelta(days=5)
    loan = checkout(reader=ReaderFactory.create(), item=ItemFactory.create(), by=librarian, at=saturday)
    assert loan.due_on == dt.date(2026, 3, 23)


def test_refuses_books_in_repair(rules, librarian):
    refused(
        "item_in_repair",
        reader=ReaderFactory.create(),
        item=ItemFactory.create(status=Item.Status.REPAIR),
        by=librarian,
    )


def test_a_pupil_of_a_graduated_class_may_only_return_books(rules, librarian):
    reader = ReaderFactory.create()
    SchoolClass.objects.filter(readers=reader).update(active=False)
    reader.refresh_from_db()
    refused("reader_graduating", reader=reader, item=ItemFactory.create(), by=librarian)
