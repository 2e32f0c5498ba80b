"""赔偿 pages, and the 流通设置 page (holds, compensation, fines) they depend on."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xiaotu.accounts.permissions import LIBRARY_WORK, SETTINGS, role_required, staff_of
from xiaotu.circulation.compensation import (
    compensation_for_damage,
    compensation_for_loss,
    compensation_settle,
    compensations,
)
from xiaotu.circulation.errors import LoanRefused
from xiaotu.circulation.forms import CirculationSettingsForm, CompensationForm, SettleForm
from xiaotu.circulation.library_settings import forget_settings, settings_for
from xiaotu.circulation.models import Compensation, Loan
from xiaotu.circulation.selectors import item_by_barcode
from xiaotu.schools.models import Library


def _page(request: HttpRequest, library: Library, form: CompensationForm, *, status: int = 200) -> HttpResponse:
    owed = compensations(library, owed_only=True)
    context = {
        "form": form,
        "owed": list(owed),
        "owed_total": owed.aggregate(total=Sum("amount"))["total"],
        "recent": list(compensations(library).exclude(status=Compensation.Status.OWED)[:30]),
        "settings": settings_for(library.pk),
    }
    return render(request, "circulation/compensation.html", context, status=status)


@role_required(*LIBRARY_WORK)
@require_GET
def compensation_list(request: HttpRequest) -> HttpResponse:
    """赔偿 — what readers owe, and what was settled lately."""
    _user, library = staff_of(request)
    return _page(request, library, CompensationForm())


@role_required(*LIBRARY_WORK)
@require_POST
def compensation_new(request: HttpRequest) -> HttpResponse:
    user, library = staff_of(request)
    form = CompensationForm(request.POST)
    if not form.is_valid():
        return _page(request, library, form, status=400)
    price = form.cleaned_data["price"]
    try:
        item = item_by_barcode(library=library, barcode=form.cleaned_data["item"])
        if form.cleaned_data["kind"] == "lost":
            loan = Loan.objects.filter(item=item, returned_at__isnull=True).select_related("item__record").first()
            if loan is None:
                raise LoanRefused("item_not_on_loan", title=item.record.title)
            made = compensation_for_loss(loan=loan, by=user, price=price)
        else:
            made = compensation_for_damage(item=item, by=user, price=price)
    except LoanRefused as refusal:
        form.add_error(None, refusal.message)
        return _page(request, library, form, status=400)
    messages.success(
        request,
        _("已登记：%(reader)s 应赔 %(amount)s 元（%(basis)s）")
        % {"reader": made.reader.name, "amount": f"{made.amount:.2f}", "basis": made.basis},
    )
    return redirect("circulation:compensation")


@role_required(*LIBRARY_WORK)
@require_POST
def compensation_settle_view(request: HttpRequest, pk: int) -> HttpResponse:
    user, library = staff_of(request)
    compensation = get_object_or_404(Compensation, pk=pk, library=library)
    form = SettleForm(request.POST)
    if not form.is_valid():
        messages.error(request, next(str(m) for ms in form.errors.values() for m in ms))
        return redirect("circulation:compensation")
    try:
        compensation_settle(
            compensation=compensation, status=form.cleaned_data["status"], note=form.cleaned_data["note"], by=user
        )
    except LoanRefused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("已处理。"))
    return redirect("circulation:compensation")


@role_required(*SETTINGS)
@require_http_methods(["GET", "POST"])
def circulation_settings(request: HttpRequest) -> HttpResponse:
    """流通设置 — hold pickup days and limit, the compensation factor, the optional fine, the owing limit."""
    _user, library = staff_of(request)
    instance = settings_for(library.pk)
    form = CirculationSettingsForm(request.POST if request.method == "POST" else None, instance=instance)
    if request.method == "POST" and form.is_valid():
        form.save()
        forget_settings(library.pk)
        messages.success(request, _("流通设置已保存。"))
        return redirect("circulation:settings")
    return render(request, "circulation/settings.html", {"form": form}, status=400 if form.errors else 200)
