"""Text into search tokens, the same way for the catalogue and for what a pupil types.

Chinese has no spaces, so a run of characters is indexed as single characters and as overlapping pairs; its 拼音 as
syllables and as pairs of syllables written together ("xiyou", "youji"), so that `xiyouji` and `xi you ji` both
find 西游记; and its initials ("xyj") as tokens of their own. Every token is a plain string made of letters and
digits — no engine's tokenizer or stemmer gets a say — so FTS5 and PostgreSQL see exactly the same tokens.

Token kinds are told apart by a leading mark that no word of the text can produce in that position:
"0…" initials, "1…" call-number prefixes, "3…" a whole title, "4…" its whole 拼音 or initials, "2…" filters
(see FILTER_*).
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache

import opencc
from pypinyin import lazy_pinyin

# Changes whenever the same text would give other tokens: an index built by another version needs `xiaotu reindex`.
INDEX_VERSION = 4
INITIALS_MAX = 8
TITLE_KEY_MAX = 60
SUMMARY_MAX = 300

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ebef"
_RUN = re.compile(rf"[{_CJK}]+|[a-z0-9]+")
_IS_CJK = re.compile(rf"[{_CJK}]")
_LATIN = re.compile(r"[a-z0-9]+")


@cache
def _converter() -> opencc.OpenCC:
    # Traditional characters are indexed and searched as Simplified: 西遊記 finds 西游记 and the other way round.
    return opencc.OpenCC("t2s")


_ACCENTED = re.compile(r"[\u00c0-\u024f\u1e00-\u1eff]")


def normalize(text: str) -> str:
    """Full-width to half-width, lower case, Traditional to Simplified, accents dropped (é → e)."""
    text = unicodedata.normalize("NFKC", text).lower()
    if not text.isascii():
        text = _converter().convert(text)
        if _ACCENTED.search(text):
            decomposed = unicodedata.normalize("NFD", text)
            text = unicodedata.normalize("NFC", "".join(c for c in decomposed if unicodedata.category(c) != "Mn"))
    return text


def runs(text: str) -> list[str]:
    """Normalized text as runs of Chinese characters and Latin/digit words, in order; punctuation drops out."""
    return _RUN.findall(normalize(text))


def is_cjk(run: str) -> bool:
    return bool(_IS_CJK.match(run))


@lru_cache(maxsize=200_000)
def syllables(run: str) -> tuple[str, ...]:
    """A run of Chinese characters as 拼音 syllables, read as words in context (银行 yin hang, 行走 xing zou)."""
    return tuple(s for s in (p.lower() for p in lazy_pinyin(run, errors="ignore")) if s)


class Tokens:
    """The tokens of one field of a record, collected in order; duplicates are harmless but dropped."""

    def __init__(self) -> None:
        self._seen: dict[str, None] = {}

    def add(self, token: str) -> None:
        self._seen[token] = None

    def text(self) -> str:
        return " ".join(self._seen)

    def add_text(self, text: str, *, pinyin: bool, initials: bool, limit: int | None = None) -> None:
        parts = runs(text[:limit] if limit else text)
        sounds: list[str] = []
        starts: list[int] = []
        words: list[str] = []
        for run in parts:
            if not is_cjk(run):
                self.add(run)
                if words:
                    # Words side by side, joined, as 拼音 pairs are: "a man" is found as typed, cheaply.
                    self.add(words[-1] + run)
                words.append(run)
                continue
            for i, char in enumerate(run):
                self.add(char)
                if i:
                    self.add(run[i - 1 : i + 1])
            if pinyin:
                starts.append(len(sounds))
                sounds.extend(syllables(run))
        for i, sound in enumerate(sounds):
            self.add(sound)
            if i:
                self.add(sounds[i - 1] + sound)
        if initials and sounds:
            letters = "".join(s[0] for s in sounds)
            for start in starts:
                for end in range(start + 2, min(start + INITIALS_MAX, len(letters)) + 1):
                    self.add("0" + letters[start:end])

    def add_title_key(self, title: str) -> None:
        """The whole title as one token, and its whole 拼音 and initials ("4xiyouji", "4xyj"): typed in full, they
        put this title before the longer ones that start the same way."""
        if key := title_key(title):
            self.add("3" + key)
        sounds = [s for run in runs(title) if is_cjk(run) for s in syllables(run)]
        if len(sounds) > 1:
            self.add("4" + "".join(s[0] for s in sounds)[:TITLE_KEY_MAX])
            self.add("4" + "".join(sounds)[:TITLE_KEY_MAX])


def title_key(title: str) -> str:
    """A title as one token for the exact-title match: its runs joined, so punctuation and spaces do not matter."""
    return "".join(runs(title))[:TITLE_KEY_MAX]


_CALL_CLASS = re.compile(r"^([a-z]{1,2}[0-9][0-9a-z.\-:()=+\"<>]*)")


def call_number_tokens(call_number: str) -> list[str]:
    """'I247.5/123' -> 1i, 1i2, 1i24, 1i247, 1i2475 and the whole number 1i2475123: a prefix search by exact tokens."""
    text = normalize(call_number).replace(" ", "")
    match = _CALL_CLASS.match(text)
    if not match:
        return []
    klass = "".join(_LATIN.findall(match.group(1)))
    tokens = ["1" + klass[:end] for end in range(1, len(klass) + 1)]
    whole = "".join(_LATIN.findall(text))
    if whole != klass:
        tokens.append("1" + whole)
    return tokens


# Filter tokens: one per facet value, so a facet narrows the match inside the index.
FILTER_CLASS = "2c"
FILTER_LOCATION = "2l"
FILTER_YEAR = "2y"
FILTER_LANGUAGE = "2g"
FILTER_HIDDEN = "2h"  # no copy the public may see (all withdrawn, or none yet)


@cache
def pinyin_syllables() -> frozenset[str]:
    """Every toneless syllable pypinyin knows (ü written v, as pypinyin and pupils write it)."""
    from pypinyin.pinyin_dict import pinyin_dict

    found: set[str] = set()
    for readings in pinyin_dict.values():
        for reading in readings.split(","):
            plain = unicodedata.normalize("NFD", reading.replace("ü", "v"))
            found.add("".join(c for c in plain if c.isascii() and c.isalpha()))
    found.discard("")
    # Interjection-only readings (hm, ng, m …) would cut ordinary words into nonsense.
    return frozenset(s for s in found if any(v in s for v in "aeiouv"))


SEGMENTATIONS_MAX = 4


def segment_pinyin(word: str) -> list[tuple[str, ...]]:
    """All readings of `word` as the fewest 拼音 syllables ('xian' -> [('xian',)]), at most a few; [] if none."""
    known = pinyin_syllables()
    n = len(word)
    best: list[list[tuple[str, ...]] | None] = [None] * (n + 1)
    best[0] = [()]
    for end in range(1, n + 1):
        options: list[tuple[str, ...]] = []
        for start in range(max(0, end - 6), end):
            head = best[start]
            if head is not None and word[start:end] in known:
                options.extend((*h, word[start:end]) for h in head)
        if options:
            fewest = min(len(o) for o in options)
            best[end] = [o for o in options if len(o) == fewest][:SEGMENTATIONS_MAX]
    return best[n] or []
