"""Cataloguing a delivery in two steps: plan (read only: matches, numbers, problems) then apply (one transaction).

The plan is the preview the librarian confirms and the whole of a dry run. Applying it writes every record and
copy of the batch in one transaction, so an import that is stopped half-way (even by kill -9) leaves nothing.
Everything is done in bulk: a few queries per thousand records, never a query per record.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xiaotu.accounts.models import User
from xiaotu.accounts.services import audit_record
from xiaotu.barcodes import clean_barcode, is_scannable
from xiaotu.bulk import insert_rows, reserve_ids, rows_in
from xiaotu.catalogue.matching import match_key
from xiaotu.catalogue.models import Item, ItemCategory, Record
from xiaotu.intake.callnumbers import allocate_call_numbers
from xiaotu.intake.incoming import IncomingCopy, IncomingRecord, Problem
from xiaotu.intake.models import Batch
from xiaotu.intake.numbering import take_accession_numbers, take_barcodes
from xiaotu.pinyin import name_pinyin
from xiaotu.schools.models import Library, Location
from xiaotu.search.services import index_records

# progress(phase, done, total): phase "read" counts bytes of the file, "store" counts records written.
Progress = Callable[[str, int, int], None]


class ImportRefused(Exception):
    """The import as a whole cannot go ahead (all-or-nothing with problems, numbers ran out); nothing was written."""

    def __init__(self, code: str, message: str, problems: Sequence[Problem] = ()) -> None:
        self.code, self.message, self.problems = code, message, list(problems)
        super().__init__(message)


@dataclass(frozen=True, slots=True)
class BatchInfo:
    """总括登记 details for a new batch; the number is generated when empty."""

    received_on: dt.date
    source: str = Batch.Source.PURCHASE
    vendor: str = ""
    invoice_number: str = ""
    note: str = ""
    number: str = ""


@dataclass(frozen=True, slots=True)
class ImportOptions:
    batch: Batch | None = None
    new_batch: BatchInfo | None = None
    location: Location | None = None
    category: ItemCategory | None = None
    copies_without_holdings: int = 1
    keep_call_numbers: bool = True
    all_or_nothing: bool = False


@dataclass(slots=True)
class PlannedCopy:
    copy: IncomingCopy
    barcode: str  # "" = to be handed out
    accession_number: str  # "" = to be handed out
    location: Location
    category: ItemCategory
    price: Decimal | None


@dataclass(slots=True)
class PlannedRecord:
    incoming: IncomingRecord
    existing_id: int | None  # matched to a record already in the catalogue
    call_number: str  # kept or existing; "" = to be assigned (or none: no class)
    copies: list[PlannedCopy] = field(default_factory=list)
    created_id: int | None = None  # the new record's id, once applied


@dataclass(slots=True)
class ImportPlan:
    library: Library
    options: ImportOptions
    records: list[PlannedRecord]
    problems: list[Problem]
    read: int = 0

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    def counts(self) -> dict[str, int]:
        new = [r for r in self.records if r.existing_id is None]
        return {
            "read": self.read,
            "records_new": len(new),
            "records_matched": len(self.records) - len(new),
            "copies": sum(len(r.copies) for r in self.records),
            "errors": len(self.errors),
            "warnings": len(self.problems) - len(self.errors),
        }


@dataclass(slots=True)
class ImportResult:
    batch: Batch | None
    counts: dict[str, int]
    problems: list[Problem]
    record_ids: list[int] = field(default_factory=list)
    item_ids: list[int] = field(default_factory=list)


def _existing(library: Library, column: str, values: Iterable[str]) -> dict[str, tuple[int, str]]:
    """Records of the library whose `column` is one of the values: value -> (record id, call number), the first
    record catalogued when several match."""
    rows = rows_in(Record, ["id", column, "call_number"], column, (v for v in values if v), where=_of(library))
    found: dict[str, tuple[int, str]] = {}
    for pk, value, call_number in sorted(rows):
        found.setdefault(value, (pk, call_number))
    return found


def _taken(library: Library, column: str, values: Iterable[str]) -> set[str]:
    return {value for (value,) in rows_in(Item, [column], column, (v for v in values if v), where=_of(library))}


def _of(library: Library) -> dict[str, Any]:
    return {"library_id": library.pk}


def _record_key(record: IncomingRecord) -> str:
    if record.isbn:
        return "isbn:" + record.isbn
    key = match_key(title=record.title, author=record.author, publisher=record.publisher, year=record.pub_year)
    return "key:" + key if key else ""


def plan_import(*, library: Library, incoming: Iterable[IncomingRecord], options: ImportOptions) -> ImportPlan:
    """Decide, without writing, what each record becomes: a new record or new copies of one already catalogued."""
    problems: list[Problem] = []
    location = options.location or Location.objects.filter(library=library).order_by("pk").first()
    category = options.category or ItemCategory.objects.filter(library=library).order_by("pk").first()
    if location is None or category is None:
        raise ImportRefused("no_location", str(_("请先设置至少一个馆藏地点和一个流通类型。")))
    locations = {loc.code: loc for loc in Location.objects.filter(library=library)}
    categories = {cat.code: cat for cat in ItemCategory.objects.filter(library=library)}

    # Same book twice in the file: the second brings copies to the first.
    by_key: dict[str, PlannedRecord] = {}
    planned: list[PlannedRecord] = []
    read = 0
    for record in incoming:
        read += 1
        key = _record_key(record)
        if key and key in by_key:
            first = by_key[key]
            first.incoming.copies.extend(record.copies or [IncomingCopy() for _ in range(_wanted(record, options))])
            problems.append(
                Problem(
                    record.position,
                    "merged_in_file",
                    _("与文件中第 %(first)d 条是同一种书，作为它的复本导入") % {"first": first.incoming.position},
                    "warning",
                )
            )
            continue
        entry = PlannedRecord(incoming=record, existing_id=None, call_number="")
        planned.append(entry)
        if key:
            by_key[key] = entry

    by_isbn = _existing(library, "isbn", (p.incoming.isbn for p in planned))
    by_match = _existing(library, "match_key", (_record_key(p.incoming)[4:] for p in planned if not p.incoming.isbn))
    for entry in planned:
        found = (
            by_isbn.get(entry.incoming.isbn) if entry.incoming.isbn else by_match.get(_record_key(entry.incoming)[4:])
        )
        if found:
            entry.existing_id, entry.call_number = found

    _plan_copies(library, planned, options, location, category, locations, categories, problems)
    _plan_call_numbers(library, planned, options, problems)
    return ImportPlan(library=library, options=options, records=planned, problems=problems, read=read)


def _wanted(record: IncomingRecord, options: ImportOptions) -> int:
    return options.copies_without_holdings if record.copies_wanted is None else record.copies_wanted


def _plan_copies(
    library: Library,
    planned: list[PlannedRecord],
    options: ImportOptions,
    location: Location,
    category: ItemCategory,
    locations: dict[str, Location],
    categories: dict[str, ItemCategory],
    problems: list[Problem],
) -> None:
    for entry in planned:
        if not entry.incoming.copies:
            entry.incoming.copies = [IncomingCopy() for _ in range(_wanted(entry.incoming, options))]
    # Each copy with its barcode and accession number as they will be stored.
    copies = [
        (entry, copy, clean_barcode(copy.barcode) if copy.barcode else "", copy.accession_number.strip())
        for entry in planned
        for copy in entry.incoming.copies
    ]
    barcodes = Counter(barcode for _entry, _copy, barcode, _accession in copies if barcode)
    accessions = Counter(accession for _entry, _copy, _barcode, accession in copies if accession)
    taken_barcodes = _taken(library, "barcode", barcodes)
    taken_accessions = _taken(library, "accession_number", accessions)
    unknown_codes: set[tuple[str, str]] = set()
    for entry, copy, barcode, accession in copies:
        refusal = None
        if barcode and not is_scannable(barcode):
            refusal = ("bad_barcode", _("条码“%(code)s”不能用作条码（太长或含有控制字符）") % {"code": barcode[:40]})
        elif barcode and barcode in taken_barcodes:
            refusal = ("barcode_taken", _("条码 %(code)s 已被馆内另一册书使用") % {"code": barcode})
        elif barcode and barcodes[barcode] > 1:
            refusal = ("barcode_twice", _("条码 %(code)s 在文件中出现了不止一次") % {"code": barcode})
        elif accession and accession in taken_accessions:
            refusal = ("accession_taken", _("登录号 %(code)s 已被馆内另一册书使用") % {"code": accession})
        elif accession and accessions[accession] > 1:
            refusal = ("accession_twice", _("登录号 %(code)s 在文件中出现了不止一次") % {"code": accession})
        elif len(accession) > 32:
            refusal = ("bad_accession", _("登录号“%(code)s”太长") % {"code": accession[:40]})
        if refusal:
            problems.append(Problem(entry.incoming.position, refusal[0], refusal[1]))
            continue
        copy_location, copy_category = location, category
        if copy.location_code or copy.category_code:
            copy_location = locations.get(copy.location_code, location) if copy.location_code else location
            copy_category = categories.get(copy.category_code, category) if copy.category_code else category
            for kind, code, known in (
                ("location", copy.location_code, locations),
                ("category", copy.category_code, categories),
            ):
                if code and code not in known and (kind, code) not in unknown_codes:
                    unknown_codes.add((kind, code))
                    problems.append(
                        Problem(
                            entry.incoming.position,
                            f"unknown_{kind}",
                            _("文件中的代码“%(code)s”在本馆没有对应的%(kind)s，已改用默认值")
                            % {"code": code, "kind": _("馆藏地点") if kind == "location" else _("流通类型")},
                            "warning",
                        )
                    )
        entry.copies.append(
            PlannedCopy(
                copy=copy,
                barcode=barcode,
                accession_number=accession,
                location=copy_location,
                category=copy_category,
                price=copy.price if copy.price is not None else entry.incoming.price,
            )
        )


def _plan_call_numbers(
    library: Library, planned: list[PlannedRecord], options: ImportOptions, problems: list[Problem]
) -> None:
    """Keep a file's call number when it is free and the library wants that; otherwise one is assigned at apply."""
    if not options.keep_call_numbers:
        return
    proposals: dict[int, str] = {}
    for index, entry in enumerate(planned):
        if entry.existing_id is not None:
            continue
        given = entry.incoming.call_number or next((c.call_number for c in entry.incoming.copies if c.call_number), "")
        if given and len(given) <= 64:
            proposals[index] = given.strip()
    in_use = {
        call_number
        for (call_number,) in rows_in(Record, ["call_number"], "call_number", proposals.values(), where=_of(library))
    }
    for index, call_number in proposals.items():
        entry = planned[index]
        if call_number in in_use:  # another record already has it, or an earlier record of this file took it
            problems.append(
                Problem(
                    entry.incoming.position,
                    "call_number_taken",
                    _("索书号 %(code)s 已被另一种书使用，将重新分配") % {"code": call_number},
                    "warning",
                )
            )
            continue
        in_use.add(call_number)
        entry.call_number = call_number


def _next_batch_number(library: Library, on: dt.date) -> str:
    prefix = f"{on.year}-"
    last = Batch.objects.filter(library=library, number__startswith=prefix).aggregate(Max("number"))["number__max"]
    try:
        n = int(str(last)[len(prefix) :]) + 1 if last else 1
    except ValueError:
        n = Batch.objects.filter(library=library, number__startswith=prefix).count() + 1
    return f"{prefix}{n:04d}"


def batch_create(*, library: Library, info: BatchInfo, by: User | None) -> Batch:
    number = info.number.strip() or _next_batch_number(library, info.received_on)
    return Batch.objects.create(
        library=library,
        number=number,
        received_on=info.received_on,
        source=info.source,
        vendor=info.vendor.strip(),
        invoice_number=info.invoice_number.strip(),
        note=info.note.strip(),
        created_by=by,
    )


RECORD_COLUMNS = (
    "id", "library_id", "title", "other_titles", "responsibility", "author", "authors", "author_pinyin",
    "publisher", "pub_place", "pub_date", "pub_year", "isbn", "other_isbns", "price", "edition", "pages", "size",
    "series", "summary", "subjects", "clc_class", "language", "call_number", "match_key", "marc_format", "marc",
    "created_at", "updated_at",
)  # fmt: skip
ITEM_COLUMNS = (
    "id", "library_id", "record_id", "barcode", "accession_number", "call_number", "volume", "location_id",
    "category_id", "status", "price", "acquired_on", "batch_id", "created_at",
)  # fmt: skip


def _record_row(
    pk: int, library_id: int, incoming: IncomingRecord, call_number: str, now: dt.datetime
) -> tuple[Any, ...]:
    """The values of one new Record in RECORD_COLUMNS order, cut to the columns' lengths."""
    authors = incoming.authors or ([{"name": incoming.author, "role": ""}] if incoming.author else [])
    year = incoming.pub_year if incoming.pub_year and 0 < incoming.pub_year < 10000 else None
    return (
        pk,
        library_id,
        incoming.title[:500],
        incoming.other_titles,
        incoming.responsibility[:500],
        incoming.author[:300],
        authors,
        (incoming.author_pinyin or name_pinyin(incoming.author))[:300],
        incoming.publisher[:200],
        incoming.pub_place[:100],
        incoming.pub_date[:30],
        year,
        incoming.isbn[:17],
        incoming.other_isbns,
        incoming.price,
        incoming.edition[:100],
        incoming.pages[:100],
        incoming.size[:50],
        incoming.series[:300],
        incoming.summary,
        incoming.subjects,
        incoming.clc_class[:50],
        incoming.language[:3],
        call_number,
        "" if incoming.isbn else _record_key(incoming)[4:],
        incoming.marc_format,
        incoming.marc,
        now,
        now,
    )


def _record_id(entry: PlannedRecord) -> int:
    record_id = entry.existing_id or entry.created_id
    if record_id is None:  # pragma: no cover - every new record was given its id just before
        raise AssertionError("copy planned for a record that was not created")
    return record_id


def _item_rows(
    records: list[PlannedRecord],
    ids: Iterable[int],
    library_id: int,
    acquired_on: dt.date,
    batch_id: int | None,
    now: dt.datetime,
) -> Iterator[tuple[Any, ...]]:
    """The values of each planned copy in ITEM_COLUMNS order, taking the ids in turn."""
    next_id = iter(ids).__next__
    available = Item.Status.AVAILABLE.value
    for entry in records:
        if not entry.copies:
            continue
        record_id, call_number = _record_id(entry), entry.call_number
        for planned in entry.copies:
            copy = planned.copy
            yield (
                next_id(),
                library_id,
                record_id,
                planned.barcode,
                planned.accession_number,
                _copy_call_number(call_number, copy.call_number),
                copy.volume[:50],
                planned.location.id,
                planned.category.id,
                available,
                planned.price,
                acquired_on,
                batch_id,
                now,
            )


def _copy_call_number(record_call_number: str, given: str) -> str:
    """A copy keeps a call number of its own only when it extends the record's (a volume mark: I247.5/12:2)."""
    if record_call_number and given.startswith(record_call_number):
        return given[:64]
    return record_call_number or given[:64]


INDEX_INLINE = 2000
INDEX_CHUNK = 5000


def _index_after(record_ids: list[int], progress: Progress | None) -> None:
    """Index a large import's records in chunks of their own; `xiaotu reindex` mends a run cut short."""
    if progress:
        progress("index", 0, len(record_ids))
    for start in range(0, len(record_ids), INDEX_CHUNK):
        index_records(record_ids=record_ids[start : start + INDEX_CHUNK])
        if progress:
            progress("index", min(start + INDEX_CHUNK, len(record_ids)), len(record_ids))


def apply_import(
    *, plan: ImportPlan, by: User | None, at: dt.datetime | None = None, progress: Progress | None = None
) -> ImportResult:
    """Write the plan: batch, records, copies and one audit entry, all in one transaction."""
    at = at or timezone.now()
    library, options = plan.library, plan.options
    if options.all_or_nothing and plan.errors:
        raise ImportRefused(
            "problems",
            str(_("文件中有 %(n)d 处错误，按“全部或全不”的要求没有导入任何记录。") % {"n": len(plan.errors)}),
            plan.errors,
        )
    copies = [copy for entry in plan.records for copy in entry.copies]
    with transaction.atomic():
        batch = options.batch
        if batch is None and copies:
            info = options.new_batch or BatchInfo(received_on=timezone.localtime(at).date())
            batch = batch_create(library=library, info=info, by=by)
        needs_accession = [c for c in copies if not c.accession_number]
        for copy, number in zip(
            needs_accession, take_accession_numbers(library=library, count=len(needs_accession)), strict=True
        ):
            copy.accession_number = number
        needs_barcode = [c for c in copies if not c.barcode]
        barcodes = take_barcodes(library=library, accession_numbers=[c.accession_number for c in needs_barcode])
        for copy, barcode in zip(needs_barcode, barcodes, strict=True):
            copy.barcode = barcode

        unnumbered = [e for e in plan.records if e.existing_id is None and not e.call_number and e.incoming.clc_class]
        assigned = allocate_call_numbers(
            library=library,
            wanted=[(e.incoming.clc_class, e.incoming.author) for e in unnumbered],
            reserved={e.call_number for e in plan.records if e.existing_id is None and e.call_number},
        )
        for entry, call_number in zip(unnumbered, assigned, strict=True):
            entry.call_number = call_number

        new_entries = [e for e in plan.records if e.existing_id is None]
        record_ids = reserve_ids(Record, len(new_entries))
        for entry, pk in zip(new_entries, record_ids, strict=True):
            entry.created_id = pk
        rows = (
            _record_row(pk, library.pk, e.incoming, e.call_number, at)
            for e, pk in zip(new_entries, record_ids, strict=True)
        )
        insert_rows(Record, RECORD_COLUMNS, rows)
        if progress:
            progress("store", len(new_entries), len(new_entries))

        acquired_on = batch.received_on if batch else timezone.localtime(at).date()
        item_ids = reserve_ids(Item, len(copies))
        items = _item_rows(plan.records, item_ids, library.pk, acquired_on, batch.pk if batch else None, at)
        insert_rows(Item, ITEM_COLUMNS, items)
        # New records and those that got copies become findable: a delivery of a few hundred in the same
        # transaction; a whole catalogue right after it commits, so its records are not held back (indexing costs
        # about twice what storing does).
        touched = [
            rid for e in plan.records if e.existing_id is None or e.copies if (rid := e.created_id or e.existing_id)
        ]
        if len(touched) <= INDEX_INLINE:
            index_records(record_ids=touched)
        counts = plan.counts()
        if batch is not None:
            audit_record(library=library, actor=by, action="intake.import", obj=batch, data=counts, at=at)
    if len(touched) > INDEX_INLINE:
        _index_after(touched, progress)
    return ImportResult(batch=batch, counts=counts, problems=plan.problems, record_ids=record_ids, item_ids=item_ids)


def problems_report(problems: Sequence[Problem], limit: int = 1000) -> list[dict[str, Any]]:
    """The problems as JSON for an import job's report, the first `limit` of them."""
    return [p.as_dict() for p in problems[:limit]]


def group_by_position(problems: Sequence[Problem]) -> dict[int, list[Problem]]:
    grouped: dict[int, list[Problem]] = defaultdict(list)
    for problem in problems:
        grouped[problem.position].append(problem)
    return grouped
