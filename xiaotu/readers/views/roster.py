"""Reader pages: roster — import the school's pupil or staff roster: upload, columns, preview, confirm, result.

For 管理员 and 馆员. Each view checks its input with a form, makes one call into roster_uploads.py or
importing.py, and renders. The preview is worked out again from the file each time it is shown, so it always
compares the roster with the readers as they are now; nothing is written before 确认导入.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xiaotu.accounts.permissions import LIBRARY_WORK, role_required, staff_of
from xiaotu.interop.tables import MAX_BYTES, Severity, Table, TableError, column_letter, guess_mapping
from xiaotu.readers.importing import RosterPlan, plan_roster, readers_import
from xiaotu.readers.models import Reader, ReaderType, SchoolClass
from xiaotu.readers.roster import ROSTER_FIELDS, Action, RosterOptions, RosterRefused
from xiaotu.readers.roster_forms import RosterMappingForm, RosterUploadForm
from xiaotu.readers.roster_uploads import (
    RosterUpload,
    upload_claim,
    upload_create,
    upload_finish,
    upload_get,
    upload_release,
    upload_save,
    upload_table,
)
from xiaotu.schools.models import Library

SAMPLE_ROWS = 8
PROBLEMS_PER_PAGE = 50
LISTED_ROWS = 100
RESULT_ROWS = 200
TABLE_FORMATS = {"xlsx": "Excel (.xlsx)", "xls": "Excel 97–2003 (.xls)", "xlsb": "Excel (.xlsb)", "ods": "ODS"}


def _upload(library: Library, token: str) -> RosterUpload:
    upload = upload_get(library=library, token=token)
    if upload is None:
        raise Http404
    return upload


def _line(value: str) -> int | None:
    return int(value) if value.isdigit() and len(value) < 7 else None


def _reader_types(library: Library) -> Any:
    return ReaderType.objects.filter(library=library).order_by("-kind", "pk")  # 学生 before 教职工


def _options(library: Library, upload: RosterUpload) -> RosterOptions:
    reader_type = _reader_types(library).filter(pk=upload.reader_type_id).first() if upload.reader_type_id else None
    return RosterOptions(reader_type=reader_type, create_classes=upload.create_classes)


@role_required(*LIBRARY_WORK)
@require_http_methods(["GET", "POST"])
def roster_upload(request: HttpRequest) -> HttpResponse:
    """导入花名册 — upload the school's Excel or CSV roster; the column mapping comes next."""
    user, library = staff_of(request)
    posted = request.method == "POST"
    form = RosterUploadForm(request.POST if posted else None, request.FILES if posted else None, max_bytes=MAX_BYTES)
    if posted and form.is_valid():
        file = form.cleaned_data["file"]
        try:
            upload = upload_create(
                library=library, filename=file.name or "", data=file.read(), by=user, max_bytes=MAX_BYTES
            )
        except TableError as error:
            form.add_error("file", str(error))
        else:
            return redirect("readers:roster_mapping", token=upload.token)
    context = {"form": form, "max_bytes": MAX_BYTES, "has_types": _reader_types(library).exists()}
    return render(request, "readers/roster/upload.html", context, status=400 if form.errors else 200)


@role_required(*LIBRARY_WORK)
@require_http_methods(["GET", "POST"])
def roster_mapping(request: HttpRequest, token: str) -> HttpResponse:
    """列对应 — which column holds what, seeing the header row and the first rows; the two choices; then preview."""
    _user, library = staff_of(request)
    upload = _upload(library, token)
    if upload.done:
        return redirect("readers:roster_result", token=upload.token)
    data = request.POST if request.method == "POST" else request.GET
    sheet, header_line = data.get("sheet") or None, _line(data.get("header_line", ""))
    try:
        table = upload_table(upload, sheet=sheet, header_line=header_line, max_bytes=MAX_BYTES)
    except TableError as error:
        messages.error(request, str(error))
        if sheet or header_line:
            return redirect("readers:roster_mapping", token=upload.token)
        return redirect("readers:roster_upload")
    same_table = (table.sheet or None, table.header_line) == (upload.sheet, upload.header_line)
    mapping = upload.mapping if upload.mapping and same_table else guess_mapping(table.headers, ROSTER_FIELDS)
    reader_types = _reader_types(library)
    default_type = upload.reader_type_id or _default_type_id(reader_types)
    no_classes_yet = not SchoolClass.objects.filter(library=library, active=True).exists()
    create = upload.create_classes if upload.mapping else no_classes_yet
    form = RosterMappingForm(
        request.POST if request.method == "POST" else None,
        headers=table.headers,
        mapping=mapping,
        reader_types=reader_types,
        initial={
            "sheet": table.sheet,
            "header_line": table.header_line,
            "default_type": default_type,
            "missing_classes": "create" if create else "refuse",
        },
    )
    if request.method == "POST" and form.is_valid():
        upload.sheet, upload.header_line = table.sheet or None, table.header_line
        upload.mapping = form.mapping()
        upload.reader_type_id = form.cleaned_data["default_type"].pk
        upload.create_classes = form.cleaned_data["missing_classes"] == "create"
        upload_save(upload)
        return redirect("readers:roster_preview", token=upload.token)
    current = form.mapping() if hasattr(form, "cleaned_data") else mapping
    mapped = {column: name for name, column in current.items() if column is not None}
    labels = {spec.name: spec.label for spec in ROSTER_FIELDS}
    columns = [
        {"letter": column_letter(index), "heading": heading, "field": labels.get(mapped.get(index, ""), "")}
        for index, heading in enumerate(table.headers)
    ]
    context = {
        "upload": upload,
        "form": form,
        "table": table,
        "columns": columns,
        "sample": [(row.line, row.values) for row in table.rows[:SAMPLE_ROWS]],
        "rows": len(table.rows),
    }
    return render(request, "readers/roster/mapping.html", context, status=400 if form.errors else 200)


def _summary(counts: dict[str, int], *, strong: bool) -> list[SafeString]:
    """What an import does, in as many parts as it does things: 新增 3 名读者, 新建 2 个班级."""
    number = "<strong>{}</strong>" if strong else "{}"
    parts = [
        (counts.get("new", 0), _("新增 %(n)s 名读者")),
        (counts.get("updated", 0), _("更新 %(n)s 名读者")),
        (counts.get("classes_new", 0), _("新建 %(n)s 个班级")),
    ]
    return [format_html(text.replace("%(n)s", number), n) for n, text in parts if n]


def _default_type_id(reader_types: Any) -> int | None:
    types = list(reader_types)
    for reader_type in types:
        if reader_type.code == "student":
            return int(reader_type.pk)
    students = [t for t in types if t.kind == ReaderType.Kind.STUDENT]
    return int((students or types)[0].pk) if types else None


def _plan(request: HttpRequest, library: Library, upload: RosterUpload) -> tuple[RosterPlan | None, Table | None]:
    """The import as it would run now, or (None, None) with a message when the file or library cannot take it."""
    try:
        table = upload_table(upload, max_bytes=MAX_BYTES)
        plan = plan_roster(
            library=library,
            table=table,
            mapping=upload.mapping or {},
            options=_options(library, upload),
            filename=upload.filename,
        )
    except (TableError, RosterRefused) as error:
        messages.error(request, str(error.message))
        return None, None
    return plan, table


@role_required(*LIBRARY_WORK)
@require_GET
def roster_preview(request: HttpRequest, token: str) -> HttpResponse:
    """预览 — every row's problem, the classes to create, who is new, who changes, who is not in the file."""
    _user, library = staff_of(request)
    upload = _upload(library, token)
    if upload.done:
        return redirect("readers:roster_result", token=upload.token)
    if upload.mapping is None:
        return redirect("readers:roster_mapping", token=upload.token)
    plan, table = _plan(request, library, upload)
    if plan is None or table is None:
        return redirect("readers:roster_mapping", token=upload.token)
    preview = plan.preview
    show = request.GET.get("show", "")
    shown = [p for p in preview.problems if not show or p.severity == show]
    new, updated = preview.of(Action.NEW), preview.of(Action.UPDATE)
    context = {
        "upload": upload,
        "plan": plan,
        "preview": preview,
        "counts": plan.counts(),
        "table": table,
        "file_format": TABLE_FORMATS.get(table.source_format, table.source_format.upper()),
        "reader_type": plan.options.reader_type,
        "problem_page": Paginator(shown, PROBLEMS_PER_PAGE).get_page(request.GET.get("page")),
        "show": show,
        "severity": Severity,
        "new_rows": new[:LISTED_ROWS],
        "new_more": max(0, len(new) - LISTED_ROWS),
        "updated_rows": updated[:LISTED_ROWS],
        "updated_more": max(0, len(updated) - LISTED_ROWS),
        "summary": _summary(plan.counts(), strong=True),
    }
    return render(request, "readers/roster/preview.html", context)


@role_required(*LIBRARY_WORK)
@require_POST
def roster_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """确认导入 — once: a second click or a second tab finds the upload already confirmed and changes nothing."""
    user, library = staff_of(request)
    upload = _upload(library, token)
    if upload.done or not upload_claim(upload):
        messages.info(request, _("这个文件已经确认导入过了，没有再导入一次。"))
        return redirect("readers:roster_result", token=upload.token)
    if upload.mapping is None:
        upload_release(upload)
        return redirect("readers:roster_mapping", token=upload.token)
    try:
        table = upload_table(upload, max_bytes=MAX_BYTES)
        outcome = readers_import(
            library=library,
            table=table,
            mapping=upload.mapping,
            options=_options(library, upload),
            by=user,
            filename=upload.filename,
        )
    except (TableError, RosterRefused) as error:
        upload_release(upload)
        messages.error(request, str(error.message))
        return redirect("readers:roster_preview", token=upload.token)
    except IntegrityError:
        # a card or 学号 given to someone else between the plan and the write (a reader added by hand meanwhile)
        upload_release(upload)
        messages.error(request, _("导入时本馆的读者正好有变动，没有写入任何内容。请看一下新的预览，再确认导入。"))
        return redirect("readers:roster_preview", token=upload.token)
    except Exception:
        upload_release(upload)
        raise
    result = outcome.result
    assert result is not None
    preview = outcome.plan.preview
    upload_finish(
        upload,
        {
            "at": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
            "by": str(user),
            "counts": result.counts,
            "changed": result.changed_anything,
            "created": result.created_ids,
            "classes": [c.name for c in preview.new_classes],
            "updated": [
                {
                    "line": row.line,
                    "name": row.name,
                    "changes": [[str(c.label), c.old_text, c.new_text] for c in row.changes],
                }
                for row in preview.of(Action.UPDATE)[:RESULT_ROWS]
            ],
            "problems": [p.as_dict() for p in preview.problems if p.severity == Severity.ERROR][:RESULT_ROWS],
        },
    )
    return redirect("readers:roster_result", token=upload.token)


@role_required(*LIBRARY_WORK)
@require_GET
def roster_result(request: HttpRequest, token: str) -> HttpResponse:
    """导入结果 — what the import did, and the new readers with their cards."""
    _user, library = staff_of(request)
    upload = _upload(library, token)
    if upload.result is None:
        return redirect("readers:roster_preview", token=upload.token)
    created_ids = upload.result.get("created", [])
    created = list(
        Reader.objects.filter(library=library, pk__in=created_ids[:5000])
        .select_related("school_class", "reader_type")
        .order_by(
            F("school_class__grade__number").asc(nulls_last=True), "school_class__number", "student_number", "pk"
        )[:RESULT_ROWS]
    )
    context = {
        "upload": upload,
        "result": upload.result,
        "counts": upload.result.get("counts", {}),
        "created": created,
        "created_more": max(0, len(created_ids) - len(created)),
        "summary": _summary(upload.result.get("counts", {}), strong=False),
    }
    return render(request, "readers/roster/result.html", context)


urlpatterns: list[URLPattern] = [
    path("roster/", roster_upload, name="roster_upload"),
    path("roster/<str:token>/columns/", roster_mapping, name="roster_mapping"),
    path("roster/<str:token>/preview/", roster_preview, name="roster_preview"),
    path("roster/<str:token>/confirm/", roster_confirm, name="roster_confirm"),
    path("roster/<str:token>/result/", roster_result, name="roster_result"),
]
