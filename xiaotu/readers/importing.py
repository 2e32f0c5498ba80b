"""Importing a roster: the plan (read only — what the preview shows) and its application in one transaction.

A 3,000-pupil roster is written with a few statements, not one a row: new readers go in through
xiaotu.bulk.insert_rows, changed ones through one bulk UPDATE per set of changed fields, and their audit rows
through insert_rows too. The same roster imported again plans no change and writes nothing, not even an audit row.

New readers without a card number in the file get one: the reader type's letter — S for 学生 (type code
"student"), T for 教师 ("teacher"), Z for 职工 ("staff"), else the first letter of the type's code — followed by a
number one above the highest of that letter already in use in the library (on a reader, a retired card, or
another row of the file), as wide as that highest number; S00001 and T0001 when there is none yet, as in the demo
school. A number that is already a book's barcode is passed over.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from xiaotu.accounts.models import AuditEvent, User
from xiaotu.accounts.services import audit_record
from xiaotu.bulk import insert_rows, paused_gc, reserve_ids, rows_in
from xiaotu.catalogue.models import Item
from xiaotu.interop.tables import Table
from xiaotu.pinyin import name_initials, name_pinyin
from xiaotu.readers.models import Grade, Reader, ReaderType, SchoolClass
from xiaotu.readers.roster import (
    GRADE_NAMES,
    Action,
    ClassKey,
    RosterOptions,
    RosterPreview,
    RosterRow,
    School,
    parse_roster,
)
from xiaotu.schools.models import Library

CARD_PREFIXES = {"student": "S", "teacher": "T", "staff": "Z"}
CARD_DIGITS = {ReaderType.Kind.STUDENT: 5, ReaderType.Kind.STAFF: 4}

READER_COLUMNS = (
    "id",
    "library_id",
    "card_barcode",
    "name",
    "name_pinyin",
    "name_initials",
    "gender",
    "reader_type_id",
    "school_class_id",
    "student_number",
    "student_id",
    "photo",
    "status",
    "created_at",
)
AUDIT_COLUMNS = ("library_id", "at", "actor_id", "action", "object_type", "object_id", "data")
# The Reader fields a change of a name or a number writes (a class, gender or type is written by value).
UPDATE_FIELDS = {
    "name": ("name", "name_pinyin", "name_initials"),
    "student_number": ("student_number",),
    "student_id": ("student_id",),
}
# Ids in one IN list: under SQLite's and PostgreSQL's limits on parameters in one statement.
ID_CHUNK = 900


@dataclass(slots=True)
class RosterPlan:
    """What an import will do: the preview, with a card number for every new reader."""

    library: Library
    options: RosterOptions
    preview: RosterPreview
    school: School
    filename: str = ""

    def counts(self) -> dict[str, int]:
        return self.preview.counts()


@dataclass(slots=True)
class RosterResult:
    """What an import did. audit_id is the import's own audit row; None when nothing changed."""

    counts: dict[str, int]
    created_ids: list[int] = field(default_factory=list)
    updated_ids: list[int] = field(default_factory=list)
    class_ids: list[int] = field(default_factory=list)
    audit_id: int | None = None

    @property
    def changed_anything(self) -> bool:
        return self.audit_id is not None


@dataclass(slots=True)
class RosterOutcome:
    plan: RosterPlan
    result: RosterResult | None = None


def card_prefix(reader_type: ReaderType) -> str:
    """The letter the library's generated card numbers start with for this reader type."""
    if reader_type.code in CARD_PREFIXES:
        return CARD_PREFIXES[reader_type.code]
    letters = [ch for ch in reader_type.code.upper() if "A" <= ch <= "Z"]
    if letters:
        return letters[0]
    return "S" if reader_type.kind == ReaderType.Kind.STUDENT else "T"


def plan_roster(
    *,
    library: Library,
    table: Table,
    mapping: Mapping[str, int | None],
    options: RosterOptions | None = None,
    filename: str = "",
    today: dt.date | None = None,
) -> RosterPlan:
    """Check the roster against the library and give every new reader a card: read only.

    Raises TableError when the mapping cannot be used, RosterRefused when the library has no reader types.
    """
    options = options or RosterOptions()
    with paused_gc():
        school = School.load(library)
        preview = parse_roster(table, mapping, library=library, options=options, school=school, today=today)
        _assign_cards(library, preview, school)
    return RosterPlan(library=library, options=options, preview=preview, school=school, filename=filename)


def _assign_cards(library: Library, preview: RosterPreview, school: School) -> None:
    wanting: dict[str, list[RosterRow]] = defaultdict(list)
    for row in preview.rows:
        if row.action == Action.NEW and not row.card:
            wanting[card_prefix(row.reader_type)].append(row)
    if not wanting:
        return
    taken = {reader.card for reader in school.readers} | school.retired | {row.card for row in preview.rows}
    for prefix, rows in wanting.items():
        digits = re.compile(rf"{re.escape(prefix)}(\d+)")
        highest, width = 0, CARD_DIGITS[ReaderType.Kind(rows[0].reader_type.kind)]
        for code in taken:
            if (match := digits.fullmatch(code)) and int(match.group(1)) >= highest:
                highest, width = int(match.group(1)), len(match.group(1))
        numbers = _free_numbers(library, prefix, width, highest + 1, taken)
        for row, code in zip(rows, numbers, strict=False):
            row.card, row.card_generated = code, True


def _free_numbers(library: Library, prefix: str, width: int, start: int, taken: set[str]) -> Iterator[str]:
    """prefix + running numbers from `start`, passing over any in `taken` or used as a book's barcode; endless."""
    number = start
    while True:
        batch: list[str] = []
        while len(batch) < 500:
            code = f"{prefix}{number:0{width}d}"
            number += 1
            if code not in taken:
                batch.append(code)
        books = {code for (code,) in rows_in(Item, ["barcode"], "barcode", batch, where={"library_id": library.pk})}
        yield from (code for code in batch if code not in books)


def apply_roster(*, plan: RosterPlan, by: User | None, at: dt.datetime | None = None) -> RosterResult:
    """Write the plan in one transaction: classes, new readers, changed readers, and their audit rows.

    A plan that changes nothing writes nothing. Callers that may race another import of the same library use
    readers_import(), which plans again under a lock.
    """
    preview = plan.preview
    counts = preview.counts()
    if not preview.changes_anything:
        return RosterResult(counts=counts)
    at = at or timezone.now()
    library = plan.library
    with transaction.atomic(), paused_gc():
        class_ids = _create_classes(library, preview)
        new_rows = preview.of(Action.NEW)
        reader_ids = reserve_ids(Reader, len(new_rows))
        insert_rows(
            Reader,
            READER_COLUMNS,
            (_reader_row(pk, library.pk, row, class_ids, at) for pk, row in zip(reader_ids, new_rows, strict=True)),
        )
        changed = preview.of(Action.UPDATE)
        _update_readers(changed, class_ids)
        event = audit_record(
            library=library,
            actor=by,
            action="readers.import",
            obj=library,
            data={**counts, "file": plan.filename, "classes": [c.name for c in preview.new_classes]},
            at=at,
        )
        insert_rows(
            AuditEvent,
            AUDIT_COLUMNS,
            _audit_rows(library.pk, by, at, event.pk, preview, reader_ids, class_ids),
        )
    return RosterResult(
        counts=counts,
        created_ids=reader_ids,
        updated_ids=[row.reader_id for row in changed if row.reader_id is not None],
        class_ids=[class_ids[(c.grade_number, c.number)] for c in preview.new_classes],
        audit_id=event.pk,
    )


def _create_classes(library: Library, preview: RosterPreview) -> dict[ClassKey, int]:
    """The classes (and grades) the plan creates; their ids by (grade, class)."""
    if not preview.new_classes:
        return {}
    numbers = {c.grade_number for c in preview.new_classes}
    Grade.objects.bulk_create(
        Grade(library=library, number=n, name=GRADE_NAMES[n])
        for n in sorted({c.grade_number for c in preview.new_classes if c.new_grade})
    )
    grades = {grade.number: grade for grade in Grade.objects.filter(library=library, number__in=numbers)}
    created = SchoolClass.objects.bulk_create(
        SchoolClass(library=library, grade=grades[c.grade_number], number=c.number, name=c.name)
        for c in preview.new_classes
    )
    return {(c.grade.number, c.number): c.pk for c in created}


def _class_of(row: RosterRow, class_ids: Mapping[ClassKey, int]) -> int | None:
    if row.class_key is None:
        return None
    return row.class_id if row.class_id is not None else class_ids[row.class_key]


def _reader_row(
    pk: int, library_id: int, row: RosterRow, class_ids: Mapping[ClassKey, int], at: dt.datetime
) -> tuple[Any, ...]:
    return (
        pk,
        library_id,
        row.card,
        row.name,
        name_pinyin(row.name),
        name_initials(row.name),
        row.gender or "",
        row.reader_type.pk,
        _class_of(row, class_ids),
        row.student_number,
        row.student_id,
        "",
        Reader.Status.ACTIVE,
        at,
    )


def _update_readers(rows: Sequence[RosterRow], class_ids: Mapping[ClassKey, int]) -> None:
    """Write what changed, and only that.

    A class, gender or type has few values: one UPDATE … WHERE id IN (…) per value, so a whole school moving up a
    grade costs one statement per class. Names and numbers are each their own: bulk UPDATEs, one per set of
    fields, so a corrected name writes the name and its 拼音 alone.
    """
    by_value: dict[tuple[str, object], list[int]] = defaultdict(list)
    groups: dict[tuple[str, ...], list[Reader]] = defaultdict(list)
    for row in rows:
        assert row.reader_id is not None
        reader = Reader(pk=row.reader_id)
        fields: list[str] = []
        for change in row.changes:
            if change.field == "school_class":
                by_value[("school_class_id", _class_of(row, class_ids))].append(row.reader_id)
            elif change.field == "gender":
                by_value[("gender", row.gender or "")].append(row.reader_id)
            elif change.field == "reader_type":
                by_value[("reader_type_id", row.reader_type.pk)].append(row.reader_id)
            else:
                fields += UPDATE_FIELDS[change.field]
        if not fields:
            continue
        reader.name, reader.name_pinyin, reader.name_initials = row.name, name_pinyin(row.name), name_initials(row.name)
        reader.student_number, reader.student_id = row.student_number, row.student_id
        groups[tuple(sorted(fields))].append(reader)
    for (column, value), ids in by_value.items():
        for start in range(0, len(ids), ID_CHUNK):
            Reader.objects.filter(pk__in=ids[start : start + ID_CHUNK]).update(**{column: value})
    for written, readers in groups.items():
        Reader.objects.bulk_update(readers, list(written), batch_size=1000)


def _audit_rows(
    library_id: int,
    by: User | None,
    at: dt.datetime,
    import_id: int,
    preview: RosterPreview,
    reader_ids: Sequence[int],
    class_ids: Mapping[ClassKey, int],
) -> Iterator[tuple[Any, ...]]:
    """reader.create and reader.update rows for every reader written, class.create for every class; each names
    the import's own audit row."""
    actor = by.pk if by else None
    for planned in preview.new_classes:
        pk = class_ids[(planned.grade_number, planned.number)]
        yield library_id, at, actor, "class.create", "schoolclass", pk, {"name": planned.name, "import": import_id}
    for pk, row in zip(reader_ids, preview.of(Action.NEW), strict=True):
        yield library_id, at, actor, "reader.create", "reader", pk, {"card": row.card, "import": import_id}
    for row in preview.of(Action.UPDATE):
        changes = {change.field: [change.old, change.new] for change in row.changes}
        yield library_id, at, actor, "reader.update", "reader", row.reader_id, {"changes": changes, "import": import_id}


def readers_import(
    *,
    library: Library,
    table: Table,
    mapping: Mapping[str, int | None],
    options: RosterOptions | None = None,
    by: User | None,
    dry_run: bool = False,
    filename: str = "",
    at: dt.datetime | None = None,
    today: dt.date | None = None,
) -> RosterOutcome:
    """导入花名册 — plan the roster, and unless this is a dry run apply it; the pages and the command call this.

    The real import plans again inside its transaction, holding the library's row: two confirms of one file (two
    tabs, two librarians) run one after the other, and the second finds nothing left to change.
    """
    if dry_run:
        return RosterOutcome(
            plan_roster(library=library, table=table, mapping=mapping, options=options, filename=filename, today=today)
        )
    with transaction.atomic():
        list(Library.objects.select_for_update().filter(pk=library.pk).values_list("pk", flat=True))
        plan = plan_roster(
            library=library, table=table, mapping=mapping, options=options, filename=filename, today=today
        )
        result = apply_roster(plan=plan, by=by, at=at)
    return RosterOutcome(plan, result)
