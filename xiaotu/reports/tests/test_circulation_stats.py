"""借阅统计: every breakdown equals the count worked out from the loans themselves, before and after the daily
tallies, and for any period."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from xiaotu.reports import selectors as sel
from xiaotu.reports.periods import Period, PeriodError, period_from
from xiaotu.reports.tallies import tallies_refresh

from .conftest import TERM, TODAY
from .expected import count_by, issued_in, letter, pupils_in_school, reader_of, returned_in

pytestmark = pytest.mark.django_db

PERIODS = [
    Period("term", TERM[0], TERM[1], "term"),
    Period("custom", dt.date(2026, 9, 10), dt.date(2026, 10, 25), "custom"),
    Period("day", dt.date(2026, 9, 15), dt.date(2026, 9, 15), "day"),
]


@pytest.fixture(params=["live", "tallied"])
def counted(request, school):
    """Both ways the reports count: straight from the loans, and from the daily tallies plus the days after."""
    if request.param == "tallied":
        tallies_refresh(library=school.library, today=TODAY)
    return request.param


@pytest.mark.parametrize("period", PERIODS, ids=lambda p: p.kind)
def test_loans_and_returns_by_class_match_the_loans(school, counted, period):
    """Given the term's loans, when counted by class, then each class has the loans of its readers in the period."""
    table = sel.by_class(school.library, period)
    loans = count_by(issued_in(school.loans, period.first, period.last), lambda loan: reader_of(loan).school_class_id)
    returns = count_by(
        returned_in(school.loans, period.first, period.last), lambda loan: reader_of(loan).school_class_id
    )
    assert {r.key: (r.loans, r.returns) for r in table.rows} == {
        c.pk: (loans[c.pk], returns[c.pk]) for c in school.classes
    }


@pytest.mark.parametrize("period", PERIODS, ids=lambda p: p.kind)
def test_loans_by_grade_reader_type_clc_and_location_match_the_loans(school, counted, period):
    issued = issued_in(school.loans, period.first, period.last)
    back = returned_in(school.loans, period.first, period.last)

    def grade(loan):
        c = reader_of(loan).school_class
        return c.grade_id if c else None

    grades = {r.key: (r.loans, r.returns) for r in sel.by_grade(school.library, period).rows}
    assert grades == {
        g: (count_by(issued, grade)[g], count_by(back, grade)[g]) for g in {c.grade_id for c in school.classes}
    }
    types = {r.key: r.loans for r in sel.by_reader_type(school.library, period).rows}
    assert types == {
        t: count_by(issued, lambda loan: reader_of(loan).reader_type_id)[t]
        for t in {r.reader_type_id for r in school.pupils + school.staff_readers}
    }
    letters = {r.key: (r.loans, r.returns) for r in sel.by_clc(school.library, period).rows if r.loans or r.returns}
    assert letters == {
        k: (count_by(issued, lambda loan: letter(loan.item))[k], count_by(back, lambda loan: letter(loan.item))[k])
        for k in {letter(loan.item) for loan in issued + back}
    }
    places = {r.key: (r.loans, r.returns) for r in sel.by_location(school.library, period).rows}
    assert places == {
        p.pk: (
            count_by(issued, lambda loan: loan.item.location_id)[p.pk],
            count_by(back, lambda loan: loan.item.location_id)[p.pk],
        )
        for p in school.locations
    }


def test_loans_per_pupil_is_pupils_loans_over_pupils_in_school_and_judged_per_term(school, counted):
    period = PERIODS[0]
    pupils = pupils_in_school(school.pupils)
    pupil_ids = {r.pk for r in school.pupils}
    loans = sum(1 for loan in issued_in(school.loans, *TERM) if loan.reader_id in pupil_ids)
    figure = sel.loans_per_pupil(school.library, period)
    assert (figure.loans, figure.pupils) == (loans, len(pupils))
    assert figure.value is not None
    assert figure.judged and figure.met == (figure.value >= figure.target)
    assert not sel.loans_per_pupil(school.library, PERIODS[1]).judged


def test_class_sizes_count_only_pupils_in_school(school, counted):
    table = sel.by_class(school.library, PERIODS[0])
    pupils = pupils_in_school(school.pupils)
    assert {r.key: r.pupils for r in table.rows} == {
        c.pk: sum(1 for p in pupils if p.school_class_id == c.pk) for c in school.classes
    }


def test_most_borrowed_titles_are_ranked_by_loans_of_all_their_copies(school, counted):
    period = PERIODS[1]
    counts = count_by(issued_in(school.loans, period.first, period.last), lambda loan: loan.item.record_id)
    expected = sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))[:5]
    top = sel.most_borrowed(school.library, period, limit=5)
    assert [(b.record_id, b.loans) for b in top] == expected


def test_most_borrowed_for_one_class_counts_only_its_readers(school, counted):
    period = PERIODS[0]
    mine = school.teacher_class
    counts = count_by(
        [loan for loan in issued_in(school.loans, *TERM) if reader_of(loan).school_class_id == mine.pk],
        lambda loan: loan.item.record_id,
    )
    top = sel.most_borrowed(school.library, period, limit=100, classes=[mine])
    assert {b.record_id: b.loans for b in top} == dict(counts)


def test_never_borrowed_lists_held_copies_without_any_loan(school, counted):
    borrowed = {loan.item_id for loan in school.loans}
    held = [i for i in school.items if i.status not in ("withdrawn", "lost")]
    assert {i.pk for i in sel.never_borrowed(school.library)} == {i.pk for i in held if i.pk not in borrowed}


def test_most_and_least_reading_classes_are_ordered_by_loans_per_pupil(school, counted):
    classes = sel.by_class(school.library, PERIODS[0])
    most, least = sel.class_ranking(classes)
    ordered = sorted((r for r in classes.rows if r.pupils), key=lambda r: r.per_pupil or 0, reverse=True)
    assert most[0].per_pupil == ordered[0].per_pupil
    assert all((a.per_pupil or 0) >= (b.per_pupil or 0) for a, b in itertools.pairwise(most))
    # Three classes are all "most"; none is listed twice.
    assert least == []


@pytest.mark.parametrize(
    ("query", "first", "last"),
    [
        ({"period": "day", "on": "2026-10-08"}, dt.date(2026, 10, 8), dt.date(2026, 10, 8)),
        ({"period": "week", "on": "2026-10-08"}, dt.date(2026, 10, 5), dt.date(2026, 10, 11)),
        ({"period": "month", "on": "2026-02-10"}, dt.date(2026, 2, 1), dt.date(2026, 2, 28)),
        ({"period": "year", "on": "2026-02-10"}, dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
        ({"period": "term", "on": "2026-10-08"}, TERM[0], TERM[1]),
        ({"period": "custom", "start": "2026-09-01", "end": "2026-09-30"}, dt.date(2026, 9, 1), dt.date(2026, 9, 30)),
        ({}, TERM[0], TERM[1]),
    ],
)
def test_periods_read_from_the_query(school, query, first, last):
    period = period_from(query, library=school.library, today=dt.date(2026, 10, 8))
    assert (period.first, period.last) == (first, last)


@pytest.mark.parametrize(
    "query",
    [
        {"period": "fortnight"},
        {"period": "day", "on": "2026-13-01"},
        {"period": "custom", "start": "2026-10-01", "end": "2026-09-01"},
        {"period": "custom", "start": "2020-01-01", "end": "2026-09-01"},
        {"period": "term", "term": "99999"},
    ],
)
def test_a_period_that_makes_no_sense_is_refused_with_a_reason(school, query):
    with pytest.raises(PeriodError) as refused:
        period_from(query, library=school.library, today=dt.date(2026, 10, 8))
    assert str(refused.value)
