"""Writes for the school calendar: terms (学期), closed days (闭馆日) and the weekly closing days."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaotu.accounts.models import User
from xiaotu.accounts.services import audit_record
from xiaotu.schools.calendar import forget_calendar
from xiaotu.schools.models import ClosedDay, Library, Term

# A winter or summer holiday is at most a few months; a year-long range is a typing mistake.
MAX_CLOSED_RANGE_DAYS = 366
MAX_TERM_DAYS = 366


def library_set_closed_weekdays(
    *, library: Library, weekdays: Iterable[int], by: User | None, at: dt.datetime | None = None
) -> Library:
    """每周闭馆日 — ISO weekdays (1 = Monday … 7 = Sunday) on which nothing may fall due."""
    days = sorted(set(weekdays))
    if any(not 1 <= d <= 7 for d in days):
        raise ValidationError(_("星期应为 1（周一）到 7（周日）。"))
    if len(days) == 7:
        raise ValidationError(_("不能每天都闭馆：至少留一天开馆。"))
    value = "".join(str(d) for d in days)
    with transaction.atomic():
        old = Library.objects.select_for_update().values_list("closed_weekdays", flat=True).get(pk=library.pk)
        if old != value:
            Library.objects.filter(pk=library.pk).update(closed_weekdays=value)
            audit_record(
                library=library,
                actor=by,
                action="calendar.weekdays",
                obj=library,
                data={"from": old, "to": value},
                at=at or timezone.now(),
            )
    library.closed_weekdays = value
    return library


def _check_term(*, library: Library, name: str, starts_on: dt.date, ends_on: dt.date, pk: int | None) -> str:
    name = name.strip()
    if not name:
        raise ValidationError(_("请填写学期名称。"))
    if ends_on < starts_on:
        raise ValidationError(_("结束日期不能早于开始日期。"))
    if (ends_on - starts_on).days > MAX_TERM_DAYS:
        raise ValidationError(_("一个学期不能超过一年，请检查日期。"))
    overlapping = Term.objects.filter(library=library, starts_on__lte=ends_on, ends_on__gte=starts_on)
    if pk is not None:
        overlapping = overlapping.exclude(pk=pk)
    clash = overlapping.order_by("starts_on").first()
    if clash is not None:
        # Two terms on one day would make "the end of this term" ambiguous for every loan taken that day.
        raise ValidationError(
            _("与学期「%(name)s」（%(start)s 至 %(end)s）的日期重叠。")
            % {"name": clash.name, "start": clash.starts_on.isoformat(), "end": clash.ends_on.isoformat()}
        )
    return name


def term_create(
    *, library: Library, name: str, starts_on: dt.date, ends_on: dt.date, by: User | None, at: dt.datetime | None = None
) -> Term:
    """学期 — loans taken during a term are due by its last day."""
    with transaction.atomic():
        list(Library.objects.select_for_update().filter(pk=library.pk).values_list("pk"))
        name = _check_term(library=library, name=name, starts_on=starts_on, ends_on=ends_on, pk=None)
        term = Term.objects.create(library=library, name=name, starts_on=starts_on, ends_on=ends_on)
        forget_calendar(library.pk)
        audit_record(
            library=library,
            actor=by,
            action="calendar.term_create",
            obj=term,
            data={"name": name, "starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat()},
            at=at or timezone.now(),
        )
    return term


def term_update(
    *, term: Term, name: str, starts_on: dt.date, ends_on: dt.date, by: User | None, at: dt.datetime | None = None
) -> Term:
    with transaction.atomic():
        list(Library.objects.select_for_update().filter(pk=term.library_id).values_list("pk"))
        name = _check_term(library=term.library, name=name, starts_on=starts_on, ends_on=ends_on, pk=term.pk)
        before = {"name": term.name, "starts_on": term.starts_on.isoformat(), "ends_on": term.ends_on.isoformat()}
        term.name, term.starts_on, term.ends_on = name, starts_on, ends_on
        term.save(update_fields=["name", "starts_on", "ends_on"])
        forget_calendar(term.library_id)
        audit_record(
            library=term.library,
            actor=by,
            action="calendar.term_update",
            obj=term,
            data={
                "from": before,
                "to": {"name": name, "starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat()},
            },
            at=at or timezone.now(),
        )
    return term


def term_delete(*, term: Term, by: User | None, at: dt.datetime | None = None) -> None:
    """Loans already lent keep their due dates; only new loans stop being capped at this term's end."""
    with transaction.atomic():
        audit_record(
            library=term.library,
            actor=by,
            action="calendar.term_delete",
            obj=term,
            data={"name": term.name, "starts_on": term.starts_on.isoformat(), "ends_on": term.ends_on.isoformat()},
            at=at or timezone.now(),
        )
        term.delete()
        forget_calendar(term.library_id)


def _check_range(start: dt.date, end: dt.date) -> None:
    if end < start:
        raise ValidationError(_("结束日期不能早于开始日期。"))
    if (end - start).days + 1 > MAX_CLOSED_RANGE_DAYS:
        raise ValidationError(_("一次最多 %(n)d 天，请检查日期。") % {"n": MAX_CLOSED_RANGE_DAYS})


def closed_days_add(
    *,
    library: Library,
    start: dt.date,
    end: dt.date,
    reason: str,
    by: User | None,
    at: dt.datetime | None = None,
) -> int:
    """闭馆日 — close every day from start to end (寒假, 国庆); days already closed get the new reason.

    Returns how many days were newly closed.
    """
    _check_range(start, end)
    reason = reason.strip()[:100]
    days = [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]
    with transaction.atomic():
        list(Library.objects.select_for_update().filter(pk=library.pk).values_list("pk"))
        existing = set(
            ClosedDay.objects.filter(library=library, date__gte=start, date__lte=end).values_list("date", flat=True)
        )
        ClosedDay.objects.bulk_create(
            [ClosedDay(library=library, date=day, reason=reason) for day in days if day not in existing]
        )
        if reason and existing:
            ClosedDay.objects.filter(library=library, date__in=existing).update(reason=reason)
        added = len(days) - len(existing)
        forget_calendar(library.pk)
        audit_record(
            library=library,
            actor=by,
            action="calendar.closed_add",
            obj=library,
            data={"from": start.isoformat(), "to": end.isoformat(), "reason": reason, "added": added},
            at=at or timezone.now(),
        )
    return added


def closed_days_remove(
    *, library: Library, start: dt.date, end: dt.date, by: User | None, at: dt.datetime | None = None
) -> int:
    """Open the library again on the listed days between start and end; returns how many were removed."""
    _check_range(start, end)
    with transaction.atomic():
        removed, _by_model = ClosedDay.objects.filter(library=library, date__gte=start, date__lte=end).delete()
        forget_calendar(library.pk)
        if removed:
            audit_record(
                library=library,
                actor=by,
                action="calendar.closed_remove",
                obj=library,
                data={"from": start.isoformat(), "to": end.isoformat(), "removed": removed},
                at=at or timezone.now(),
            )
    return removed
