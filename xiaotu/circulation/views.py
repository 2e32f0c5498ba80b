"""Circulation pages: the desk (借还台), a class teacher's view of their class, and the loan rule matrix.

Each view parses its input, makes one call into desk.py, rules.py or a selector, and renders.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.middleware import HtmxDetails

from xiaotu.accounts.models import Role, User
from xiaotu.accounts.permissions import DESK, SETTINGS, role_required, staff_of
from xiaotu.catalogue.models import ItemCategory
from xiaotu.circulation import desk as desk_
from xiaotu.circulation.errors import LoanRefused
from xiaotu.circulation.forms import MAX_SCAN, GradeLimitForm, LoanRulesForm, ScanForm, TransferForm
from xiaotu.circulation.models import GradeLimit, LoanCap, LoanRule
from xiaotu.circulation.rules import grade_limit_add, grade_limit_delete, loan_rules_save
from xiaotu.circulation.selectors import reader_by_card
from xiaotu.readers.models import Reader, ReaderType
from xiaotu.schools.models import Library


class HtmxRequest(HttpRequest):
    """What django-htmx's middleware adds: `request.htmx` is true for requests the desk page sends."""

    htmx: HtmxDetails


SCAN_HANDLERS = {
    desk_.Mode.LEND: desk_.lend,
    desk_.Mode.RETURN: desk_.give_back,
    desk_.Mode.RENEW: desk_.renew_scan,
}


@role_required(*DESK)
@require_GET
def desk(request: HtmxRequest) -> HttpResponse:
    user, library = staff_of(request)
    mode = request.GET.get("mode", desk_.Mode.LEND)
    if mode not in desk_.Mode.values:
        mode = desk_.Mode.LEND
    reader = None
    if card := request.GET.get("reader", "")[:MAX_SCAN]:
        try:
            reader = reader_by_card(library=library, barcode=card)
        except LoanRefused:
            reader = None
    return _page(request, user=user, library=library, mode=mode, reader=reader, result=desk_.DeskResult())


@role_required(*DESK)
@require_POST
def desk_scan(request: HtmxRequest) -> HttpResponse:
    user, library = staff_of(request)
    form = ScanForm(request.POST)
    if not form.is_valid():
        result = desk_.bad_input(form.first_error())
        return _respond(request, user=user, library=library, mode=form.mode_or_lend(), reader=None, result=result)
    reader = desk_.current_reader(library=library, pk=form.cleaned_data["reader"])
    mode = form.cleaned_data["mode"]
    result = SCAN_HANDLERS[mode](library=library, reader=reader, text=form.cleaned_data["q"], by=user)
    return _respond(request, user=user, library=library, mode=mode, reader=reader, result=result)


@role_required(*DESK)
@require_POST
def desk_transfer(request: HtmxRequest) -> HttpResponse:
    user, library = staff_of(request)
    form = TransferForm(request.POST)
    if not form.is_valid():
        result = desk_.bad_input(form.first_error())
        return _respond(request, user=user, library=library, mode=desk_.Mode.LEND, reader=None, result=result)
    reader = desk_.current_reader(library=library, pk=form.cleaned_data["reader"])
    result = desk_.transfer(library=library, reader=reader, barcode=form.cleaned_data["item"], by=user)
    return _respond(request, user=user, library=library, mode=desk_.Mode.LEND, reader=reader, result=result)


@role_required(*DESK)
@require_GET
def desk_reader(request: HtmxRequest) -> HttpResponse:
    """The reader panel again (after switching modes), or the empty panel when the desk moves to the next reader."""
    user, library = staff_of(request)
    pk = request.GET.get("reader", "")
    reader = desk_.current_reader(library=library, pk=int(pk)) if pk.isdigit() and len(pk) < 19 else None
    result = desk_.DeskResult(panel=desk_.reader_panel(reader) if reader else None, clear_reader=reader is None)
    mode = request.GET.get("mode", "")
    mode = mode if mode in desk_.Mode.values else desk_.Mode.LEND
    return _respond(request, user=user, library=library, mode=mode, reader=reader, result=result)


def _respond(
    request: HtmxRequest,
    *,
    user: User,
    library: Library,
    mode: str,
    reader: Reader | None,
    result: desk_.DeskResult,
) -> HttpResponse:
    """htmx gets the changed parts only; a plain form post (no JavaScript) gets the whole page."""
    status = 400 if result.notice and result.notice.code == "bad_input" else 200
    if not request.htmx:
        return _page(request, user=user, library=library, mode=mode, reader=reader, result=result, status=status)
    current = result.panel.reader if result.panel else (None if result.clear_reader else reader)
    context = {"result": result, "mode": mode, "reader": current}
    return render(request, "circulation/desk/_scan.html", context, status=status)


def _page(
    request: HttpRequest,
    *,
    user: User,
    library: Library,
    mode: str,
    reader: Reader | None,
    result: desk_.DeskResult,
    status: int = 200,
) -> HttpResponse:
    current = result.panel.reader if result.panel else (None if result.clear_reader else reader)
    context = {
        "result": result,
        "mode": mode,
        "modes": desk_.Mode,
        "reader": current,
        "panel": result.panel or (desk_.reader_panel(current) if current else None),
        "returns": result.returns if result.returns is not None else desk_.todays_returns(library=library, by=user),
    }
    return render(request, "circulation/desk.html", context, status=status)


@role_required(Role.TEACHER, Role.ADMIN)
@require_GET
def my_class(request: HttpRequest) -> HttpResponse:
    """我的班级 — read only: a class teacher sees their own classes' loans; an administrator picks any class."""
    user, library = staff_of(request)
    classes = desk_.classes_for(library=library, user=user)
    chosen = request.GET.get("class", "")
    picking = user.has_role(Role.ADMIN)
    if chosen:
        if not chosen.isdigit() or len(chosen) > 18:
            raise Http404
        shown = list(classes.filter(pk=int(chosen)))
        if not shown:
            raise Http404
    else:
        shown = [] if picking else list(classes)
    context: dict[str, Any] = {
        "overviews": desk_.class_loans(shown),
        "all_classes": list(classes) if picking else [],
        "chosen": chosen,
    }
    return render(request, "circulation/my_class.html", context)


@role_required(*SETTINGS)
@require_http_methods(["GET", "POST"])
def loan_rules(request: HttpRequest) -> HttpResponse:
    """借阅规则 — the matrix of reader types × item categories, saved all at once."""
    user, library = staff_of(request)
    form = LoanRulesForm(
        request.POST if request.method == "POST" else None,
        reader_types=ReaderType.objects.filter(library=library).order_by("pk"),
        categories=ItemCategory.objects.filter(library=library).order_by("reference_only", "pk"),
        rules=LoanRule.objects.filter(library=library),
        caps=LoanCap.objects.filter(library=library),
    )
    if request.method == "POST" and form.is_valid():
        try:
            changed = loan_rules_save(library=library, cells=form.cells(), caps=form.caps(), by=user)
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            if changed:
                messages.success(request, _("借阅规则已保存（%(n)d 处修改）。") % {"n": changed})
            else:
                messages.info(request, _("没有修改。"))
            return redirect("loan_rules:edit")
    return render(request, "circulation/loan_rules.html", {"form": form}, status=400 if form.errors else 200)


@role_required(*SETTINGS)
@require_http_methods(["GET", "POST"])
def grade_limits(request: HttpRequest) -> HttpResponse:
    """按年级限借 — younger pupils fewer books: lower caps for ranges of grades, beside the matrix."""
    user, library = staff_of(request)
    reader_types = list(ReaderType.objects.filter(library=library).order_by("pk"))
    form = GradeLimitForm(request.POST if request.method == "POST" else None, reader_types=reader_types)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            grade_limit_add(
                library=library,
                reader_type=data["reader_type"],
                grade_from=data["grade_from"],
                grade_to=data["grade_to"],
                max_total=data["max_total"],
                max_loans=data["max_loans"],
                by=user,
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("已添加按年级限借。"))
            return redirect("loan_rules:grades")
    limits = GradeLimit.objects.filter(library=library).select_related("reader_type")
    context = {"form": form, "limits": limits}
    return render(request, "circulation/grade_limits.html", context, status=400 if form.errors else 200)


@role_required(*SETTINGS)
@require_POST
def grade_limit_remove(request: HttpRequest, pk: int) -> HttpResponse:
    user, library = staff_of(request)
    grade_limit_delete(limit=get_object_or_404(GradeLimit, pk=pk, library=library), by=user)
    messages.success(request, _("已删除。"))
    return redirect("loan_rules:grades")
