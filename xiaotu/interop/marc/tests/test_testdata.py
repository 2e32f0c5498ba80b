"""Every real MARC file in ../shared/testdata/marc, read as it is."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from xiaotu.interop.marc import MarcRecord, ParsedRecord, open_marc
from xiaotu.interop.marc.values import normalise_isbn

from .conftest import read_all

# file, container, format, encoding, why, records read, [(position, offset, code) of records that cannot be read]
EXPECTED = [
    ("dp2-cnmarc-sru.xml", "sru", "cnmarc", "utf-8", "xml", 10, []),
    ("dp2-unimarc-sru.xml", "sru", "cnmarc", "utf-8", "xml", 10, []),
    ("dp2-cnmarc.utf8.mrc", "iso2709", "cnmarc", "utf-8", "trial_utf8", 10, []),
    ("dp2-cnmarc.gb18030.mrc", "iso2709", "cnmarc", "gb18030", "cnmarc_100", 10, []),
    ("yaz-marccol1.u8.mrc", "iso2709", "marc21", "utf-8", "trial_utf8", 19, []),
    ("yaz-marccol5.u8.mrc", "iso2709", "marc21", "utf-8", "trial_utf8", 11, []),
    ("yaz-marc1.marc8.mrc", "iso2709", "marc21", "marc-8", "leader09", 1, []),
    ("yaz-marc6.marc8.mrc", "iso2709", "marc21", "marc-8", "ascii", 1, []),
    ("marc4j-pride-and-prejudice.mrc", "iso2709", "marc21", "utf-8", "trial_utf8", 383, []),
    (
        "marc4j-pride-and-prejudice-with-errors.mrc",
        "iso2709",
        "marc21",
        "utf-8",
        "leader09",
        367,
        [
            (93, 90472, "directory_invalid"),
            (184, 175054, "directory_invalid"),
            (203, 195563, "directory_invalid"),
            (248, 237343, "directory_invalid"),
            (265, 255864, "directory_invalid"),
            (266, 256626, "directory_invalid"),
            (267, 257388, "directory_invalid"),
            (268, 258150, "directory_invalid"),
            (275, 264227, "directory_invalid"),
            (280, 267727, "directory_invalid"),
            (287, 272729, "directory_invalid"),
            (311, 290474, "directory_invalid"),
            (336, 314321, "directory_invalid"),
            (338, 315124, "directory_invalid"),
            (356, 328796, "directory_invalid"),
            (377, 350745, "directory_invalid"),
        ],
    ),
    ("marc4j-chinese-mangled-multibyte.mrc", "iso2709", "marc21", "marc-8", "marc8_escapes", 4, []),
    ("pymarc-testunimarc.dat", "iso2709", "unimarc", "utf-8", "trial_utf8", 1, []),
    ("pymarc-marc.dat", "iso2709", "marc21", "marc-8", "ascii", 20, []),
    (
        "pymarc-bad_records.mrc",
        "iso2709",
        "marc21",
        "utf-8",
        "trial_utf8",
        5,
        [(4, 381, "directory_invalid"), (5, 509, "directory_invalid"), (7, 764, "no_fields")],
    ),
    ("pymarc-bad_indicator.dat", "iso2709", "marc21", "utf-8", "ascii", 1, []),
    ("pymarc-bad_subfield_code.dat", "iso2709", "marc21", "utf-8", "trial_utf8", 1, []),
    ("pymarc-bad_marc8_escape.dat", "iso2709", "marc21", "marc-8", "marc8_escapes", 1, []),
    ("pymarc-bad_eacc_encoding.dat", "iso2709", "marc21", "marc-8", "marc8_escapes", 1, []),
]


def test_every_file_in_the_folder_is_covered(testdata: Path) -> None:
    """A file added to the shared folder gets an expectation here, or this fails."""
    present = {p.name for p in testdata.iterdir() if p.suffix in (".mrc", ".dat", ".xml")}
    assert present == {row[0] for row in EXPECTED}


@pytest.mark.parametrize(("name", "container", "fmt", "encoding", "reason", "count", "broken"), EXPECTED)
def test_file_is_read_with_its_broken_records_reported(
    testdata: Path,
    name: str,
    container: str,
    fmt: str,
    encoding: str,
    reason: str,
    count: int,
    broken: list[tuple[int, int, str]],
) -> None:
    """Given a real file, it is recognised, decoded for a stated reason, and read past any broken record."""
    marc_file = open_marc(testdata / name)

    records, problems = read_all(marc_file)

    assert (marc_file.info.container, marc_file.info.format) == (container, fmt)
    assert (marc_file.info.encoding, marc_file.info.encoding_reason) == (encoding, reason)
    assert str(marc_file.info.encoding_message)
    assert len(records) == count
    assert [(p.position, p.offset, p.code) for p in problems] == broken
    assert all(p.fatal and str(p.message) for p in problems)
    positions = sorted([r.position for r in records] + [p.position for p in problems])
    assert positions == list(range(1, len(positions) + 1))


def _has_title(marc: MarcRecord) -> bool:
    return any(f.tag in ("200", "245") and f.get("a").strip() for f in marc.fields)


def _valid_isbns(marc: MarcRecord, fmt: str) -> set[str]:
    tag = "020" if fmt == "marc21" else "010"  # MARC21 010 is the LC control number
    found = (normalise_isbn(v) for f in marc.fields if f.tag == tag for v in f.get_all("a"))
    return {isbn for isbn in found if isbn}


def _classes(marc: MarcRecord, fmt: str) -> set[str]:
    if fmt == "marc21":  # a MARC21 690 is a local subject
        return {
            v.strip() for f in marc.fields if f.tag == "084" and f.get("2").lower() == "clc" for v in f.get_all("a")
        }
    return {f.get("a").strip() for f in marc.fields if f.tag == "690" and f.get("a").strip()}


@pytest.mark.parametrize("name", [row[0] for row in EXPECTED])
def test_readable_records_come_in_with_title_isbn_and_class(testdata: Path, name: str) -> None:
    """Every record that has a title, a valid ISBN or a 中图法 class in the file has it after mapping."""
    records, _ = read_all(open_marc(testdata / name))

    for record in records:
        if _has_title(record.marc):
            assert record.bib.title, (name, record.position)
        assert set(record.bib.isbns) == _valid_isbns(record.marc, record.bib.format), (name, record.position)
        assert set(record.bib.clc_classes) == _classes(record.marc, record.bib.format), (name, record.position)


def _chinese(records: list[ParsedRecord]) -> list[tuple[str, str, list[str], str, str, list[str]]]:
    return [
        (
            r.bib.title,
            r.bib.subtitle,
            [a.name for a in r.bib.authors],
            r.bib.publisher,
            r.bib.place,
            [str(s) for s in r.bib.subjects],
        )
        for r in records
    ]


def test_dp2_records_read_the_same_from_utf8_gb18030_and_sru(testdata: Path) -> None:
    """The same ten dp2 records as UTF-8, GB18030 and an SRU response give identical Chinese text."""
    utf8, _ = read_all(open_marc(testdata / "dp2-cnmarc.utf8.mrc"))
    gb18030, _ = read_all(open_marc(testdata / "dp2-cnmarc.gb18030.mrc"))
    sru, _ = read_all(open_marc(testdata / "dp2-cnmarc-sru.xml"))

    assert _chinese(utf8) == _chinese(gb18030) == _chinese(sru)
    assert [r.bib for r in utf8] == [r.bib for r in gb18030] == [r.bib for r in sru]
    first = utf8[0].bib
    assert first.title == "'94中国发展报告"
    assert first.title_pinyin == "'94Zhong Guo Fa Zhan Bao Gao"
    assert [(a.name, a.role, a.level) for a in first.authors] == [
        ("叶震", "主编", "alternative"),
        ("李强", "主编", "alternative"),
        ("国家统计局", "编", "alternative"),
    ]
    assert first.authors[0].sort_key == "yezhen"
    assert (first.place, first.publisher, first.date, first.year) == ("北京", "中国统计出版社", "1994", 1994)
    assert (first.pages, first.illustrations, first.size) == ("320页", "图", "27cm")
    assert first.isbns == ["9787503717444"]
    assert (first.price, first.currency, first.price_text) == (Decimal("68.00"), "CNY", "CNY68.00")
    assert (first.clc_classes, first.clc_edition, first.languages) == (["F124"], "3", ["chi"])
    assert str(first.subjects[0]) == "经济发展--概况--中国--1994"
    assert first.other_titles == ["中国发展报告"]


def test_dp2_holdings_become_copies_with_barcodes_and_call_numbers(testdata: Path) -> None:
    """906 copies get their barcodes, 905's call number and library; a 905 alone is one copy to be numbered."""
    records, _ = read_all(open_marc(testdata / "dp2-cnmarc.utf8.mrc"))

    first, second, third = (r.bib.holdings for r in records[:3])
    assert [(h.barcode, h.call_number, h.location, h.library) for h in first] == [
        ("1683011", "F124/26", "211260", "BNU"),
        ("1683012", "F124/26", "211260", "BNU"),
        ("1683013", "F124/26", "211260", "BNU"),
    ]
    assert [(h.barcode, h.accession_number, h.price, h.currency) for h in second] == [
        ("1708903", "B1321311", Decimal("80.00"), "CNY")
    ]
    assert [(h.barcode, h.call_number, h.location, h.source) for h in third] == [("", "F124/26", "bk", "905")]


def test_dp2_unimarc_sru_is_read_like_the_cnmarc_one(testdata: Path) -> None:
    """The UNIMARC-schema SRU response (another namespace) holds the same records."""
    unimarc, _ = read_all(open_marc(testdata / "dp2-unimarc-sru.xml"))
    cnmarc, _ = read_all(open_marc(testdata / "dp2-cnmarc-sru.xml"))

    assert [r.bib for r in unimarc] == [r.bib for r in cnmarc]
    assert unimarc[0].offset > 0


def test_marc8_records_are_decoded(testdata: Path) -> None:
    """MARC-8 (leader/09 blank) is decoded: ANSEL diacritics, and EACC Han characters in 880."""
    (marc1,), _ = read_all(open_marc(testdata / "yaz-marc1.marc8.mrc"))
    (marc6,), _ = read_all(open_marc(testdata / "yaz-marc6.marc8.mrc"))
    (eacc,), _ = read_all(open_marc(testdata / "pymarc-bad_eacc_encoding.dat"))

    assert marc1.bib.title == "On the road with Bob Dylan"
    assert marc1.bib.publisher == "Three Rivers Press"
    assert (marc6.bib.title, marc6.bib.author, marc6.bib.place) == (
        "How to program a computer",
        "Jack Collins",
        "Penguin",
    )
    assert eacc.bib.title == "米国の統治の仕組"
    assert "Beikoku no tōchi no shikumi" in eacc.bib.other_titles


def test_marc8_cjk_with_character_references_is_resolved(testdata: Path) -> None:
    """Characters MARC-8 lacks are written as &#xXXXX; references and come out as the characters."""
    records, _ = read_all(open_marc(testdata / "marc4j-chinese-mangled-multibyte.mrc"))

    assert records[1].bib.title == "車輪滾滾"
    assert records[2].bib.title == "車輪滾滾"
    assert all("&#x" not in r.bib.title for r in records)
    assert records[1].bib.publisher == "齐鲁音像出版社"


def test_marc21_880_script_forms_are_preferred(testdata: Path) -> None:
    """Title, author and publisher come from the linked 880s; the romanised title stays as an other title."""
    records, _ = read_all(open_marc(testdata / "yaz-marccol1.u8.mrc"))

    first, second = records[0].bib, records[1].bib
    assert first.title == "半田 市誌"
    assert first.other_titles == ["Handa shishi"]
    assert (first.place, first.publisher) == ("[半田市]", "半田市")
    assert second.title == "歷叢"
    assert second.authors[0].name == "高雄市  文化院"
    assert second.authors[0].pinyin == "Kao-hsiung shih wen hua yüan"
    assert sum(1 for r in records if any("\u4e00" <= ch <= "\u9fff" for ch in r.bib.title)) >= 15


def test_broken_records_say_where_they_are_and_why(testdata: Path) -> None:
    """Repairs are reported on the records that needed them, with position and byte offset."""
    records, problems = read_all(open_marc(testdata / "pymarc-bad_records.mrc"))

    repaired = {(r.position, w.code) for r in records for w in r.warnings}
    assert repaired == {(2, "base_address_repaired"), (3, "base_address_repaired"), (6, "base_address_repaired")}
    assert [r.bib.title for r in records] == ["The pragmatic programmer"] * 5
    assert "目次区" in str(problems[0].message)


def test_a_mistyped_subfield_code_is_repaired_and_reported(testdata: Path) -> None:
    """pymarc-bad_subfield_code.dat: 'á' typed for 'a', and the directory lengths off by one after it."""
    (record,), _ = read_all(open_marc(testdata / "pymarc-bad_subfield_code.dat"))

    assert {w.code for w in record.warnings} == {"length_mismatch", "directory_repaired", "subfield_code_repaired"}
    assert record.bib.title == "ActivePerl with ASP and ADO"
    assert record.bib.publisher == "John Wiley & Sons"


def test_cmarc_records_inside_a_marc21_file_are_mapped_as_unimarc(testdata: Path) -> None:
    """Taiwanese CMARC records in the marc4j file are recognised by their fields and still get a title."""
    records, _ = read_all(open_marc(testdata / "marc4j-pride-and-prejudice.mrc"))

    cmarc = [r for r in records if r.bib.format != "marc21"]
    assert len(cmarc) == 17
    assert "傲慢與偏見" in {r.bib.title for r in cmarc}
