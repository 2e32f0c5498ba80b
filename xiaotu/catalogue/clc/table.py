"""The 中图法 class table: lookup by code, the chain of broader classes, 五大部类, and the class picker's search."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from xiaotu.catalogue.clc.notation import basic_letter, normalize_class
from xiaotu.pinyin import full_pinyin, initials

DEFAULT_TABLE = Path(__file__).with_name("clc5.json")

_NOT_PINYIN = re.compile(r"[^a-z0-9]")


@dataclass(frozen=True)
class ClcClass:
    """One class of the table, e.g. ``ClcClass("I247.5", "新体长篇、中篇小说", parent="I247")``."""

    code: str
    name: str
    parent: str | None = None

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


@dataclass(frozen=True)
class ClcCategory:
    """五大部类 — one of the five groups the 22 basic classes fall into, as 规程 statistics count them."""

    key: str
    name: str
    short_name: str
    letters: str

    def __str__(self) -> str:
        return self.short_name


CATEGORIES: tuple[ClcCategory, ...] = (
    ClcCategory("marxism", "马克思主义、列宁主义、毛泽东思想、邓小平理论", "马列毛邓", "A"),
    ClcCategory("philosophy", "哲学、宗教", "哲学", "B"),
    ClcCategory("social_sciences", "社会科学", "社会科学", "CDEFGHIJK"),
    ClcCategory("natural_sciences", "自然科学", "自然科学", "NOPQRSTUVX"),
    ClcCategory("general", "综合性图书", "综合", "Z"),
)
_CATEGORY_BY_LETTER = {letter: category for category in CATEGORIES for letter in category.letters}


@dataclass(frozen=True)
class _Span:
    """A span class such as I3/7 (各国文学) or K280.1/.7, covering every code from its first to its last."""

    code: str
    head: str
    first: str
    last: str

    @classmethod
    def parse(cls, code: str) -> _Span | None:
        start, _, end = code.partition("/")
        if not end or len(end) > len(start):
            return None
        head = start[: len(start) - len(end)]
        return cls(code=code, head=head, first=start[len(head) :], last=end)

    @property
    def depth(self) -> int:
        return len(self.head) + len(self.first)

    def covers(self, key: str) -> bool:
        segment = key[len(self.head) : self.depth]
        return key.startswith(self.head) and len(segment) == len(self.first) and self.first <= segment <= self.last


class ClcTable:
    """A 中图法 table in class order; parents not given are worked out from the notation."""

    def __init__(self, classes: Iterable[ClcClass], *, title: str = "") -> None:
        self.title = title
        given = list(classes)
        self._by_code: dict[str, ClcClass] = {c.code: c for c in given}
        self._spans_by_head: dict[str, list[_Span]] = {}
        for code in self._by_code:
            if span := _Span.parse(code):
                self._spans_by_head.setdefault(span.head, []).append(span)
        resolved = []
        for entry in self._by_code.values():
            parent = entry.parent if entry.parent in self._by_code else self._container(entry.code)
            resolved.append(entry if parent == entry.parent else ClcClass(entry.code, entry.name, parent))
        self._classes: tuple[ClcClass, ...] = tuple(resolved)
        self._by_code = {c.code: c for c in self._classes}
        self._children: dict[str | None, list[ClcClass]] = {}
        for entry in self._classes:
            self._children.setdefault(entry.parent, []).append(entry)

    def __len__(self) -> int:
        return len(self._classes)

    def __iter__(self) -> Iterator[ClcClass]:
        return iter(self._classes)

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and normalize_class(code) in self._by_code

    def get(self, code: str) -> ClcClass | None:
        """The class with exactly this code (as vendors write it: full-width, lower case and spaces are fine)."""
        return self._by_code.get(normalize_class(code))

    def parents(self, code: str) -> list[ClcClass]:
        """Broader classes, nearest first: 'I247.5' -> I247, I24, I2, I. Works for codes not in the table too."""
        code = normalize_class(code)
        entry = self._by_code.get(code)
        parent = entry.parent if entry else self._container(code)
        chain: list[ClcClass] = []
        while parent is not None and len(chain) < 64:
            chain.append(self._by_code[parent])
            parent = self._by_code[parent].parent
        return chain

    def children(self, code: str | None = None) -> list[ClcClass]:
        """Narrower classes one level down; the basic classes when ``code`` is None."""
        return list(self._children.get(normalize_class(code) if code else None, ()))

    def basic_class(self, code: str) -> ClcClass | None:
        """The basic class (基本大类) a code belongs to: 'TP311' -> T 工业技术."""
        letter = basic_letter(normalize_class(code))
        return self._by_code.get(letter) if letter else None

    def category(self, code: str) -> ClcCategory | None:
        """The 五大部类 of a code: 'I247.5' -> 社会科学, 'TP311' -> 自然科学."""
        letter = basic_letter(normalize_class(code))
        return _CATEGORY_BY_LETTER.get(letter) if letter else None

    def search(self, query: str, limit: int = 20) -> list[ClcClass]:
        """Classes for the picker, best first: by code prefix ('I24'), by name ('小说'), by 拼音 ('xiaoshuo') or
        its initials ('xs')."""
        text = unicodedata.normalize("NFKC", query).strip()
        if not text or limit <= 0:
            return []
        code = normalize_class(text)
        letters = _NOT_PINYIN.sub("", text.lower()) if text.isascii() else ""
        ranked: list[tuple[int, int, int, ClcClass]] = []
        for position, (entry, (short, full)) in enumerate(zip(self._classes, self._pinyin, strict=True)):
            rank = _rank(entry, text, code, letters, short, full)
            if rank is not None:
                # Equally good matches: the broader class first (xs: I24 小说 before G625.5 学生).
                ranked.append((rank, len(entry.code), position, entry))
        ranked.sort(key=lambda item: item[:3])
        return [entry for *_, entry in ranked[:limit]]

    @functools.cached_property
    def _pinyin(self) -> tuple[tuple[str, str], ...]:
        """Initials and full 拼音 of every class name, worked out once per table on the first search."""
        return tuple(
            (_NOT_PINYIN.sub("", initials(entry.name)), _NOT_PINYIN.sub("", full_pinyin(entry.name)))
            for entry in self._classes
        )

    def _container(self, code: str) -> str | None:
        """The nearest class in the table that contains ``code``: a shorter prefix or a span such as I3/7."""
        key = code.partition("/")[0]
        best: str | None = None
        best_depth = 0
        for end in range(len(key) - 1, 0, -1):
            prefix = key[:end]
            if best is None and prefix in self._by_code and prefix != code and "/" not in prefix:
                best, best_depth = prefix, end
            for span in self._spans_by_head.get(prefix, ()):
                if span.code != code and span.depth > best_depth and span.covers(key):
                    best, best_depth = span.code, span.depth
        return best


def _rank(entry: ClcClass, text: str, code: str, letters: str, short: str, full: str) -> int | None:
    if code and entry.code == code:
        return 0
    if code and entry.code.startswith(code):
        return 1
    if entry.name == text:
        return 2
    if entry.name.startswith(text):
        return 3
    if text in entry.name:
        return 4
    if not letters:
        return None
    for rank, (haystack, exact) in enumerate(((short, True), (short, False), (full, True), (full, False)), start=5):
        if (haystack == letters) if exact else (letters in haystack):
            return rank
    return None


@functools.lru_cache(maxsize=8)
def _load(path: str, version: int) -> ClcTable:
    from xiaotu.catalogue.clc.importing import read_table

    return read_table(Path(path))


def installed_table_path() -> Path:
    """Where `xiaotu import-clc` keeps a library's fuller table: clc.json in the data folder."""
    from django.conf import settings

    return Path(settings.DATA_DIR) / "clc.json"


def load_table(path: str | Path | None = None) -> ClcTable:
    """The table at ``path``; else the fuller one installed with `xiaotu import-clc`; else the shipped one (22
    basic classes, the whole second level and the third level schools use most). Cached per file and version."""
    if path is None:
        installed = installed_table_path()
        path = installed if installed.exists() else DEFAULT_TABLE
    resolved = Path(path)
    # The file's modification time is part of the key, so a newly imported table is used without a restart.
    return _load(str(resolved), resolved.stat().st_mtime_ns if resolved.exists() else 0)


def table_as_json(table: ClcTable) -> str:
    """The table in the JSON form that load_table and import_table read ({"title", "classes": [...]})."""
    import json

    classes = [{"code": c.code, "name": c.name, **({"parent": c.parent} if c.parent else {})} for c in table]
    return json.dumps({"title": table.title, "classes": classes}, ensure_ascii=False, indent=1)
