"""Copies described in records: CNMARC 905/906 as Chinese systems write them, MARC21 852/949/952."""

from __future__ import annotations

from decimal import Decimal

import pytest

from xiaotu.interop.marc import MarcField
from xiaotu.interop.marc.holdings import expand_barcodes, marc21_holdings, unimarc_holdings


def f(tag: str, *subfields: str) -> MarcField:
    """f('905', 'aXT', 'b001') — each subfield as code + value."""
    return MarcField(tag, "  ", [(s[0], s[1:]) for s in subfields])


@pytest.mark.parametrize(
    ("value", "barcodes"),
    [
        ("D040394-5", ["D040394", "D040395"]),
        ("0010201-10", [f"00102{n:02d}" for n in range(1, 11)]),
        ("1865829-30", ["1865829", "1865830"]),
        ("20295403-5408", ["20295403", "20295404", "20295405", "20295406", "20295407", "20295408"]),
        ("T002267", ["T002267"]),
        ("5-3", ["5-3"]),
        ("ISBN-978", ["ISBN-978"]),
        ("", []),
    ],
)
def test_barcode_ranges_are_expanded(value: str, barcodes: list[str]) -> None:
    """'D040394-5' means D040394 to D040395: the digits after the hyphen replace the last digits."""
    assert expand_barcodes(value) == barcodes


def test_905_with_repeated_barcodes_gives_one_copy_each() -> None:
    """dp2 issue #645: 905 $aTSG $bD031933 $bD031934 $dT-625.1 — two copies sharing class and library."""
    copies = unimarc_holdings([f("905", "aTSG", "bD031933", "bD031934", "dT-625.1")], [])

    assert [(h.barcode, h.call_number, h.library) for h in copies] == [
        ("D031933", "T-625.1", "TSG"),
        ("D031934", "T-625.1", "TSG"),
    ]


def test_905_groups_start_at_each_a() -> None:
    """dp2 issue #262: one 905 holding two copies as repeated $a…$s groups; $s is the full call number."""
    field = f("905", "a1", "bT002267", "c0", "dK86", "e1", "f2", "sK86/1:0", "a1", "bT002269", "c0", "dK86", "e1")

    copies = unimarc_holdings([field], [])

    assert [(h.barcode, h.call_number, h.location) for h in copies] == [
        ("T002267", "K86/1:0", "0"),
        ("T002269", "K86/1", "0"),
    ]


def test_905_range_with_class_and_book_number() -> None:
    """dp2 issue #305: $b0010201-10 $dH14 $e2 — ten copies of H14/2."""
    copies = unimarc_holdings([f("905", "b0010201-10", "dH14", "e2")], [])

    assert len(copies) == 10
    assert {h.call_number for h in copies} == {"H14/2"}


def test_905_without_barcodes_gives_its_copy_count_to_be_numbered() -> None:
    """$f 复本量 copies without barcodes; the import numbers them."""
    copies = unimarc_holdings([f("905", "aXT", "dI247.5", "e12", "f3")], [])

    assert [(h.barcode, h.call_number) for h in copies] == [("", "I247.5/12")] * 3


def test_906_copies_take_call_number_and_library_from_905() -> None:
    """The BNU layout: 905 for the title, one 906 per copy with barcode, accession number and price."""
    copies = unimarc_holdings(
        [f("905", "aBNU", "cbk", "dF124", "e26", "sF124/26")],
        [f("906", "a211260", "b1708903", "cB1321311", "dF124", "e26", "rCNY80.00"), f("906", "a211260", "b1708904")],
    )

    assert [(h.barcode, h.accession_number, h.call_number, h.location, h.library, h.price) for h in copies] == [
        ("1708903", "B1321311", "F124/26", "211260", "BNU", Decimal("80.00")),
        ("1708904", "", "F124/26", "211260", "BNU", None),
    ]


def test_the_same_barcode_in_905_and_906_is_one_copy() -> None:
    copies = unimarc_holdings([f("905", "b0010201-2", "dH14", "e2")], [f("906", "h0010201", "cA99")])

    assert [(h.barcode, h.accession_number, h.call_number) for h in copies] == [
        ("0010201", "A99", "H14/2"),
        ("0010202", "", "H14/2"),
    ]


def test_xiaotu_905_extras_are_read() -> None:
    """What the writer adds: $h 登录号, $r 价格, $t 流通类型."""
    (copy,) = unimarc_holdings([f("905", "aXT", "b00012345", "h2024-0001", "rCNY25.00", "t普通")], [])

    assert (copy.accession_number, copy.price, copy.currency, copy.item_type) == (
        "2024-0001",
        Decimal("25.00"),
        "CNY",
        "普通",
    )


def test_marc21_852_and_koha_949_952() -> None:
    copies = marc21_holdings(
        [
            f("852", "aXT", "b儿童阅览室", "hI287.5", "i12", "p00001"),
            f("852", "aBritish Library", "bOC", "jHEC.1994.a.294/3"),
            f("949", "aXT", "cSTACK", "oK827/5", "p00002", "i2024-9", "g38.00", "yBK"),
            f("952", "bXT", "p00003"),
        ],
        fallback_call_number="PR4034 .P7",
        clc=True,
    )

    assert [(h.barcode, h.call_number, h.location, h.library, h.source) for h in copies] == [
        ("00001", "I287.5/12", "儿童阅览室", "XT", "852"),
        ("", "HEC.1994.a.294/3", "OC", "British Library", "852"),
        ("00002", "K827/5", "STACK", "XT", "949"),
        ("00003", "PR4034 .P7", "", "XT", "952"),
    ]
    assert (copies[2].accession_number, copies[2].price, copies[2].item_type) == ("2024-9", Decimal("38.00"), "BK")
