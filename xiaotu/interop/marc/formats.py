"""Which MARC a record is: MARC21, UNIMARC, or CNMARC (UNIMARC as Chinese libraries write it)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from .problems import MarcFileError
from .record import MarcField, MarcRecord

CNMARC = "cnmarc"
UNIMARC = "unimarc"
MARC21 = "marc21"
FORMATS = (CNMARC, UNIMARC, MARC21)
_UNIMARC_100 = re.compile(r"^\d{8}[a-z|#]")
_CJK = re.compile(r"[\u3400-\u9fff]")


def normalise_format(name: str) -> str:
    value = name.strip().lower().replace("-", "").replace("_", "")
    value = {"usmarc": MARC21, "marc": MARC21}.get(value, value)
    if value not in FORMATS:
        raise MarcFileError("bad_option", name="format", value=name)
    return value


def record_family(record: MarcRecord) -> tuple[str | None, bool]:
    """('unimarc' | 'marc21' | None, looks Chinese) from the fields present."""
    unimarc = marc21 = 0
    chinese = False
    for f in record.fields:
        tag = f.tag
        if tag == "245":
            marc21 += 3
        elif tag == "008" and f.data is not None:
            marc21 += 2
        elif tag in ("260", "264", "300", "650", "082"):
            marc21 += 1
        elif tag == "200":
            unimarc += 3
        elif tag == "100" and f.data is None and _UNIMARC_100.match(f.get("a")):
            unimarc += 3
            chinese |= f.get("a")[22:25] == "chi"
        elif tag in ("210", "215", "606", "701", "801"):
            unimarc += 1
        chinese = chinese or _says_chinese(f)
    if unimarc == marc21:
        return None, chinese
    return (UNIMARC if unimarc > marc21 else MARC21), chinese


def _says_chinese(f: MarcField) -> bool:
    tag = f.tag
    if tag in ("690", "905", "906"):
        return True
    if tag == "801":
        return f.get("a") == "CN"
    if tag == "101":
        return "chi" in f.get_all("a")
    return tag == "200" and _CJK.search(f.get("a")) is not None


def choose_format(records: Iterable[MarcRecord], hint: str | None = None) -> str:
    """The format most sample records have; ``hint`` (an SRU schema or namespace) breaks ties."""
    families: Counter[str] = Counter()
    chinese = 0
    for record in records:
        family, is_chinese = record_family(record)
        if family:
            families[family] += 1
            chinese += family == UNIMARC and is_chinese
    if not families:
        return hint or MARC21
    if families[UNIMARC] > families[MARC21] or (families[UNIMARC] == families[MARC21] and hint in (CNMARC, UNIMARC)):
        return CNMARC if chinese * 2 >= families[UNIMARC] or hint == CNMARC else UNIMARC
    return MARC21
