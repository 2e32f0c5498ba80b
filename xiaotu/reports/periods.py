"""The period a report covers — a day, week, month, term, school year or any dates — read from the query string."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaotu.schools.models import Library, Term

KINDS = ("day", "week", "month", "term", "year", "custom")
# A custom period longer than this is refused: no report needs more than a few school years at once.
MAX_DAYS = 366 * 5


class PeriodError(ValueError):
    """The query string names no period we can report on; the message says why, in the librarian's words."""


@dataclass(frozen=True)
class Period:
    """Whole days, first and last included."""

    kind: str
    first: dt.date
    last: dt.date
    label: str
    term: Term | None = None

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """From local midnight of the first day to local midnight after the last: loans are stored in UTC."""
        tz = timezone.get_current_timezone()
        start = dt.datetime.combine(self.first, dt.time.min, tzinfo=tz)
        end = dt.datetime.combine(self.last + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        return start, end

    def query(self) -> dict[str, str]:
        """The query string that gives this period back (for the Excel and print links)."""
        if self.kind == "term" and self.term is not None:
            return {"period": "term", "term": str(self.term.pk)}
        if self.kind == "custom":
            return {"period": "custom", "start": self.first.isoformat(), "end": self.last.isoformat()}
        return {"period": self.kind, "on": self.first.isoformat()}


def _date(value: str, what: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise PeriodError(_("%(what)s不是有效的日期（格式：2026-09-01）。") % {"what": what}) from None


def term_on(library: Library, day: dt.date) -> Term | None:
    return Term.objects.filter(library=library, starts_on__lte=day, ends_on__gte=day).first()


def period_from(query: QueryDict | dict[str, Any], *, library: Library, today: dt.date | None = None) -> Period:
    """The period the query asks for; without one, the term we are in, else this month."""
    today = today or timezone.localdate()
    kind = str(query.get("period") or "")
    if not kind:
        term = term_on(library, today)
        kind = "term" if term else "month"
        if term:
            return _term(term)
    if kind not in KINDS:
        raise PeriodError(_("未知的统计周期。"))
    on = _date(str(query["on"]), _("日期")) if query.get("on") else today
    if kind == "day":
        return Period("day", on, on, on.isoformat())
    if kind == "week":
        monday = on - dt.timedelta(days=on.weekday())
        sunday = monday + dt.timedelta(days=6)
        return Period("week", monday, sunday, _("%(first)s 至 %(last)s") % {"first": monday, "last": sunday})
    if kind == "month":
        first = on.replace(day=1)
        last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        return Period("month", first, last, _("%(year)d年%(month)d月") % {"year": on.year, "month": on.month})
    if kind == "year":
        return Period("year", dt.date(on.year, 1, 1), dt.date(on.year, 12, 31), _("%(year)d年") % {"year": on.year})
    if kind == "term":
        term_id = str(query.get("term") or "")
        term = (
            Term.objects.filter(library=library, pk=int(term_id)).first()
            if term_id.isdigit() and len(term_id) < 18
            else term_on(library, on)
        )
        if term is None:
            raise PeriodError(_("找不到这个学期。请先在校历中设置学期。"))
        return _term(term)
    first = _date(str(query.get("start") or ""), _("开始日期"))
    last = _date(str(query.get("end") or ""), _("结束日期"))
    if last < first:
        raise PeriodError(_("结束日期早于开始日期。"))
    if (last - first).days > MAX_DAYS:
        raise PeriodError(_("统计时间段不能超过五年。"))
    return Period("custom", first, last, _("%(first)s 至 %(last)s") % {"first": first, "last": last})


def _term(term: Term) -> Period:
    return Period("term", term.starts_on, term.ends_on, term.name, term)
