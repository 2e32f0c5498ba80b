"""清点 pages: the list, a new stocktake, its reconciliation, the scan page, scanner files, finalising, reports.

Scanning (the page and files) is desk work, so student librarians may do it; creating, finalising, acting on what
was found as a status change, and the reports are the librarian's.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xiaotu.accounts.models import User
from xiaotu.accounts.permissions import DESK, LIBRARY_WORK, role_required
from xiaotu.schools.models import Library
from xiaotu.stocktake import reports, services
from xiaotu.stocktake.forms import RunForm, StocktakeForm, UploadForm
from xiaotu.stocktake.models import Run, Scan, Stocktake
from xiaotu.stocktake.reconcile import CATEGORIES, MISSING, OUT_OF_ORDER, category_rows, out_of_order, reconcile

LIST_LIMIT = 500


def staff(request: HttpRequest) -> tuple[User, Library]:
    """The signed-in member of staff and their library; role_required has already checked both exist."""
    user = request.user
    assert isinstance(user, User) and user.library is not None
    return user, user.library


def _stocktake(library: Library, pk: int) -> Stocktake:
    return get_object_or_404(Stocktake, pk=pk, library=library)


def download(data: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@role_required(*DESK)
@require_http_methods(["GET", "POST"])
def stocktake_list(request: HttpRequest) -> HttpResponse:
    user, library = staff(request)
    form = StocktakeForm(request.POST or None, library=library)
    if request.method == "POST":
        if not user.has_role(*LIBRARY_WORK):
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                stocktake = services.stocktake_create(
                    library=library,
                    name=data["name"],
                    locations=list(data["locations"]),
                    call_number_ranges=data["call_number_ranges"],
                    clc_classes=data["clc_classes"],
                    check_order=data["check_order"],
                    by=user,
                )
            except services.StocktakeRefused as refused:
                form.add_error(None, refused.message)
            else:
                return redirect("stocktake:detail", pk=stocktake.pk)
    stocktakes = list(Stocktake.objects.filter(library=library).select_related("created_by")[:100])
    scopes = {s.pk: reports.scope_text(s) for s in stocktakes}
    return render(
        request,
        "stocktake/list.html",
        {
            "stocktakes": [(s, scopes[s.pk]) for s in stocktakes],
            "form": form,
            "can_manage": user.has_role(*LIBRARY_WORK),
        },
    )


@role_required(*DESK)
@require_GET
def stocktake_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user, library = staff(request)
    stocktake = _stocktake(library, pk)
    labels = reports.category_labels()
    show = request.GET.get("show", MISSING)
    tabs = [*CATEGORIES, *([OUT_OF_ORDER] if stocktake.check_order else [])]
    if show not in tabs:
        show = MISSING
    result = reconcile(stocktake)
    rows = (
        out_of_order(stocktake)[:LIST_LIMIT]
        if show == OUT_OF_ORDER
        else category_rows(stocktake, show, limit=LIST_LIMIT)
    )
    return render(
        request,
        "stocktake/detail.html",
        {
            "stocktake": stocktake,
            "scope": reports.scope_text(stocktake),
            "result": result,
            "labels": labels,
            "tabs": [(key, labels[key], result.counts.get(key)) for key in tabs],
            "show": show,
            "rows": rows,
            "limit": LIST_LIMIT,
            "runs": stocktake.runs.select_related("location", "started_by").order_by("-started_at"),
            "run_form": RunForm(library=library),
            "upload_form": UploadForm(library=library),
            "can_manage": user.has_role(*LIBRARY_WORK),
        },
    )


@role_required(*DESK)
@require_GET
def stocktake_summary(request: HttpRequest, pk: int) -> HttpResponse:
    """The counts alone, for the scan page and the stocktake page to poll while scanners are at work."""
    _user, library = staff(request)
    stocktake = _stocktake(library, pk)
    return render(
        request,
        "stocktake/_summary.html",
        {"stocktake": stocktake, "result": reconcile(stocktake), "labels": reports.category_labels()},
    )


@role_required(*DESK)
@require_POST
def run_new(request: HttpRequest, pk: int) -> HttpResponse:
    user, library = staff(request)
    stocktake = _stocktake(library, pk)
    form = RunForm(request.POST, library=library)
    if not form.is_valid():
        messages.error(request, _("请选择本馆的馆藏地点。"))
        return redirect("stocktake:detail", pk=pk)
    try:
        run = services.run_start(stocktake=stocktake, location=form.cleaned_data["location"], by=user)
    except services.StocktakeRefused as refused:
        messages.error(request, refused.message)
        return redirect("stocktake:detail", pk=pk)
    return redirect("stocktake:scan", pk=pk, run=run.pk)


@role_required(*DESK)
@require_GET
def scan_page(request: HttpRequest, pk: int, run: int) -> HttpResponse:
    _user, library = staff(request)
    stocktake = _stocktake(library, pk)
    scan_run = get_object_or_404(Run.objects.select_related("location"), pk=run, stocktake=stocktake)
    recent = list(
        Scan.objects.filter(run=scan_run).select_related("item__record").order_by("-id")[:15]
    )  # the list goes on from where the scanner left off after a reload
    return render(
        request,
        "stocktake/scan.html",
        {
            "stocktake": stocktake,
            "run": scan_run,
            "recent": recent,
            "run_count": scan_run.scans.count(),
            "result": reconcile(stocktake),
            "labels": reports.category_labels(),
        },
    )


@role_required(*DESK)
@require_POST
def upload(request: HttpRequest, pk: int) -> HttpResponse:
    user, library = staff(request)
    stocktake = _stocktake(library, pk)
    form = UploadForm(request.POST, request.FILES, library=library)
    if not form.is_valid():
        messages.error(request, " ".join(str(error) for errors in form.errors.values() for error in errors))
        return redirect("stocktake:detail", pk=pk)
    file = form.cleaned_data["file"]
    try:
        result = services.scanner_file_upload(
            stocktake=stocktake, data=file.read(), file_name=file.name, location=form.cleaned_data["location"], by=user
        )
    except services.StocktakeRefused as refused:
        messages.error(request, refused.message)
        return redirect("stocktake:detail", pk=pk)
    messages.success(
        request,
        _("已导入 %(name)s（%(encoding)s）：新计 %(taken)d 册，已扫过 %(repeated)d 册，无法识别 %(junk)d 行。")
        % {
            "name": file.name,
            "encoding": result.encoding,
            "taken": result.taken,
            "repeated": result.repeated,
            "junk": len(result.junk),
        },
    )
    return redirect("stocktake:detail", pk=pk)


@role_required(*LIBRARY_WORK)
@require_POST
def finalise(request: HttpRequest, pk: int) -> HttpResponse:
    user, library = staff(request)
    stocktake = _stocktake(library, pk)
    if not request.POST.get("confirm"):
        messages.error(request, _("请先勾选“我已确认扫描完毕”。"))
        return redirect("stocktake:detail", pk=pk)
    try:
        stocktake = services.stocktake_finalise(stocktake=stocktake, by=user)
    except services.StocktakeRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(
            request, _("清点已完成：%(n)d 册未找到，已登记为丢失。") % {"n": stocktake.summary.get("lost", 0)}
        )
    return redirect("stocktake:detail", pk=pk)


@role_required(*DESK)
@require_POST
def return_loan(request: HttpRequest, pk: int, item: int) -> HttpResponse:
    """还书 for a copy on loan found on the shelf: what the desk would do, so desk staff may."""
    user, library = staff(request)
    stocktake = _stocktake(library, pk)
    try:
        done = services.return_found_loan(stocktake=stocktake, item_id=item, by=user)
    except services.StocktakeRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("已还书：%(barcode)s 回到在架。") % {"barcode": done.barcode})
    return redirect(reverse("stocktake:detail", args=[pk]) + "?show=on_loan")


@role_required(*LIBRARY_WORK)
@require_POST
def restore(request: HttpRequest, pk: int, item: int) -> HttpResponse:
    user, library = staff(request)
    stocktake = _stocktake(library, pk)
    try:
        done = services.restore_found(stocktake=stocktake, item_id=item, by=user)
    except services.StocktakeRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("已恢复在架：%(barcode)s。") % {"barcode": done.barcode})
    return redirect(reverse("stocktake:detail", args=[pk]) + "?show=lost")


def _report_name(stocktake: Stocktake, extension: str) -> str:
    day = timezone.localtime(stocktake.finalised_at or stocktake.created_at).strftime("%Y%m%d")
    return f"stocktake-{stocktake.pk}-{day}.{extension}"


@role_required(*LIBRARY_WORK)
@require_GET
def report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    _user, library = staff(request)
    stocktake = _stocktake(library, pk)
    return download(reports.stocktake_pdf(stocktake), _report_name(stocktake, "pdf"), "application/pdf")


@role_required(*LIBRARY_WORK)
@require_GET
def report_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    _user, library = staff(request)
    stocktake = _stocktake(library, pk)
    return download(
        reports.stocktake_xlsx(stocktake),
        _report_name(stocktake, "xlsx"),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
