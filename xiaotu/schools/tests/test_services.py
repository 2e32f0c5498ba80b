"""School calendar writes: terms never overlap, closed days come in ranges, weekly closing days are ISO digits."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from xiaotu.accounts.models import AuditEvent
from xiaotu.schools.calendar import due_date
from xiaotu.schools.models import ClosedDay, Term
from xiaotu.schools.services import (
    closed_days_add,
    closed_days_remove,
    library_set_closed_weekdays,
    term_create,
    term_delete,
    term_update,
)
from xiaotu.testing.factories import LibraryFactory

pytestmark = pytest.mark.django_db
D = dt.date


def test_weekly_closing_days_are_stored_as_sorted_iso_digits(library, admin):
    library_set_closed_weekdays(library=library, weekdays=[7, 3, 3], by=admin)
    library.refresh_from_db()
    assert library.closed_weekdays == "37"
    assert AuditEvent.objects.filter(action="calendar.weekdays").count() == 1


def test_no_weekly_closing_day_is_allowed(library, admin):
    library_set_closed_weekdays(library=library, weekdays=[], by=admin)
    library.refresh_from_db()
    assert library.closed_weekdays == ""


@pytest.mark.parametrize("days", [[0], [8], [1, 2, 3, 4, 5, 6, 7]])
def test_impossible_weekly_closing_days_are_refused(library, admin, days):
    with pytest.raises(ValidationError):
        library_set_closed_weekdays(library=library, weekdays=days, by=admin)
    library.refresh_from_db()
    assert library.closed_weekdays == "67"


def test_a_term_is_created_and_caps_due_dates(library, admin):
    term = term_create(library=library, name=" 春季学期 ", starts_on=D(2026, 2, 20), ends_on=D(2026, 7, 3), by=admin)
    assert term.name == "春季学期"
    assert due_date(library=library, start=D(2026, 6, 29), loan_days=30) == D(2026, 7, 3)


@pytest.mark.parametrize(
    ("start", "end"),
    [(D(2026, 7, 1), D(2026, 9, 30)), (D(2026, 1, 1), D(2026, 2, 20)), (D(2026, 3, 1), D(2026, 3, 2))],
)
def test_overlapping_terms_are_refused(library, admin, start, end):
    term_create(library=library, name="春季学期", starts_on=D(2026, 2, 20), ends_on=D(2026, 7, 3), by=admin)
    with pytest.raises(ValidationError) as info:
        term_create(library=library, name="另一个", starts_on=start, ends_on=end, by=admin)
    assert "与学期「春季学期」（2026-02-20 至 2026-07-03）的日期重叠。" in info.value.messages
    assert Term.objects.count() == 1


def test_terms_of_another_school_do_not_clash(library, admin):
    other = LibraryFactory.create(code="other")
    term_create(library=other, name="春季学期", starts_on=D(2026, 2, 20), ends_on=D(2026, 7, 3), by=None)
    term_create(library=library, name="春季学期", starts_on=D(2026, 2, 20), ends_on=D(2026, 7, 3), by=admin)
    assert Term.objects.count() == 2


@pytest.mark.parametrize(
    ("name", "start", "end"),
    [("", D(2026, 2, 1), D(2026, 3, 1)), ("X", D(2026, 3, 1), D(2026, 2, 1)), ("X", D(2026, 1, 1), D(2027, 6, 1))],
)
def test_impossible_terms_are_refused(library, admin, name, start, end):
    with pytest.raises(ValidationError):
        term_create(library=library, name=name, starts_on=start, ends_on=end, by=admin)
    assert not Term.objects.exists()


def test_a_term_may_be_moved_without_clashing_with_itself(library, admin):
    term = term_create(library=library, name="秋季学期", starts_on=D(2025, 9, 1), ends_on=D(2026, 1, 20), by=admin)
    term_update(term=term, name="秋季学期", starts_on=D(2025, 9, 1), ends_on=D(2026, 1, 23), by=admin)
    term.refresh_from_db()
    assert term.ends_on == D(2026, 1, 23)


def test_a_term_is_deleted_with_an_audit_row(library, admin):
    term = term_create(library=library, name="秋季学期", starts_on=D(2025, 9, 1), ends_on=D(2026, 1, 20), by=admin)
    term_delete(term=term, by=admin)
    assert not Term.objects.exists()
    assert AuditEvent.objects.filter(action="calendar.term_delete").exists()


def test_a_holiday_range_closes_every_day_in_it(library, admin):
    added = closed_days_add(library=library, start=D(2026, 1, 24), end=D(2026, 2, 22), reason="寒假", by=admin)
    assert added == 30
    assert ClosedDay.objects.filter(library=library, reason="寒假").count() == 30
    assert due_date(library=library, start=D(2026, 1, 10), loan_days=14) == D(2026, 2, 23)


def test_adding_over_existing_days_keeps_one_row_a_day_and_updates_the_reason(library, admin):
    closed_days_add(library=library, start=D(2026, 10, 1), end=D(2026, 10, 3), reason="国庆", by=admin)
    added = closed_days_add(library=library, start=D(2026, 10, 1), end=D(2026, 10, 7), reason="国庆节", by=admin)
    assert added == 4
    assert ClosedDay.objects.count() == 7 and set(ClosedDay.objects.values_list("reason", flat=True)) == {"国庆节"}


def test_a_single_day(library, admin):
    assert closed_days_add(library=library, start=D(2026, 5, 1), end=D(2026, 5, 1), reason="", by=admin) == 1


@pytest.mark.parametrize(("start", "end"), [(D(2026, 2, 1), D(2026, 1, 1)), (D(2026, 1, 1), D(2027, 1, 2))])
def test_impossible_ranges_are_refused(library, admin, start, end):
    with pytest.raises(ValidationError):
        closed_days_add(library=library, start=start, end=end, reason="", by=admin)
    assert not ClosedDay.objects.exists()


def test_removing_a_range_opens_those_days_only(library, admin):
    closed_days_add(library=library, start=D(2026, 1, 24), end=D(2026, 2, 22), reason="寒假", by=admin)
    removed = closed_days_remove(library=library, start=D(2026, 2, 20), end=D(2026, 2, 22), by=admin)
    assert removed == 3 and ClosedDay.objects.count() == 27


def test_removing_never_touches_another_school(library, admin):
    other = LibraryFactory.create(code="other")
    closed_days_add(library=other, start=D(2026, 5, 1), end=D(2026, 5, 1), reason="", by=None)
    assert closed_days_remove(library=library, start=D(2026, 5, 1), end=D(2026, 5, 1), by=admin) == 0
    assert ClosedDay.objects.filter(library=other).exists()
