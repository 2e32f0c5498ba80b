"""超期通知 and 期末归还 pages: lists by class, their PDFs (a page per class), and where the daily notices go."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xiaotu.accounts.permissions import LIBRARY_WORK, SETTINGS, role_required, staff_of
from xiaotu.circulation.forms import NoticeChannelsForm
from xiaotu.circulation.models import NoticeChannels, NoticeRun
from xiaotu.circulation.notices import overdue_notices_send
from xiaotu.circulation.overdue import out_by_class, overdue_by_class
from xiaotu.circulation.overdue_pdf import overdue_pdf
from xiaotu.schools.models import Library, Term


@role_required(*LIBRARY_WORK)
@require_GET
def overdue(request: HttpRequest) -> HttpResponse:
    """超期未还 by class, with the printable slips and the last sendings."""
    _user, library = staff_of(request)
    today = timezone.localdate()
    context = {
        "groups": overdue_by_class(library=library, today=today),
        "today": today,
        "runs": NoticeRun.objects.filter(library=library).order_by("-at")[:6],
    }
    return render(request, "circulation/overdue.html", context)


@role_required(*LIBRARY_WORK)
@require_GET
def overdue_slips(request: HttpRequest) -> HttpResponse:
    _user, library = staff_of(request)
    today = timezone.localdate()
    pdf = overdue_pdf(overdue_by_class(library=library, today=today), library_name=library.name, today=today)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="overdue-{today.isoformat()}.pdf"'
    return response


@role_required(*LIBRARY_WORK)
@require_POST
def overdue_send(request: HttpRequest) -> HttpResponse:
    """Send today's notices now, on every enabled channel, even if the job already sent them."""
    _user, library = staff_of(request)
    runs = overdue_notices_send(library=library, today=timezone.localdate(), force=True)
    if not runs:
        messages.info(request, _("没有启用任何发送渠道，请先在通知设置中填写。"))
    for run in runs:
        level = messages.SUCCESS if run.ok else messages.ERROR
        messages.add_message(request, level, f"{run.get_channel_display()}：{run.detail}")
    return redirect("circulation:overdue")


@role_required(*SETTINGS)
@require_http_methods(["GET", "POST"])
def notice_settings(request: HttpRequest) -> HttpResponse:
    """通知设置 — the SMTP server and the chat robot the daily overdue notices go to."""
    _user, library = staff_of(request)
    channels = NoticeChannels.objects.filter(library=library).first() or NoticeChannels(library=library)
    form = NoticeChannelsForm(request.POST if request.method == "POST" else None, instance=channels)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("通知设置已保存。"))
        return redirect("circulation:notice_settings")
    return render(request, "circulation/notice_settings.html", {"form": form}, status=400 if form.errors else 200)


def _term_end(library: Library, today: dt.date) -> Term | None:
    """The term under way, or else the next one: its last day is when everything should be back."""
    terms = Term.objects.filter(library=library, ends_on__gte=today).order_by("ends_on")
    return terms.first()


@role_required(*LIBRARY_WORK)
@require_GET
def term_end(request: HttpRequest) -> HttpResponse:
    """期末归还 — before the holidays, every book still out, by class, with slips to print."""
    _user, library = staff_of(request)
    today = timezone.localdate()
    groups = out_by_class(library=library, today=today)
    context = {
        "groups": groups,
        "term": _term_end(library, today),
        "today": today,
        "books": sum(len(group.rows) for group in groups),
    }
    return render(request, "circulation/term_end.html", context)


@role_required(*LIBRARY_WORK)
@require_GET
def term_end_slips(request: HttpRequest) -> HttpResponse:
    _user, library = staff_of(request)
    today = timezone.localdate()
    groups = out_by_class(library=library, today=today)
    pdf = overdue_pdf(groups, library_name=library.name, today=today, term_end=True)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="term-end-{today.isoformat()}.pdf"'
    return response
