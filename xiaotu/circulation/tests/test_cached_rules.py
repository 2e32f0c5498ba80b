"""The desk keeps the rules and calendar for a few seconds; a change made through the services applies at once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from xiaotu.circulation.errors import LoanRefused
from xiaotu.circulation.rules import RuleCell, loan_rules_save
from xiaotu.circulation.services import checkout
from xiaotu.schools.services import closed_days_add
from xiaotu.testing.factories import ItemFactory, ReaderFactory

pytestmark = pytest.mark.django_db
MONDAY = timezone.make_aware(dt.datetime(2026, 3, 2, 10, 0))


def test_a_lower_limit_applies_to_the_next_loan(rules, librarian, library):
    reader = ReaderFactory.create()
    checkout(reader=reader, item=ItemFactory.create(), by=librarian, at=MONDAY)  # the rules are now cached
    loan_rules_save(
        library=library,
        cells={(rules.reader_type_id, rules.item_category_id): RuleCell(14, 1, 1, True)},
        caps={},
        by=librarian,
    )
    with pytest.raises(LoanRefused) as info:
        checkout(reader=reader, item=ItemFactory.create(), by=librarian, at=MONDAY)
    assert info.value.code == "category_limit_reached"


def test_a_new_holiday_moves_the_next_due_date(rules, librarian, library):
    checkout(reader=ReaderFactory.create(), item=ItemFactory.create(), by=librarian, at=MONDAY)  # calendar cached
    closed_days_add(
        library=library, start=dt.date(2026, 3, 16), end=dt.date(2026, 3, 16), reason="运动会", by=librarian
    )
    loan = checkout(reader=ReaderFactory.create(), item=ItemFactory.create(), by=librarian, at=MONDAY)
    assert loan.due_on == dt.date(2026, 3, 17)
