"""One semester of loans: who borrowed what on which school day; mostly returned, some still out, a few overdue."""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from django.utils import timezone

from xiaotu.catalogue.models import Item
from xiaotu.circulation.models import Loan
from xiaotu.demo.collection import Copy
from xiaotu.demo.roster import ReaderRow
from xiaotu.demo.rows import Inserter
from xiaotu.demo.school import CAPS, RULES, School
from xiaotu.schools.calendar import due_date
from xiaotu.schools.models import ClosedDay

WINDOW_DAYS = 120
BATCH_SIZE = 5000
# A reader of the default school borrows about 25 books a semester; late and never-returned books are drawn per
# reader, so a denser history (a benchmark's) does not leave half the school blocked.
LOANS_PER_READER = 25
LATE_SHARE = 0.03
# Books that never came back, per reader: at least five, so every demo has an overdue list.
NEVER_RETURNED_PER_READER = 0.03
LOST_SHARE = 0.001
DAMAGED_SHARE = 0.001
# Chance that a loan is a picture book, by reader: pupils of grades 1–2 borrow mostly 绘本, older ones few.
PICTURE_SHARE_BY_GRADE = {1: 0.6, 2: 0.6, 3: 0.25, 4: 0.25, 5: 0.1, 6: 0.1}
PICTURE_SHARE_BY_TYPE = {"teacher": 0.1, "staff": 0.05}
# How much each kind of reader borrows relative to a pupil.
ACTIVITY_BY_TYPE = {"student": 1.0, "teacher": 0.5, "staff": 0.2}


@dataclass
class History:
    loans: int
    open: int
    overdue: int
    lost: int
    damaged: int


class _Calendar:
    """School days of the window, the next open day for a return, and due dates memoised per start and length."""

    def __init__(self, school: School, first: dt.date, today: dt.date) -> None:
        self.library = school.library
        self.today = today
        closed = set(ClosedDay.objects.filter(library=self.library).values_list("date", flat=True))
        terms = [(t.starts_on, t.ends_on) for t in school.terms]

        def open_on(day: dt.date) -> bool:
            in_term = any(start <= day <= end for start, end in terms)
            return in_term and day not in closed and not self.library.closed_on_weekday(day.isoweekday())

        span = [first + dt.timedelta(days=n) for n in range((today - first).days)]
        self.days = [day for day in span if open_on(day)]
        self.index = {day: i for i, day in enumerate(self.days)}
        # The first open day on or after each day of the window; today (when books are still out) if none.
        self.next_open: dict[dt.date, dt.date] = {}
        upcoming = today
        for day in reversed(span):
            if day in self.index:
                upcoming = day
            self.next_open[day] = upcoming
        self._due: dict[tuple[dt.date, int], dt.date] = {}

    def due(self, start: dt.date, loan_days: int) -> dt.date:
        key = (start, loan_days)
        if key not in self._due:
            self._due[key] = due_date(library=self.library, start=start, loan_days=loan_days)
        return self._due[key]

    def returned_on(self, day: dt.date) -> dt.date:
        return self.next_open[day] if day < self.today else day


def create_history(
    *,
    school: School,
    readers: list[ReaderRow],
    lendable: list[Copy],
    count: int,
    rng: random.Random,
    now: dt.datetime,
    desk_staff: list[int | None],
) -> History:
    """Lend `count` copies over the school days of the last four months and write the loans and item statuses."""
    today = timezone.localtime(now).date()
    calendar = _Calendar(school, today - dt.timedelta(days=WINDOW_DAYS), today)
    if not calendar.days or not readers or not lendable or count <= 0:
        return History(0, 0, 0, 0, 0)
    semester = _Semester(school, calendar, readers, lendable, count, rng, desk_staff)
    inserter = Inserter(Loan, LOAN_COLUMNS)
    loans: list[tuple[object, ...]] = []
    for day, readers_today in semester.borrowers_by_day():
        semester.shelve_returns(before=day)
        for reader in readers_today:
            if loan := semester.lend(day, reader):
                loans.append(loan)
        if len(loans) >= BATCH_SIZE:
            inserter.insert(loans)
            loans = []
    inserter.insert(loans)
    lost, damaged = _mark_items(rng, semester.out, lendable)
    return History(semester.made, len(semester.out), semester.overdue, lost, damaged)


class _Semester:
    """The desk over a semester: copies leave the shelf, come back (or not), and readers stay within their limits."""

    def __init__(
        self,
        school: School,
        calendar: _Calendar,
        readers: list[ReaderRow],
        lendable: list[Copy],
        count: int,
        rng: random.Random,
        desk_staff: list[int | None],
    ) -> None:
        self.library_id = school.library.pk
        self.calendar, self.readers, self.count, self.rng, self.desk_staff = calendar, readers, count, rng, desk_staff
        self.today = calendar.today
        days = calendar.days
        tz = timezone.get_default_timezone()
        # Local midnights in UTC, the form the database keeps; times of day are added to them.
        self.midnight = {d: dt.datetime.combine(d, dt.time(), tzinfo=tz).astimezone(dt.UTC) for d in calendar.next_open}
        self.weights = [ACTIVITY_BY_TYPE.get(r.type_code, 1.0) * rng.expovariate(1.0) for r in readers]
        self.late_share = LATE_SHARE * min(1.0, LOANS_PER_READER * len(readers) / count)
        self.shrink = self._shrink(len(lendable))
        # Copies wait in `returning` until the day they are on the shelf again: after a return or when their batch
        # arrives. `pools` holds what is on the shelf, by category.
        self.pools: dict[str, list[int]] = {"book": [], "picture": []}
        self.returning: list[tuple[dt.date, int, str]] = []
        for copy in lendable:
            if copy.shelved_on < days[0]:
                self.pools.setdefault(copy.category, []).append(copy.id)
            else:
                self.returning.append((copy.shelved_on, copy.id, copy.category))
        heapq.heapify(self.returning)
        # Books that never came back: chosen among loans a month old or more, so they are overdue by now.
        month_old = sum(1 for d in days if d <= self.today - dt.timedelta(days=30))
        old_loans = round(count * month_old / len(days))
        never = min(old_loans, max(5, round(NEVER_RETURNED_PER_READER * len(readers))))
        self.never = set(rng.sample(range(old_loans), never))
        self.held: dict[int, Counter[str]] = {}
        self.out: dict[int, int] = {}  # item id -> reader id, for the loans still open
        self.made = self.overdue = self.drawn = 0

    def _shrink(self, copies: int) -> float:
        """Shorten loans so that at most about half the copies are out at once, however many loans are asked for.

        A loan lasts on average 0.575 of its rule's days (see lend) and a day or two more to the next open day.
        """
        by_type: dict[str, float] = {}
        for reader, weight in zip(self.readers, self.weights, strict=True):
            by_type[reader.type_code] = by_type.get(reader.type_code, 0.0) + weight
        mean = sum(w * RULES[(t, "book")].loan_days * 0.575 for t, w in by_type.items()) / sum(by_type.values())
        out_at_once = self.count * (mean + 1.5) / max(1, (self.today - self.calendar.days[0]).days)
        return min(1.0, 0.5 * copies / out_at_once)

    def borrowers_by_day(self) -> Iterator[tuple[dt.date, list[ReaderRow]]]:
        """Each school day with its borrowers: busy and quiet days, keen readers borrowing far more than others."""
        days, rng = self.calendar.days, self.rng
        picks = rng.choices(self.readers, cum_weights=list(itertools.accumulate(self.weights)), k=self.count)
        per_day = [rng.uniform(0.6, 1.4) for _ in days]
        total = sum(per_day)
        start = 0
        for day, running in zip(days, itertools.accumulate(per_day), strict=True):
            end = round(self.count * running / total)
            yield day, picks[start:end]
            start = end

    def shelve_returns(self, *, before: dt.date) -> None:
        """A copy returned during a school day is lent again from the next one, never before it came back."""
        while self.returning and self.returning[0][0] < before:
            _, item_id, category = heapq.heappop(self.returning)
            self.pools[category].append(item_id)

    def lend(self, day: dt.date, reader: ReaderRow) -> tuple[object, ...] | None:
        """One loan as a row for LOAN_COLUMNS, or None when nothing the reader wants is on the shelf."""
        rng = self.rng
        index = self.drawn
        self.drawn += 1
        category = _category(rng, reader, self.pools)
        if category is None:
            return None
        pool = self.pools[category]
        slot = rng.randrange(len(pool))
        pool[slot], pool[-1] = pool[-1], pool[slot]
        item_id = pool.pop()
        rule = RULES[(reader.type_code, category)]
        due = self.calendar.due(day, rule.loan_days)
        back: dt.date | None
        if index in self.never:
            back = None
        elif rng.random() < self.late_share:
            back = self.calendar.returned_on(due + dt.timedelta(days=rng.randint(1, 14)))
        else:
            length = max(1, round(rng.uniform(0.15, 1.0) * (due - day).days * self.shrink))
            back = self.calendar.returned_on(day + dt.timedelta(days=length))
        if back is None or back >= self.today:
            back = self._keep_out(day, reader, category, rule.max_loans)
        issued = self._at(day)
        returned = None
        if back is None:
            self.out[item_id] = reader.id
            self.overdue += due < self.today
        else:
            returned = self._at(back) if back > day else issued + dt.timedelta(minutes=30 + rng.randrange(120))
            heapq.heappush(self.returning, (back, item_id, category))
        self.made += 1
        by = rng.choice(self.desk_staff)
        back_by = rng.choice(self.desk_staff) if returned else None
        return (self.library_id, item_id, reader.id, issued, due, returned, 0, by, back_by)

    def _keep_out(self, day: dt.date, reader: ReaderRow, category: str, max_loans: int) -> dt.date | None:
        """None if the reader may still hold this book today; else a day it came back, as the desk would insist."""
        held = self.held.setdefault(reader.id, Counter())
        if held[category] < max_loans and held.total() < CAPS[reader.type_code]:
            held[category] += 1
            return None
        later = self.calendar.days[self.calendar.index[day] + 1 :]
        return self.rng.choice(later) if later else day

    def _at(self, day: dt.date) -> dt.datetime:
        """A moment of the school day, from 7:40 to 16:40, when the library is staffed."""
        return self.midnight[day] + dt.timedelta(minutes=460 + self.rng.randrange(540))


LOAN_COLUMNS = (
    "library",
    "item",
    "reader",
    "issued_at",
    "due_on",
    "returned_at",
    "renewals",
    "issued_by",
    "returned_by",
)


def _category(rng: random.Random, reader: ReaderRow, pools: dict[str, list[int]]) -> str | None:
    """Picture book or ordinary book for this reader; the other if none of the first is on the shelf."""
    share = PICTURE_SHARE_BY_TYPE.get(reader.type_code, PICTURE_SHARE_BY_GRADE.get(reader.grade or 0, 0.0))
    first, second = ("picture", "book") if rng.random() < share else ("book", "picture")
    for category in (first, second):
        if pools.get(category):
            return category
    return None


def _mark_items(rng: random.Random, out: dict[int, int], lendable: list[Copy]) -> tuple[int, int]:
    """Copies with an open loan are out; a few of the rest are lost or waiting for repair."""
    on_loan = sorted(out)
    for start in range(0, len(on_loan), 500):
        Item.objects.filter(pk__in=on_loan[start : start + 500]).update(status=Item.Status.ON_LOAN)
    shelf = [copy.id for copy in lendable if copy.id not in out]
    lost = rng.sample(shelf, min(len(shelf), round(len(lendable) * LOST_SHARE)))
    rest = sorted(set(shelf) - set(lost))
    damaged = rng.sample(rest, min(len(rest), round(len(lendable) * DAMAGED_SHARE)))
    Item.objects.filter(pk__in=lost).update(status=Item.Status.LOST)
    Item.objects.filter(pk__in=damaged).update(status=Item.Status.DAMAGED)
    return len(lost), len(damaged)
