"""班级借阅 pages: choose a class (its timetable slot and this week's visits), the class session, the timetable."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xiaotu.accounts.models import User
from xiaotu.accounts.permissions import DESK, LIBRARY_WORK, role_required, staff_of
from xiaotu.circulation.forms import ClassSlotForm, SessionScanForm
from xiaotu.circulation.models import ClassSlot
from xiaotu.circulation.sessions import (
    WEEKLY_TARGET,
    class_slot_add,
    class_slots,
    class_visit_start,
    classes_this_week,
    session_class,
    session_pupils,
    session_reader,
    session_scan,
    week_of,
)
from xiaotu.readers.models import SchoolClass
from xiaotu.schools.models import Library


@role_required(*DESK)
@require_GET
def class_list(request: HttpRequest) -> HttpResponse:
    """班级借阅 — the classes whose slot is today first, and which classes have not come this week."""
    _user, library = staff_of(request)
    today = timezone.localdate()
    weeks = classes_this_week(library=library, day=today)
    todays = [w for w in weeks if any(slot.weekday == today.isoweekday() for slot in w.slots)]
    monday, sunday = week_of(today)
    context = {
        "todays": todays,
        "weeks": weeks,
        "missing": sum(1 for w in weeks if not w.met),
        "monday": monday,
        "sunday": sunday,
        "target": WEEKLY_TARGET,
    }
    return render(request, "circulation/classes.html", context)


@role_required(*DESK)
@require_POST
def session_start(request: HttpRequest, pk: int) -> HttpResponse:
    """Start a class session: the class's visit this week is counted."""
    user, library = staff_of(request)
    school_class = get_object_or_404(SchoolClass, pk=pk, library=library, active=True)
    class_visit_start(school_class=school_class, by=user)
    return redirect("circulation:session", pk=school_class.pk)


@role_required(*DESK)
@require_GET
def session(request: HttpRequest, pk: int) -> HttpResponse:
    _user, library = staff_of(request)
    school_class = get_object_or_404(SchoolClass.objects.select_related("teacher"), pk=pk, library=library)
    context = {"school_class": school_class, "pupils": session_pupils(school_class, today=timezone.localdate())}
    return render(request, "circulation/session.html", context)


@role_required(*DESK)
@require_POST
def session_scan_view(request: HttpRequest, pk: int) -> JsonResponse:
    """One scan: JSON with the notice and the pupil's row as HTML, for the page to put in place."""
    user = request.user
    assert isinstance(user, User) and user.library_id is not None
    # Only the library's id is needed here (the scan's statements load what they use): one query fewer a scan.
    library = Library(pk=user.library_id)
    school_class = session_class(library=library, pk=pk)
    if school_class is None:
        raise Http404
    form = SessionScanForm(request.POST)
    if not form.is_valid():
        message = next(str(m) for ms in form.errors.values() for m in ms)
        notice_html = render_to_string(
            "circulation/session/_notice.html", {"notice": {"kind": "error", "text": message, "code": "bad_input"}}
        )
        return JsonResponse({"notice": notice_html, "reader": None, "row": None, "row_id": None}, status=400)
    reader = session_reader(library=library, pk=form.cleaned_data["reader"])
    result = session_scan(
        library=library, school_class=school_class, reader=reader, text=form.cleaned_data["q"], by=user
    )
    row = result.row
    return JsonResponse(
        {
            "notice": render_to_string("circulation/session/_notice.html", {"notice": result.notice}),
            "reader": result.reader.pk if result.reader else None,
            "row_id": f"pupil-{row.reader.pk}" if row else None,
            "row": render_to_string("circulation/session/_row.html", {"row": row, "current": True}) if row else None,
        }
    )


@role_required(*LIBRARY_WORK)
@require_http_methods(["GET", "POST"])
def timetable(request: HttpRequest) -> HttpResponse:
    """借阅时间表 — each class's weekly borrowing time."""
    _user, library = staff_of(request)
    classes = SchoolClass.objects.filter(library=library, active=True).select_related("grade")
    form = ClassSlotForm(request.POST if request.method == "POST" else None, classes=classes)
    if request.method == "POST" and form.is_valid():
        try:
            class_slot_add(library=library, **form.cleaned_data)
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("已添加借阅时间。"))
            return redirect("circulation:timetable")
    context = {"form": form, "slots": class_slots(library)}
    return render(request, "circulation/timetable.html", context, status=400 if form.errors else 200)


@role_required(*LIBRARY_WORK)
@require_POST
def timetable_delete(request: HttpRequest, pk: int) -> HttpResponse:
    _user, library = staff_of(request)
    get_object_or_404(ClassSlot, pk=pk, library=library).delete()
    messages.success(request, _("已删除。"))
    return redirect("circulation:timetable")
