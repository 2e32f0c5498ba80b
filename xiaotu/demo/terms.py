"""The demo school's calendar, computed from the day the demo is built: terms and the national holidays in them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

# Lunar holidays by year (端午, 中秋), which no simple rule gives; years beyond the table just lose these two days.
DRAGON_BOAT = {
    2024: (6, 10), 2025: (5, 31), 2026: (6, 19), 2027: (6, 9), 2028: (5, 28), 2029: (6, 16),
    2030: (6, 5), 2031: (6, 24), 2032: (6, 12), 2033: (6, 1), 2034: (6, 20), 2035: (6, 10),
}  # fmt: skip
MID_AUTUMN = {
    2024: (9, 17), 2025: (10, 6), 2026: (9, 25), 2027: (9, 15), 2028: (10, 3), 2029: (9, 22),
    2030: (9, 12), 2031: (10, 1), 2032: (9, 19), 2033: (9, 8), 2034: (9, 27), 2035: (9, 16),
}  # fmt: skip


@dataclass(frozen=True)
class TermDates:
    name: str
    starts_on: dt.date
    ends_on: dt.date


def _weekday_between(year: int, month: int, first_day: int, isoweekday: int) -> dt.date:
    """The given weekday in the seven days starting on first_day of the month."""
    day = dt.date(year, month, first_day)
    return day + dt.timedelta(days=(isoweekday - day.isoweekday()) % 7)


def autumn_term(year: int) -> TermDates:
    """1 September to the Friday of 16–22 January: 2026-09-01 to 2027-01-22."""
    return TermDates(f"{year}年秋季学期", dt.date(year, 9, 1), _weekday_between(year + 1, 1, 16, 5))


def spring_term(year: int) -> TermDates:
    """The Monday of 16–22 February to the Friday of 1–7 July."""
    return TermDates(f"{year}年春季学期", _weekday_between(year, 2, 16, 1), _weekday_between(year, 7, 1, 5))


def school_year_terms(today: dt.date) -> list[TermDates]:
    """The terms around today: last spring, this school year's autumn and the spring after it.

    A school year starts in August, so the demo built in the summer holidays already has its coming autumn term.
    """
    year = today.year if today.month >= 8 else today.year - 1
    return [spring_term(year), autumn_term(year), spring_term(year + 1)]


def holidays(years: range) -> dict[dt.date, str]:
    """法定节假日 on which the library is closed; weekends are the library's weekly closing days instead."""
    closed: dict[dt.date, str] = {}

    def close(first: dt.date, days: int, reason: str) -> None:
        for offset in range(days):
            closed.setdefault(first + dt.timedelta(days=offset), reason)

    for year in years:
        close(dt.date(year, 1, 1), 1, "元旦")
        close(dt.date(year, 4, 4), 3, "清明节")
        close(dt.date(year, 5, 1), 5, "劳动节")
        if year in DRAGON_BOAT:
            close(dt.date(year, *DRAGON_BOAT[year]), 1, "端午节")
        if year in MID_AUTUMN:
            close(dt.date(year, *MID_AUTUMN[year]), 1, "中秋节")
        close(dt.date(year, 10, 1), 7, "国庆节")
    return closed
