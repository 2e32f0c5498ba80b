"""ISO 2709 (the .iso/.mrc transmission format): split a file into records, parse one record, write one.

Records are found by their terminator (0x1D) rather than by the length in the leader, so a record with a wrong
length, a damaged directory or a missing terminator costs that record only: reading resumes at the next 0x1D
and every problem is reported with the record's position and byte offset. Parsing is hand-written rather than
pymarc's so that it can repair what is repairable (a wrong base address, directory offsets that disagree with
the field terminators) and because it is several times faster, which the import benchmark needs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .charsets import GB18030, MARC8, UTF8, marc8_decode, repair_subfield_code
from .record import MarcField, MarcRecord, is_control_tag

RT = 0x1D  # record terminator
FT = 0x1E  # field terminator
SF = 0x1F  # subfield delimiter
_JUNK = b" \r\n\t\x00\x1a"  # between records: line breaks some systems add, DOS end-of-file, padding
# ISO 2709 allows any graphic ASCII character as a subfield code (danMARC uses '&', dp2 'A' for 拼音).
_VALID_CODES = frozenset(chr(c) for c in range(0x21, 0x7F))
_BAD_CODE = re.compile("\x1f[^\x21-\x7e\x1e\x1f]")
_CONTROL_TAGS = frozenset(f"00{n}" for n in range(1, 10))
_SUBFIELD = re.compile("\x1f([^\x1f])([^\x1f]*)")
_DIRECTORY = re.compile(r"(?:.{3}[0-9]{9})*", re.DOTALL)
# A leader: five digits, status/type/level letters, indicator and code counts, then the base address.
_EMBEDDED_LEADER = re.compile(rb"\d{5}[a-z ][a-z ][a-z ][ a-z0-9\-][ a-z\-][0-9 ][0-9 ]\d{5}")

Issue = tuple[str, dict[str, Any]]


class RecordError(Exception):
    """A record that cannot be read at all; ``code`` is a RECORD_MESSAGES key."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


def iter_chunks(data: bytes, start: int = 0) -> Iterator[tuple[int, bytes]]:
    """(offset, bytes) of each record, without its terminator, skipping line breaks and padding between records.

    The tail after the last terminator is yielded too when it holds anything but padding: the caller decides
    whether that is a truncated file.
    """
    find = data.find
    size = len(data)
    pos = start
    while pos < size:
        end = find(b"\x1d", pos)
        if end < 0:
            end = size
        chunk = data[pos:end]
        offset = pos
        pos = end + 1
        if chunk[:1] in (b" ", b"\r", b"\n", b"\t", b"\x00", b"\x1a"):
            stripped = chunk.lstrip(_JUNK)
            offset += len(chunk) - len(stripped)
            chunk = stripped
            if not chunk:
                continue
        yield offset, chunk


def split_embedded(chunk: bytes) -> int:
    """Where a second, complete record starts inside ``chunk`` (a truncated record lost its terminator), or -1."""
    for match in _EMBEDDED_LEADER.finditer(chunk, 24):
        start = match.start()
        stated = int(chunk[start : start + 5])
        base = int(chunk[start + 12 : start + 17])
        if stated == len(chunk) - start + 1 and 24 < base < stated and chunk[start + base - 1] == FT:
            return start
    return -1


def parse_record(chunk: bytes, encoding: str) -> tuple[MarcRecord, list[Issue]]:
    """Parse one record (without its 0x1D) decoding text as ``encoding``; raises RecordError if unreadable.

    ``encoding`` is 'utf-8', 'gb18030' or 'marc-8'. The issues returned are repairs made on the way.
    """
    record, issues, _text = parse_record_with_text(chunk, encoding)
    return record, issues


def parse_record_with_text(chunk: bytes, encoding: str) -> tuple[MarcRecord, list[Issue], str]:
    """parse_record, and the whole record decoded (leader, directory and fields) when its fields are exactly that
    text cut at the terminators, which is the usual case: ``record_from_text`` gives the same record back. The
    text is '' when a field had to be found by its offset, decoded piece by piece, or had a subfield code repaired.
    """
    issues: list[Issue] = []
    size = len(chunk)
    if size < 25:
        raise RecordError("record_too_short")
    try:
        leader = chunk[:24].decode("ascii")
    except UnicodeDecodeError:
        raise RecordError("leader_invalid") from None
    stated_length = leader[:5]
    if stated_length.isdigit() and int(stated_length) != size + 1:
        issues.append(("length_mismatch", {"stated": int(stated_length), "actual": size + 1}))
    dir_end = chunk.find(b"\x1e", 24)
    if dir_end < 0:
        raise RecordError("directory_invalid", detail=_("没有目次区结束符"))
    base = dir_end + 1
    stated_base = leader[12:17]
    if not stated_base.isdigit() or int(stated_base) != base:
        issues.append(("base_address_repaired", {"stated": stated_base, "actual": base}))
    directory = chunk[24:dir_end]
    if not directory:
        raise RecordError("no_fields")
    if len(directory) % 12:
        raise RecordError(
            "directory_invalid", detail=format_lazy(_("目次区长度 {length} 不是 12 的倍数"), length=len(directory))
        )
    try:
        dtext = directory.decode("ascii")
    except UnicodeDecodeError:
        raise RecordError("directory_invalid", detail=_("目次区含有非 ASCII 字节")) from None
    if _DIRECTORY.fullmatch(dtext) is None:
        raise RecordError("directory_invalid", detail=_("目次区的字段长度或位置不是数字"))
    # Entries are 12 characters: tag, 4-digit length, 5-digit offset. Slicing them out beats a regex's groups.
    starts = range(0, len(dtext), 12)
    tags = [dtext[i : i + 3] for i in starts]

    # How many fields the terminators delimit, and where the last one ends, without cutting the bytes up.
    terminators = chunk.count(b"\x1e", base)
    tail = chunk.rfind(b"\x1e", base) + 1 or base  # after the last terminator: padding, or a field without one
    if not chunk[tail:].strip(_JUNK):
        fields_found, covered = terminators, tail - base
    else:
        fields_found, covered = terminators + 1, size - base + 1
    if fields_found == len(tags) and _in_order(dtext, starts):
        # The usual case: fields lie in directory order. If the last one does not end where the directory
        # says, lengths or offsets are wrong somewhere, but the field terminators still delimit the fields.
        if int(dtext[-5:]) + int(dtext[-9:-5]) != covered:
            issues.append(("directory_repaired", {}))
        if encoding != MARC8:
            try:
                whole = chunk.decode(encoding)
            except UnicodeDecodeError:
                pass
            else:
                # The leader and directory are ASCII, so byte offsets up to the base are character offsets.
                texts = whole[base:].split("\x1e")
                if len(texts) > len(tags):
                    bad_codes = _BAD_CODE.search(whole, base) is not None
                    fields = _split_fields(tags, texts, issues, bad_codes)
                    return MarcRecord(leader, fields), issues, "" if bad_codes else whole
    parts = chunk[base:].split(b"\x1e")
    if not parts[-1].strip(_JUNK):
        parts.pop()
    entries = [(dtext[i : i + 3], dtext[i + 3 : i + 7], dtext[i + 7 : i + 12]) for i in starts]
    if len(parts) == len(entries) and _in_order(dtext, starts):
        raws = parts
    else:
        located = _by_offsets(entries, chunk, base)
        if located is None:
            if len(parts) != len(entries):
                detail = format_lazy(
                    _("目次区有 {entries} 个字段，数据区有 {fields} 个"), entries=len(entries), fields=len(parts)
                )
                raise RecordError("directory_invalid", detail=detail)
            issues.append(("directory_repaired", {}))
        raws = located or parts

    fields = _decode_marc8(tags, raws, issues) if encoding == MARC8 else _decode_text(tags, raws, encoding, issues)
    return MarcRecord(leader, fields), issues, ""


def record_from_text(text: str) -> MarcRecord:
    """The record again from the text ``parse_record_with_text`` gave with it: the same leader and fields."""
    dir_end = text.find("\x1e", 24)
    directory = text[24:dir_end]
    tags = [directory[i : i + 3] for i in range(0, len(directory), 12)]
    return MarcRecord(text[:24], _split_fields(tags, text[dir_end + 1 :].split("\x1e"), [], False))


def _in_order(dtext: str, starts: range) -> bool:
    """With as many entries as fields and their offsets ascending, the i-th entry is the i-th field.

    Offsets are fixed-width digits, so comparing them as strings is comparing numbers; checking every length
    and offset as a number cost a third of the parse.
    """
    offsets = [dtext[i + 7 : i + 12] for i in starts]
    return offsets == sorted(offsets)


def _by_offsets(entries: list[tuple[str, str, str]], chunk: bytes, base: int) -> list[bytes] | None:
    """Fields cut out where the directory says, when they are not in order; None if any is not there."""
    raws = []
    size = len(chunk)
    for _tag, length, offset in entries:
        start = base + int(offset)
        end = start + int(length)
        if not (start < end <= size and chunk[end - 1] == FT):
            return None
        raws.append(chunk[start : end - 1])
    return raws


def _split_fields(tags: list[str], texts: list[str], issues: list[Issue], bad_codes: bool) -> list[MarcField]:
    """Fields from decoded text, split at 0x1F; ``bad_codes`` says a subfield code somewhere needs repair.

    The indicators are what comes before the first 0x1F; each 0x1F then starts a subfield, its code the next
    character, except that an empty one (0x1F 0x1F, or at the end) is no subfield. One findall per field gives
    the (code, value) pairs, a fifth quicker than splitting and slicing in Python.
    """
    fields: list[MarcField] = []
    append = fields.append
    subfields = _SUBFIELD.findall
    for tag, text in zip(tags, texts, strict=False):
        if tag in _CONTROL_TAGS:
            append(MarcField(tag, "", [], text))
            continue
        ind = text[:2]
        if ind[1:] == "\x1f" or ind[:1] == "\x1f" or len(ind) != 2:
            ind = text.partition("\x1f")[0]
            ind = (ind + "  ")[:2]
        subs = subfields(text)
        if bad_codes:
            subs = _repair_codes(subs, issues)
        append(MarcField(tag, ind, subs))
    return fields


def _repair_codes(subs: list[tuple[str, str]], issues: list[Issue]) -> list[tuple[str, str]]:
    repaired = []
    for code, value in subs:
        if code not in _VALID_CODES:
            fixed = repair_subfield_code(code)
            issues.append(("subfield_code_repaired", {"found": code, "fixed": fixed}))
            code = fixed
        repaired.append((code, value))
    return repaired


def _decode_text(tags: list[str], raws: list[bytes], encoding: str, issues: list[Issue]) -> list[MarcField]:
    """Field by field, so that bytes that do not decode are replaced within their own field only."""
    texts = []
    bad = False
    for raw in raws:
        try:
            texts.append(raw.decode(encoding))
        except UnicodeDecodeError:
            texts.append(raw.decode(encoding, "replace"))
            bad = True
    fields = _split_fields(tags, texts, issues, any(_BAD_CODE.search(t) for t in texts))
    if bad:
        issues.append(("bad_bytes", {"encoding": encoding.upper()}))
    return fields


def _decode_marc8(tags: list[str], raws: list[bytes], issues: list[Issue]) -> list[MarcField]:
    """MARC-8 switches character sets with escapes that only hold within a subfield, so decode subfield by subfield."""
    fields: list[MarcField] = []
    bad = False
    for tag, raw in zip(tags, raws, strict=True):
        if is_control_tag(tag):
            text, ok = marc8_decode(raw)
            bad |= not ok
            fields.append(MarcField.control(tag, text))
            continue
        parts = raw.split(b"\x1f")
        ind = parts[0].decode("ascii", "replace")
        if len(ind) != 2:
            ind = (ind + "  ")[:2]
        subs: list[tuple[str, str]] = []
        for p in parts[1:]:
            if not p:
                continue
            if p[0] < 0x80 and chr(p[0]) in _VALID_CODES:
                code, rest = chr(p[0]), p[1:]
            else:
                # A multibyte character typed where the code belongs: take its base letter, as pymarc does.
                head = p[:2].decode("utf-8", "replace") if p[0] >= 0xC0 else p[:1].decode("latin-1")
                width = 2 if p[0] >= 0xC0 and "\ufffd" not in head else 1
                code = repair_subfield_code(head[:1])
                rest = p[width:]
                issues.append(("subfield_code_repaired", {"found": head[:1], "fixed": code}))
            value, ok = marc8_decode(rest)
            bad |= not ok
            subs.append((code, value))
        fields.append(MarcField(tag, ind, subs))
    if bad:
        issues.append(("bad_bytes", {"encoding": "MARC-8"}))
    return fields


def leader09_encoding(leader: str) -> str:
    """MARC21 leader/09: 'a' is UCS/Unicode (UTF-8), blank is MARC-8."""
    return UTF8 if leader[9:10] == "a" else MARC8


def encode_record(record: MarcRecord, encoding: str) -> bytes:
    """ISO 2709 bytes with a correct leader length, base address and directory.

    The leader given is used as is apart from those computed positions; the writer makes it valid for the
    format first. ``encoding`` is 'utf-8' or 'gb18030' (MARC-8 is not written). A delimiter inside a value,
    or a subfield code or indicator that is not one printable ASCII character, is replaced so that the
    structure cannot break.
    """
    if encoding not in (UTF8, GB18030):
        raise ValueError(encoding)
    directory: list[str] = []
    body: list[bytes] = []
    offset = 0
    for f in record.fields:
        if f.data is not None:
            text = f.data if not _DELIMITERS.search(f.data) else _DELIMITERS.sub(" ", f.data)
        else:
            ind = f.indicators if f.indicators in _INDICATORS else _indicators(f.indicators)
            text = "".join([f"\x1f{c}{v}" for c, v in f.subfields])
            if text.count("\x1f") != len(f.subfields) or _DELIMITERS_OR_BAD_CODE.search(text):
                text = "".join([f"\x1f{_code(c)}{_DELIMITERS.sub(' ', v)}" for c, v in f.subfields])
            text = ind + text
        data = (text + "\x1e").encode(encoding)
        if len(data) > 9999:
            raise RecordError("record_too_long")
        tag = f.tag if len(f.tag) == 3 and f.tag.isascii() else (f.tag.encode("ascii", "replace").decode() + "???")[:3]
        directory.append(f"{tag}{len(data):04d}{offset:05d}")
        body.append(data)
        offset += len(data)
    base = 24 + 12 * len(directory) + 1
    total = base + offset + 1
    if total > 99999:
        raise RecordError("record_too_long")
    leader = f"{total:05d}{record.leader[5:12]}{base:05d}{record.leader[17:24]}"
    return b"".join([(leader + "".join(directory) + "\x1e").encode("ascii"), *body, b"\x1d"])


_DELIMITERS = re.compile("[\x1d\x1e\x1f]")
_DELIMITERS_OR_BAD_CODE = re.compile("[\x1d\x1e]|\x1f(?![\x21-\x7e])")
_PRINTABLE = [chr(c) for c in range(0x20, 0x7F)]
_INDICATORS = frozenset(a + b for a in _PRINTABLE for b in _PRINTABLE)


def _indicators(ind: str) -> str:
    ind = (ind + "  ")[:2]
    return "".join(c if c.isascii() and c.isprintable() else " " for c in ind)


def _code(code: str) -> str:
    return code if len(code) == 1 and "\x21" <= code <= "\x7e" else "?"
