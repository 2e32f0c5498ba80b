"""The generated CNMARC that the import benchmark reads."""

from __future__ import annotations

import pymarc

from xiaotu.interop.marc import generate_cnmarc, open_marc

from .conftest import field, read_bytes


def test_the_same_seed_gives_the_same_file() -> None:
    assert generate_cnmarc(50, seed=7) == generate_cnmarc(50, seed=7)
    assert generate_cnmarc(50, seed=7) != generate_cnmarc(50, seed=8)


def test_generated_records_are_complete_cnmarc() -> None:
    """Every record has the fields a vendor's file has, valid ISBNs and unique barcodes, and reads cleanly."""
    data = generate_cnmarc(300, seed=1)

    marc_file = open_marc(data)
    records = read_bytes(data)

    assert (marc_file.info.format, marc_file.info.encoding) == ("cnmarc", "utf-8")
    assert len(records) == 300
    assert all(not r.warnings for r in records)
    for record in records:
        tags = {f.tag for f in record.marc.fields}
        assert {"001", "010", "100", "101", "200", "210", "215", "606", "690", "701", "905"} <= tags
        assert field(record.marc, "100").get("a")[26:30] == "50  "
        bib = record.bib
        assert bib.title and bib.isbn and bib.clc_class and bib.price and bib.publisher and bib.year
        assert bib.responsibility[0].endswith("著")
        assert all(
            h.barcode and h.call_number == f"{bib.clc_class}/{h.call_number.split('/')[1]}" for h in bib.holdings
        )
    barcodes = [h.barcode for r in records for h in r.bib.holdings]
    assert len(barcodes) == len(set(barcodes)) > 300
    assert sum(1 for r in records if r.bib.summary) > 60


def test_no_two_generated_records_share_an_isbn_or_a_call_number() -> None:
    """A vendor's delivery has one record per title, each with its own 种次号, running on within its class."""
    records = read_bytes(generate_cnmarc(2000, seed=5))

    isbns = [r.bib.isbn for r in records]
    call_numbers = [h.call_number for r in records for h in r.bib.holdings]
    by_record = {r.bib.holdings[0].call_number for r in records}
    assert len(set(isbns)) == len(isbns) == 2000
    assert len(by_record) == 2000 and set(call_numbers) == by_record
    running = sorted(int(c.split("/")[1]) for c in by_record if c.startswith("I247.5/"))
    assert running == list(range(1, len(running) + 1))


def test_pymarc_reads_the_generated_file() -> None:
    data = generate_cnmarc(100, seed=3)

    parsed = list(pymarc.MARCReader(data, force_utf8=True))

    assert len(parsed) == 100
    assert all(p is not None and p["200"]["a"] for p in parsed)
