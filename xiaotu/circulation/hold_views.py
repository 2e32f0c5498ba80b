"""预约 pages for the library: the hold shelf, the queues, placing a hold for a reader and cancelling one."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from xiaotu.accounts.permissions import DESK, role_required, staff_of
from xiaotu.circulation.errors import LoanRefused
from xiaotu.circulation.forms import HoldPlaceForm
from xiaotu.circulation.holds import hold_cancel, hold_place, hold_shelf, holds_waiting
from xiaotu.circulation.models import Hold
from xiaotu.circulation.selectors import item_by_barcode, reader_by_card
from xiaotu.schools.models import Library


def _page(request: HttpRequest, library: Library, form: HoldPlaceForm, *, status: int = 200) -> HttpResponse:
    context = {
        "shelf": list(hold_shelf(library)),
        "waiting": list(holds_waiting(library)),
        "form": form,
        "today": timezone.localdate(),
    }
    return render(request, "circulation/holds.html", context, status=status)


@role_required(*DESK)
@require_GET
def holds(request: HttpRequest) -> HttpResponse:
    """预约 — the hold shelf (copies kept for readers) and who waits for what."""
    _user, library = staff_of(request)
    return _page(request, library, HoldPlaceForm())


@role_required(*DESK)
@require_POST
def hold_new(request: HttpRequest) -> HttpResponse:
    """预约 for a reader at the desk: their card and the barcode of any copy of the title."""
    user, library = staff_of(request)
    form = HoldPlaceForm(request.POST)
    if not form.is_valid():
        return _page(request, library, form, status=400)
    try:
        reader = reader_by_card(library=library, barcode=form.cleaned_data["reader"])
        item = item_by_barcode(library=library, barcode=form.cleaned_data["item"])
        hold = hold_place(reader=reader, record=item.record, by=user)
    except LoanRefused as refusal:
        form.add_error(None, refusal.message)
        return _page(request, library, form, status=400)
    messages.success(
        request, _("已为 %(reader)s 预约《%(title)s》。") % {"reader": reader.name, "title": hold.record.title}
    )
    return redirect("circulation:holds")


@role_required(*DESK)
@require_POST
def hold_cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    user, library = staff_of(request)
    hold = get_object_or_404(Hold, pk=pk, library=library)
    try:
        hold_cancel(hold=hold, by=user)
    except LoanRefused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("已取消预约。"))
    return redirect("circulation:holds")
