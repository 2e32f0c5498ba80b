"""Report pages: each parses the period, makes its selector calls, and renders HTML or an Excel download."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote, urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from xiaotu.accounts.models import Role, User
from xiaotu.accounts.permissions import LIBRARY_WORK, SETTINGS, role_required, staff_of
from xiaotu.readers.models import SchoolClass
from xiaotu.reports import collection as stock
from xiaotu.reports import selectors as sel
from xiaotu.reports.excel import register_sheet, workbook, xlsx_response
from xiaotu.reports.forms import ReportSettingsForm, StandardFormSet
from xiaotu.reports.inspection import inspection as inspection_figures
from xiaotu.reports.models import ReportSettings
from xiaotu.reports.pdf import register_pdf
from xiaotu.reports.periods import KINDS, Period, PeriodError, period_from
from xiaotu.reports.registers import REGISTERS
from xiaotu.reports.services import report_settings_save, standards_ensure
from xiaotu.reports.sheets import (
    breakdown_sheet,
    collection_sheets,
    inspection_sheet,
    never_borrowed_sheet,
    stars_sheet,
    top_books_sheet,
)
from xiaotu.reports.tallies import tallies_refresh
from xiaotu.schools.models import Library, Term

# Who may read the whole library's figures; a teacher sees their class page only.
READERS_OF_REPORTS = LIBRARY_WORK
CLASS_PAGE = (Role.ADMIN, Role.LIBRARIAN, Role.TEACHER)


def _period(request: HttpRequest, library: Library) -> tuple[Period | None, str]:
    """The period asked for, after counting any closed day not yet in the daily tallies (once a day: the first
    report of the day pays for yesterday)."""
    tallies_refresh(library=library)
    try:
        return period_from(request.GET, library=library), ""
    except PeriodError as error:
        return None, str(error)


def _period_context(request: HttpRequest, library: Library, period: Period | None) -> dict[str, Any]:
    query = urlencode(period.query()) if period else ""
    return {
        "period": period,
        "kinds": KINDS,
        "terms": Term.objects.filter(library=library).order_by("-starts_on"),
        "given": request.GET,
        "kind": period.kind if period else request.GET.get("period", ""),
        "query": query,
        "xlsx": f"{query}&format=xlsx" if query else "",
        "today": timezone.localdate(),
    }


def _wants_excel(request: HttpRequest) -> bool:
    return request.GET.get("format") == "xlsx"


def _chart(labels: list[str], series: dict[str, list[Any]], kind: str = "bar") -> dict[str, Any]:
    """What reports.js hands to Chart.js, written into the page with json_script."""
    return {
        "type": kind,
        "labels": labels,
        "series": [{"label": name, "data": [float(x or 0) for x in values]} for name, values in series.items()],
    }


@role_required(*CLASS_PAGE)
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """统计首页 — key figures and charts for the librarian and the head; a teacher goes to their class page."""
    user, library = staff_of(request)
    if not user.has_role(*READERS_OF_REPORTS):
        return redirect("reports:class")
    period, error = _period(request, library)
    context = _period_context(request, library, period)
    # Charts only: the tables behind them export from their own pages.
    context.update({"error": error, "xlsx": ""})
    if period is not None:
        report = sel.circulation_tables(library, period)
        grades, clc, per_pupil = report.tables[1], report.tables[3], report.per_pupil
        collection = stock.collection(library, tolerance=sel.report_settings(library).share_tolerance)
        added = stock.by_year_added(library)
        context.update(
            {
                "per_pupil": per_pupil,
                "collection": collection,
                "grades": grades,
                "grade_chart": _chart([r.label for r in grades.rows], {_("借出"): [r.loans for r in grades.rows]}),
                "clc_chart": _chart([r.key for r in clc.rows], {_("借出"): [r.loans for r in clc.rows]}),
                "division_chart": _chart(
                    [d.label for d in collection.divisions],
                    {
                        _("本馆（%）"): [d.share for d in collection.divisions],
                        _("规程（%）"): [d.standard for d in collection.divisions],
                    },
                ),
                "added_chart": _chart([str(y) for y in added], {_("新增册数"): list(added.values())}),
            }
        )
    return render(request, "reports/dashboard.html", context, status=400 if error else 200)


@role_required(*READERS_OF_REPORTS)
@require_GET
def circulation(request: HttpRequest) -> HttpResponse:
    """借阅统计 — loans and returns by class, grade, reader type, 中图法 class and location for a period."""
    _user, library = staff_of(request)
    period, error = _period(request, library)
    context = _period_context(request, library, period)
    context["error"] = error
    if period is None:
        return render(request, "reports/circulation.html", context, status=400)
    report = sel.circulation_tables(library, period)
    classes, tables = report.classes, report.tables
    top = sel.most_borrowed(library, period)
    if _wants_excel(request):
        sheets = [*(breakdown_sheet(t) for t in tables), top_books_sheet(top)]
        return xlsx_response(workbook(sheets), _("借阅统计") + f"-{period.first}-{period.last}")
    most, least = sel.class_ranking(classes)
    context.update(
        {
            "tables": tables,
            "per_pupil": report.per_pupil,
            "most": most,
            "least": least,
            "top": top,
            "class_chart": _chart(
                [r.label for r in classes.rows], {_("人均借书"): [r.per_pupil for r in classes.rows]}
            ),
        }
    )
    return render(request, "reports/circulation.html", context)


@role_required(*READERS_OF_REPORTS)
@require_GET
def never_borrowed(request: HttpRequest) -> HttpResponse:
    """零借阅图书 — copies in the collection nobody has ever borrowed, oldest first (for weeding and promotion)."""
    _user, library = staff_of(request)
    never = sel.never_borrowed(library)
    if _wants_excel(request):
        return xlsx_response(workbook([never_borrowed_sheet(never.iterator(chunk_size=2000))]), _("零借阅图书"))
    context = {"never": never[: sel.NEVER_BORROWED_SHOWN], "never_count": never.count(), "xlsx": "format=xlsx"}
    return render(request, "reports/never_borrowed.html", context)


@role_required(*READERS_OF_REPORTS)
@require_GET
def stars(request: HttpRequest) -> HttpResponse:
    """读书之星 — top readers per grade and per class for the period."""
    _user, library = staff_of(request)
    period, error = _period(request, library)
    context = _period_context(request, library, period)
    context["error"] = error
    settings = sel.report_settings(library)
    context["settings"] = settings
    if period is None:
        return render(request, "reports/stars.html", context, status=400)
    by_grade, by_class = sel.reading_stars(library, period, count=settings.stars_count)
    if _wants_excel(request):
        return xlsx_response(
            workbook([stars_sheet(_("按年级"), by_grade), stars_sheet(_("按班级"), by_class)]), _("读书之星")
        )
    context.update({"by_grade": by_grade, "by_class": by_class})
    return render(request, "reports/stars.html", context)


def _public_library(request: HttpRequest) -> Library:
    code = request.GET.get("library", "")[:32]
    if code:
        found = Library.objects.filter(code=code).first()
    else:
        only = list(Library.objects.order_by("pk")[:2])
        found = only[0] if len(only) == 1 else None
    if found is None:
        raise Http404
    return found


@require_GET
def stars_public(request: HttpRequest) -> HttpResponse:
    """读书之星（公开）— last week's stars for the OPAC, only if the library publishes them and only the fields it
    allows; no login."""
    library = _public_library(request)
    settings = sel.report_settings(library)
    if not settings.stars_public:
        raise Http404
    tallies_refresh(library=library)
    today = timezone.localdate()
    last_week = period_from({"period": "week", "on": (today - dt.timedelta(days=7)).isoformat()}, library=library)
    by_grade, _by_class = sel.reading_stars(library, last_week, count=settings.stars_count)
    groups = [
        {
            "label": group.label,
            "stars": [
                {
                    "rank": s.rank,
                    "name": sel.public_name(s.name, full=settings.stars_show_full_name),
                    "class_name": s.class_name if settings.stars_show_class else "",
                    "loans": s.loans if settings.stars_show_count else None,
                }
                for s in group.stars
            ],
        }
        for group in by_grade
        if group.stars
    ]
    context = {"public_library": library, "period": last_week, "groups": groups, "settings": settings}
    return render(request, "reports/stars_public.html", context)


@role_required(*READERS_OF_REPORTS)
@require_GET
def collection(request: HttpRequest) -> HttpResponse:
    """馆藏统计 — holdings by class and 部类 against the 规程, per pupil, new this year, value."""
    _user, library = staff_of(request)
    year_text = request.GET.get("year", "")
    today = timezone.localdate()
    if year_text and not (year_text.isdigit() and 1900 <= int(year_text) <= 2200):
        return render(request, "reports/collection.html", {"error": _("年份无效。"), "year": today.year}, status=400)
    year = int(year_text) if year_text else today.year
    settings = sel.report_settings(library)
    data = stock.collection(library, year=year, tolerance=settings.share_tolerance)
    if _wants_excel(request):
        return xlsx_response(workbook(collection_sheets(data)), _("馆藏统计") + f"-{year}")
    context = {
        "data": data,
        "year": year,
        "xlsx": f"year={year}&format=xlsx",
        "settings": settings,
        "class_chart": _chart([c.key for c in data.classes], {_("册数"): [c.volumes for c in data.classes]}),
    }
    return render(request, "reports/collection.html", context)


@role_required(*READERS_OF_REPORTS)
@require_GET
def registers(request: HttpRequest) -> HttpResponse:
    """登记帐 — the four registers, each as PDF and Excel."""
    _user, library = staff_of(request)
    return render(request, "reports/registers.html", {"registers": [make(library) for make in REGISTERS.values()]})


@role_required(*READERS_OF_REPORTS)
@require_GET
def register_file(request: HttpRequest, key: str, ext: str) -> HttpResponse:
    _user, library = staff_of(request)
    if key not in REGISTERS or ext not in ("pdf", "xlsx"):
        raise Http404
    register = REGISTERS[key](library)
    if ext == "xlsx":
        return xlsx_response(workbook([register_sheet(register)]), register.title)
    data = register_pdf(register, library_name=library.name, printed_on=timezone.localdate())
    response = HttpResponse(data, content_type="application/pdf")
    name = quote(f"{register.title}-{timezone.localdate().isoformat()}.pdf")
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{name}"
    return response


@role_required(*READERS_OF_REPORTS)
@require_GET
def inspection(request: HttpRequest) -> HttpResponse:
    """迎检报告 — every 规程 figure, met or short, on one printable page; Excel with everything behind it."""
    _user, library = staff_of(request)
    tallies_refresh(library=library)
    report = inspection_figures(library)
    if _wants_excel(request):
        sheets = [inspection_sheet(report), *collection_sheets(report.collection)]
        if report.term is not None:
            sheets.append(breakdown_sheet(sel.by_class(library, report.term)))
            sheets.append(breakdown_sheet(sel.by_grade(library, report.term)))
        sheets += [register_sheet(REGISTERS["summary"](library)), register_sheet(REGISTERS["classes"](library))]
        return xlsx_response(workbook(sheets), _("迎检报告"))
    met = sum(1 for f in report.figures if f.met is True)
    short = sum(1 for f in report.figures if f.met is False)
    return render(request, "reports/inspection.html", {"report": report, "met": met, "short": short})


def _class_choices(library: Library, user: User) -> QuerySet[SchoolClass]:
    """A teacher sees the classes they are 班主任 of; library staff may look at any class in school."""
    classes = SchoolClass.objects.filter(library=library, active=True).select_related("grade")
    if user.has_role(*READERS_OF_REPORTS):
        return classes.order_by("grade__number", "number")
    return classes.filter(teacher=user).order_by("grade__number", "number")


@role_required(*CLASS_PAGE)
@require_GET
def class_report(request: HttpRequest) -> HttpResponse:
    """班级阅读 — one class's reading: loans per pupil against the target, every pupil's loans, its top books."""
    user, library = staff_of(request)
    choices = _class_choices(library, user)
    chosen = request.GET.get("class", "")
    if chosen:
        if not chosen.isdigit() or len(chosen) > 18:
            raise Http404
        shown = list(choices.filter(pk=int(chosen)))
        if not shown:
            # Not one of theirs: a teacher asking for another class is refused, not shown an empty page.
            raise PermissionDenied
    else:
        shown = list(choices[:1]) if not user.has_role(*READERS_OF_REPORTS) else []
    period, error = _period(request, library)
    context = _period_context(request, library, period)
    context.update({"error": error, "choices": choices, "chosen": shown[0] if shown else None})
    if period is None or not shown:
        return render(request, "reports/class.html", context, status=400 if error else 200)
    target = sel.report_settings(library).loans_per_pupil_target
    row = sel.by_class(library, period, shown).rows[0]
    _grades, by_class = sel.reading_stars(library, period, count=10_000, classes=shown)
    pupils = by_class[0].stars if by_class else []
    top = sel.most_borrowed(library, period, limit=10, classes=shown)
    if _wants_excel(request):
        return xlsx_response(workbook([stars_sheet(shown[0].name, by_class), top_books_sheet(top)]), shown[0].name)
    context.update(
        {
            "row": row,
            "target": target,
            "judged": period.kind == "term",
            "pupils": pupils,
            "top": top,
            "pupil_chart": _chart([s.name for s in pupils[:30]], {_("借书册数"): [s.loans for s in pupils[:30]]}),
        }
    )
    return render(request, "reports/class.html", context)


@role_required(*SETTINGS)
@require_http_methods(["GET", "POST"])
def settings_page(request: HttpRequest) -> HttpResponse:
    """统计设置 — the loan target, reading-stars publication and the 规程 table."""
    user, library = staff_of(request)
    # The table is the library's own copy of the seeded figures, made here on first visit so it can be edited.
    standards_ensure(library=library)
    current = ReportSettings.objects.filter(library=library).first() or ReportSettings(library=library)
    post = request.POST if request.method == "POST" else None
    form = ReportSettingsForm(post, instance=current, prefix="s")
    table = StandardFormSet(post, queryset=library.standards.order_by("pk"), prefix="std")
    if request.method == "POST" and form.is_valid() and table.is_valid():
        report_settings_save(
            library=library, settings=form.save(commit=False), standards=table.save(commit=False), by=user
        )
        messages.success(request, _("统计设置已保存。"))
        return redirect("reports:settings")
    status = 400 if request.method == "POST" else 200
    return render(request, "reports/settings.html", {"form": form, "table": table}, status=status)
