"""What a pupil typed, as an expression over index tokens that either database can run.

`西游记` is three pairs that must all be there; `xiyouji` is the word itself, or its syllables' pairs, or the initials
of a title; `I247` is also a call-number prefix; an ISBN in any form is that ISBN and nothing else.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from stdnum import isbn as stdnum_isbn

from xiaotu.search import tokens as tk


@dataclass(frozen=True)
class Term:
    token: str
    prefix: bool = False


@dataclass(frozen=True)
class All:
    parts: tuple[Node, ...]


@dataclass(frozen=True)
class Any:
    parts: tuple[Node, ...]


Node = Term | All | Any


@dataclass(frozen=True)
class Clause:
    """A node looked for in some columns of the index: title, author, rest (the other fields) and filt (facets)."""

    columns: tuple[str, ...]
    node: Node


TEXT_COLUMNS = ("title", "author", "rest")


@dataclass(frozen=True)
class Parsed:
    text: str
    isbn: str = ""  # ISBN-13 when the whole query is one
    call_number: Node | None = None
    title_key: str = ""
    words: Node | None = None

    @property
    def empty(self) -> bool:
        return not (self.isbn or self.words)


QUERY_MAX = 200
_ISBN_NOISE = re.compile(r"[\s\-]")
_CALL_NUMBER = re.compile(r"^[a-z]{1,2}[0-9][0-9.\-/:()=+]*$")


def _isbn(text: str) -> str:
    compact = _ISBN_NOISE.sub("", text.lower().removeprefix("isbn").lstrip(":："))
    if len(compact) in (10, 13) and stdnum_isbn.is_valid(compact):
        return stdnum_isbn.to_isbn13(stdnum_isbn.compact(compact))
    return ""


def _join(kind: type[All] | type[Any], parts: list[Node]) -> Node:
    unique = list(dict.fromkeys(parts))
    return unique[0] if len(unique) == 1 else kind(tuple(unique))


def _chinese(run: str) -> Node:
    if len(run) == 1:
        return Term(run)
    return _join(All, [Term(run[i : i + 2]) for i in range(len(run) - 1)])


def _latin(words: list[str]) -> Node:
    """Words as written, or as 拼音 (joined up or spaced), or as a title's initials.

    Several words are looked for side by side (the index holds neighbouring words joined, as it holds 拼音 pairs);
    anywhere in the record too, unless every word is a 拼音 syllable — "xi you ji" means 西游记, and the syllables
    one by one would match most of the catalogue at great cost.
    """
    ways: list[Node] = []
    known = tk.pinyin_syllables()
    if len(words) == 1 or not all(w in known for w in words):
        ways.append(_join(All, [Term(w) for w in words]))
    if len(words) > 1:
        ways.append(_join(All, [Term(a + b) for a, b in itertools.pairwise(words)]))
    joined = "".join(words)
    if joined.isalpha():
        for reading in tk.segment_pinyin(joined):
            if len(reading) == 1:
                ways.append(Term(reading[0]))
            else:
                ways.append(_join(All, [Term(a + b) for a, b in itertools.pairwise(reading)]))
        if len(words) == 1 and 2 <= len(joined) <= tk.INITIALS_MAX:
            ways.append(Term("0" + joined))
    return _join(Any, ways)


def parse(text: str) -> Parsed:
    text = text.strip()[:QUERY_MAX]
    if isbn := _isbn(text):
        return Parsed(text=text, isbn=isbn)
    normalized = tk.normalize(text).strip()
    call_number: Node | None = None
    if _CALL_NUMBER.match(normalized) and (prefix := tk.call_number_tokens(normalized)):
        call_number = Term(prefix[-1], prefix="/" in normalized)
    groups: list[Node] = []
    latin: list[str] = []
    for run in tk.runs(text):
        if tk.is_cjk(run):
            if latin:
                groups.append(_latin(latin))
                latin = []
            groups.append(_chinese(run))
        else:
            latin.append(run)
    if latin:
        groups.append(_latin(latin))
    words = _join(All, groups) if groups else None
    return Parsed(text=text, call_number=call_number, title_key=tk.title_key(text), words=words)
