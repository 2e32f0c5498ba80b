"""Files from handheld scanners (盘点机): a barcode a line, maybe with a time stamp, as TXT or CSV, UTF-8 or GBK.

Every line is either taken (a barcode, and its time if it has one) or listed as junk with the reason; nothing is
dropped silently. Blank lines are neither.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from xiaotu.barcodes import clean_barcode

# Library barcodes are digits and Latin letters, sometimes with a hyphen; anything else is not a barcode.
BARCODE = re.compile(r"^[0-9A-Z][0-9A-Z-]{1,31}$")
TIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y%m%d%H%M%S",
    "%Y%m%d %H%M%S",
)
MAX_LINE = 200


@dataclass(frozen=True)
class Line:
    number: int
    barcode: str
    at: dt.datetime | None


@dataclass(frozen=True)
class Junk:
    number: int
    text: str
    reason: str


@dataclass
class ScannerFile:
    encoding: str
    lines: list[Line] = field(default_factory=list)
    junk: list[Junk] = field(default_factory=list)


def decode(data: bytes) -> tuple[str, str]:
    """The text and the encoding it was in: UTF-8 (with or without BOM) if it is valid UTF-8, else GB18030 (GBK's
    superset, what Chinese Windows writes)."""
    try:
        return data.decode("utf-8-sig"), "UTF-8"
    except UnicodeDecodeError:
        return data.decode("gb18030", errors="replace"), "GBK"


def parse_time(text: str) -> dt.datetime | None:
    text = text.strip()
    for pattern in TIME_FORMATS:
        try:
            moment = dt.datetime.strptime(text, pattern)
        except ValueError:
            continue
        return timezone.make_aware(moment) if timezone.is_naive(moment) else moment
    return None


def _fields(line: str) -> list[str]:
    if any(sep in line for sep in ",;\t"):
        dialect = "excel-tab" if "\t" in line else "excel"
        row = next(csv.reader([line.replace(";", ",")], dialect=dialect), [])
        return [cell.strip() for cell in row if cell.strip()]
    # A TXT line: "barcode", "barcode time", "time barcode": the time itself may hold a space.
    match = re.match(r"^\s*(\d{4}[-/]\d{1,2}[-/]\d{1,2}[ T]\d{1,2}:\d{2}(?::\d{2})?)\s+(\S+)\s*$", line)
    if match:
        return [match.group(1), match.group(2)]
    match = re.match(r"^\s*(\S+)\s+(\d{4}[-/]\d{1,2}[-/]\d{1,2}[ T]\d{1,2}:\d{2}(?::\d{2})?)\s*$", line)
    if match:
        return [match.group(1), match.group(2)]
    return line.split()


def parse(data: bytes) -> ScannerFile:
    text, encoding = decode(data)
    result = ScannerFile(encoding=encoding)
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip().strip("\ufeff")
        if not line:
            continue
        shown = line[:MAX_LINE]
        fields = _fields(line)
        at = None
        barcodes: list[str] = []
        for cell in fields:
            if at is None and len(fields) > 1 and (moment := parse_time(cell)) is not None:
                at = moment
                continue
            code = clean_barcode(cell.strip('"'))
            if BARCODE.match(code):
                barcodes.append(code)
        if len(barcodes) == 1:
            result.lines.append(Line(number, barcodes[0], at))
        elif not barcodes:
            result.junk.append(Junk(number, shown, _("不是条码")))
        else:
            result.junk.append(Junk(number, shown, _("一行里有多个条码")))
    return result
