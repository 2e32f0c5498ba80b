"""Intake writes: importing a MARC file or an Excel book list (read, plan, and unless a dry run apply in one
transaction), and correcting a batch's 总括登记 header."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaotu.accounts.models import User
from xiaotu.accounts.services import audit_record
from xiaotu.bulk import paused_gc
from xiaotu.intake.booklist import parse_booklist
from xiaotu.intake.importing import ImportOptions, ImportPlan, ImportResult, Progress, apply_import, plan_import
from xiaotu.intake.incoming import Problem
from xiaotu.intake.models import Batch
from xiaotu.intake.sources import from_booklist, marc_incoming
from xiaotu.interop.marc import open_marc
from xiaotu.interop.tables import Severity, Table
from xiaotu.schools.models import Library


@dataclass(slots=True)
class Outcome:
    """What an import found and did: the file's description, the counts, the problems, and the result if applied."""

    file: dict[str, Any]
    plan: ImportPlan
    result: ImportResult | None = None
    problems: list[Problem] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        return self.result.counts if self.result else self.plan.counts()


def marc_import(
    *,
    library: Library,
    source: bytes | str,
    options: ImportOptions,
    by: User | None,
    marc_format: str | None = None,
    encoding: str | None = None,
    dry_run: bool = False,
    at: dt.datetime | None = None,
    progress: Progress | None = None,
) -> Outcome:
    """Import a MARC file (bytes or a path). MarcFileError for a file that is not usable at all; ImportRefused
    when all-or-nothing finds problems. A dry run plans everything and writes nothing."""
    marc_file = open_marc(source, encoding=encoding, marc_format=marc_format)
    info = marc_file.info
    problems: list[Problem] = []
    with paused_gc():
        plan = plan_import(library=library, incoming=marc_incoming(marc_file, problems, progress), options=options)
    if progress:
        progress("read", info.size, info.size)
    plan.problems[:0] = problems
    plan.problems.sort(key=lambda p: p.position)
    described = {
        "container": info.container,
        "format": info.format,
        "encoding": info.encoding,
        "encoding_reason": str(info.encoding_message),
        "size": info.size,
    }
    outcome = Outcome(file=described, plan=plan, problems=plan.problems)
    if not dry_run:
        with paused_gc():
            outcome.result = apply_import(plan=plan, by=by, at=at, progress=progress)
    return outcome


def booklist_import(
    *,
    library: Library,
    table: Table,
    mapping: dict[str, int | None],
    options: ImportOptions,
    by: User | None,
    dry_run: bool = False,
    at: dt.datetime | None = None,
) -> Outcome:
    """Import the rows of an Excel/CSV book list with the (confirmed) column mapping."""
    preview = parse_booklist(table, mapping)
    problems = [
        Problem(p.line, p.code, p.message, "error" if p.severity == Severity.ERROR else "warning")
        for p in preview.problems
        if p.severity in (Severity.ERROR, Severity.WARNING)
    ]
    plan = plan_import(library=library, incoming=(from_booklist(row) for row in preview.rows), options=options)
    plan.problems[:0] = problems
    plan.problems.sort(key=lambda p: p.position)
    described = {"format": table.source_format, "encoding": table.encoding or "", "sheet": table.sheet or ""}
    outcome = Outcome(file=described, plan=plan, problems=plan.problems)
    if not dry_run:
        outcome.result = apply_import(plan=plan, by=by, at=at)
    return outcome


BATCH_FIELDS = ("number", "received_on", "source", "vendor", "invoice_number", "note")


def batch_update(
    *,
    batch: Batch,
    by: User | None,
    number: str,
    received_on: dt.date,
    source: str,
    vendor: str,
    invoice_number: str,
    note: str,
    at: dt.datetime | None = None,
) -> Batch:
    """Correct a batch's 总括登记 header. Copies whose 入藏日期 was the batch's old date take the new one, so the
    registers keep agreeing; ValidationError for an empty or taken batch number."""
    number = number.strip()
    if not number:
        raise ValidationError(_("请填写批次号。"))
    if source not in Batch.Source.values:
        raise ValidationError(_("来源不正确。"))
    with transaction.atomic():
        batch = Batch.objects.select_for_update().get(pk=batch.pk)
        if Batch.objects.filter(library_id=batch.library_id, number=number).exclude(pk=batch.pk).exists():
            raise ValidationError(_("批次号 %(number)s 已被另一个批次使用。") % {"number": number})
        before = {name: str(getattr(batch, name)) for name in BATCH_FIELDS}
        old_date = batch.received_on
        batch.number, batch.received_on, batch.source = number, received_on, source
        batch.vendor, batch.invoice_number, batch.note = vendor.strip(), invoice_number.strip(), note.strip()
        after = {name: str(getattr(batch, name)) for name in BATCH_FIELDS}
        if after == before:
            return batch
        batch.save(update_fields=list(BATCH_FIELDS))
        redated = 0
        if received_on != old_date:
            redated = batch.items.filter(acquired_on=old_date).update(acquired_on=received_on)
        changed = {
            name: {"from": before[name], "to": after[name]} for name in BATCH_FIELDS if before[name] != after[name]
        }
        audit_record(
            library=batch.library,
            actor=by,
            action="intake.batch_update",
            obj=batch,
            data={"changed": changed, "items_redated": redated},
            at=at or timezone.now(),
        )
    return batch
