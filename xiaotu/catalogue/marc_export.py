"""The catalogue as MARC: each record from the original kept at import, with what the librarian changed since
and its copies as they are now; records catalogued by hand are built from their fields."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from typing import IO

from stdnum import isbn as stdnum_isbn

from xiaotu.catalogue.models import Item, Record
from xiaotu.intake.sources import from_bib
from xiaotu.interop.marc import (
    CNMARC,
    Author,
    BibRecord,
    ExportRecord,
    ExportSummary,
    Holding,
    Subject,
    map_record,
    read_kept,
    write_marc,
)
from xiaotu.schools.models import Library


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(";") if part.strip()]


def _subject(text: str) -> Subject:
    """'经济发展--概况--中国' (as the catalogue keeps it) back into a heading with topic subdivisions."""
    heading, *rest = [part.strip() for part in text.split("--")]
    return Subject(heading=heading, subdivisions=[("topic", part) for part in rest if part])


def _isbns(record: Record) -> tuple[list[str], list[str]]:
    valid = [record.isbn] if record.isbn else []
    invalid = []
    for other in record.other_isbns:
        compact = stdnum_isbn.compact(str(other)) if stdnum_isbn.is_valid(str(other)) else ""
        if compact:
            valid.append(stdnum_isbn.to_isbn13(compact))
        else:
            invalid.append(str(other))
    return valid, invalid


def _apply_changes(bib: BibRecord, record: Record) -> None:
    """Write into `bib` each catalogue field that differs from what the original record maps to."""
    derived = from_bib(bib, position=0, marc="")
    if record.title != derived.title:
        bib.title, bib.part_number, bib.part_name = record.title, "", ""
    if record.other_titles != derived.other_titles:
        bib.subtitle, bib.other_titles = "", list(record.other_titles)
    if record.responsibility != derived.responsibility:
        bib.responsibility = _split(record.responsibility)
    if record.authors != derived.authors:
        bib.authors = [Author(name=a.get("name", ""), role=a.get("role", "")) for a in record.authors]
    isbns, invalid = _isbns(record)
    if (record.isbn, record.other_isbns) != (derived.isbn, derived.other_isbns):
        bib.isbns, bib.invalid_isbns = isbns, invalid
    simple = {
        "publisher": "publisher",
        "pub_place": "place",
        "pub_date": "date",
        "pub_year": "year",
        "price": "price",
        "edition": "edition",
        "pages": "pages",
        "size": "size",
        "summary": "summary",
    }
    for field, attribute in simple.items():
        if getattr(record, field) != getattr(derived, field):
            setattr(bib, attribute, getattr(record, field))
    if record.series != derived.series:
        bib.series = _split(record.series)
    if record.subjects != derived.subjects:
        bib.subjects = [_subject(str(s)) for s in record.subjects]
    if record.clc_class != derived.clc_class:
        bib.clc_classes = [record.clc_class, *bib.clc_classes[1:]] if record.clc_class else bib.clc_classes[1:]
    if record.language != derived.language:
        bib.languages = [record.language] if record.language else []


def _from_fields(record: Record) -> BibRecord:
    isbns, invalid = _isbns(record)
    return BibRecord(
        format=CNMARC,
        title=record.title,
        other_titles=list(record.other_titles),
        responsibility=_split(record.responsibility),
        authors=[Author(name=a.get("name", ""), role=a.get("role", "")) for a in record.authors]
        or ([Author(name=record.author)] if record.author else []),
        isbns=isbns,
        invalid_isbns=invalid,
        price=record.price,
        edition=record.edition,
        place=record.pub_place,
        publisher=record.publisher,
        date=record.pub_date or (str(record.pub_year) if record.pub_year else ""),
        year=record.pub_year,
        pages=record.pages,
        size=record.size,
        series=_split(record.series),
        summary=record.summary,
        subjects=[_subject(str(s)) for s in record.subjects],
        clc_classes=[record.clc_class] if record.clc_class else [],
        languages=[record.language] if record.language else [],
    )


def export_record(record: Record, items: Sequence[Item]) -> ExportRecord:
    if record.marc:
        original = read_kept(record.marc)
        bib, _warnings = map_record(original, record.marc_format or CNMARC)
        _apply_changes(bib, record)
    else:
        bib = _from_fields(record)
    bib.holdings = [
        Holding(
            barcode=item.barcode,
            accession_number=item.accession_number,
            call_number=item.call_number,
            location=item.location.code,
            price=item.price,
            item_type=item.category.code,
        )
        for item in items
        if item.status != Item.Status.WITHDRAWN
    ]
    return ExportRecord(bib=bib, original=record.marc or None)


def _records(library: Library, record_ids: Iterable[int] | None) -> Iterator[ExportRecord]:
    records = Record.objects.filter(library=library).order_by("pk")
    if record_ids is not None:
        records = records.filter(pk__in=list(record_ids))
    last = 0
    while True:
        chunk = list(records.filter(pk__gt=last)[:500])
        if not chunk:
            return
        items: dict[int, list[Item]] = {}
        for item in Item.objects.filter(record__in=chunk).select_related("location", "category").order_by("pk"):
            items.setdefault(item.record_id, []).append(item)
        for record in chunk:
            yield export_record(record, items.get(record.pk, []))
        last = chunk[-1].pk


def export_catalogue(
    *,
    library: Library,
    out: IO[bytes],
    marc_format: str,
    encoding: str,
    container: str,
    record_ids: Iterable[int] | None = None,
    entered: dt.date | None = None,
) -> ExportSummary:
    """Write the library's catalogue (or the chosen records) to `out`, streaming 500 records at a time."""
    return write_marc(
        out,
        _records(library, record_ids),
        marc_format=marc_format,
        container=container,
        encoding=encoding,
        entered=entered,
    )
