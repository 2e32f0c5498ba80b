"""Importing a MARC file or an Excel book list: read, plan, and (unless a dry run) apply in one transaction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from xiaotu.accounts.models import User
from xiaotu.bulk import paused_gc
from xiaotu.intake.booklist import Severity, parse_booklist
from xiaotu.intake.importing import ImportOptions, ImportPlan, ImportResult, Progress, apply_import, plan_import
from xiaotu.intake.incoming import Problem
from xiaotu.intake.sources import from_booklist, marc_incoming
from xiaotu.interop.marc import open_marc
from xiaotu.interop.tables import Table
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
