"""中图法 notation: cleaning what vendors write and checking it against the 5th edition's rules.

A class number is a basic-class letter (two letters for T's subclasses TB…TV and for DF), Arabic
digits with a "." after every third digit (I247.5, TP311.138), then auxiliary signs:

- ``-`` 总论复分号 (B-4, TP3-62), ``( )`` 国家、地区区分号, ``=`` 时代区分号 (K825.6=76),
  ``" "`` 民族、种族区分号, ``< >`` 通用时间、地点和环境、人员区分号;
- ``:`` 组配符号 and ``+`` 联合符号 (S435.313+.1), ``/`` 起止符号 for spans (I3/7, K280.1/.7);
- a trailing lower-case ``a`` 推荐符号.

Square and curly brackets mark 交替 and 停用 classes in the printed table; they never belong in a
record, so they are not valid here.
"""

from __future__ import annotations

import re
import unicodedata

BASIC_LETTERS = "ABCDEFGHIJKNOPQRSTUVXZ"
T_SUBCLASSES = "BDEFGHJKLMNPQSUV"

_LETTERS = r"(?:T[BDEFGHJKLMNPQSUV]|DF|[A-KNOPQRSTUVXZ])"
# A "." after every three digits: 2, 24, 247, 247.5, 311.138, 311.138.1
_NUMBER = r"(?:\d{3}(?:\.\d{3})*(?:\.\d{1,3})?|\d{1,2})"
_LOOSE = r"\d+(?:\.\d+)*"
_AUXILIARY = (
    rf"(?:-{_NUMBER}"
    rf"|\({_NUMBER}\)"
    rf"|={_NUMBER}"
    rf'|"{_NUMBER}"'
    rf"|<{_NUMBER}>"
    rf"|/[-.]?{_LOOSE}"
    rf"|\+\.?{_LOOSE}"
    rf"|[+:]{_LETTERS}{_NUMBER}?)"
)
_CLASS_RE = re.compile(rf"{_LETTERS}{_NUMBER}?{_AUXILIARY}*a?")

# Characters NFKC leaves alone but vendors use for ASCII signs.
_LOOKALIKES = str.maketrans(
    {
        "“": '"',
        "”": '"',
        "„": '"',
        "″": '"',
        "〃": '"',
        "—": "-",
        "–": "-",
        "‐": "-",
        "‑": "-",
        "−": "-",
        "。": ".",
        "〈": "<",
        "〉": ">",
        "《": "<",
        "》": ">",
    }
)
_JUNK_EDGES = ".,;:、/-+=_"
_SPAN_END = re.compile(r"[-.]?\d+(?:\.\d+)*")
_SEPARATORS = re.compile(r"[;,、|]+")
_UNDOTTED = re.compile(r"^([A-Z]{1,2})(\d{4,})(?![.\d])")


def normalize_class(raw: str) -> str:
    """Clean one class number as vendors write it: 'ｉ２４７．５。' -> 'I247.5', 'k825.6 = 76' -> 'K825.6=76'.

    Full-width characters and look-alike punctuation become ASCII, spaces go, letters are upper-cased
    (except the trailing 推荐符号 'a'), stray punctuation at either end is dropped and a missing "."
    after the third digit is put back ('I2475' -> 'I247.5'). The result may still be invalid: check it
    with :func:`is_valid_class`.
    """
    text = unicodedata.normalize("NFKC", raw).translate(_LOOKALIKES)
    text = "".join(text.split()).strip(_JUNK_EDGES)
    if not text:
        return ""
    recommended = len(text) > 1 and text.endswith("a") and not text[-2].isalpha()
    text = text[:-1].upper() + "a" if recommended else text.upper()
    return _UNDOTTED.sub(_dot_digits, text, count=1)


def _dot_digits(match: re.Match[str]) -> str:
    digits = match.group(2)
    groups = [digits[i : i + 3] for i in range(0, len(digits), 3)]
    return match.group(1) + ".".join(groups)


def is_valid_class(code: str) -> bool:
    """Whether ``code`` is written as a 中图法 5th-edition class number (not whether the class exists)."""
    if not _CLASS_RE.fullmatch(code):
        return False
    start, slash, rest = code.partition("/")
    if not slash:
        return True
    # A span replaces the tail of its first code with a larger one of the same shape: I3/7, K280.1/.7.
    end = _SPAN_END.match(rest)
    if end is None or len(end.group()) > len(start) - 1:
        return False
    tail = start[-len(end.group()) :]
    return _shape(tail) == _shape(end.group()) and tail < end.group()


def _shape(text: str) -> str:
    return re.sub(r"\d", "9", text)


def split_classes(raw: str) -> list[str]:
    """Several classes in one field ('K825.2；E251-53') -> ['K825.2', 'E251-53'], each normalised."""
    parts = _SEPARATORS.split(unicodedata.normalize("NFKC", raw))
    return [code for code in (normalize_class(part) for part in parts) if code]


def basic_letter(code: str) -> str | None:
    """The basic class letter a class number belongs to: 'TP311' -> 'T', 'DF' -> 'D'."""
    if code[:1] and code[0] in BASIC_LETTERS:
        return code[0]
    return None
