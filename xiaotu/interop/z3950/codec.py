"""Z39.50 PDUs to and from BER bytes by the ASN.1 in z3950.asn; where a PDU ends in a stream; text on the wire."""

from __future__ import annotations

import functools
from importlib import resources
from typing import Any

import asn1tools  # type: ignore[import-untyped]

# Object identifiers from the Z39.50 registry (Z39.50-2003 Appendix 3, https://www.loc.gov/z3950/agency/defns/oids.html)
BIB1_ATTRIBUTES = "1.2.840.10003.3.1"
BIB1_DIAGNOSTICS = "1.2.840.10003.4.1"
UNIMARC = "1.2.840.10003.5.1"
USMARC = "1.2.840.10003.5.10"
XML = "1.2.840.10003.5.109.10"
APPLICATION_XML = "1.2.840.10003.5.109.11"

# A PDU is a context-specific, constructed element ([20] initRequest ... [48] close).
_CONTEXT_CONSTRUCTED = 0xA0
_MAX_NESTING = 64


class CodecError(Exception):
    """Bytes that are not a Z39.50 PDU."""


@functools.cache
def _module() -> Any:
    text = resources.files(__package__).joinpath("z3950.asn").read_text(encoding="utf-8")
    return asn1tools.compile_string(text, "ber")


def encode(kind: str, value: dict[str, Any]) -> bytes:
    """One PDU: `kind` is the PDU's alternative ('initRequest', 'searchRequest', ...), `value` its fields."""
    try:
        return bytes(_module().encode("PDU", (kind, value)))
    except asn1tools.Error as error:
        raise CodecError(str(error)) from error


def encode_type(type_name: str, value: Any) -> bytes:
    """Any type of the module on its own, e.g. a 'Query' (used to compare with another client's bytes)."""
    return bytes(_module().encode(type_name, value))


def decode(data: bytes) -> tuple[str, dict[str, Any]]:
    """One complete PDU as (kind, fields); InternationalStrings come back as latin-1 text of the raw bytes."""
    try:
        kind, value = _module().decode("PDU", data)
    except (asn1tools.Error, ValueError, IndexError, TypeError) as error:
        raise CodecError(str(error)) from error
    return kind, value


def pdu_length(buffer: bytes | bytearray) -> int | None:
    """The length of the first PDU in `buffer` once it is all there, else None (read more).

    Servers use indefinite lengths too (YAZ does for Present responses), so those are walked to their end.
    """
    if buffer and buffer[0] & 0xE0 != _CONTEXT_CONSTRUCTED:
        raise CodecError(f"not a Z39.50 PDU (first byte {buffer[0]:#04x})")
    return _element_end(buffer, 0, 0)


def _element_end(buffer: bytes | bytearray, offset: int, depth: int) -> int | None:
    if depth > _MAX_NESTING:
        raise CodecError("elements nested too deeply")
    size = len(buffer)
    if offset >= size:
        return None
    constructed = bool(buffer[offset] & 0x20)
    if buffer[offset] & 0x1F == 0x1F:  # tag number in the following bytes
        for count in range(1, 6):
            if offset + count >= size:
                return None
            if not buffer[offset + count] & 0x80:
                offset += count
                break
        else:
            raise CodecError("tag number too long")
    offset += 1
    if offset >= size:
        return None
    first = buffer[offset]
    offset += 1
    if first < 0x80:
        end = offset + first
        return end if end <= size else None
    if first == 0x80:
        if not constructed:
            raise CodecError("indefinite length on a primitive element")
        while True:
            if offset + 2 <= size and buffer[offset] == 0 and buffer[offset + 1] == 0:
                return offset + 2
            child_end = _element_end(buffer, offset, depth + 1)
            if child_end is None:
                return None
            offset = child_end
    count = first & 0x7F
    if count > 4:
        raise CodecError("length field too long")
    if offset + count > size:
        return None
    end = offset + count + int.from_bytes(buffer[offset : offset + count], "big")
    return end if end <= size else None


def text_from_wire(raw: bytes, encoding: str) -> str:
    """Bytes a server sent as text, read in its character set; MARC-8 and unknown sets fall back to UTF-8."""
    try:
        return raw.decode(python_codec(encoding), errors="replace")
    except LookupError:
        return raw.decode("utf-8", errors="replace")


def python_codec(encoding: str) -> str:
    """Python's codec for a server's character set; MARC-8 has none, and ISBNs and names sent are ASCII anyway."""
    name = encoding.strip().lower().replace("_", "-")
    if name in ("marc-8", "marc8", "ansel", ""):
        return "utf-8"
    if name in ("gbk", "gb2312", "gb-2312", "cp936"):
        return "gb18030"
    return name


def text_to_wire(text: str, encoding: str) -> str:
    """Text for an InternationalString field: the codec writes GeneralString as latin-1, so pass the server's bytes."""
    try:
        return text.encode(python_codec(encoding)).decode("latin-1")
    except (LookupError, UnicodeEncodeError):
        return text.encode("utf-8").decode("latin-1")
