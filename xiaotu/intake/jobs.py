"""导入任务 — an uploaded MARC file or book list: saved, previewed (a dry run), confirmed once, imported, reported.

A MARC job's preview and import both run in the background (tasks.py); an Excel list is read in the request for
its column mapping, previewed there, and imported there too when it is small. Whatever happens, the job row keeps
its report for the librarian to reopen. The import itself is one transaction (importing.apply_import), so a job
that fails or is killed half-way leaves nothing behind but its own row.

While a job runs its progress is kept in Django's cache, not in the job row: the import's transaction is open
then, and the web request polling the page must read the progress without waiting for it.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path, PureWindowsPath
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xiaotu.accounts.models import User
from xiaotu.catalogue.models import ItemCategory
from xiaotu.intake.booklist import BOOK_FIELDS, parse_booklist
from xiaotu.intake.importing import BatchInfo, ImportOptions, ImportPlan, ImportRefused, problems_report
from xiaotu.intake.incoming import Problem
from xiaotu.intake.models import Batch, ImportJob
from xiaotu.intake.numbering import NumberingError
from xiaotu.intake.services import Outcome, booklist_import, marc_import
from xiaotu.interop.marc import DEFAULT_MAX_BYTES, MarcFileError
from xiaotu.interop.tables import MAX_BYTES as TABLE_MAX_BYTES
from xiaotu.interop.tables import Table, TableError, read_table
from xiaotu.schools.models import Library, Location

logger = logging.getLogger(__name__)

PREVIEW_RECORDS = 20
REPORT_PROBLEMS = 1000
# A list this short imports within the request: a second or two, and the librarian sees the result at once.
EXCEL_SYNC_ROWS = 2000
PROGRESS_TIMEOUT = 6 * 60 * 60
FAILED_UNEXPECTEDLY = gettext_lazy("导入时出现了意外错误，没有写入任何内容。请把文件发给技术支持。")
# What each kind of job may be refused with, as one message for the librarian.
FILE_ERRORS = (MarcFileError, TableError, ImportRefused, NumberingError)

Status = ImportJob.Status


class JobRefused(Exception):
    """The job cannot move on (already confirmed, or all-or-nothing with errors); `message` is for the librarian."""

    def __init__(self, code: str, message: str) -> None:
        self.code, self.message = code, message
        super().__init__(message)


def marc_max_bytes() -> int:
    return int(getattr(settings, "XIAOTU_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


def excel_max_bytes() -> int:
    return min(marc_max_bytes(), TABLE_MAX_BYTES)


# --- options ----------------------------------------------------------------------------------------------------


def import_options(library: Library, options: dict[str, Any]) -> ImportOptions:
    """The ImportOptions a job's stored options mean now (a batch, location or category chosen since removed is
    left to the defaults)."""

    def pick(model: type[Batch] | type[Location] | type[ItemCategory], key: str) -> Any:
        pk = options.get(key)
        return model.objects.filter(library=library, pk=pk).first() if isinstance(pk, int) else None

    batch = pick(Batch, "batch")
    new = options.get("new_batch") or {}
    received_on = dt.date.fromisoformat(new["received_on"]) if new.get("received_on") else timezone.localdate()
    info = BatchInfo(
        received_on=received_on,
        source=new.get("source") or Batch.Source.PURCHASE,
        vendor=new.get("vendor", ""),
        invoice_number=new.get("invoice_number", ""),
        note=new.get("note", ""),
        number=new.get("number", ""),
    )
    return ImportOptions(
        batch=batch,
        new_batch=None if batch else info,
        location=pick(Location, "location"),
        category=pick(ItemCategory, "category"),
        copies_without_holdings=int(options.get("copies_without_holdings", 1)),
        keep_call_numbers=bool(options.get("keep_call_numbers", True)),
        all_or_nothing=bool(options.get("all_or_nothing", False)),
    )


# --- uploads ----------------------------------------------------------------------------------------------------

_SUFFIX = re.compile(r"\.[A-Za-z0-9]{1,8}$")


def _uploads_dir() -> Path:
    folder = Path(settings.DATA_DIR) / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _display_name(name: str) -> str:
    return PureWindowsPath(name or "upload").name[:255] or "upload"


def _store(filename: str, content: UploadedFile[bytes] | bytes) -> Path:
    """Keep the upload under DATA_DIR/uploads with a name of our own; the user's name is kept on the job."""
    match = _SUFFIX.search(filename)
    path = _uploads_dir() / f"{uuid.uuid4().hex}{match.group(0).lower() if match else ''}"
    with path.open("wb") as out:
        if isinstance(content, bytes):
            out.write(content)
        else:
            for chunk in content.chunks():
                out.write(chunk)
    return path


def _discard_upload(job: ImportJob) -> None:
    """A finished or failed job does not need its file again; the report stays."""
    if job.path:
        Path(job.path).unlink(missing_ok=True)


def marc_job_create(
    *, library: Library, upload: UploadedFile[bytes], options: dict[str, Any], by: User | None
) -> ImportJob:
    """导入 MARC — save the upload and queue its preview (a dry run) in the background."""
    filename = _display_name(upload.name or "")
    path = _store(filename, upload)
    with transaction.atomic():
        job = ImportJob.objects.create(
            library=library,
            kind=ImportJob.Kind.MARC,
            filename=filename,
            path=str(path),
            options=options,
            status=Status.UPLOADED,
            created_by=by,
        )
        _queue("preview_job", job.pk)
    progress_set(job.pk, "queued")
    return job


def excel_job_create(
    *, library: Library, filename: str, data: bytes, options: dict[str, Any], by: User | None
) -> ImportJob:
    """导入 Excel 书单 — keep a list that can be read as a table; the column mapping comes next. TableError when
    it cannot be read (nothing is kept then)."""
    filename = _display_name(filename)
    table = read_table(data, filename=filename, fields=BOOK_FIELDS, max_bytes=excel_max_bytes())
    path = _store(filename, data)
    return ImportJob.objects.create(
        library=library,
        kind=ImportJob.Kind.EXCEL,
        filename=filename,
        path=str(path),
        options={**options, "sheet": table.sheet, "header_line": table.header_line},
        status=Status.UPLOADED,
        total=len(table.rows),
        created_by=by,
    )


def read_job_table(job: ImportJob, *, sheet: str | None = None, header_line: int | None = None) -> Table:
    """The job's list read again, from the sheet and header line chosen (or stored on the job)."""
    try:
        data = Path(job.path).read_bytes()
    except OSError:
        raise TableError("corrupt") from None
    return read_table(
        data,
        filename=job.filename,
        sheet=sheet if sheet is not None else job.options.get("sheet"),
        header_line=header_line if header_line is not None else job.options.get("header_line"),
        fields=BOOK_FIELDS,
        max_bytes=excel_max_bytes(),
    )


def _queue(task: str, job_id: int) -> None:
    """Queue a task once the job row is committed, so the worker thread finds it."""
    from xiaotu.intake import tasks  # tasks imports this module

    transaction.on_commit(partial(getattr(tasks, task), job_id))


# --- progress ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class JobProgress:
    """Where a running job is: phase "queued", "read" (done/total are bytes or rows), "write" or "done"."""

    phase: str
    done: int
    total: int
    at: float

    @property
    def percent(self) -> int | None:
        if self.phase != "read" or self.total <= 0:
            return None
        return min(100, self.done * 100 // self.total)


def _progress_key(job_id: int) -> str:
    return f"xiaotu:intake:job:{job_id}:progress"


def progress_set(job_id: int, phase: str, done: int = 0, total: int = 0) -> None:
    cache.set(
        _progress_key(job_id),
        {"phase": phase, "done": done, "total": total, "at": time.time()},
        timeout=PROGRESS_TIMEOUT,
    )


def progress_get(job_id: int) -> JobProgress | None:
    value = cache.get(_progress_key(job_id))
    if not isinstance(value, dict):
        return None
    return JobProgress(
        phase=str(value.get("phase", "")),
        done=int(value.get("done", 0)),
        total=int(value.get("total", 0)),
        at=float(value.get("at", 0.0)),
    )


def _reporter(job_id: int, *, writing: bool) -> Callable[[str, int, int], None]:
    """The importer's progress(phase, done, total), passed on to the cache in the job page's own phases."""

    def progress(phase: str, done: int, total: int) -> None:
        if phase in ("store", "index") or (writing and phase == "read" and total and done >= total):
            progress_set(job_id, "write")
        elif phase == "read":
            progress_set(job_id, "read", done, total)

    return progress


# --- reports ----------------------------------------------------------------------------------------------------


def _records_preview(plan: ImportPlan) -> list[dict[str, Any]]:
    rows = []
    for entry in plan.records[:PREVIEW_RECORDS]:
        incoming = entry.incoming
        rows.append(
            {
                "position": incoming.position,
                "title": incoming.title,
                "author": incoming.author,
                "isbn": incoming.isbn or next(iter(incoming.other_isbns), ""),
                "clc_class": incoming.clc_class,
                "call_number": entry.call_number,
                "matched": entry.existing_id is not None,
                "copies": len(entry.copies),
            }
        )
    return rows


def _problems(problems: Sequence[Problem], extra: Sequence[dict[str, Any]] = ()) -> dict[str, Any]:
    """The problems as the report keeps them: the first REPORT_PROBLEMS in file order, and the totals of all."""
    listed = sorted([*problems_report(problems, REPORT_PROBLEMS), *extra], key=lambda p: p["position"])
    totals = {"error": 0, "warning": 0, "skipped": len(extra)}
    for problem in problems:
        totals["error" if problem.severity == "error" else "warning"] += 1
    return {"problems": listed[:REPORT_PROBLEMS], "totals": totals}


def _report(outcome: Outcome) -> dict[str, Any]:
    return {"file": outcome.file, "counts": outcome.counts, "records": _records_preview(outcome.plan)}


def _fail(job: ImportJob, message: object, problems: Sequence[Problem] = ()) -> None:
    job.status = Status.FAILED
    job.report = {**job.report, "error": str(message), "error_problems": problems_report(problems, REPORT_PROBLEMS)}
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "report", "finished_at"])
    progress_set(job.pk, "done")
    _discard_upload(job)


def _refusal(error: Exception) -> tuple[str, Sequence[Problem]]:
    return str(getattr(error, "message", error)), getattr(error, "problems", ())


# --- running ----------------------------------------------------------------------------------------------------


def _user(pk: object) -> User | None:
    return User.objects.filter(pk=pk).first() if isinstance(pk, int) else None


def _run_marc(job: ImportJob, *, dry_run: bool, by: User | None) -> Outcome:
    options = job.options
    return marc_import(
        library=job.library,
        source=job.path,
        options=import_options(job.library, options),
        by=by,
        marc_format=options.get("marc_format") or None,
        encoding=options.get("encoding") or None,
        dry_run=dry_run,
        progress=_reporter(job.pk, writing=not dry_run),
    )


def _run_excel(
    job: ImportJob, table: Table, options: dict[str, Any], *, dry_run: bool, by: User | None
) -> tuple[Outcome, list[dict[str, Any]]]:
    """The list imported (or, in a dry run, planned) with the mapping in `options`; and its skipped rows."""
    mapping: dict[str, int | None] = options.get("mapping") or {}
    skipped = [
        {"position": p.line, "code": p.code, "message": str(p.message), "severity": "skipped"}
        for p in parse_booklist(table, mapping).skipped
    ]
    if not dry_run:
        progress_set(job.pk, "write")
    outcome = booklist_import(
        library=job.library,
        table=table,
        mapping=mapping,
        options=import_options(job.library, options),
        by=by,
        dry_run=dry_run,
    )
    return outcome, skipped


def run_preview(job_id: int) -> None:
    """预览 — read the MARC file and plan its import without writing; the preview goes into the job's report."""
    job = ImportJob.objects.select_related("library").filter(pk=job_id, status=Status.UPLOADED).first()
    if job is None or job.kind != ImportJob.Kind.MARC:
        return
    with translation.override(job.options.get("language") or settings.LANGUAGE_CODE):
        progress_set(job.pk, "read", 0, 0)
        try:
            outcome = _run_marc(job, dry_run=True, by=job.created_by)
        except FILE_ERRORS as error:
            _fail(job, *_refusal(error))
            return
        except Exception:
            logger.exception("preview of import job %s failed", job.pk)
            _fail(job, FAILED_UNEXPECTEDLY)
            return
        report = {**job.report, "preview": {**_report(outcome), **_problems(outcome.problems)}}
    read = outcome.counts["read"]
    ImportJob.objects.filter(pk=job.pk, status=Status.UPLOADED).update(
        status=Status.PREVIEWED, report=report, total=read, progress=read
    )
    progress_set(job.pk, "done")


def excel_preview(*, job: ImportJob, table: Table, mapping: dict[str, int | None], by: User | None) -> ImportJob:
    """预览 Excel 书单 — check the list, as read from the sheet and header line chosen, with this column mapping;
    nothing is written. TableError when the mapping cannot be used (the job is left as it was)."""
    if job.status not in (Status.UPLOADED, Status.PREVIEWED):
        raise JobRefused("not_editable", _("这个导入任务已经确认过，不能再修改列对应。"))
    options = {**job.options, "mapping": mapping, "sheet": table.sheet, "header_line": table.header_line}
    outcome, skipped = _run_excel(job, table, options, dry_run=True, by=by)
    job.options = options
    job.total = len(table.rows)
    job.status = Status.PREVIEWED
    job.report = {**job.report, "preview": {**_report(outcome), **_problems(outcome.problems, skipped)}}
    job.save(update_fields=["options", "total", "status", "report"])
    return job


def import_job_confirm(*, job: ImportJob, by: User | None) -> ImportJob:
    """确认导入 — start the real import exactly once: a second confirm (a double click, another tab) is refused.

    A MARC file, or a long list, is imported by the background worker; a short list right here.
    """
    preview = job.report.get("preview") or {}
    if job.status == Status.PREVIEWED and job.options.get("all_or_nothing") and preview["totals"]["error"]:
        raise JobRefused(
            "problems",
            _("文件中有 %(n)d 处错误，按“全部或全不”的要求不能导入。请修改文件后重新上传。")
            % {"n": preview["totals"]["error"]},
        )
    at_once = job.kind == ImportJob.Kind.EXCEL and job.total <= EXCEL_SYNC_ROWS
    options = {**job.options, "confirmed_by": by.pk if by else None}
    with transaction.atomic():
        claimed = ImportJob.objects.filter(pk=job.pk, status=Status.PREVIEWED).update(
            status=Status.QUEUED, options=options
        )
        if not claimed:
            if ImportJob.objects.filter(pk=job.pk, status__in=(Status.QUEUED, Status.RUNNING, Status.DONE)).exists():
                raise JobRefused("already", _("这个文件已经确认导入过了，没有再导入一次。"))
            raise JobRefused("not_previewed", _("这个导入任务还没有可以确认的预览。"))
        if not at_once:
            _queue("import_job", job.pk)
    progress_set(job.pk, "queued")
    if at_once:
        run_import(job.pk)
    job.refresh_from_db()
    return job


def run_import(job_id: int) -> None:
    """导入 — write the batch, records and copies in one transaction; the result goes into the job's report."""
    if not ImportJob.objects.filter(pk=job_id, status=Status.QUEUED).update(status=Status.RUNNING):
        return  # already taken (a task delivered twice) or not confirmed
    job = ImportJob.objects.select_related("library").get(pk=job_id)
    by = _user(job.options.get("confirmed_by")) or job.created_by
    with translation.override(job.options.get("language") or settings.LANGUAGE_CODE):
        progress_set(job.pk, "read", 0, 0)
        skipped: list[dict[str, Any]] = []
        try:
            if job.kind == ImportJob.Kind.EXCEL:
                outcome, skipped = _run_excel(job, read_job_table(job), job.options, dry_run=False, by=by)
            else:
                outcome = _run_marc(job, dry_run=False, by=by)
        except FILE_ERRORS as error:
            _fail(job, *_refusal(error))
            return
        except Exception:
            logger.exception("import job %s failed", job.pk)
            _fail(job, FAILED_UNEXPECTEDLY)
            return
        result = outcome.result
        assert result is not None
        job.report = {
            **job.report,
            "result": {
                **_report(outcome),
                **_problems(outcome.problems, skipped),
                "batch": result.batch.pk if result.batch else None,
            },
        }
    job.status = Status.DONE
    job.batch = result.batch
    job.progress = job.total = outcome.counts["read"]
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "batch", "report", "progress", "total", "finished_at"])
    progress_set(job.pk, "done")
    _discard_upload(job)
