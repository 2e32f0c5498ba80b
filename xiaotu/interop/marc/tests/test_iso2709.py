"""The ISO 2709 parser and writer: the same fields as pymarc on good records, repairs on damaged ones."""

from __future__ import annotations

from pathlib import Path

import pymarc
import pytest

from xiaotu.interop.marc import MarcField, MarcRecord
from xiaotu.interop.marc.iso2709 import RecordError, encode_record, iter_chunks, parse_record


def _pymarc_fields(record: pymarc.Record) -> list[tuple[str, object]]:
    return [
        (
            f.tag,
            f.data if f.is_control_field() else (f.indicator1 + f.indicator2, [(s.code, s.value) for s in f.subfields]),
        )
        for f in record.fields
    ]


def _fields(record: MarcRecord) -> list[tuple[str, object]]:
    return [(f.tag, f.data if f.data is not None else (f.indicators, f.subfields)) for f in record.fields]


@pytest.mark.parametrize(
    ("name", "encoding", "pymarc_options"),
    [
        ("dp2-cnmarc.utf8.mrc", "utf-8", {"force_utf8": True}),
        ("dp2-cnmarc.gb18030.mrc", "gb18030", {"file_encoding": "gb18030"}),
        ("yaz-marccol1.u8.mrc", "utf-8", {}),
        ("marc4j-pride-and-prejudice.mrc", "utf-8", {}),
        ("pymarc-marc.dat", "marc-8", {}),
    ],
)
def test_good_records_parse_to_what_pymarc_reads(
    testdata: Path, name: str, encoding: str, pymarc_options: dict[str, object]
) -> None:
    data = (testdata / name).read_bytes()

    ours = [parse_record(chunk, encoding) for _, chunk in iter_chunks(data)]
    theirs = list(pymarc.MARCReader(data, **pymarc_options))  # type: ignore[arg-type]

    assert [_fields(record) for record, _ in ours] == [_pymarc_fields(record) for record in theirs]
    assert all(not issues for _, issues in ours)


def _record(*fields: MarcField) -> bytes:
    return encode_record(MarcRecord("00000nam  2200000   4500", list(fields)), "utf-8")[:-1]


def test_a_wrong_base_address_is_repaired_from_the_directory_end() -> None:
    chunk = _record(MarcField("245", "00", [("a", "Title")]))
    damaged = chunk[:12] + b"99999" + chunk[17:]

    record, issues = parse_record(damaged, "utf-8")

    assert record.fields[0].get("a") == "Title"
    assert issues == [("base_address_repaired", {"stated": "99999", "actual": 37})]


def test_directory_offsets_that_disagree_with_the_data_fall_back_to_field_terminators() -> None:
    chunk = _record(MarcField("245", "00", [("a", "Title")]), MarcField("260", "  ", [("b", "Publisher")]))
    damaged = chunk.replace(b"Title", b"Title!!")  # the data grew; the directory did not

    record, issues = parse_record(damaged, "utf-8")

    assert [f.get("a") or f.get("b") for f in record.fields] == ["Title!!", "Publisher"]
    assert {code for code, _ in issues} == {"length_mismatch", "directory_repaired"}


@pytest.mark.parametrize(
    ("chunk", "code"),
    [
        (b"00010nam", "record_too_short"),
        (b"00050n\xe4m  2200037   4500245000600000\x1e00\x1faX\x1e", "leader_invalid"),
        (b"00050nam  2200038   45002450006000001\x1e00\x1faX\x1e", "directory_invalid"),
        (b"00026nam  2200025   4500\x1e\x1e", "no_fields"),
        (b"00050nam  2200037   4500245000600000", "directory_invalid"),
    ],
)
def test_unreadable_records_raise_with_a_code(chunk: bytes, code: str) -> None:
    with pytest.raises(RecordError) as caught:
        parse_record(chunk, "utf-8")

    assert caught.value.code == code


def test_bad_utf8_is_replaced_and_reported() -> None:
    chunk = _record(MarcField("245", "00", [("a", "Titl\u00e9")])).replace("é".encode(), b"\xe9")
    chunk = chunk[:5] + chunk[5:]

    record, issues = parse_record(chunk, "utf-8")

    assert record.fields[0].get("a") == "Titl\ufffd"
    assert ("bad_bytes", {"encoding": "UTF-8"}) in issues


def test_encode_writes_lengths_base_address_and_directory() -> None:
    record = MarcRecord(
        "01234cam a2209999 i 4500",
        [MarcField.control("001", "x"), MarcField("245", "10", [("a", "书名"), ("c", "著者")])],
    )

    data = encode_record(record, "gb18030")

    assert data.endswith(b"\x1e\x1d")
    assert int(data[:5]) == len(data)
    assert int(data[12:17]) == 24 + 2 * 12 + 1
    assert data[5:12] == b"cam a22" and data[17:24] == b" i 4500"
    assert parse_record(data[:-1], "gb18030")[0].fields == record.fields


def test_delimiters_inside_values_cannot_break_the_record() -> None:
    record = MarcRecord("00000nam  2200000   4500", [MarcField("245", "00", [("a", "A\x1eB\x1fC")])])

    parsed, issues = parse_record(encode_record(record, "utf-8")[:-1], "utf-8")

    assert parsed.fields[0].subfields == [("a", "A B C")]
    assert issues == []


def test_a_record_over_99999_bytes_cannot_be_encoded() -> None:
    fields = [MarcField("520", "  ", [("a", "x" * 9000)]) for _ in range(12)]

    with pytest.raises(RecordError):
        encode_record(MarcRecord("00000nam  2200000   4500", fields), "utf-8")
