"""预约 from the OPAC: a signed-in reader queues for a title with no copy on the shelf, and cancels their holds.

The rules are circulation's (xiaotu.circulation.holds); these views only say who asks and show the refusal.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xiaotu.circulation import holds
from xiaotu.circulation.errors import HoldRefused
from xiaotu.circulation.models import Hold
from xiaotu.opac import selectors
from xiaotu.opac.views.account import reader_required
from xiaotu.opac.views.common import Opac, opac_page


@require_POST
@opac_page
@reader_required
def hold_place(request: HttpRequest, opac: Opac, pk: int) -> HttpResponse:
    assert opac.reader is not None
    record = selectors.public_record(library=opac.library, pk=pk)
    if record is None:
        raise Http404
    try:
        holds.hold_place(reader=opac.reader, record=record, by=None)
    except HoldRefused as refusal:
        messages.error(request, refusal.message)
        return redirect("opac:record", library_id=opac.library.pk, pk=record.pk)
    messages.success(
        request, _("已预约《%(title)s》。书还回来后会为你保留，请留意“我的借阅”。") % {"title": record.title}
    )
    return redirect("opac:account", library_id=opac.library.pk)


@require_POST
@opac_page
@reader_required
def hold_cancel(request: HttpRequest, opac: Opac, hold_id: int) -> HttpResponse:
    """Only the reader's own hold; cancelled by the reader themselves (`by` None), so no notice is sent."""
    hold = Hold.objects.filter(pk=hold_id, reader=opac.reader).select_related("record").first()
    if hold is None:
        raise Http404
    try:
        holds.hold_cancel(hold=hold, by=None)
    except HoldRefused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("已取消对《%(title)s》的预约。") % {"title": hold.record.title})
    return redirect("opac:account", library_id=opac.library.pk)
