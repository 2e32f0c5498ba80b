"""Character encodings of MARC files: UTF-8, GB18030/GBK and MARC-8 (with its CJK set), and how we pick one.

Evidence, strongest first: an encoding the user gives; MARC-8 escape sequences in a MARC21 file; a trial decode
(a GB18030 file is practically never valid UTF-8, so valid UTF-8 wins over what the record declares — yaz and
other converters re-encode records without touching 100 $a/26–29); then CNMARC 100 $a/26–29 and MARC21
leader/09. The chosen encoding comes with the reason, so the import report can say why.
"""

from __future__ import annotations

import contextlib
import io
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise
from pymarc.marc8 import MARC8ToUnicode

from .problems import ENCODING_REASONS, MarcFileError, render

UTF8 = "utf-8"
GB18030 = "gb18030"
MARC8 = "marc-8"
ENCODINGS = (UTF8, GB18030, MARC8)

_ALIASES = {
    "utf8": UTF8,
    "utf-8": UTF8,
    "unicode": UTF8,
    "gb18030": GB18030,
    "gbk": GB18030,
    "gb2312": GB18030,
    "cp936": GB18030,
    "936": GB18030,
    "marc8": MARC8,
    "marc-8": MARC8,
}

_HIGH = re.compile(rb"[\x80-\xff]")
# ESC followed by a MARC-8 set designation (G0/G1 intermediates or a single-byte final).
_MARC8_ESCAPE = re.compile(rb"\x1b[(,$)\-bgps]")


def normalise_encoding(name: str) -> str:
    """'GBK' -> 'gb18030', 'UTF8' -> 'utf-8', 'MARC8' -> 'marc-8'; anything else is refused."""
    found = _ALIASES.get(name.strip().lower().replace("_", "-"))
    if found is None:
        raise MarcFileError("bad_option", name="encoding", value=name)
    return found


def is_gb_charset(code: str) -> bool:
    """CNMARC 100 $a/26–29 naming a GB character set: '0120', '0110', '0121' (G0 ISO 646 + G1 GB) or '10'/'20'."""
    return code[2:4] in ("10", "11", "20", "21") or code[:2] in ("10", "20")


def is_unicode_charset(code: str) -> bool:
    return code[:2] == "50"


@dataclass(frozen=True, slots=True)
class EncodingChoice:
    """The encoding used for a file and why. ``follow_leader`` means each MARC21 record's leader/09 decides."""

    encoding: str
    reason: str
    params: dict[str, Any] = field(default_factory=dict)
    follow_leader: bool = False

    @property
    def message(self) -> StrOrPromise:
        return render(ENCODING_REASONS[self.reason], {"encoding": self.encoding, **self.params})


def _valid(sample: bytes, encoding: str) -> bool:
    try:
        sample.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def _looks_chinese(sample: bytes) -> bool:
    """Most non-ASCII characters of the GB18030 reading are Han characters or CJK/full-width punctuation."""
    text = sample.decode(GB18030, "replace")
    wide = [ch for ch in text if ord(ch) >= 0x80]
    if not wide:
        return False
    cjk = sum(
        1 for ch in wide if "\u4e00" <= ch <= "\u9fff" or "\u3000" <= ch <= "\u303f" or "\uff00" <= ch <= "\uffef"
    )
    return cjk >= 0.8 * len(wide)


_DOUBLE_BYTE = re.compile(rb"[\x81-\xfe][\x30-\x39][\x81-\xfe][\x30-\x39]|[\x81-\xfe][\x80-\xfe]")


def _looks_double_byte(sample: bytes) -> bool:
    """High bytes come in pairs (GB2312/GBK characters), not singly before Latin letters (MARC-8 diacritics).

    A GBK character whose second byte is ASCII looks just like a MARC-8 diacritic and its letter, so only
    all-high pairs and GB18030's four-byte sequences count; they must cover most of the high bytes.
    """
    high = len(_HIGH.findall(sample))
    return high > 0 and 2 * len(_DOUBLE_BYTE.findall(sample)) >= 0.8 * high


def _fewest_errors(sample: bytes, candidates: tuple[str, ...]) -> str:
    return min(candidates, key=lambda enc: sample.decode(enc, "replace").count("\ufffd"))


def choose_encoding(
    sample: bytes,
    *,
    marc_format: str,
    leader09: Counter[str],
    charset_codes: Counter[str],
    override: str | None = None,
) -> EncodingChoice:
    """Pick the encoding for a file from a sample of whole records and what those records declare.

    ``leader09`` counts leader/09 values and ``charset_codes`` CNMARC 100 $a/26–29 values in the sample.
    """
    if override:
        return EncodingChoice(normalise_encoding(override), "override")
    is_marc21 = marc_format == "marc21"
    leader_says_utf8 = leader09.get("a", 0) > sum(leader09.values()) / 2
    gb_code = next((code for code, _count in charset_codes.most_common() if is_gb_charset(code)), None)
    declared: dict[str, StrOrPromise] = {"declared": ""}
    if is_marc21:
        declared["declared"] = format_lazy(_("（头标 09 位为“{code}”）"), code="a" if leader_says_utf8 else " ")
    elif charset_codes:
        declared["declared"] = format_lazy(_("（100 $a/26-29 为“{code}”）"), code=charset_codes.most_common(1)[0][0])

    if not _HIGH.search(sample) and b"\x1b" not in sample:
        if is_marc21:
            return EncodingChoice(UTF8 if leader_says_utf8 else MARC8, "ascii", follow_leader=True)
        return EncodingChoice(UTF8, "ascii")
    if is_marc21 and not leader_says_utf8 and _MARC8_ESCAPE.search(sample):
        return EncodingChoice(MARC8, "marc8_escapes", follow_leader=True)
    if _valid(sample, UTF8):
        return EncodingChoice(UTF8, "trial_utf8", declared)
    if not is_marc21:
        if gb_code and _valid(sample, GB18030):
            return EncodingChoice(GB18030, "cnmarc_100", {"code": gb_code})
        if _valid(sample, GB18030) and _looks_chinese(sample):
            return EncodingChoice(GB18030, "trial_gb18030", declared)
        return EncodingChoice(_fewest_errors(sample, (GB18030, UTF8)), "best_effort")
    if _valid(sample, GB18030) and _looks_double_byte(sample):
        return EncodingChoice(GB18030, "trial_gb18030", declared)
    if leader_says_utf8:
        return EncodingChoice(UTF8, "leader09", {"code": "a"}, follow_leader=True)
    return EncodingChoice(MARC8, "leader09", {"code": " "}, follow_leader=True)


def _translate(raw: bytes) -> str:
    return str(MARC8ToUnicode(quiet=True).translate(raw))  # type: ignore[no-untyped-call]


_NCR = re.compile(r"&#x([0-9A-Fa-f]{2,6});")


def marc8_decode(raw: bytes) -> tuple[str, bool]:
    """MARC-8 (ANSEL, EACC/CJK and the other sets) to Unicode NFC; False when bytes had to be dropped.

    Characters outside MARC-8 are written as numeric character references ('&#x8ECA;'), which are resolved.
    pymarc reports a multibyte character cut short on stderr even when told to be quiet, so that output is
    captured (only when a multibyte set is designated) and turned into the False.
    """
    try:
        if b"\x1b$" in raw:
            with contextlib.redirect_stderr(io.StringIO()) as complaints:
                text = _translate(raw)
            ok = not complaints.getvalue()
        else:
            text, ok = _translate(raw), True
    except (IndexError, TypeError, KeyError, ValueError):
        return raw.decode("latin-1"), False
    if "&#x" in text:
        text = _NCR.sub(lambda m: chr(int(m.group(1), 16)), text)
    return text, ok


def repair_subfield_code(code: str) -> str:
    """A non-ASCII subfield code ('á' typed for 'a') reduced to its base letter, as pymarc does; else '?'."""
    base = unicodedata.normalize("NFKD", code).encode("ascii", "ignore").decode("ascii")
    return base[:1] if base[:1].isalnum() else "?"
