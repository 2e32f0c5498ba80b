"""Opening a file: refused as a whole when it cannot be imported, otherwise streamed record by record."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from xiaotu.interop.marc import MarcFileError, ParsedRecord, generate_cnmarc, open_marc

from .conftest import read_all


def _refused(source: object, **options: object) -> MarcFileError:
    with pytest.raises(MarcFileError) as caught:
        open_marc(source, **options)  # type: ignore[arg-type]
    assert str(caught.value.message)
    return caught.value


@pytest.mark.parametrize("data", [b"", b"\r\n  \r\n", b"\x00\x00\x1a"])
def test_an_empty_file_is_refused(data: bytes) -> None:
    """Nothing, or only line breaks and padding, is an empty file."""
    assert _refused(data).code == "empty"


@pytest.mark.parametrize(
    ("data", "detail"),
    [
        (b"%PDF-1.7\n...", "PDF"),
        (b"PK\x03\x04\x14\x00\x06\x00", "Excel"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "Excel"),
        (b"=LDR  00755cam  22002414a 4500\n=001  123\n", ".mrk"),
        ("书名,作者,ISBN\n西游记,吴承恩,9787020008735\n".encode(), "头标"),
    ],
)
def test_a_file_that_is_not_marc_says_what_it_looks_like(data: bytes, detail: str) -> None:
    """A PDF, a spreadsheet, MARC text or a CSV list is refused with a hint."""
    error = _refused(data)

    assert error.code == "not_marc"
    assert detail in str(error.message)


def test_an_xml_file_without_marc_records_is_refused() -> None:
    """Well-formed XML that holds no MARC record."""
    assert _refused("<?xml version='1.0'?><books><book>西游记</book></books>".encode()).code == "no_records"


def test_an_sru_error_response_is_refused_with_its_message() -> None:
    """An SRU diagnostic (no records) is passed on."""
    data = (
        b'<searchRetrieveResponse xmlns="http://www.loc.gov/zing/srw/"><numberOfRecords>0</numberOfRecords>'
        b"<diagnostics><diagnostic><message>Unsupported index</message></diagnostic></diagnostics>"
        b"</searchRetrieveResponse>"
    )
    error = _refused(data)

    assert error.code == "sru_error"
    assert "Unsupported index" in str(error.message)


def test_a_truncated_iso2709_file_is_refused_before_any_record(testdata: Path) -> None:
    """A download cut off inside the last record: nothing is read, the offset of that record is given."""
    data = (testdata / "dp2-cnmarc.utf8.mrc").read_bytes()
    last_start = data.rfind(b"\x1d", 0, len(data) - 1) + 1

    error = _refused(data[:-40])

    assert error.code == "truncated"
    assert error.params["offset"] == last_start


def test_a_file_that_stops_in_the_first_record_is_truncated(testdata: Path) -> None:
    data = (testdata / "pymarc-marc.dat").read_bytes()

    assert _refused(data[:300]).code == "truncated"


def test_unreadable_xml_is_refused_with_line_and_column(testdata: Path) -> None:
    """An SRU response cut in the middle is not well-formed: refused, with where it broke."""
    data = (testdata / "dp2-cnmarc-sru.xml").read_bytes()

    error = _refused(data[: len(data) // 2])

    assert error.code == "xml_invalid"
    assert error.params["line"] > 1


def test_a_file_over_the_size_limit_is_refused(tmp_path: Path) -> None:
    """Paths are refused from their size without being read; bytes and file objects after reading the limit."""
    data = generate_cnmarc(20, seed=1)
    path = tmp_path / "big.iso"
    path.write_bytes(data)

    assert _refused(path, max_bytes=1000).code == "too_large"
    assert _refused(data, max_bytes=1000).code == "too_large"
    assert _refused(io.BytesIO(data), max_bytes=1000).code == "too_large"
    assert len(read_all(open_marc(io.BytesIO(data), max_bytes=len(data)))[0]) == 20


def test_a_missing_file_is_unreadable(tmp_path: Path) -> None:
    assert _refused(tmp_path / "nowhere.iso").code == "unreadable"


@pytest.mark.parametrize(("name", "value"), [("encoding", "big5"), ("marc_format", "dublin-core")])
def test_unknown_options_are_refused(name: str, value: str) -> None:
    error = _refused(generate_cnmarc(1), **{name: value})

    assert error.code == "bad_option"


def test_the_encoding_and_format_can_be_overridden(testdata: Path) -> None:
    """The user may know better: GB18030 given for the GB18030 file is used and said to be given."""
    marc_file = open_marc(testdata / "dp2-cnmarc.gb18030.mrc", encoding="GBK", marc_format="UNIMARC")

    records, _ = read_all(marc_file)

    assert (marc_file.info.encoding, marc_file.info.encoding_reason, marc_file.info.format) == (
        "gb18030",
        "override",
        "unimarc",
    )
    assert records[0].bib.title == "'94中国发展报告"
    assert records[0].bib.format == "unimarc"


def test_records_are_streamed_in_file_order_with_positions_and_offsets() -> None:
    """Offsets point at each record's first byte; line breaks between records (CRLF files) are skipped."""
    data = generate_cnmarc(3, seed=2)
    starts = [0, data.index(b"\x1d") + 1]
    with_crlf = data.replace(b"\x1d", b"\x1d\r\n")

    marc_file = open_marc(with_crlf)
    items = list(marc_file)

    assert all(isinstance(i, ParsedRecord) for i in items)
    assert [i.position for i in items] == [1, 2, 3]
    assert items[0].offset == starts[0]
    assert items[1].offset == starts[1] + 2
    assert (marc_file.records_read, marc_file.problems) == (3, 0)


def test_a_record_cut_short_inside_the_file_is_reported_and_the_next_one_read() -> None:
    """A truncated record loses its terminator; the next record is found inside the same chunk."""
    data = generate_cnmarc(3, seed=3)
    first_end = data.index(b"\x1d")
    damaged = data[: first_end - 50] + data[first_end + 1 :]

    records, problems = read_all(open_marc(damaged))

    assert [(p.position, p.offset, p.code) for p in problems] == [(1, 0, "record_truncated")]
    assert [r.position for r in records] == [2, 3]
    assert records[0].offset == first_end - 50


def test_garbage_before_a_record_is_skipped_and_reported() -> None:
    data = generate_cnmarc(2, seed=4)
    first_end = data.index(b"\x1d") + 1
    damaged = data[:first_end] + b"###" + data[first_end:]

    records, problems = read_all(open_marc(damaged))

    assert not problems
    assert [w.code for w in records[1].warnings] == ["junk_skipped"]
    assert records[1].offset == first_end + 3


def test_sru_with_records_packed_as_strings_is_read(testdata: Path) -> None:
    """recordPacking=string: the MARCXML is escaped text inside recordData."""
    from xml.sax.saxutils import escape

    marc = (
        '<record xmlns="http://www.loc.gov/MARC21/slim"><leader>00000nam  2200000   450 </leader>'
        '<controlfield tag="001">x1</controlfield><datafield tag="200" ind1="1" ind2=" ">'
        '<subfield code="a">西游记</subfield><subfield code="f">吴承恩著</subfield></datafield>'
        '<datafield tag="690" ind1=" " ind2=" "><subfield code="a">I242.4</subfield></datafield></record>'
    )
    data = (
        '<searchRetrieveResponse xmlns="http://www.loc.gov/zing/srw/"><records><record>'
        "<recordSchema>cnmarcxml</recordSchema><recordPacking>string</recordPacking>"
        f"<recordData>{escape(marc)}</recordData></record></records></searchRetrieveResponse>"
    ).encode()

    marc_file = open_marc(data)
    (record,), _ = read_all(marc_file)

    assert (marc_file.info.container, marc_file.info.format) == ("sru", "cnmarc")
    assert (record.bib.title, record.bib.clc_class) == ("西游记", "I242.4")


def test_marcxml_without_a_namespace_and_in_gbk_is_read() -> None:
    """A GBK-declared MARCXML file without any namespace (expat cannot read GBK itself)."""
    data = (
        '<?xml version="1.0" encoding="GBK"?><collection><record><leader>00000nam0 2200000   450 </leader>'
        '<datafield tag="200" ind1="1" ind2=" "><subfield code="a">红楼梦</subfield></datafield>'
        '<datafield tag="010" ind1=" " ind2=" "><subfield code="a">7-02-000220-X</subfield></datafield>'
        "</record></collection>"
    ).encode("gbk")

    marc_file = open_marc(data)
    (record,), _ = read_all(marc_file)

    assert (marc_file.info.container, marc_file.info.encoding) == ("marcxml", "gb18030")
    assert record.bib.title == "红楼梦"
    assert record.bib.isbn == "9787020002207"


def test_an_xml_record_without_fields_is_reported() -> None:
    data = (
        b"<collection><record><leader>00000nam  2200000   4500</leader></record>"
        b"<record><leader>x</leader><datafield tag='245' ind1='0' ind2='0'>"
        b"<subfield code='a'>A title</subfield></datafield></record></collection>"
    )

    records, problems = read_all(open_marc(data))

    assert [(p.position, p.code) for p in problems] == [(1, "no_fields")]
    assert records[0].bib.title == "A title"
    assert [w.code for w in records[0].warnings] == ["xml_record_invalid"]
