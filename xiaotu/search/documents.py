"""A record and its copies as the four token columns of its search row."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from stdnum import isbn as stdnum_isbn

from xiaotu.search import tokens as tk
from xiaotu.search.engines import Document

# What a record row must carry, in this order (a values_list of catalogue.Record).
RECORD_FIELDS = (
    "id",
    "title",
    "other_titles",
    "author",
    "authors",
    "publisher",
    "series",
    "subjects",
    "summary",
    "isbn",
    "other_isbns",
    "clc_class",
    "call_number",
    "pub_year",
    "language",
)
WITHDRAWN = "withdrawn"


class Copy:
    """What the index needs of one item: where it is shelved, its call number, and whether it is withdrawn."""

    __slots__ = ("call_number", "location_id", "withdrawn")

    def __init__(self, location_id: int, call_number: str, status: str) -> None:
        self.location_id = location_id
        self.call_number = call_number
        self.withdrawn = status == WITHDRAWN


def _strings(value: Any) -> list[str]:
    """JSON list fields hold strings, or objects from older imports; take the text either way."""
    if not value:
        return []
    out = []
    for entry in value if isinstance(value, list) else [value]:
        if isinstance(entry, dict):
            out.append(" ".join(str(v) for v in entry.values() if isinstance(v, str)))
        else:
            out.append(str(entry))
    return out


def _isbn13(text: str) -> str:
    if len(text) == 13 and text.isdigit():
        return text  # Record.isbn: checked and made ISBN-13 when it was catalogued
    compact = "".join(c for c in text if c.isalnum())
    if stdnum_isbn.is_valid(compact):
        return stdnum_isbn.to_isbn13(stdnum_isbn.compact(compact))
    return ""


def document(row: tuple[Any, ...], copies: Iterable[Copy]) -> Document:
    (rid, title, other_titles, author, authors, publisher, series, subjects, summary, isbn, other_isbns, clc,
     call_number, year, language) = row  # fmt: skip
    heading = tk.Tokens()
    heading.add_text(title, pinyin=True, initials=True)
    heading.add_title_key(title)
    for other in _strings(other_titles):
        heading.add_text(other, pinyin=True, initials=True)
        heading.add_title_key(other)

    people = tk.Tokens()
    names = [a.get("name", "") for a in authors if isinstance(a, dict)] if isinstance(authors, list) else []
    for name in names or [author]:
        people.add_text(name, pinyin=True, initials=True)

    rest = tk.Tokens()
    rest.add_text(series, pinyin=True, initials=False)
    rest.add_text(publisher, pinyin=False, initials=False)
    for subject in _strings(subjects):
        rest.add_text(subject, pinyin=False, initials=False)
    rest.add_text(summary, pinyin=False, initials=False, limit=tk.SUMMARY_MAX)
    for number in [isbn, *_strings(other_isbns)]:
        if number and (isbn13 := _isbn13(number)):
            rest.add(isbn13)
    copies = list(copies)
    for number in {call_number, clc, *(c.call_number for c in copies)}:
        for token in tk.call_number_tokens(number or ""):
            rest.add(token)

    facets = tk.Tokens()
    if clc and clc[0].isalpha():
        facets.add(tk.FILTER_CLASS + clc[0].lower())
    if year:
        facets.add(f"{tk.FILTER_YEAR}{year}")
    if language and language.isalnum():
        facets.add(tk.FILTER_LANGUAGE + language.lower())
    shown = [c for c in copies if not c.withdrawn]
    for copy in shown:
        facets.add(f"{tk.FILTER_LOCATION}{copy.location_id}")
    if not shown:
        facets.add(tk.FILTER_HIDDEN)
    return Document(rid, heading.text(), people.text(), rest.text(), facets.text())
