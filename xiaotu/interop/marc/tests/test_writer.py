"""Export: valid leaders, the right character set in 100, nothing lost, and import → export → import unchanged."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pymarc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xiaotu.interop.marc import (
    Author,
    BibRecord,
    ExportRecord,
    Holding,
    ParsedRecord,
    Subject,
    export_marc,
    generate_cnmarc,
    open_marc,
)
from xiaotu.interop.marc.iso2709 import iter_chunks

from .conftest import field, read_bytes

DAY = date(2024, 9, 1)


def export(records: list[ParsedRecord], **options: str) -> bytes:
    data, summary = export_marc([ExportRecord(r.bib, r.original()) for r in records], entered=DAY, **options)
    assert summary.written == len(records)
    return data


def leaders(data: bytes) -> list[str]:
    return [chunk[:24].decode("ascii") for _, chunk in iter_chunks(data)]


def assert_valid_iso2709(data: bytes, fmt: str, encoding: str) -> None:
    """Each record: stated length and base address true, '22', the format's entry map and leader/09."""
    for offset, chunk in iter_chunks(data):
        leader = chunk[:24].decode("ascii")
        assert int(leader[:5]) == len(chunk) + 1, offset
        assert int(leader[12:17]) == chunk.index(b"\x1e") + 1, offset
        assert leader[10:12] == "22"
        if fmt == "marc21":
            assert leader[20:24] == "4500"
            assert leader[9] == ("a" if encoding == "utf-8" else " ")
        else:
            assert leader[20:24] == "450 "
            assert leader[9] == " ", "UNIMARC does not define leader/09"
            assert leader[8] in " 012" and leader[17] in " 123" and leader[18] in " in"


def core(bib: BibRecord) -> tuple[object, ...]:
    """What survives a crosswalk between CNMARC and MARC21 (拼音 and the 中图法 edition have no place in MARC21)."""
    return (
        bib.title,
        bib.subtitle,
        bib.part_number,
        bib.part_name,
        bib.other_titles,
        bib.responsibility,
        [(a.name, a.role, a.kind) for a in bib.authors],
        bib.isbns,
        bib.invalid_isbns,
        bib.price,
        bib.edition,
        bib.place,
        bib.publisher,
        bib.date,
        bib.year,
        bib.pages,
        bib.illustrations,
        bib.size,
        bib.series,
        bib.summary,
        [(s.heading, s.kind, s.subdivisions) for s in bib.subjects],
        bib.clc_classes,
        bib.languages,
        [(h.barcode, h.accession_number, h.call_number, h.location, h.library, h.price) for h in bib.holdings],
    )


SAME_FORMAT = [
    ("dp2-cnmarc.utf8.mrc", "cnmarc"),
    ("dp2-cnmarc.gb18030.mrc", "cnmarc"),
    ("dp2-cnmarc-sru.xml", "cnmarc"),
    ("pymarc-testunimarc.dat", "unimarc"),
    ("yaz-marccol1.u8.mrc", "marc21"),
    ("yaz-marccol5.u8.mrc", "marc21"),
    ("pymarc-marc.dat", "marc21"),
    ("yaz-marc6.marc8.mrc", "marc21"),
]


@pytest.mark.parametrize(("name", "fmt"), SAME_FORMAT)
@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
@pytest.mark.parametrize("container", ["iso2709", "marcxml"])
def test_import_export_import_gives_the_same_catalogue(
    testdata: Path, name: str, fmt: str, encoding: str, container: str
) -> None:
    """Exported in its own format, in either encoding and container, a record reads back to the same BibRecord."""
    records = read_bytes((testdata / name).read_bytes())

    data = export(records, marc_format=fmt, encoding=encoding, container=container)
    again = read_bytes(data)

    assert [r.bib for r in again] == [r.bib for r in records]
    marc_file = open_marc(data)
    assert (marc_file.info.format, marc_file.info.container) == (fmt, container)
    if container == "iso2709":
        assert_valid_iso2709(data, fmt, encoding)


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
def test_an_unedited_record_is_exported_field_for_field(testdata: Path, encoding: str) -> None:
    """Export loses nothing: every field of the original comes out, 100 $a/26-29 naming the set written."""
    records = read_bytes((testdata / "dp2-cnmarc.utf8.mrc").read_bytes())

    again = read_bytes(export(records, marc_format="cnmarc", encoding=encoding))

    charset = "50  " if encoding == "utf-8" else "0120"
    for before, after in zip(records, again, strict=True):
        assert [f.tag for f in after.marc.fields] == [f.tag for f in before.marc.fields]
        for old, new in zip(before.marc.fields, after.marc.fields, strict=True):
            if old.tag == "100":
                value = new.get("a")
                assert value[26:30] == charset
                assert value[:26] + value[34:] == old.get("a")[:26] + old.get("a")[34:]
            else:
                assert new == old


def test_gb18030_export_is_gb18030_bytes(testdata: Path) -> None:
    records = read_bytes((testdata / "dp2-cnmarc.utf8.mrc").read_bytes())

    data = export(records, marc_format="cnmarc", encoding="gb18030")

    assert "中国统计出版社".encode("gb18030") in data
    marc_file = open_marc(data)
    assert (marc_file.info.encoding, marc_file.info.encoding_reason) == ("gb18030", "cnmarc_100")


def test_edits_rebuild_only_what_changed(testdata: Path) -> None:
    """A changed title, publisher and copies rebuild 200, 210 and 905; 801, 935 and the rest stay as they were."""
    record = read_bytes((testdata / "dp2-cnmarc.utf8.mrc").read_bytes())[1]
    edited = replace(
        record.bib,
        title="1995年中国发展报告",
        publisher="中国统计出版社（新）",
        holdings=[Holding("XT000123", "2024-0042", "F124/26", "流通库", "XT", Decimal("80.00"), "CNY", "普通", "")],
    )

    data, _ = export_marc([ExportRecord(edited, record.original())], marc_format="cnmarc", entered=DAY)
    (again,) = read_bytes(data)

    tags = {f.tag for f in record.marc.fields}
    kept = [f for f in record.marc.fields if f.tag not in {"100", "200", "210", "905", "906"}]
    assert [f for f in again.marc.fields if f.tag in tags - {"100", "200", "210", "905", "906"}] == kept
    assert again.bib.title == "1995年中国发展报告"
    assert again.bib.title_pinyin == record.bib.title_pinyin
    assert field(again.marc, "200").get("A") == field(record.marc, "200").get("A")
    assert again.bib.publisher == "中国统计出版社（新）"
    assert again.bib.holdings == [
        Holding("XT000123", "2024-0042", "F124/26", "流通库", "XT", Decimal("80.00"), "CNY", "普通", "905")
    ]
    assert [f.tag for f in again.marc.fields if f.tag in ("905", "906")] == ["905"]


def test_marc21_edits_drop_the_stale_880(testdata: Path) -> None:
    """A MARC21 title edited in the catalogue replaces 245 and its 880; the romanised title remains a 246."""
    record = read_bytes((testdata / "yaz-marccol1.u8.mrc").read_bytes())[0]
    edited = replace(record.bib, title="半田市志")

    data, _ = export_marc([ExportRecord(edited, record.original())], marc_format="marc21", entered=DAY)
    (again,) = read_bytes(data)

    assert again.bib == edited
    assert not any(f.tag == "880" and f.get("6").startswith("245") for f in again.marc.fields)
    assert len([f for f in again.marc.fields if f.tag == "880"]) == 3


@pytest.mark.parametrize(
    ("name", "source", "target"),
    [("dp2-cnmarc.utf8.mrc", "cnmarc", "marc21"), ("yaz-marccol1.u8.mrc", "marc21", "cnmarc")],
)
@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
def test_crosswalk_keeps_the_mapped_fields_both_ways(
    testdata: Path, name: str, source: str, target: str, encoding: str
) -> None:
    """CNMARC → MARC21 → CNMARC (and the reverse) keeps titles, authors, ISBN, price, imprint, class, copies."""
    records = read_bytes((testdata / name).read_bytes())

    there = read_bytes(export(records, marc_format=target, encoding=encoding))
    back = read_bytes(export(there, marc_format=source, encoding=encoding))

    assert {r.bib.format for r in there} == {target}
    assert [core(r.bib) for r in there] == [core(r.bib) for r in records]
    assert [core(r.bib) for r in back] == [core(r.bib) for r in records]
    assert_valid_iso2709(export(records, marc_format=target, encoding=encoding), target, encoding)


def test_marc21_export_of_cnmarc_puts_the_class_in_084_and_copies_in_949(testdata: Path) -> None:
    records = read_bytes((testdata / "dp2-cnmarc.utf8.mrc").read_bytes())

    (marc,) = (r.marc for r in read_bytes(export(records[:1], marc_format="marc21")))

    assert [(f.get("a"), f.get("2")) for f in marc.get_fields("084")] == [("F124", "clc")]
    assert [f.get("p") for f in marc.get_fields("949")] == ["1683011", "1683012", "1683013"]
    assert field(marc, "245").subfields == [("a", "'94中国发展报告 /"), ("c", "国家统计局编")]
    assert (field(marc, "008").data or "")[35:38] == "chi"
    assert not list(marc.get_fields("200", "690", "905", "906", "801", "AVA"))


def test_a_new_record_without_an_original_is_built_whole() -> None:
    """Catalogued by hand: CNMARC with a fresh 100 and MARC21 with a fresh 008, both reading back the same."""
    bib = BibRecord(
        format="cnmarc",
        title="草房子",
        responsibility=["曹文轩著"],
        authors=[Author("曹文轩", "著")],
        isbns=["9787534602658"],
        price=Decimal("25.00"),
        currency="CNY",
        place="南京",
        publisher="江苏少年儿童出版社",
        date="2019",
        year=2019,
        pages="302页",
        size="21cm",
        subjects=[Subject("儿童小说", "topic", [("place", "中国"), ("time", "当代")])],
        clc_classes=["I287.45"],
        languages=["chi"],
        holdings=[Holding(barcode="00000001", call_number="I287.45/12")],
    )

    for fmt in ("cnmarc", "marc21"):
        data, _ = export_marc([ExportRecord(bib)], marc_format=fmt, entered=DAY)
        (again,) = read_bytes(data)
        assert core(again.bib) == core(bib)
        assert_valid_iso2709(data, fmt, "utf-8")
    cnmarc = read_bytes(export_marc([ExportRecord(bib)], marc_format="cnmarc", entered=DAY)[0])[0].marc
    assert field(cnmarc, "100").get("a") == "20240901d2019    em y0chiy50      ea"


def test_pymarc_reads_what_is_written(testdata: Path) -> None:
    """Other software can read the export: pymarc parses every record, and the kept original is MARC-in-JSON."""
    records = read_bytes((testdata / "dp2-cnmarc.utf8.mrc").read_bytes())
    data = export(records, marc_format="cnmarc", encoding="utf-8")

    parsed = list(pymarc.MARCReader(data, force_utf8=True))

    assert [len(p.fields) for p in parsed] == [len(r.marc.fields) for r in records]
    assert parsed[0]["200"]["a"] == "'94中国发展报告"
    (from_json,) = pymarc.JSONReader(records[0].original())
    assert from_json["200"]["a"] == "'94中国发展报告"


def test_a_record_too_long_for_iso2709_is_reported_and_the_rest_written() -> None:
    big = BibRecord(format="cnmarc", title="长", summary="很长的内容提要。" * 3000)
    small = BibRecord(format="cnmarc", title="短")

    data, summary = export_marc([ExportRecord(big), ExportRecord(small)], marc_format="cnmarc", entered=DAY)

    assert [(p.position, p.code) for p in summary.problems] == [(1, "record_too_long")]
    assert [r.bib.title for r in read_bytes(data)] == ["短"]
    xml, xml_summary = export_marc([ExportRecord(big)], marc_format="cnmarc", container="marcxml", entered=DAY)
    assert xml_summary.written == 1
    assert read_bytes(xml)[0].bib.summary == big.summary


@settings(max_examples=15, deadline=None)
@given(
    seed=st.integers(min_value=0, max_value=10_000),
    fmt=st.sampled_from(["cnmarc", "marc21"]),
    encoding=st.sampled_from(["utf-8", "gb18030"]),
    container=st.sampled_from(["iso2709", "marcxml"]),
)
def test_generated_records_survive_any_export(seed: int, fmt: str, encoding: str, container: str) -> None:
    """Property: generated CNMARC, exported any way, reads back with the same mapped data."""
    records = read_bytes(generate_cnmarc(5, seed=seed))

    again = read_bytes(export(records, marc_format=fmt, encoding=encoding, container=container))

    if fmt == "cnmarc":
        assert [r.bib for r in again] == [r.bib for r in records]
    else:
        assert [core(r.bib) for r in again] == [core(r.bib) for r in records]
