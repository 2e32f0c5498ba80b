"""Reading a MARC file: refuse it whole or stream its records, each read and mapped, or reported as a problem.

``open_marc`` decides everything about the file before the first record is handed out — it is MARC, not empty,
not too large, not truncated, well-formed XML; its container, format and encoding — and raises MarcFileError
otherwise, so a refused file changes nothing. Iterating the returned MarcFile then yields, in file order, a
ParsedRecord for each readable record (with any repairs as warnings) and a RecordProblem for each record that
could not be read; reading goes on after a bad record.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from .bib import BibRecord
from .charsets import GB18030, MARC8, UTF8, EncodingChoice, choose_encoding, normalise_encoding
from .formats import CNMARC, MARC21, UNIMARC, choose_format, normalise_format, record_family
from .iso2709 import RecordError, iter_chunks, leader09_encoding, parse_record, parse_record_with_text, split_embedded
from .kept import kept_iso2709
from .marc21 import map_marc21
from .marcxml import (
    XmlRecord,
    as_utf8,
    check_well_formed,
    declared_encoding,
    iter_xml_records,
    needs_transcoding,
    scan_xml,
)
from .problems import ENCODING_REASONS, MarcFileError, RecordProblem, render
from .record import MarcRecord
from .unimarc import charset_code, map_unimarc

DEFAULT_MAX_BYTES = 200 * 1024 * 1024
ISO2709 = "iso2709"
MARCXML = "marcxml"
SRU = "sru"
_SAMPLE_RECORDS = 200
_SAMPLE_BYTES = 1 << 20
_JUNK = b" \r\n\t\x00\x1a"
_LEADER_START = re.compile(rb"\d{5}[acdnposx ][a-z ][a-z ]")

Source = bytes | bytearray | memoryview | str | os.PathLike[str] | IO[bytes]


@dataclass(frozen=True, slots=True)
class MarcFileInfo:
    """What the file is: container ('iso2709', 'marcxml', 'sru'), format ('cnmarc', 'unimarc', 'marc21'),
    the encoding used to read it ('utf-8', 'gb18030', 'marc-8') and why (``encoding_reason`` code and message)."""

    container: str
    format: str
    encoding: str
    encoding_reason: str
    size: int
    encoding_params: dict[str, Any] = field(default_factory=dict)

    @property
    def encoding_message(self) -> StrOrPromise:
        return render(ENCODING_REASONS[self.encoding_reason], {"encoding": self.encoding, **self.encoding_params})


@dataclass(slots=True)
class ParsedRecord:
    """A record read from the file: where it was, the record as it stands, what it means, and any repairs.

    ``text`` is the record's decoded ISO 2709 text when its fields are exactly that text (see
    ``parse_record_with_text``), else ''.
    """

    position: int
    offset: int
    marc: MarcRecord
    bib: BibRecord
    warnings: list[RecordProblem]
    text: str = ""

    def original(self) -> str:
        """The whole record as MARC-in-JSON (MarcRecord.from_json reads it)."""
        return self.marc.to_json()

    def kept(self) -> str:
        """The whole record in the form the catalogue keeps, so that export loses nothing (see ``kept``)."""
        return kept_iso2709(self.text) if self.text else self.marc.to_json()


def map_record(record: MarcRecord, marc_format: str) -> tuple[BibRecord, list[tuple[str, dict[str, Any]]]]:
    """The catalogue's view of a record in ``marc_format``, with the mapping's warnings as (code, params).

    A record without a title may be in the other family (Taiwanese CMARC records turn up in MARC21 files):
    if its fields say so, it is mapped as that format instead.
    """
    bib, issues = map_marc21(record) if marc_format == MARC21 else map_unimarc(record, marc_format)
    if bib.title:
        return bib, issues
    family, chinese = record_family(record)
    if family == UNIMARC and marc_format == MARC21:
        return map_unimarc(record, CNMARC if chinese else UNIMARC)
    if family == MARC21 and marc_format != MARC21:
        return map_marc21(record)
    return bib, issues


class MarcFile:
    """An opened MARC file. Iterate it for ParsedRecord and RecordProblem, in file order.

    ``records_read`` and ``problems`` count what iteration has yielded so far.
    """

    def __init__(self, data: bytes, info: MarcFileInfo, choice: EncodingChoice | None) -> None:
        self._data = data
        self.info = info
        self._choice = choice
        self.records_read = 0
        self.problems = 0

    def __iter__(self) -> Iterator[ParsedRecord | RecordProblem]:
        source = self._iter_iso2709() if self.info.container == ISO2709 else self._iter_xml()
        for item in source:
            if isinstance(item, ParsedRecord):
                self.records_read += 1
            else:
                self.problems += 1
            yield item

    def _iter_iso2709(self) -> Iterator[ParsedRecord | RecordProblem]:
        fmt = self.info.format
        fixed = self.info.encoding
        follow_leader = self._choice is not None and self._choice.follow_leader
        position = 0
        for offset, chunk in iter_chunks(self._data):
            pieces = [(offset, chunk)]
            stated = chunk[:5]
            if stated.isdigit() and int(stated) != len(chunk) + 1:
                split = split_embedded(chunk)
                if split > 0:
                    pieces = [(offset, chunk[:split]), (offset + split, chunk[split:])]
            for piece_offset, piece in pieces:
                position += 1
                if len(pieces) == 2 and piece_offset == offset:
                    yield RecordProblem(position, piece_offset, "record_truncated", True)
                    continue
                yield self._read_one(position, piece_offset, piece, fmt, fixed, follow_leader)

    def _read_one(
        self, position: int, offset: int, chunk: bytes, fmt: str, fixed: str, follow_leader: bool
    ) -> ParsedRecord | RecordProblem:
        warnings: list[RecordProblem] = []
        if not chunk[:5].isdigit():
            match = _LEADER_START.search(chunk, 0, 4096)
            if match and match.start() > 0:
                warnings.append(RecordProblem(position, offset, "junk_skipped", False, {"count": match.start()}))
                offset += match.start()
                chunk = chunk[match.start() :]
        encoding = leader09_encoding(chunk[:24].decode("latin-1")) if follow_leader else fixed
        try:
            record, issues, text = parse_record_with_text(chunk, encoding)
        except RecordError as error:
            return RecordProblem(position, offset, error.code, True, error.params)
        bib, mapped = map_record(record, fmt)
        for code, params in (*issues, *mapped):
            warnings.append(RecordProblem(position, offset, code, False, params))
        return ParsedRecord(position, offset, record, bib, warnings, text)

    def _iter_xml(self) -> Iterator[ParsedRecord | RecordProblem]:
        fmt = self.info.format
        for position, item in enumerate(iter_xml_records(self._data), start=1):
            yield _xml_result(position, item, fmt)


def _xml_result(position: int, item: XmlRecord, fmt: str) -> ParsedRecord | RecordProblem:
    if not item.record.fields:
        return RecordProblem(position, item.offset, "no_fields", True)
    warnings = [RecordProblem(position, item.offset, "xml_record_invalid", False, {"detail": p}) for p in item.problems]
    bib, mapped = map_record(item.record, fmt)
    warnings.extend(RecordProblem(position, item.offset, code, False, params) for code, params in mapped)
    return ParsedRecord(position, item.offset, item.record, bib, warnings)


def open_marc(
    source: Source,
    *,
    encoding: str | None = None,
    marc_format: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> MarcFile:
    """Open a MARC file (ISO 2709, MARCXML or an SRU response) from bytes, a path or a binary file object.

    ``encoding`` ('utf-8', 'gb18030'/'gbk', 'marc-8') and ``marc_format`` ('cnmarc', 'unimarc', 'marc21')
    override detection. Raises MarcFileError when the file cannot be imported as a whole.
    """
    override = normalise_encoding(encoding) if encoding else None
    forced_format = normalise_format(marc_format) if marc_format else None
    data = _load(source, max_bytes)
    if not data.strip(_JUNK):
        raise MarcFileError("empty")
    head = data[:4096].lstrip(b"\xef\xbb\xbf" + _JUNK)
    if head.startswith(b"<") or data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return _open_xml(data, override, forced_format)
    if not head[:5].isdigit():
        raise MarcFileError("not_marc", detail=_what_is_it(head))
    return _open_iso2709(data, override, forced_format)


def _load(source: Source, max_bytes: int) -> bytes:
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
    elif isinstance(source, str | os.PathLike):
        path = Path(source)
        try:
            size = path.stat().st_size
            if size > max_bytes:
                raise MarcFileError("too_large", size=size, limit=max_bytes)
            data = path.read_bytes()
        except OSError as error:
            raise MarcFileError("unreadable", detail=error.strerror or str(error)) from None
    else:
        try:
            data = source.read(max_bytes + 1)
        except OSError as error:
            raise MarcFileError("unreadable", detail=error.strerror or str(error)) from None
    if len(data) > max_bytes:
        raise MarcFileError("too_large", size=len(data), limit=max_bytes)
    return data


def _what_is_it(head: bytes) -> StrOrPromise:
    if head.startswith(b"%PDF"):
        return _("这是 PDF 文档")
    if head.startswith(b"PK\x03\x04"):
        return _("这是 ZIP 压缩包或 Excel (.xlsx) 文件")
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return _("这是 Excel (.xls) 或 Word 文件")
    if head.startswith(b"=LDR"):
        return _("这是 MARC 文本格式（.mrk），请先转换为 ISO 2709")
    return _("文件开头不是 MARC 头标")


def _open_iso2709(data: bytes, override: str | None, forced_format: str | None) -> MarcFile:
    last = data.rfind(b"\x1d")
    tail_start = last + 1
    tail = data[tail_start:].lstrip(_JUNK)
    if tail.rstrip(_JUNK):
        stated = tail[:5]
        complete = (
            stated.isdigit() and int(stated) == len(tail.rstrip(_JUNK)) + 1 and tail.rstrip(_JUNK)[-1:] == b"\x1e"
        )
        if not complete:
            if last < 0 and not _LEADER_START.match(tail):
                raise MarcFileError("not_marc", detail=_("没有找到 MARC 记录结束符"))
            raise MarcFileError("truncated", offset=len(data) - len(tail))

    sample: list[bytes] = []
    records: list[MarcRecord] = []
    sampled = 0
    for _offset, chunk in iter_chunks(data):
        sample.append(chunk)
        sampled += len(chunk)
        with contextlib.suppress(RecordError):
            records.append(parse_record(chunk, "latin-1")[0])
        if len(sample) >= _SAMPLE_RECORDS or sampled >= _SAMPLE_BYTES:
            break
    if not records:
        raise MarcFileError("not_marc", detail=_("没有一条可以读取的记录"))
    fmt = forced_format or choose_format(records)
    leader09: Counter[str] = Counter(r.leader[9:10] for r in records)
    codes: Counter[str] = Counter()
    if fmt != MARC21:
        codes.update(code for code in map(charset_code, records) if code.strip())
    choice = choose_encoding(
        b"\x1d".join(sample), marc_format=fmt, leader09=leader09, charset_codes=codes, override=override
    )
    info = MarcFileInfo(ISO2709, fmt, choice.encoding, choice.reason, len(data), dict(choice.params))
    return MarcFile(data, info, choice)


def _open_xml(data: bytes, override: str | None, forced_format: str | None) -> MarcFile:
    """Expat reads UTF-8, UTF-16 and Latin-1 itself; anything else is re-encoded to UTF-8 first (byte offsets of
    records then count in the re-encoded text)."""
    size = len(data)
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        data = as_utf8(data, "utf-16")
        declared = "utf-16"
    else:
        declared = declared_encoding(data)
        if override == MARC8:
            raise MarcFileError("bad_option", name="encoding", value="marc-8")
        if override and override != (GB18030 if declared in ("gb18030", "gbk", "gb2312", "cp936") else UTF8):
            data, declared = as_utf8(data, override), override
        elif needs_transcoding(declared):
            try:
                data = as_utf8(data, declared)
            except LookupError:
                raise MarcFileError(
                    "xml_invalid", line=1, column=0, detail=format_lazy(_("未知编码 {encoding}"), encoding=declared)
                ) from None
    check_well_formed(data)
    scan = scan_xml(data)
    if not scan.sample:
        if scan.diagnostics:
            raise MarcFileError("sru_error", detail="；".join(scan.diagnostics))
        raise MarcFileError("no_records")
    container = SRU if scan.root == "searchRetrieveResponse" else MARCXML
    hint = _format_hint(scan.sample[0].schema or scan.schema, scan.namespace)
    fmt = forced_format or choose_format((item.record for item in scan.sample), hint)
    encoding = GB18030 if declared in ("gb18030", "gbk", "gb2312", "cp936") else UTF8
    info = MarcFileInfo(container, fmt, encoding, "override" if override else "xml", size)
    return MarcFile(data, info, None)


def _format_hint(schema: str, namespace: str) -> str | None:
    schema = schema.lower()
    if "cnmarc" in schema or "nlc.cn" in namespace:
        return CNMARC
    if "unimarc" in schema or "unimarc" in namespace:
        return UNIMARC
    if "marc21" in schema or "marcxml" in schema or "MARC21" in namespace:
        return MARC21
    return None
