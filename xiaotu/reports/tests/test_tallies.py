"""The daily tallies: closed days counted once, today's loans live, rebuilt when past loans change."""

from __future__ import annotations

import datetime as dt

import pytest

from xiaotu.circulation.models import Loan
from xiaotu.reports.models import ClassDay, TallyState
from xiaotu.reports.periods import Period
from xiaotu.reports.selectors import by_class
from xiaotu.reports.tallies import split, tallies_refresh
from xiaotu.testing.factories import ItemFactory

from .conftest import TERM, TODAY, at
from .expected import issued_in

pytestmark = pytest.mark.django_db
TERM_PERIOD = Period("term", TERM[0], TERM[1], "term")


def test_refresh_counts_the_days_before_today_once(school):
    assert tallies_refresh(library=school.library, today=TODAY) == TODAY
    rows = ClassDay.objects.count()
    tallies_refresh(library=school.library, today=TODAY)
    assert ClassDay.objects.count() == rows
    assert sum(ClassDay.objects.values_list("loans", flat=True)) == len(
        issued_in(school.loans, dt.date(2000, 1, 1), TODAY - dt.timedelta(days=1))
    )


def test_the_next_day_adds_only_the_day_that_closed(school):
    tallies_refresh(library=school.library, today=TODAY)
    before = set(ClassDay.objects.values_list("day", flat=True))
    tallies_refresh(library=school.library, today=TODAY + dt.timedelta(days=1))
    added = set(ClassDay.objects.values_list("day", flat=True)) - before
    assert added <= {TODAY}
    assert TallyState.objects.get(library=school.library).through == TODAY + dt.timedelta(days=1)


def test_loans_written_into_the_past_later_rebuild_the_tallies(school):
    """Given tallies, when another system's history is imported into the tallied days, the counts follow."""
    tallies_refresh(library=school.library, today=TODAY)
    reader, item = school.pupils[0], school.items[5]
    Loan.objects.create(
        library=school.library,
        item=item,
        reader=reader,
        issued_at=at(dt.date(2026, 9, 3)),
        due_on=dt.date(2026, 10, 3),
        returned_at=at(dt.date(2026, 9, 4)),
    )
    tallies_refresh(library=school.library, today=TODAY + dt.timedelta(days=1))
    row = next(r for r in by_class(school.library, TERM_PERIOD).rows if r.key == reader.school_class_id)
    assert row.loans == sum(
        1 for loan in Loan.objects.filter(library=school.library, reader__school_class_id=reader.school_class_id)
    )


def test_a_book_out_before_the_tallied_days_and_returned_today_counts_as_returned_today(school):
    reader, item = school.pupils[1], ItemFactory.create(library=school.library)
    loan = Loan.objects.create(
        library=school.library, item=item, reader=reader, issued_at=at(dt.date(2026, 9, 2)), due_on=TODAY
    )
    tallies_refresh(library=school.library, today=TODAY)
    Loan.objects.filter(pk=loan.pk).update(returned_at=at(TODAY, 15))
    today_only = Period("day", TODAY, TODAY, "today")
    row = next(r for r in by_class(school.library, today_only).rows if r.key == reader.school_class_id)
    assert row.returns == 1 + sum(
        1
        for other in school.loans
        if other.returned_at
        and not other.lost
        and other.returned_at.astimezone(at(TODAY).tzinfo).date() == TODAY
        and other.reader.school_class_id == reader.school_class_id
    )


@pytest.mark.parametrize(
    ("through", "tallied", "live_first"),
    [
        (None, None, dt.date(2026, 9, 1)),
        (dt.date(2026, 9, 10), (dt.date(2026, 9, 1), dt.date(2026, 9, 9)), dt.date(2026, 9, 10)),
        (dt.date(2027, 3, 1), (dt.date(2026, 9, 1), dt.date(2026, 9, 30)), None),
        (dt.date(2026, 8, 1), None, dt.date(2026, 9, 1)),
    ],
)
def test_split_reads_tallies_before_the_tallied_day_and_loans_after(through, tallied, live_first):
    days, live = split(dt.date(2026, 9, 1), dt.date(2026, 9, 30), through)
    assert days == tallied
    assert (live[0].date() if live else None) == live_first


@pytest.mark.parametrize(
    ("first", "last"),
    [
        (dt.date(2026, 9, 1), dt.date(2027, 1, 22)),
        (dt.date(2026, 9, 3), dt.date(2026, 9, 20)),
        (dt.date(2026, 9, 7), dt.date(2026, 9, 13)),
        (dt.date(2026, 10, 8), dt.date(2026, 10, 8)),
        (dt.date(2026, 1, 30), dt.date(2026, 4, 2)),
    ],
)
def test_title_tallies_are_read_as_months_weeks_and_days_covering_each_day_once(first, last):
    from xiaotu.reports.models import RecordDay
    from xiaotu.reports.tallies import record_blocks

    wanted = record_blocks(first, last)
    covered: list[dt.date] = []
    for span, day in _blocks(wanted):
        length = {"d": 1, "w": 7}.get(span) or ((day.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - day).days
        covered += [day + dt.timedelta(days=n) for n in range(length)]
    assert sorted(covered) == [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
    assert RecordDay.Span.DAY.value == "d"


def _blocks(q):
    """(span, first day) of every block a record_blocks filter asks for."""
    out = []
    for child in q.children:
        if hasattr(child, "children"):
            out += _blocks(child)
            continue
        name, value = child
        if name == "pk__in":
            continue
        if name == "day__in":
            span = next(v for n, v in q.children if n == "span")
            out += [(span, day) for day in value]
        elif name == "day__range":
            a, b = value
            out += [("d", a + dt.timedelta(days=n)) for n in range((b - a).days + 1)]
    return out
