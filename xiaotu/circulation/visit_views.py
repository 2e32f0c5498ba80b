"""阅览室签到 pages: the door kiosk pupils scan their card at, and the visits per class, pupil and week."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from xiaotu.accounts.permissions import DESK, LIBRARY_WORK, role_required, staff_of
from xiaotu.circulation.sessions import week_of
from xiaotu.circulation.visits import room_visit_record, visits_by_class, visits_by_pupil
from xiaotu.readers.models import SchoolClass

MAX_CARD = 100


@role_required(*DESK)
@require_http_methods(["GET", "POST"])
def kiosk(request: HttpRequest) -> HttpResponse:
    """阅览室门口的签到屏 — a member of staff signs in once; then pupils scan their cards, one after another."""
    _user, library = staff_of(request)
    answer = None
    if request.method == "POST":
        answer = room_visit_record(library=library, card=request.POST.get("card", "")[:MAX_CARD])
    return render(request, "circulation/kiosk.html", {"answer": answer})


def _week(request: HttpRequest) -> dt.date:
    text = request.GET.get("week", "")
    try:
        return dt.date.fromisoformat(text[:10]) if text else timezone.localdate()
    except ValueError:
        messages.error(request, _("日期格式不正确（应为 2026-11-23），已显示本周。"))
        return timezone.localdate()


@role_required(*LIBRARY_WORK)
@require_GET
def room_visits(request: HttpRequest) -> HttpResponse:
    """阅览室签到统计 — per class for a week, and per pupil for one class."""
    _user, library = staff_of(request)
    day = _week(request)
    monday, sunday = week_of(day)
    context = {
        "classes": visits_by_class(library=library, day=day),
        "monday": monday,
        "sunday": sunday,
        "previous": monday - dt.timedelta(days=7),
        "next": monday + dt.timedelta(days=7),
        "chosen": None,
        "pupils": [],
    }
    if (pk := request.GET.get("class", "")) and pk.isdigit() and len(pk) < 19:
        chosen = get_object_or_404(SchoolClass, pk=int(pk), library=library)
        context.update(chosen=chosen, pupils=visits_by_pupil(school_class=chosen, day=day))
    return render(request, "circulation/room_visits.html", context)
