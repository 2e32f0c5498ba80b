"""校历 — the school calendar page: terms, closed days and the weekly closing days (管理员 only)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xiaotu.accounts.permissions import SETTINGS, role_required, staff_of
from xiaotu.schools import services
from xiaotu.schools.forms import ClosedDaysForm, ClosedRangeForm, TermForm, WeekdaysForm
from xiaotu.schools.models import ClosedDay, Library, Term


@dataclass(frozen=True)
class ClosedRange:
    """Consecutive closed days with one reason, shown as one line (寒假 2026-01-24 至 2026-02-22)."""

    start: dt.date
    end: dt.date
    reason: str

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def closed_ranges(days: Iterable[ClosedDay]) -> list[ClosedRange]:
    ranges: list[ClosedRange] = []
    for day in days:
        last = ranges[-1] if ranges else None
        if last and last.reason == day.reason and day.date == last.end + dt.timedelta(days=1):
            ranges[-1] = ClosedRange(start=last.start, end=day.date, reason=last.reason)
        else:
            ranges.append(ClosedRange(start=day.date, end=day.date, reason=day.reason))
    return ranges


def _page(
    request: HttpRequest,
    library: Library,
    *,
    weekdays_form: WeekdaysForm | None = None,
    term_form: TermForm | None = None,
    closed_form: ClosedDaysForm | None = None,
    status: int = 200,
) -> HttpResponse:
    today = timezone.localdate()
    terms = list(Term.objects.filter(library=library).order_by("starts_on"))
    context: dict[str, Any] = {
        "weekdays_form": weekdays_form or WeekdaysForm(initial={"weekdays": list(library.closed_weekdays)}),
        "term_form": term_form or TermForm(),
        "closed_form": closed_form or ClosedDaysForm(),
        "terms": terms,
        "current_term": next((t for t in terms if t.starts_on <= today <= t.ends_on), None),
        "closed": closed_ranges(ClosedDay.objects.filter(library=library).order_by("date")),
        "today": today,
    }
    return render(request, "schools/calendar.html", context, status=status)


def _refused(form: forms.Form, error: ValidationError) -> None:
    for message in error.messages:
        form.add_error(None, message)


@role_required(*SETTINGS)
@require_GET
def calendar(request: HttpRequest) -> HttpResponse:
    _user, library = staff_of(request)
    return _page(request, library)


@role_required(*SETTINGS)
@require_POST
def weekdays_save(request: HttpRequest) -> HttpResponse:
    user, library = staff_of(request)
    form = WeekdaysForm(request.POST)
    if form.is_valid():
        try:
            services.library_set_closed_weekdays(library=library, weekdays=form.days(), by=user)
        except ValidationError as error:
            _refused(form, error)
        else:
            messages.success(request, _("每周闭馆日已保存。"))
            return redirect("schools:calendar")
    return _page(request, library, weekdays_form=form, status=400)


@role_required(*SETTINGS)
@require_POST
def term_add(request: HttpRequest) -> HttpResponse:
    user, library = staff_of(request)
    form = TermForm(request.POST)
    if form.is_valid():
        try:
            term = services.term_create(library=library, by=user, **form.cleaned_data)
        except ValidationError as error:
            _refused(form, error)
        else:
            messages.success(request, _("已添加学期「%(name)s」。") % {"name": term.name})
            return redirect("schools:calendar")
    return _page(request, library, term_form=form, status=400)


@role_required(*SETTINGS)
@require_http_methods(["GET", "POST"])
def term_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user, library = staff_of(request)
    term = get_object_or_404(Term, library=library, pk=pk)
    if request.method == "POST":
        form = TermForm(request.POST)
        if form.is_valid():
            try:
                services.term_update(term=term, by=user, **form.cleaned_data)
            except ValidationError as error:
                _refused(form, error)
            else:
                messages.success(request, _("学期「%(name)s」已保存。") % {"name": term.name})
                return redirect("schools:calendar")
    else:
        form = TermForm(initial={"name": term.name, "starts_on": term.starts_on, "ends_on": term.ends_on})
    status = 400 if form.errors else 200
    return render(request, "schools/term_edit.html", {"form": form, "term": term}, status=status)


@role_required(*SETTINGS)
@require_POST
def term_remove(request: HttpRequest, pk: int) -> HttpResponse:
    user, library = staff_of(request)
    term = get_object_or_404(Term, library=library, pk=pk)
    services.term_delete(term=term, by=user)
    messages.success(request, _("已删除学期「%(name)s」。") % {"name": term.name})
    return redirect("schools:calendar")


@role_required(*SETTINGS)
@require_POST
def closed_add(request: HttpRequest) -> HttpResponse:
    user, library = staff_of(request)
    form = ClosedDaysForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            added = services.closed_days_add(
                library=library, start=data["start"], end=data["end"], reason=data["reason"], by=user
            )
        except ValidationError as error:
            _refused(form, error)
        else:
            messages.success(request, _("已添加 %(n)d 个闭馆日。") % {"n": added})
            return redirect("schools:calendar")
    return _page(request, library, closed_form=form, status=400)


@role_required(*SETTINGS)
@require_POST
def closed_remove(request: HttpRequest) -> HttpResponse:
    user, library = staff_of(request)
    form = ClosedRangeForm(request.POST)
    if form.is_valid():
        try:
            removed = services.closed_days_remove(
                library=library, start=form.cleaned_data["start"], end=form.cleaned_data["end"], by=user
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("已取消 %(n)d 个闭馆日。") % {"n": removed})
    else:
        messages.error(request, _("日期不正确，没有取消任何闭馆日。"))
    return redirect("schools:calendar")
