"""Exporting records as ISO 2709 or MARCXML, CNMARC/UNIMARC or MARC21, in UTF-8 or GB18030.

A record exported into the format it was imported in starts from the kept original (see kept), so
fields xiaotu does not interpret go out untouched; only the parts the catalogue changed are rebuilt, and the
copies are always the catalogue's. Into the other format, the record is built from the catalogue's fields
(see crosswalk). Either way the leader is made valid for the format — UNIMARC leaves leader/09 blank, which
pymarc would have set to 'a' — and CNMARC 100 $a/26–29 names the character set actually written: '50  '
(ISO 10646) for UTF-8, '0120' (ISO 646 + GB 2312 set, what dp2 and the records we see use) for GB18030.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from io import BytesIO
from typing import IO

from .bib import BibRecord
from .charsets import GB18030, MARC8, UTF8, normalise_encoding
from .crosswalk import MARC21_GROUPS, UNIMARC_GROUPS, Group
from .formats import MARC21, normalise_format
from .iso2709 import RecordError, encode_record
from .kept import read_kept
from .marc21 import linkage
from .marcxml import COLLECTION_END, collection_start, record_to_xml
from .problems import MarcFileError, RecordProblem
from .reader import ISO2709, MARCXML, map_record
from .record import MarcField, MarcRecord

CNMARC_CHARSETS = {UTF8: "50  ", GB18030: "0120"}
_CJK = re.compile(r"[\u3400-\u9fff]")


@dataclass(slots=True)
class ExportRecord:
    """A catalogue record to export: its current fields and copies (``bib.holdings``), and the original
    record kept at import, in either kept form (``bib.format`` says which format that original is in), if any."""

    bib: BibRecord
    original: str | None = None


@dataclass(slots=True)
class ExportSummary:
    written: int = 0
    problems: list[RecordProblem] = field(default_factory=list)


def _family(fmt: str) -> str:
    return MARC21 if fmt == MARC21 else "unimarc"


def build_record(item: ExportRecord, *, marc_format: str, encoding: str, entered: date) -> MarcRecord:
    """The MARC record to write for ``item`` in ``marc_format`` and ``encoding``, leader and 100/008 included."""
    bib = item.bib
    groups = MARC21_GROUPS if marc_format == MARC21 else UNIMARC_GROUPS
    original = read_kept(item.original) if item.original else None
    if original is not None and _family(bib.format) == _family(marc_format):
        record = _patch(original, bib, groups, marc_format)
    else:
        fields = [f for g in groups for f in g.build(bib, None)]
        leader = original.leader if original is not None else ""
        record = MarcRecord(leader, _block_order(fields))
    if marc_format == MARC21:
        _set_008(record, bib, entered)
        record.leader = marc21_leader(record.leader, encoding)
    else:
        _set_100(record, bib, entered, CNMARC_CHARSETS[encoding])
        record.leader = unimarc_leader(record.leader)
    return record


def _patch(record: MarcRecord, bib: BibRecord, groups: tuple[Group, ...], marc_format: str) -> MarcRecord:
    """Rebuild, in place in the original, only the groups whose attributes differ from what it maps to.

    Groups share fields (200 also holds other titles; a romanised 245 is one), so the result is mapped again
    and any group still differing is rebuilt too.
    """
    for _ in range(2):
        base, _ = map_record(record, bib.format)
        changed = [g for g in groups if any(getattr(base, a) != getattr(bib, a) for a in g.attributes)]
        if not changed:
            break
        record = MarcRecord(record.leader, _rebuild(record.fields, bib, changed, marc_format))
    return record


def _rebuild(fields: list[MarcField], bib: BibRecord, groups: list[Group], marc_format: str) -> list[MarcField]:
    for group in groups:
        positions = [i for i, f in enumerate(fields) if f.tag in group.tags]
        first = fields[positions[0]] if positions else None
        linked = {_partner(fields[i]) for i in positions} - {None}
        new = group.build(bib, first)
        kept: list[MarcField] = []
        for i, f in enumerate(fields):
            if positions and i == positions[0]:
                kept.extend(new)
            if f.tag in group.tags or (f.tag == "880" and linkage(f) in linked):
                continue
            kept.append(f)
        fields = kept if positions else _insert(kept, new, None)
        if group.name == "other_titles" and marc_format != MARC21:
            _strip_other_titles_from_200(fields)
    return fields


def _partner(f: MarcField) -> tuple[str, str] | None:
    """The linkage an 880 partner of ``f`` carries: a 245 with $6 880-01 pairs with an 880 saying 245-01."""
    link = linkage(f)
    return (f.tag, link[1]) if link and link[0] == "880" else None


def _strip_other_titles_from_200(fields: list[MarcField]) -> None:
    for f in fields:
        if f.tag == "200":
            seen_a = False
            kept = []
            for code, value in f.subfields:
                if code == "a":
                    if seen_a:
                        continue
                    seen_a = True
                elif code == "d":
                    continue
                kept.append((code, value))
            f.subfields = kept
            return


def _insert(fields: list[MarcField], new: list[MarcField], at: int | None) -> list[MarcField]:
    if not new:
        return fields
    if at is None:
        tag = new[0].tag
        at = next((i for i, f in enumerate(fields) if f.tag > tag), len(fields))
    return fields[:at] + new + fields[at:]


def _block_order(fields: list[MarcField]) -> list[MarcField]:
    """Fields by tag block (0XX, 1XX, …) keeping the builders' order inside a block, as catalogues list them."""
    return sorted(fields, key=lambda f: (f.tag[:1], f.tag if f.tag[:1] in "01" else ""))


def _set_100(record: MarcRecord, bib: BibRecord, entered: date, charset: str) -> None:
    for f in record.fields:
        if f.tag == "100" and f.data is None:
            for i, (code, value) in enumerate(f.subfields):
                if code == "a":
                    value = value.ljust(36)
                    f.subfields[i] = ("a", f"{value[:26]}{charset}    {value[34:]}")
                    return
            f.subfields.insert(0, ("a", _new_100(bib, entered, charset)))
            return
    new = MarcField("100", "  ", [("a", _new_100(bib, entered, charset))])
    record.fields = _insert(record.fields, [new], None)


def _new_100(bib: BibRecord, entered: date, charset: str) -> str:
    """100 $a for a new record: entry date, publication year, 'em y0chiy', character set, title script."""
    year = f"{bib.year:04d}" if bib.year else "    "
    script = "ea" if _CJK.search(bib.title) else "ba"
    return f"{entered:%Y%m%d}d{year}    em y0chiy{charset}    {script}"


def _set_008(record: MarcRecord, bib: BibRecord, entered: date) -> None:
    language = bib.languages[0] if bib.languages and len(bib.languages[0]) == 3 else "   "
    for f in record.fields:
        if f.tag == "008" and f.data is not None:
            if bib.languages and f.data[35:38] != language:
                data = f.data.ljust(40)
                f.data = data[:35] + language + data[38:]
            return
    year = f"{bib.year:04d}" if bib.year else "    "
    value = f"{entered:%y%m%d}{'s' if bib.year else 'n'}{year}    xx {'|' * 17}{language} d"
    record.fields = _insert(record.fields, [MarcField.control("008", value)], None)


def _pick(value: str, allowed: str, default: str) -> str:
    return value if value and value in allowed else default


def unimarc_leader(leader: str) -> str:
    """A UNIMARC leader: blank leader/09, '22' indicator and code lengths, '450 ' entry map (lengths set later)."""
    leader = leader.ljust(24)
    return (
        "00000"
        + _pick(leader[5], "cdnop", "n")
        + _pick(leader[6], "abcdefgijklmr", "a")
        + _pick(leader[7], "acims", "m")
        + _pick(leader[8], " 012", "0")
        + " 22"
        + "00000"
        + _pick(leader[17], " 123", " ")
        + _pick(leader[18], " in", " ")
        + " 450 "
    )


def marc21_leader(leader: str, encoding: str) -> str:
    """A MARC21 leader: leader/09 'a' for UTF-8 (blank otherwise), '22', '4500' (lengths set later)."""
    leader = leader.ljust(24)
    return (
        "00000"
        + _pick(leader[5], "acdnp", "n")
        + _pick(leader[6], "acdefgijkmoprt", "a")
        + _pick(leader[7], "abcdims", "m")
        + _pick(leader[8], " a", " ")
        + ("a" if encoding == UTF8 else " ")
        + "22"
        + "00000"
        + _pick(leader[17], " 1234578uz", " ")
        + _pick(leader[18], " acinu", "i")
        + _pick(leader[19], " abc", " ")
        + "4500"
    )


def write_marc(
    out: IO[bytes],
    records: Iterable[ExportRecord],
    *,
    marc_format: str,
    container: str = ISO2709,
    encoding: str = UTF8,
    entered: date | None = None,
) -> ExportSummary:
    """Write ``records`` to ``out``; a record that cannot be written (over 99999 bytes) is skipped and reported.

    ``entered`` is the date put in a new 100/008 (today by default).
    """
    fmt = normalise_format(marc_format)
    enc = normalise_encoding(encoding)
    if enc == MARC8:
        raise MarcFileError("bad_option", name="encoding", value=encoding)
    if container not in (ISO2709, MARCXML):
        raise MarcFileError("bad_option", name="container", value=container)
    day = entered or date.today()
    summary = ExportSummary()
    if container == MARCXML:
        out.write(collection_start(enc).encode(enc))
    for position, item in enumerate(records, start=1):
        record = build_record(item, marc_format=fmt, encoding=enc, entered=day)
        try:
            data = encode_record(record, enc)
        except RecordError as error:
            if container == ISO2709:
                summary.problems.append(RecordProblem(position, -1, error.code, True))
                continue
            data = record.leader.encode("ascii")
        if container == ISO2709:
            out.write(data)
        else:
            record.leader = data[:24].decode("ascii")
            out.write(record_to_xml(record).encode(enc) + b"\n")
        summary.written += 1
    if container == MARCXML:
        out.write(COLLECTION_END.encode(enc))
    return summary


def export_marc(
    records: Iterable[ExportRecord],
    *,
    marc_format: str,
    container: str = ISO2709,
    encoding: str = UTF8,
    entered: date | None = None,
) -> tuple[bytes, ExportSummary]:
    """``write_marc`` into memory: the file's bytes and what was written."""
    buffer = BytesIO()
    summary = write_marc(
        buffer, records, marc_format=marc_format, container=container, encoding=encoding, entered=entered
    )
    return buffer.getvalue(), summary
