"""Daily tallies of circulation: each closed day's loans and returns counted once, by class and reader type, by
中图法 class and location, by reader and by title; the reports add the open day's loans live.

Past days do not change: the desk stamps a loan and a return with the moment they happen. If loans appear in the
past later (an import of another system's history), the count of loans before the tallied day no longer matches
and the tallies are rebuilt.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Min, Q, QuerySet, Sum
from django.utils import timezone

from xiaotu.circulation.models import Loan
from xiaotu.reports.clc import letter_of
from xiaotu.reports.models import ClassDay, ReaderDay, RecordDay, ShelfDay, TallyBorrowed, TallyPending, TallyState
from xiaotu.schools.models import Library

Days = tuple[dt.date, dt.date]
Span = tuple[dt.datetime, dt.datetime]
TALLIES = (ClassDay, ShelfDay, ReaderDay, RecordDay, TallyPending, TallyBorrowed)
BATCH = 5000


def midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


def tallied_through(library: Library) -> dt.date | None:
    """The first day not in the tallies (None: nothing tallied): reports read tallies before it, loans after."""
    return TallyState.objects.filter(library=library).values_list("through", flat=True).first()


def tallies_refresh(*, library: Library, today: dt.date | None = None) -> dt.date | None:
    """Count every closed day not yet counted; rebuild all if the loans before the tallied day changed.

    Runs under the state row's lock (SQLite: the write transaction), so two requests never count a day twice.
    """
    today = today or timezone.localdate()
    try:
        with transaction.atomic():
            TallyState.objects.get_or_create(library=library)
    except IntegrityError:  # another request made it first
        pass
    with transaction.atomic():
        state = TallyState.objects.select_for_update().get(library=library)
        loans = Loan.objects.filter(library=library)
        if state.through is not None:
            if state.through >= today:
                return state.through
            if loans.filter(issued_at__lt=midnight(state.through)).count() != state.issued_before:
                state.through = None
        first = state.through
        if first is None:
            # From the start: whatever is there (a rebuild, or rows left by a lost state) goes first.
            for model in TALLIES:
                model.objects.filter(library=library).delete()
            earliest = loans.aggregate(first=Min("issued_at"))["first"]
            first = timezone.localtime(earliest).date() if earliest else today
        if first < today:
            _count_days(library, midnight(first), midnight(today))
        _roll_up_records(library, today)
        _remember_pending(library, midnight(today))
        state.through = today
        state.issued_before = loans.filter(issued_at__lt=midnight(today)).count()
        state.save()
    return today


def _month_end(first: dt.date) -> dt.date:
    return (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


def _roll_up_records(library: Library, through: dt.date) -> None:
    """Sum the titles' days into every week and month that ended before `through` and is not summed yet."""
    days = RecordDay.objects.filter(library=library, span=RecordDay.Span.DAY)
    first = days.aggregate(first=Min("day"))["first"]
    if first is None:
        return
    have = set(
        RecordDay.objects.filter(library=library, span__in=(RecordDay.Span.WEEK, RecordDay.Span.MONTH))
        .values_list("span", "day")
        .distinct()
    )
    blocks = []
    monday = first - dt.timedelta(days=first.weekday())
    while monday + dt.timedelta(days=6) < through:
        blocks.append((RecordDay.Span.WEEK, monday, monday + dt.timedelta(days=6)))
        monday += dt.timedelta(days=7)
    month = first.replace(day=1)
    while _month_end(month) < through:
        blocks.append((RecordDay.Span.MONTH, month, _month_end(month)))
        month = _month_end(month) + dt.timedelta(days=1)
    for span, start, end in blocks:
        if (span, start) in have:
            continue
        rows = days.filter(day__range=(start, end)).values("record_id").annotate(n=Sum("loans")).order_by()
        _save(
            RecordDay(library=library, span=span, day=start, record_id=row["record_id"], loans=row["n"]) for row in rows
        )


def record_blocks(first: dt.date, last: dt.date) -> Q:
    """[first, last] as whole months, then whole weeks, then single days: the fewest title tallies to read."""
    months: list[dt.date] = []
    month = first if first.day == 1 else _month_end(first) + dt.timedelta(days=1)
    while _month_end(month) <= last:
        months.append(month)
        month = _month_end(month) + dt.timedelta(days=1)
    segments = [(first, last)]
    if months:
        segments = [(first, months[0] - dt.timedelta(days=1)), (_month_end(months[-1]) + dt.timedelta(days=1), last)]
    weeks: list[dt.date] = []
    wanted = Q(span=RecordDay.Span.MONTH, day__in=months) if months else Q(pk__in=[])
    for start, end in segments:
        monday = start + dt.timedelta(days=(7 - start.weekday()) % 7)
        here = []
        while monday + dt.timedelta(days=6) <= end:
            here.append(monday)
            monday += dt.timedelta(days=7)
        loose = [(start, end)]
        if here:
            loose = [(start, here[0] - dt.timedelta(days=1)), (here[-1] + dt.timedelta(days=7), end)]
        weeks += here
        for a, b in loose:
            if a <= b:
                wanted |= Q(span=RecordDay.Span.DAY, day__range=(a, b))
    if weeks:
        wanted |= Q(span=RecordDay.Span.WEEK, day__in=weeks)
    return wanted


def _remember_pending(library: Library, start: dt.datetime) -> None:
    """Replace the pending loans with those issued before `start` and still out at it (one scan a day)."""
    TallyPending.objects.filter(library=library).delete()
    out = Loan.objects.filter(library=library, issued_at__lt=start).filter(
        Q(returned_at__isnull=True) | Q(returned_at__gte=start)
    )
    _save(
        TallyPending(library=library, loan_id=pk) for pk in out.values_list("pk", flat=True).iterator(chunk_size=BATCH)
    )


def live_returns(library: Library, span: Span) -> list[QuerySet[Loan]]:
    """Books returned (not lost) in a span after the tallied days, as disjoint querysets that each use an index:
    loans issued since the tallied day, and the loans pending at its start."""
    start, end = span
    through = tallied_through(library)
    returned = Loan.objects.filter(library=library, returned_at__gte=start, returned_at__lt=end, lost=False)
    if through is None or start < midnight(through):
        return [returned]
    # A subquery, not the ids: the databases walk the pending loans by primary key either way, and thousands of
    # ids as parameters cost more to send than the lookups.
    pending = TallyPending.objects.filter(library=library).values("loan_id")
    return [returned.filter(issued_at__gte=midnight(through)), returned.filter(pk__in=pending)]


def _count_days(library: Library, start: dt.datetime, end: dt.datetime) -> None:
    """Count the loans issued and returned in [start, end) per day, in two passes over the loans.

    The rows are summed here rather than grouped by day in SQL: SQLite turns a time into a local day by calling
    Python once per row and per query, which made a first count of 500,000 loans take minutes.
    """
    tz = timezone.get_current_timezone()
    loans = Loan.objects.filter(library=library)
    columns = (
        "reader__school_class_id",
        "reader__reader_type_id",
        "item__record__clc_class",
        "item__location_id",
        "reader_id",
        "item__record_id",
        "item_id",
    )
    people: dict[tuple[Any, ...], list[int]] = defaultdict(lambda: [0, 0])
    shelves: dict[tuple[Any, ...], list[int]] = defaultdict(lambda: [0, 0])
    readers: dict[tuple[dt.date, int], int] = defaultdict(int)
    records: dict[tuple[dt.date, int], int] = defaultdict(int)
    lent: set[int] = set()
    issued = loans.filter(issued_at__gte=start, issued_at__lt=end).values_list("issued_at", *columns)
    for at, class_id, type_id, clc, location, reader, record, item in issued.order_by().iterator(chunk_size=BATCH):
        day = at.astimezone(tz).date()
        people[(day, class_id, type_id)][0] += 1
        shelves[(day, letter_of(clc[:1]), location)][0] += 1
        readers[(day, reader)] += 1
        records[(day, record)] += 1
        lent.add(item)
    returned = loans.filter(returned_at__gte=start, returned_at__lt=end, lost=False).values_list(
        "returned_at", *columns[:4]
    )
    for at, class_id, type_id, clc, location in returned.order_by().iterator(chunk_size=BATCH):
        day = at.astimezone(tz).date()
        people[(day, class_id, type_id)][1] += 1
        shelves[(day, letter_of(clc[:1]), location)][1] += 1
    _save(
        ClassDay(library=library, day=d, school_class_id=c, reader_type_id=t, loans=n, returns=r)
        for (d, c, t), (n, r) in people.items()
    )
    _save(
        ShelfDay(library=library, day=d, letter=letter, location_id=loc, loans=n, returns=r)
        for (d, letter, loc), (n, r) in shelves.items()
    )
    _save(ReaderDay(library=library, day=d, reader_id=pk, loans=n) for (d, pk), n in readers.items())
    _save(RecordDay(library=library, day=d, record_id=pk, loans=n) for (d, pk), n in records.items())
    # The unique constraint skips copies already known.
    TallyBorrowed.objects.bulk_create(
        [TallyBorrowed(library=library, item_id=pk) for pk in lent], batch_size=BATCH, ignore_conflicts=True
    )


def _save(rows: Iterable[Any]) -> None:
    batch: list[Any] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            type(batch[0]).objects.bulk_create(batch)
            batch = []
    if batch:
        type(batch[0]).objects.bulk_create(batch)


def split(first: dt.date, last: dt.date, through: dt.date | None) -> tuple[Days | None, Span | None]:
    """The days of [first, last] to read from the tallies, and the rest as a span of time to count live."""
    tallied: Days | None = None
    if through is not None and first < through:
        tallied = (first, min(last, through - dt.timedelta(days=1)))
    live_first = first if through is None else max(first, through)
    live: Span | None = None
    if live_first <= last:
        live = (midnight(live_first), midnight(last + dt.timedelta(days=1)))
    return tallied, live
