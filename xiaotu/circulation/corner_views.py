"""班级图书角 pages: the corners of the school, and one corner's books with its batch lend, return and 漂流."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from xiaotu.accounts.models import User
from xiaotu.accounts.permissions import LIBRARY_WORK, role_required, staff_of
from xiaotu.circulation.corners import (
    BatchResult,
    corner_history,
    corner_lend,
    corner_loans,
    corner_open,
    corner_pass_on,
    corner_return,
    corners,
)
from xiaotu.circulation.errors import LoanRefused
from xiaotu.circulation.forms import CornerBatchForm, CornerPassForm
from xiaotu.circulation.models import Corner
from xiaotu.readers.models import SchoolClass


@role_required(*LIBRARY_WORK)
@require_GET
def corner_list(request: HttpRequest) -> HttpResponse:
    """班级图书角 — every corner with its books out; classes without one can open one."""
    _user, library = staff_of(request)
    found = corners(library)
    with_corner = {corner.school_class_id for corner, _n in found}
    classes = SchoolClass.objects.filter(library=library, active=True).exclude(pk__in=with_corner)
    return render(request, "circulation/corners.html", {"corners": found, "classes": classes.select_related("grade")})


@role_required(*LIBRARY_WORK)
@require_POST
def corner_new(request: HttpRequest) -> HttpResponse:
    user, library = staff_of(request)
    pk = request.POST.get("school_class", "")
    if not pk.isdigit() or len(pk) > 18:
        messages.error(request, _("请选择班级。"))
        return redirect("circulation:corners")
    school_class = get_object_or_404(SchoolClass, pk=int(pk), library=library, active=True)
    corner = corner_open(school_class=school_class, by=user)
    return redirect("circulation:corner", pk=corner.pk)


def _corner_page(
    request: HttpRequest,
    corner: Corner,
    *,
    result: BatchResult | None = None,
    action: str = "",
    status: int = 200,
    batch: CornerBatchForm | None = None,
    pass_form: CornerPassForm | None = None,
) -> HttpResponse:
    others = SchoolClass.objects.filter(library=corner.library, active=True).exclude(pk=corner.school_class_id)
    context: dict[str, Any] = {
        "corner": corner,
        "loans": list(corner_loans(corner)),
        "history": list(corner_history(corner)),
        "batch": batch or CornerBatchForm(),
        "pass_form": pass_form or CornerPassForm(classes=others.select_related("grade")),
        "result": result,
        "action": action,
    }
    return render(request, "circulation/corner.html", context, status=status)


def _corner(request: HttpRequest, pk: int) -> tuple[User, Corner]:
    user, library = staff_of(request)
    corner = get_object_or_404(
        Corner.objects.select_related("reader", "school_class__teacher", "library"), pk=pk, library=library
    )
    return user, corner


@role_required(*LIBRARY_WORK)
@require_GET
def corner_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _user, corner = _corner(request, pk)
    return _corner_page(request, corner)


@role_required(*LIBRARY_WORK)
@require_POST
def corner_batch(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """借书 or 还书 for the whole pile at once; the page then lists what happened to each book."""
    user, corner = _corner(request, pk)
    form = CornerBatchForm(request.POST)
    if not form.is_valid():
        return _corner_page(request, corner, batch=form, status=400)
    codes = form.cleaned_data["barcodes"]
    if action == "lend":
        result = corner_lend(corner=corner, barcodes=codes, by=user)
    else:
        result = corner_return(corner=corner, barcodes=codes, by=user)
    return _corner_page(request, corner, result=result, action=action)


@role_required(*LIBRARY_WORK)
@require_POST
def corner_pass(request: HttpRequest, pk: int) -> HttpResponse:
    """图书漂流 — the whole set goes to another class's corner (opened for it if it has none)."""
    user, corner = _corner(request, pk)
    others = SchoolClass.objects.filter(library=corner.library, active=True).exclude(pk=corner.school_class_id)
    form = CornerPassForm(request.POST, classes=others)
    if not form.is_valid():
        return _corner_page(request, corner, pass_form=form, status=400)
    target = corner_open(school_class=form.cleaned_data["to_class"], by=user)
    try:
        transfer = corner_pass_on(from_corner=corner, to_corner=target, by=user)
    except LoanRefused as refusal:
        messages.error(request, refusal.message)
        return redirect("circulation:corner", pk=corner.pk)
    messages.success(
        request, _("%(n)d 本书已漂流到 %(corner)s。") % {"n": transfer.books, "corner": target.reader.name}
    )
    return redirect("circulation:corner", pk=target.pk)
