"""From what a file says to what the catalogue takes: MARC records and Excel book-list rows as IncomingRecords."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from django.utils.translation import gettext_lazy as _

from xiaotu.intake.booklist import BookRow
from xiaotu.intake.incoming import IncomingCopy, IncomingRecord, Problem
from xiaotu.interop.marc import BibRecord, MarcFile, ParsedRecord, RecordProblem


def from_marc(parsed: ParsedRecord) -> IncomingRecord:
    return from_bib(parsed.bib, position=parsed.position, marc=parsed.kept())


def from_bib(bib: BibRecord, *, position: int, marc: str) -> IncomingRecord:
    """The catalogue's fields for a mapped MARC record (also used at export to see what the librarian changed)."""
    title = bib.title
    if bib.part_number or bib.part_name:
        title = " ".join(t for t in (title, bib.part_number, bib.part_name) if t)
    other_titles = [t for t in (bib.subtitle, *bib.other_titles) if t]
    copies = [
        IncomingCopy(
            barcode=h.barcode,
            accession_number=h.accession_number,
            call_number=h.call_number,
            location_code=h.location,
            category_code=h.item_type,
            price=h.price,
        )
        for h in bib.holdings
    ]
    return IncomingRecord(
        position=position,
        title=title or "",
        other_titles=other_titles,
        responsibility="; ".join(bib.responsibility),
        author=bib.author,
        authors=[{"name": a.name, "role": a.role} for a in bib.authors],
        author_pinyin=bib.authors[0].sort_key if bib.authors else "",
        publisher=bib.publisher,
        pub_place=bib.place,
        pub_date=bib.date,
        pub_year=bib.year,
        isbn=bib.isbn,
        other_isbns=[*bib.isbns[1:], *bib.invalid_isbns],
        price=bib.price,
        edition=bib.edition,
        pages=bib.pages,
        size=bib.size,
        series="; ".join(bib.series),
        summary=bib.summary,
        subjects=[str(s) for s in bib.subjects],
        clc_class=bib.clc_class,
        language=bib.languages[0] if bib.languages else "",
        call_number=next((h.call_number for h in bib.holdings if h.call_number), ""),
        marc_format=bib.format,
        marc=marc,
        copies=copies,
    )


def _problem(problem: RecordProblem, severity: str = "error") -> Problem:
    return Problem(problem.position, problem.code, problem.message, severity)


def marc_incoming(
    marc_file: MarcFile, problems: list[Problem], progress: Callable[[str, int, int], None] | None = None
) -> Iterator[IncomingRecord]:
    """The file's readable records in order; broken ones and repairs go into `problems` with their positions."""
    size = marc_file.info.size
    for count, entry in enumerate(marc_file, 1):
        if progress and count % 500 == 0:
            progress("read", entry.offset, size)
        if isinstance(entry, ParsedRecord):
            problems.extend(_problem(w, "warning") for w in entry.warnings)
            if not entry.bib.title:
                problems.append(Problem(entry.position, "no_title", _("记录没有题名，未导入")))
                continue
            yield from_marc(entry)
        else:
            problems.append(_problem(entry))


def from_booklist(row: BookRow) -> IncomingRecord:
    copies: list[IncomingCopy] = []
    if row.barcodes or row.accession_numbers:
        for index in range(row.copies):
            copies.append(
                IncomingCopy(
                    barcode=row.barcodes[index] if index < len(row.barcodes) else "",
                    accession_number=row.accession_numbers[index] if index < len(row.accession_numbers) else "",
                    call_number=row.call_number,
                    price=row.price,
                )
            )
    return IncomingRecord(
        position=row.line,
        title=row.title,
        author=row.author,
        authors=[{"name": row.author, "role": ""}] if row.author else [],
        publisher=row.publisher,
        pub_place=row.pub_place,
        pub_date=row.pub_date,
        pub_year=row.year,
        isbn=row.isbn13,
        other_isbns=list(row.other_isbns),
        price=row.price,
        edition=row.edition,
        pages=row.pages,
        size=row.size,
        series=row.series,
        summary=row.summary,
        clc_class=row.clc_class,
        call_number=row.call_number,
        copies=copies,
        copies_wanted=row.copies,
    )
