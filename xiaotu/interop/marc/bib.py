"""What a MARC record says about a book, in the catalogue's terms: plain dataclasses, no Django models."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from xiaotu.pinyin import name_pinyin


@lru_cache(maxsize=65536)
def _sort_pinyin(name: str) -> str:
    return name_pinyin(name)


@dataclass(slots=True)
class Author:
    """责任者 — a person (CNMARC 70X, MARC21 100/700) or a body (71X, 110/710/111/711).

    ``level`` is 'primary' (700/710, 1XX), 'alternative' (701/711, 7XX) or 'secondary' (702/712: 译者, 编者…).
    ``pinyin`` is the romanisation the cataloguer recorded ($A/$9), if any; ``sort_key`` is computed.
    """

    name: str
    role: str = ""
    kind: str = "person"
    level: str = "primary"
    pinyin: str = ""

    @property
    def sort_key(self) -> str:
        """Full 拼音 of the name for sorting ('张三' -> 'zhangsan'), computed when first asked for and cached."""
        return _sort_pinyin(self.name)


@dataclass(slots=True)
class Subject:
    """主题 — a heading with its subdivisions, each as (kind, text): kind is 'topic', 'place', 'time' or 'form'.

    ``kind`` is the heading's own kind: 'topic', 'person', 'corporate', 'place', 'title' or 'keyword'.
    """

    heading: str
    kind: str = "topic"
    subdivisions: list[tuple[str, str]] = field(default_factory=list)

    def __str__(self) -> str:
        return "--".join([self.heading, *(text for _, text in self.subdivisions)])


@dataclass(slots=True)
class Holding:
    """册 — one copy described in the file: barcode, accession number (登录号), call number (索书号) and so on.

    ``source`` is the field it came from ('905', '852', …) so the import report can point at it; it is
    provenance, not data, and two copies that differ only in it are equal.
    """

    barcode: str = ""
    accession_number: str = ""
    call_number: str = ""
    location: str = ""
    library: str = ""
    price: Decimal | None = None
    currency: str = ""
    item_type: str = ""
    source: str = field(default="", compare=False)


@dataclass(slots=True)
class BibRecord:
    """书目 — the catalogue's view of one MARC record. Lists keep the record's order; strings are '' when absent.

    ``isbns`` are valid ISBNs as ISBN-13 without hyphens (the key for matching copies to records);
    ``invalid_isbns`` keeps whatever else was in the ISBN fields, as given.
    """

    format: str
    control_number: str = ""
    title: str = ""
    title_pinyin: str = ""
    subtitle: str = ""
    part_number: str = ""
    part_name: str = ""
    other_titles: list[str] = field(default_factory=list)
    responsibility: list[str] = field(default_factory=list)
    authors: list[Author] = field(default_factory=list)
    isbns: list[str] = field(default_factory=list)
    invalid_isbns: list[str] = field(default_factory=list)
    price: Decimal | None = None
    currency: str = ""
    price_text: str = ""
    edition: str = ""
    place: str = ""
    publisher: str = ""
    date: str = ""
    year: int | None = None
    pages: str = ""
    illustrations: str = ""
    size: str = ""
    series: list[str] = field(default_factory=list)
    summary: str = ""
    subjects: list[Subject] = field(default_factory=list)
    clc_classes: list[str] = field(default_factory=list)
    clc_edition: str = ""
    languages: list[str] = field(default_factory=list)
    holdings: list[Holding] = field(default_factory=list)

    @property
    def isbn(self) -> str:
        """The first valid ISBN-13, or ''."""
        return self.isbns[0] if self.isbns else ""

    @property
    def clc_class(self) -> str:
        """中图法分类号 — the first class given, or ''."""
        return self.clc_classes[0] if self.clc_classes else ""

    @property
    def author(self) -> str:
        """The first author's name, for lists and the short record."""
        return self.authors[0].name if self.authors else ""
