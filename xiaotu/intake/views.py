"""采编 pages: MARC and Excel imports with their jobs, the batches (总括登记), MARC export and 编号规则.

Each view checks its input with a form, makes one call into jobs.py, services.py or settings_services.py (or a
selector), and renders. Imports and exports are for 管理员 and 馆员; 编号规则 for 管理员 only.
"""

from __future__ import annotations

import time
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect
from django_htmx.middleware import HtmxDetails

from xiaotu.accounts.permissions import LIBRARY_WORK, SETTINGS, role_required, staff_of
from xiaotu.catalogue.models import ItemCategory, Record
from xiaotu.intake import jobs, selectors, services, settings_services
from xiaotu.intake.booklist import BOOK_FIELDS
from xiaotu.intake.forms import (
    BarcodeRangeForm,
    BatchForm,
    ExcelUploadForm,
    ExportForm,
    MappingForm,
    MarcUploadForm,
    NumberingForm,
)
from xiaotu.intake.models import BarcodeRange, Batch, ImportJob, Numbering
from xiaotu.intake.numbering import numbering_for
from xiaotu.interop.marc import MARCXML
from xiaotu.interop.tables import TableError, column_letter, guess_mapping
from xiaotu.schools.models import Library, Location

PROBLEMS_PER_PAGE = 50
ITEMS_PER_PAGE = 50
SAMPLE_ROWS = 8
# A job that has shown no progress for this long was most likely stopped with the server (nothing was written).
STALE_SECONDS = 15 * 60

CONTAINERS = {"iso2709": "ISO 2709", "marcxml": "MARCXML", "sru": _("SRU 响应（MARCXML）")}
FORMATS = {"cnmarc": "CNMARC", "unimarc": "UNIMARC", "marc21": "MARC21"}
ENCODINGS = {"utf-8": "UTF-8", "gb18030": "GB18030", "marc-8": "MARC-8"}
TABLE_FORMATS = {"xlsx": "Excel (.xlsx)", "xls": "Excel 97–2003 (.xls)", "xlsb": "Excel (.xlsb)", "ods": "ODS"}


class HtmxRequest(HttpRequest):
    htmx: HtmxDetails


def _go(request: HtmxRequest, url: str) -> HttpResponse:
    """After an upload: htmx follows a client redirect, a plain form post an ordinary one."""
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def _shelves_ready(library: Library) -> bool:
    return Location.objects.filter(library=library).exists() and ItemCategory.objects.filter(library=library).exists()


# --- imports ----------------------------------------------------------------------------------------------------


@role_required(*LIBRARY_WORK)
@require_GET
def job_list(request: HttpRequest) -> HttpResponse:
    """导入记录 — the recent uploads and what became of them; the 采编 menu opens here."""
    _user, library = staff_of(request)
    page = Paginator(selectors.recent_jobs(library=library), 30).get_page(request.GET.get("page"))
    return render(request, "intake/jobs.html", {"page": page, "jobs": page.object_list})


@role_required(*LIBRARY_WORK)
@require_http_methods(["GET", "POST"])
def marc_upload(request: HtmxRequest) -> HttpResponse:
    """导入 MARC — upload a file with the import options; its preview runs in the background."""
    user, library = staff_of(request)
    max_bytes = jobs.marc_max_bytes()
    posted = request.method == "POST"
    form = MarcUploadForm(
        request.POST if posted else None, request.FILES if posted else None, library=library, max_bytes=max_bytes
    )
    if posted and form.is_valid():
        job = jobs.marc_job_create(
            library=library,
            upload=form.cleaned_data["file"],
            options=form.job_options(language=translation.get_language() or ""),
            by=user,
        )
        return _go(request, reverse("intake:job", args=[job.pk]))
    context = {"form": form, "max_bytes": max_bytes, "ready": _shelves_ready(library), "kind": "marc"}
    return render(request, "intake/upload.html", context, status=400 if form.errors else 200)


@role_required(*LIBRARY_WORK)
@require_http_methods(["GET", "POST"])
def excel_upload(request: HtmxRequest) -> HttpResponse:
    """导入 Excel 书单 — upload a list; the column mapping comes next."""
    user, library = staff_of(request)
    max_bytes = jobs.excel_max_bytes()
    posted = request.method == "POST"
    form = ExcelUploadForm(
        request.POST if posted else None, request.FILES if posted else None, library=library, max_bytes=max_bytes
    )
    if posted and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = jobs.excel_job_create(
                library=library,
                filename=upload.name or "",
                data=upload.read(),
                options=form.job_options(language=translation.get_language() or ""),
                by=user,
            )
        except TableError as error:
            form.add_error("file", str(error))
        else:
            return _go(request, reverse("intake:mapping", args=[job.pk]))
    context = {"form": form, "max_bytes": max_bytes, "ready": _shelves_ready(library), "kind": "excel"}
    return render(request, "intake/upload.html", context, status=400 if form.errors else 200)


def _library_job(library: Library, pk: int) -> ImportJob:
    return get_object_or_404(ImportJob.objects.select_related("batch", "created_by"), library=library, pk=pk)


def _line(value: str) -> int | None:
    return int(value) if value.isdigit() and len(value) < 7 else None


@role_required(*LIBRARY_WORK)
@require_http_methods(["GET", "POST"])
def excel_mapping(request: HttpRequest, pk: int) -> HttpResponse:
    """列对应 — say which column holds what, seeing the header row and the first rows; then the preview."""
    user, library = staff_of(request)
    job = _library_job(library, pk)
    if job.kind != ImportJob.Kind.EXCEL:
        raise Http404
    if job.status not in (ImportJob.Status.UPLOADED, ImportJob.Status.PREVIEWED):
        return redirect("intake:job", pk=job.pk)
    data = request.POST if request.method == "POST" else request.GET
    sheet, header_line = data.get("sheet") or None, _line(data.get("header_line", ""))
    try:
        table = jobs.read_job_table(job, sheet=sheet, header_line=header_line)
    except TableError as error:
        messages.error(request, str(error))
        # a sheet or header line asked for that cannot be read: back to the list as it was read before
        return redirect("intake:mapping", pk=job.pk) if sheet or header_line else redirect("intake:job_list")
    stored = job.options.get("mapping")
    same_table = (table.sheet, table.header_line) == (job.options.get("sheet"), job.options.get("header_line"))
    mapping = stored if stored and same_table else guess_mapping(table.headers, BOOK_FIELDS)
    form = MappingForm(
        request.POST if request.method == "POST" else None,
        headers=table.headers,
        mapping=mapping,
        initial={"sheet": table.sheet, "header_line": table.header_line},
    )
    if request.method == "POST" and form.is_valid():
        try:
            jobs.excel_preview(job=job, table=table, mapping=form.mapping(), by=user)
        except TableError as error:
            form.add_error(None, str(error))
        except jobs.JobRefused as error:
            messages.error(request, error.message)
            return redirect("intake:job", pk=job.pk)
        else:
            return redirect("intake:job", pk=job.pk)
    current = form.mapping() if hasattr(form, "cleaned_data") else mapping
    mapped = {column: name for name, column in current.items() if column is not None}
    labels = {spec.name: spec.label for spec in BOOK_FIELDS}
    columns = [
        {"letter": column_letter(index), "heading": heading, "field": labels.get(mapped.get(index, ""), "")}
        for index, heading in enumerate(table.headers)
    ]
    context = {
        "job": job,
        "form": form,
        "table": table,
        "columns": columns,
        "sample": [(row.line, row.values) for row in table.rows[:SAMPLE_ROWS]],
        "rows": len(table.rows),
    }
    return render(request, "intake/mapping.html", context, status=400 if form.errors else 200)


def _job_context(job: ImportJob, request: HttpRequest) -> dict[str, Any]:
    report = job.report or {}
    running = job.status in (ImportJob.Status.UPLOADED, ImportJob.Status.QUEUED, ImportJob.Status.RUNNING)
    progress = jobs.progress_get(job.pk) if running else None
    last_sign = progress.at if progress else job.created_at.timestamp()
    shown = report.get("result") or report.get("preview") or {}
    show = request.GET.get("show", "")
    problems = [p for p in shown.get("problems", []) if not show or p["severity"] == show]
    problem_page = Paginator(problems, PROBLEMS_PER_PAGE).get_page(request.GET.get("page"))
    totals = shown.get("totals", {})
    file = shown.get("file", {})
    all_or_nothing = bool(job.options.get("all_or_nothing"))
    counts = shown.get("counts", {})
    blocked = ""
    if job.status == ImportJob.Status.PREVIEWED:
        if all_or_nothing and totals.get("error"):
            blocked = _("文件中有 %(n)d 处错误。按“全部或全不”的要求，这个文件不能导入；请修改后重新上传。") % {
                "n": totals["error"]
            }
        elif not counts.get("records_new") and not counts.get("copies"):
            blocked = _("没有可以导入的记录。")
    listed = sum(totals.values()) if totals else 0
    return {
        "job": job,
        "report": report,
        "running": running,
        "progress": progress,
        "stale": running and time.time() - last_sign > STALE_SECONDS,
        "preview": report.get("preview"),
        "result": report.get("result"),
        "shown": shown,
        "counts": counts,
        "totals": totals,
        "problem_page": problem_page,
        "show": show,
        "truncated": listed > len(shown.get("problems", [])),
        "file_format": FORMATS.get(file.get("format", ""), TABLE_FORMATS.get(file.get("format", ""), "")),
        "file_container": CONTAINERS.get(file.get("container", ""), ""),
        "file_encoding": ENCODINGS.get(file.get("encoding", ""), file.get("encoding", "")),
        "unit": _("行") if job.kind == ImportJob.Kind.EXCEL else _("条"),
        "blocked": blocked,
        "all_or_nothing": all_or_nothing,
        "batch_summary": _batch_summary(job),
    }


def _batch_summary(job: ImportJob) -> str:
    """Where the copies will go, as the confirm bar says it."""
    options = job.options
    if isinstance(options.get("batch"), int):
        batch = Batch.objects.filter(library_id=job.library_id, pk=options["batch"]).first()
        if batch is not None:
            return _("加入已有批次 %(number)s") % {"number": batch.number}
    new = options.get("new_batch") or {}
    parts = [new.get("received_on", ""), str(Batch.Source(new.get("source") or Batch.Source.PURCHASE).label)]
    parts += [new.get("vendor", ""), new.get("invoice_number", "")]
    number = new.get("number") or _("自动编号")
    details = pgettext("list separator", "，").join(p for p in parts if p)
    return _("新建批次 %(number)s：%(details)s") % {"number": number, "details": details}


@role_required(*LIBRARY_WORK)
@require_GET
def job_detail(request: HtmxRequest, pk: int) -> HttpResponse:
    """One import: its progress while it runs (polled by htmx), then the preview to confirm, then the result."""
    _user, library = staff_of(request)
    job = _library_job(library, pk)
    if job.kind == ImportJob.Kind.EXCEL and job.status == ImportJob.Status.UPLOADED:
        return redirect("intake:mapping", pk=job.pk)
    template = "intake/_job.html" if request.htmx else "intake/job.html"
    return render(request, template, _job_context(job, request))


@role_required(*LIBRARY_WORK)
@require_POST
def job_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """确认导入 — once; a second click or a second tab finds the job already confirmed and changes nothing."""
    user, library = staff_of(request)
    job = _library_job(library, pk)
    try:
        job = jobs.import_job_confirm(job=job, by=user)
    except jobs.JobRefused as error:
        if error.code == "already":
            messages.info(request, error.message)
        else:
            messages.error(request, error.message)
    else:
        if job.status == ImportJob.Status.DONE:
            messages.success(request, _("导入完成。"))
    return redirect("intake:job", pk=job.pk)


# --- batches ----------------------------------------------------------------------------------------------------


@role_required(*LIBRARY_WORK)
@require_GET
def batch_list(request: HttpRequest) -> HttpResponse:
    """总括登记帐 — every batch with its volumes and total price, counted from its copies."""
    _user, library = staff_of(request)
    page = Paginator(selectors.batch_list(library=library), 50).get_page(request.GET.get("page"))
    context = {"page": page, "batches": page.object_list, "totals": selectors.batch_totals(library=library)}
    return render(request, "intake/batches.html", context)


@role_required(*LIBRARY_WORK)
@require_GET
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _user, library = staff_of(request)
    batch = selectors.batch_with_totals(library=library, pk=pk)
    if batch is None:
        raise Http404
    page = Paginator(selectors.batch_items(batch=batch), ITEMS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "intake/batch.html", {"batch": batch, "page": page, "items": page.object_list})


@role_required(*LIBRARY_WORK)
@require_http_methods(["GET", "POST"])
def batch_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct a batch's header: number, date, source, vendor, invoice, note."""
    user, library = staff_of(request)
    batch = get_object_or_404(selectors.batch_list(library=library), pk=pk)
    if request.method == "POST":
        form = BatchForm(request.POST)
        if form.is_valid():
            try:
                services.batch_update(batch=batch, by=user, **form.cleaned_data)
            except ValidationError as error:
                for message in error.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, _("批次 %(number)s 已保存。") % {"number": form.cleaned_data["number"]})
                return redirect("intake:batch", pk=batch.pk)
    else:
        form = BatchForm(initial={name: getattr(batch, name) for name in services.BATCH_FIELDS})
    return render(request, "intake/batch_edit.html", {"batch": batch, "form": form}, status=400 if form.errors else 200)


# --- export -----------------------------------------------------------------------------------------------------


@role_required(*LIBRARY_WORK)  # type: ignore[type-var]  # typed for HttpResponse; a download streams
@require_GET
def export(request: HttpRequest) -> HttpResponseBase:
    """导出 MARC — the whole catalogue or one batch's records, streamed as the file is written."""
    _user, library = staff_of(request)
    chosen = request.GET.get("batch", "")
    form = ExportForm(
        request.GET if "download" in request.GET else None,
        library=library,
        initial={"batch": chosen if chosen.isdigit() else None},
    )
    if form.is_valid():
        data = form.cleaned_data
        batch = data["batch"]
        records = selectors.export_records(library=library, batch=batch)
        if records.exists():
            xml = data["container"] == MARCXML
            today = timezone.localdate()
            name = f"xiaotu-{library.code}-{batch.number if batch else 'all'}-{today:%Y%m%d}.{'xml' if xml else 'mrc'}"
            response = StreamingHttpResponse(
                selectors.marc_export_chunks(
                    library=library,
                    records=records,
                    marc_format=data["marc_format"],
                    encoding=data["encoding"],
                    container=data["container"],
                    entered=today,
                ),
                content_type="application/marcxml+xml" if xml else "application/marc",
            )
            response["Content-Disposition"] = content_disposition_header(True, name)
            return response
        form.add_error(None, _("没有可以导出的书目。"))
    context = {"form": form, "records": Record.objects.filter(library=library).count()}
    return render(request, "intake/export.html", context, status=400 if form.errors else 200)


# --- numbering (管理员) ------------------------------------------------------------------------------------------


def _numbering_page(
    request: HttpRequest,
    library: Library,
    *,
    form: NumberingForm | None = None,
    range_form: BarcodeRangeForm | None = None,
    status: int = 200,
) -> HttpResponse:
    numbering = numbering_for(library)
    ranges = selectors.barcode_ranges(library=library)
    highest = settings_services.highest_accession_in_use(
        library=library, prefix=numbering.accession_prefix, width=numbering.accession_width
    )
    width = numbering.accession_width
    context = {
        "numbering": numbering,
        "form": form
        or NumberingForm(initial={name: getattr(numbering, name) for name in settings_services.NUMBERING_FIELDS}),
        "range_form": range_form or BarcodeRangeForm(),
        "ranges": [(r, f"{r.prefix}{r.next:0{r.width}d}") for r in ranges],
        "remaining": sum(max(0, r.remaining) for r in ranges),
        "next_accession": f"{numbering.accession_prefix}{numbering.accession_last + 1:0{width}d}",
        "highest": f"{numbering.accession_prefix}{highest:0{width}d}" if highest else "",
        "highest_number": highest,
        "range_mode": numbering.barcode_mode == Numbering.BarcodeMode.RANGE,
    }
    return render(request, "intake/numbering.html", context, status=status)


@role_required(*SETTINGS)
@require_http_methods(["GET", "POST"])
def numbering(request: HttpRequest) -> HttpResponse:
    """编号规则 — accession numbers, barcodes and call numbers for new copies."""
    user, library = staff_of(request)
    if request.method != "POST":
        return _numbering_page(request, library)
    form = NumberingForm(request.POST)
    if form.is_valid():
        try:
            saved = settings_services.numbering_update(library=library, values=form.values(), by=user)
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("编号规则已保存。"))
            if saved.barcode_mode == Numbering.BarcodeMode.RANGE and not any(
                r.remaining > 0 for r in selectors.barcode_ranges(library=library)
            ):
                messages.warning(request, _("还没有可用的预印条码段：请先登记条码段，否则导入时会因条码不够而失败。"))
            return redirect("intake:numbering")
    return _numbering_page(request, library, form=form, status=400)


@role_required(*SETTINGS)
@require_POST
def range_add(request: HttpRequest) -> HttpResponse:
    user, library = staff_of(request)
    form = BarcodeRangeForm(request.POST)
    if form.is_valid():
        try:
            data = form.cleaned_data
            added = settings_services.barcode_range_add(
                library=library,
                prefix=data["range_prefix"] or "",
                width=data["width"],
                first=data["first"],
                last=data["last"],
                by=user,
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("已登记条码段 %(range)s。") % {"range": str(added)})
            return redirect("intake:numbering")
    return _numbering_page(request, library, range_form=form, status=400)


@role_required(*SETTINGS)
@require_POST
def range_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user, library = staff_of(request)
    barcode_range = get_object_or_404(BarcodeRange, library=library, pk=pk)
    try:
        settings_services.barcode_range_remove(barcode_range=barcode_range, by=user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("已删除条码段 %(range)s。") % {"range": str(barcode_range)})
    return redirect("intake:numbering")
