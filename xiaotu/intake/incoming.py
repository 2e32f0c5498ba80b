"""What an import brings in, whatever the file: records with their copies, in the catalogue's own terms."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.functional import Promise


@dataclass(slots=True)
class IncomingCopy:
    """One copy as the file describes it; empty numbers are handed out by the library's numbering rules."""

    barcode: str = ""
    accession_number: str = ""
    call_number: str = ""
    location_code: str = ""
    category_code: str = ""
    price: Decimal | None = None
    volume: str = ""


@dataclass(slots=True)
class IncomingRecord:
    """One record to catalogue. `position` is where it was in the file (record number or spreadsheet line)."""

    position: int
    title: str
    other_titles: list[str] = field(default_factory=list)
    responsibility: str = ""
    author: str = ""
    authors: list[dict[str, str]] = field(default_factory=list)
    author_pinyin: str = ""
    publisher: str = ""
    pub_place: str = ""
    pub_date: str = ""
    pub_year: int | None = None
    isbn: str = ""
    other_isbns: list[str] = field(default_factory=list)
    price: Decimal | None = None
    edition: str = ""
    pages: str = ""
    size: str = ""
    series: str = ""
    summary: str = ""
    subjects: list[str] = field(default_factory=list)
    clc_class: str = ""
    language: str = ""
    call_number: str = ""
    marc_format: str = ""
    marc: str = ""
    copies: list[IncomingCopy] = field(default_factory=list)
    # Copies to create when the file lists none (an Excel row's 册数; a MARC record without holdings).
    copies_wanted: int | None = None


@dataclass(slots=True)
class Problem:
    """Something the librarian should know about one record, or about the whole file (position 0)."""

    position: int
    code: str
    message: str | Promise
    severity: str = "error"  # "error": the record (or copy) does not come in; "warning": it does, but look
    params: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"position": self.position, "code": self.code, "message": str(self.message), "severity": self.severity}
