"""The school calendar's one rule for loans: when a loan taken on a day with N loan days falls due."""

from __future__ import annotations

import datetime as dt

from xiaotu.schools.models import ClosedDay, Library, Term

_LOOKAHEAD_DAYS = 400


def due_date(*, library: Library, start: dt.date, loan_days: int) -> dt.date:
    """Start + loan days, capped at the end of the current term, moved off closed days and weekly closing days.

    A due date on a closed day moves to the next open day; if that would pass the term's end it moves back to
    the last open day instead, so nothing is ever due in the holidays.
    """
    due = start + dt.timedelta(days=loan_days)
    term = Term.objects.filter(library=library, starts_on__lte=start, ends_on__gte=start).order_by("-starts_on").first()
    cap = term.ends_on if term else None
    if cap is not None and due > cap:
        due = cap
    closed = set(
        ClosedDay.objects.filter(
            library=library, date__gte=start, date__lte=due + dt.timedelta(days=_LOOKAHEAD_DAYS)
        ).values_list("date", flat=True)
    )

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
