"""The school calendar's one rule for loans: when a loan taken on a day with N loan days falls due."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction

from xiaotu.schools.models import ClosedDay, Library, Term
from xiaotu.short_cache import ShortCache

_LOOKAHEAD_DAYS = 400


@dataclass(frozen=True)
class _Calendar:
    terms: list[tuple[dt.date, dt.date]]  # (starts_on, ends_on), latest start first
    closed: frozenset[dt.date]


_CALENDARS: ShortCache[int, _Calendar] = ShortCache(seconds=30)


def _calendar(library_id: int) -> _Calendar:
    def load() -> _Calendar:
        terms = list(
            Term.objects.filter(library_id=library_id).order_by("-starts_on").values_list("starts_on", "ends_on")
        )
        closed = frozenset(ClosedDay.objects.filter(library_id=library_id).values_list("date", flat=True))
        return _Calendar(terms=terms, closed=closed)

    return _CALENDARS.get(library_id, load)


def forget_calendar(library_id: int) -> None:
    """Call after changing a library's terms or closed days: now, and again once the change is committed."""
    _CALENDARS.forget(library_id)
    transaction.on_commit(lambda: _CALENDARS.forget(library_id))


def due_date(*, library: Library, start: dt.date, loan_days: int) -> dt.date:
    """Start + loan days, capped at the end of the current term, moved off closed days and weekly closing days.

    A due date on a closed day moves to the next open day; if that would pass the term's end it moves back to
    the last open day instead, so nothing is ever due in the holidays.
    """
    due = start + dt.timedelta(days=loan_days)
    calendar = _calendar(library.pk)
    cap = next((ends_on for starts_on, ends_on in calendar.terms if starts_on <= start <= ends_on), None)
    if cap is not None and due > cap:
        due = cap
    closed = calendar.closed

    def is_closed(day: dt.date) -> bool:
        return day in closed or library.closed_on_weekday(day.isoweekday())

    forward = due
    while is_closed(forward) and forward < due + dt.timedelta(days=_LOOKAHEAD_DAYS):
        forward += dt.timedelta(days=1)
    if cap is None or forward <= cap:
        return forward
    backward = due
    while is_closed(backward) and backward > start:
        backward -= dt.timedelta(days=1)
    return backward
