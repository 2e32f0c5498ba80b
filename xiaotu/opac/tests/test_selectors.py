"""The OPAC's reads: shelf counts per location, a record's copies, new arrivals by month, most borrowed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from xiaotu.catalogue.models import Item
from xiaotu.circulation.models import Loan
from xiaotu.opac import selectors
from xiaotu.opac.tests.school import book, build_school, lend
from xiaotu.testing.factories import ItemFactory, LibraryFactory, ReaderFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def school():
    return build_school()


def test_copies_by_location_counts_what_is_on_the_shelf_in_each_room(school):
    """Given 西游记 with two copies in the lending room (one out) and one in the reading room, 草房子 all out."""
    first = school.xyj.items.filter(location=school.lending).first()
    lend(school.other, first)

    counts = selectors.copies_by_location([school.xyj, school.cfz])

    assert [(c.location, c.on_shelf, c.total) for c in counts[school.xyj.pk]] == [("借阅室", 1, 2), ("阅览室", 1, 1)]
    assert [(c.location, c.on_shelf, c.total) for c in counts[school.cfz.pk]] == [("借阅室", 0, 1)]


def test_copies_by_location_leaves_out_withdrawn_copies(school):
    school.xyj.items.filter(location=school.reading).update(status=Item.Status.WITHDRAWN)

    counts = selectors.copies_by_location([school.xyj])

    assert [c.location for c in counts[school.xyj.pk]] == ["借阅室"]


def test_copies_by_location_is_one_query_for_a_page(school):
    records = [book(school.library, school.lending, title=f"书{n}", call_number=f"I{n}/1") for n in range(10)]

    with CaptureQueriesContext(connection) as queries:
        selectors.copies_by_location(records)

    assert len(queries) == 1


def test_record_copies_show_the_due_date_of_a_copy_on_loan(school):
    copies = selectors.record_copies(school.cfz)

    assert [(c.location, c.status, c.due_on) for c in copies] == [("借阅室", "on_loan", school.loan.due_on)]


def test_a_record_whose_copies_are_all_withdrawn_is_not_public(school):
    school.cfz.items.update(status=Item.Status.WITHDRAWN)

    assert selectors.public_record(library=school.library, pk=school.cfz.pk) is None
    assert selectors.public_record(library=school.library, pk=school.xyj.pk) == school.xyj


def _arrived(school, title: str, on: dt.date, *, copies_on: list[dt.date] | None = None):
    record = book(school.library, school.lending, title=title, call_number=f"N/{title}")
    record.items.update(acquired_on=on)
    for day in copies_on or []:
        ItemFactory.create(library=school.library, record=record, location=school.lending, acquired_on=day)
    return record


def test_new_arrivals_are_the_records_whose_first_copy_came_that_month_newest_first(school):
    """Given two books first bought in March, one bought in February that got another copy in March."""
    early = _arrived(school, "三月初", dt.date(2026, 3, 2))
    late = _arrived(school, "三月底", dt.date(2026, 3, 30))
    _arrived(school, "二月", dt.date(2026, 2, 10), copies_on=[dt.date(2026, 3, 15)])

    page = selectors.new_arrivals(library=school.library, month=dt.date(2026, 3, 1))

    assert [a.record for a in page.arrivals] == [late, early]
    assert page.arrivals[0].first_copy_on == dt.date(2026, 3, 30)
    assert not page.has_next


def test_new_arrivals_page_through_a_busy_month(school):
    for day in range(1, 6):
        _arrived(school, f"书{day}", dt.date(2026, 3, day))

    first = selectors.new_arrivals(library=school.library, month=dt.date(2026, 3, 1), per_page=3)
    second = selectors.new_arrivals(library=school.library, month=dt.date(2026, 3, 1), page=2, per_page=3)

    assert [a.record.title for a in first.arrivals] == ["书5", "书4", "书3"] and first.has_next
    assert [a.record.title for a in second.arrivals] == ["书2", "书1"] and not second.has_next


def test_a_record_with_only_withdrawn_copies_is_no_new_arrival(school):
    gone = _arrived(school, "已注销", dt.date(2026, 3, 5))
    gone.items.update(status=Item.Status.WITHDRAWN)

    page = selectors.new_arrivals(library=school.library, month=dt.date(2026, 3, 1))

    assert page.arrivals == []


def test_latest_arrival_month_is_the_month_of_the_newest_first_copy(school):
    _arrived(school, "旧书", dt.date(2025, 9, 1))
    Item.objects.filter(library=school.library, acquired_on__isnull=True).update(acquired_on=dt.date(2024, 1, 1))
    _arrived(school, "新书", dt.date(2026, 4, 18))

    assert selectors.latest_arrival_month(library=school.library) == dt.date(2026, 4, 1)


def test_most_borrowed_counts_loans_per_record_across_copies_in_the_last_week(school):
    """Given 西游记 lent three times this week (two copies), 草房子 once this week and often long ago."""
    now = timezone.now()
    copies = list(school.xyj.items.all())
    for item, days in [(copies[0], 1), (copies[1], 2), (copies[2], 6)]:
        Loan.objects.create(
            library=school.library,
            item=item,
            reader=ReaderFactory.create(library=school.library),
            issued_at=now - dt.timedelta(days=days),
            due_on=timezone.localdate(),
            returned_at=now,
        )
    for days in (10, 20, 30, 40):
        Loan.objects.create(
            library=school.library,
            item=school.cfz.items.get(),
            reader=school.other,
            issued_at=now - dt.timedelta(days=days),
            due_on=timezone.localdate(),
            returned_at=now - dt.timedelta(days=days - 1),
        )

    rows = selectors.most_borrowed(library=school.library, since=now - dt.timedelta(days=7))

    assert [(row.record.title, row.loans) for row in rows] == [("西游记", 3), ("草房子", 1)]


def test_most_borrowed_counts_only_this_library(school):
    elsewhere = build_school(LibraryFactory.create(code="other-school", name="二小"))
    lend(elsewhere.other, elsewhere.xyj.items.all()[0])

    rows = selectors.most_borrowed(library=school.library, since=timezone.now() - dt.timedelta(days=7))

    assert [(row.record.pk, row.loans) for row in rows] == [(school.cfz.pk, 1)]
