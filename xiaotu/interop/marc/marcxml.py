"""MARCXML in and out, including SRU responses that wrap MARCXML records.

Elements are matched by local name, so the Library of Congress namespace (http://www.loc.gov/MARC21/slim),
the CNMARC one dp2 uses (http://www.nlc.cn/), UNIMARC's (info:srw/schema/8/unimarcxml-v0.1) and none at all
read the same. A MARC ``record`` is told from SRU's ``record`` wrapper by having leader/controlfield/datafield
children. SRU ``recordPacking=string`` (MARCXML escaped as text inside recordData) is read too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from xml.parsers import expat
from xml.sax.saxutils import escape, quoteattr

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from .problems import MarcFileError
from .record import MarcField, MarcRecord

MARC_NS = "http://www.loc.gov/MARC21/slim"
_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._\-]+)[\"'][^>]*\?>")
_EXPAT_ENCODINGS = ("utf-8", "utf8", "utf-16", "utf16", "iso-8859-1", "latin-1", "latin1", "us-ascii", "ascii")
# Characters XML 1.0 cannot carry; they are dropped from MARCXML output.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
DEFAULT_LEADER = "00000nam  2200000   4500"


@dataclass(slots=True)
class XmlRecord:
    offset: int
    record: MarcRecord
    schema: str = ""
    problems: list[StrOrPromise] = field(default_factory=list)


def declared_encoding(data: bytes) -> str:
    match = _DECLARATION.match(data.lstrip(b"\xef\xbb\xbf")[:200])
    return match.group(1).decode("ascii").lower() if match else "utf-8"


def as_utf8(data: bytes, encoding: str) -> bytes:
    """Expat reads only UTF-8/16 and Latin-1: re-encode GBK/GB18030 XML and drop its declaration."""
    text = data.decode("gb18030" if encoding.lower() in ("gb2312", "gbk", "cp936") else encoding, "replace")
    return _DECLARATION.sub(b"", text.encode("utf-8"), count=1)


def needs_transcoding(encoding: str) -> bool:
    return encoding.lower() not in _EXPAT_ENCODINGS


def check_well_formed(data: bytes) -> None:
    """Parse once without building anything, so a broken file is refused before any record is imported."""
    parser = expat.ParserCreate()
    try:
        parser.Parse(data, True)
    except expat.ExpatError as error:
        raise MarcFileError(
            "xml_invalid", line=error.lineno, column=error.offset, detail=expat.ErrorString(error.code)
        ) from None


@dataclass(slots=True)
class _OpenRecord:
    offset: int
    is_marc: bool = False
    leader: str = ""
    fields: list[MarcField] = field(default_factory=list)


class _Collector:
    """Expat handlers that turn MARC record elements into MarcRecords as the document streams past."""

    def __init__(self, base_offset: int = 0) -> None:
        self.parser = expat.ParserCreate(namespace_separator=" ")
        self.parser.buffer_text = True
        self.parser.StartElementHandler = self.start
        self.parser.EndElementHandler = self.end
        self.parser.CharacterDataHandler = self.text
        self.base_offset = base_offset
        self.ready: list[XmlRecord] = []
        self.root = ""
        self.schema = ""
        self.diagnostics: list[str] = []
        self.namespace = ""
        self._stack: list[_OpenRecord] = []  # open <record> elements, MARC or SRU wrappers
        self._field: MarcField | None = None
        self._code = ""
        self._buffer: list[str] | None = None
        self._element_text: list[str] | None = None
        self._packed: list[str] | None = None

    def feed(self, data: bytes, final: bool) -> None:
        self.parser.Parse(data, final)

    def start(self, name: str, attrs: dict[str, str]) -> None:
        local = name.rpartition(" ")[2]
        if not self.root:
            self.root = local
        if self._packed is not None:
            self._packed = None  # recordData holds elements, not an escaped string
        if local == "record":
            self._stack.append(_OpenRecord(self.base_offset + self.parser.CurrentByteIndex))
        elif local in ("leader", "controlfield", "datafield") and self._stack:
            self._stack[-1].is_marc = True
            self.namespace = self.namespace or name.rpartition(" ")[0]
            if local == "leader":
                self._buffer = []
            elif local == "controlfield":
                self._field = MarcField.control(attrs.get("tag", "").strip(), "")
                self._buffer = []
            else:
                ind = (attrs.get("ind1") or " ")[:1] + (attrs.get("ind2") or " ")[:1]
                self._field = MarcField(attrs.get("tag", "").strip(), ind, [])
        elif local == "subfield" and self._field is not None:
            self._code = attrs.get("code", "?")[:1] or "?"
            self._buffer = []
        elif local in ("recordSchema", "message"):
            self._element_text = []
        elif local == "recordData":
            self._packed = []

    def text(self, data: str) -> None:
        if self._buffer is not None:
            self._buffer.append(data)
        elif self._element_text is not None:
            self._element_text.append(data)
        elif self._packed is not None:
            self._packed.append(data)

    def end(self, name: str) -> None:
        local = name.rpartition(" ")[2]
        if local == "subfield" and self._field is not None and self._buffer is not None:
            self._field.subfields.append((self._code, "".join(self._buffer)))
            self._buffer = None
        elif local == "controlfield" and self._field is not None and self._buffer is not None:
            self._field.data = "".join(self._buffer)
            self._finish_field()
        elif local == "datafield" and self._field is not None:
            self._finish_field()
        elif local == "leader" and self._buffer is not None and self._stack:
            self._stack[-1].leader = "".join(self._buffer)
            self._buffer = None
        elif local == "record" and self._stack:
            open_record = self._stack.pop()
            if open_record.is_marc:
                self._emit(open_record.offset, open_record.leader, open_record.fields)
        elif local == "recordSchema" and self._element_text is not None:
            self.schema = "".join(self._element_text).strip()
            self._element_text = None
        elif local == "message" and self._element_text is not None:
            self.diagnostics.append("".join(self._element_text).strip())
            self._element_text = None
        elif local == "recordData" and self._packed is not None:
            packed = "".join(self._packed).strip()
            self._packed = None
            if packed.startswith("<"):
                inner = _Collector(self.base_offset + self.parser.CurrentByteIndex)
                try:
                    inner.feed(packed.encode("utf-8"), True)
                except expat.ExpatError as error:
                    raise MarcFileError(
                        "xml_invalid", line=error.lineno, column=error.offset, detail=expat.ErrorString(error.code)
                    ) from None
                for item in inner.ready:
                    item.schema = self.schema
                self.ready.extend(inner.ready)

    def _finish_field(self) -> None:
        if self._stack and self._field is not None:
            self._stack[-1].fields.append(self._field)
        self._field = None
        self._buffer = None

    def _emit(self, offset: int, leader: str, fields: list[MarcField]) -> None:
        problems: list[StrOrPromise] = []
        if len(leader) != 24:
            if leader:
                problems.append(format_lazy(_("头标长度为 {length}，应为 24"), length=len(leader)))
            leader = (leader + DEFAULT_LEADER[len(leader) :])[:24] if leader else DEFAULT_LEADER
        self.ready.append(XmlRecord(offset, MarcRecord(leader, fields), self.schema, problems))


_CHUNK = 1 << 16


def iter_xml_records(data: bytes) -> Iterator[XmlRecord]:
    """Each MARC record of a well-formed document, streaming."""
    collector = _Collector()
    for start in range(0, len(data), _CHUNK):
        collector.feed(data[start : start + _CHUNK], False)
        yield from collector.ready
        collector.ready.clear()
    collector.feed(b"", True)
    yield from collector.ready


@dataclass(slots=True)
class XmlScan:
    """The head of a document: its root element, MARC namespace, SRU schema and diagnostics, first records."""

    root: str
    namespace: str
    schema: str
    diagnostics: list[str]
    sample: list[XmlRecord]


def scan_xml(data: bytes, limit: int = 50) -> XmlScan:
    """Read records until ``limit`` are found (or the document ends) to decide its container and format."""
    collector = _Collector()
    sample: list[XmlRecord] = []
    for start in range(0, len(data), _CHUNK):
        collector.feed(data[start : start + _CHUNK], False)
        sample.extend(collector.ready)
        collector.ready.clear()
        if len(sample) >= limit:
            break
    else:
        collector.feed(b"", True)
        sample.extend(collector.ready)
    return XmlScan(collector.root, collector.namespace, collector.schema, collector.diagnostics, sample)


def xml_text(value: str) -> str:
    return escape(_XML_INVALID.sub("", value))


def record_to_xml(record: MarcRecord) -> str:
    """One ``<record>`` in MARCXML (no namespace prefix: the enclosing collection declares it)."""
    lines = ["<record>", f"<leader>{xml_text(record.leader)}</leader>"]
    for f in record.fields:
        if f.data is not None:
            lines.append(f"<controlfield tag={quoteattr(f.tag)}>{xml_text(f.data)}</controlfield>")
            continue
        ind = (f.indicators + "  ")[:2]
        subs = "".join(f"<subfield code={quoteattr(c)}>{xml_text(v)}</subfield>" for c, v in f.subfields)
        lines.append(
            f"<datafield tag={quoteattr(f.tag)} ind1={quoteattr(ind[0])} ind2={quoteattr(ind[1])}>{subs}</datafield>"
        )
    lines.append("</record>")
    return "\n".join(lines)


def collection_start(encoding: str) -> str:
    label = "UTF-8" if encoding == "utf-8" else "GB18030"
    return f'<?xml version="1.0" encoding="{label}"?>\n<collection xmlns="{MARC_NS}">\n'


COLLECTION_END = "</collection>\n"
