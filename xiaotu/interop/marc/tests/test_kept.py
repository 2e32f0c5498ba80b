"""The original record as the catalogue keeps it: ISO 2709 text for records read cleanly, MARC-in-JSON otherwise."""

from __future__ import annotations

from pathlib import Path

import pytest

from xiaotu.interop.marc import MarcField, MarcRecord, generate_cnmarc, open_marc, read_kept
from xiaotu.interop.marc.iso2709 import encode_record
from xiaotu.interop.marc.kept import ISO2709_MARK

from .conftest import read_all, read_bytes


@pytest.mark.parametrize(
    "name",
    [
        "dp2-cnmarc.utf8.mrc",
        "dp2-cnmarc.gb18030.mrc",
        "pymarc-testunimarc.dat",
        "pymarc-bad_records.mrc",
        "pymarc-bad_subfield_code.dat",
        "marc4j-chinese-mangled-multibyte.mrc",
        "yaz-marc1.marc8.mrc",
        "yaz-marccol5.u8.mrc",
    ],
)
def test_every_readable_record_is_kept_whole(testdata: Path, name: str) -> None:
    """Whatever the file, reading back what is kept gives the record exactly as it was read: every field."""
    records, _problems = read_all(open_marc((testdata / name).read_bytes()))

    assert records
    for record in records:
        assert read_kept(record.kept()) == record.marc


def test_a_clean_record_is_kept_as_its_own_text(testdata: Path) -> None:
    """A record read cleanly is kept as its decoded ISO 2709 text, not serialised again."""
    (first, *_rest) = read_bytes((testdata / "dp2-cnmarc.gb18030.mrc").read_bytes())

    kept = first.kept()

    assert kept.startswith(ISO2709_MARK + first.marc.leader)
    assert first.bib.title in kept  # decoded from GB18030: kept as Unicode text


def test_a_repaired_record_is_kept_as_it_was_repaired() -> None:
    """A subfield code that had to be repaired is kept repaired, as MARC-in-JSON."""
    record = MarcRecord("00000nam0 2200000   450 ", [MarcField("200", "1 ", [("a", "西游记"), ("f", "吴承恩")])])
    data = encode_record(record, "utf-8").replace(b"\x1ff", b"\x1f\x07")

    (parsed,) = read_all(open_marc(data, marc_format="cnmarc"))[0]

    assert parsed.kept().startswith("{")
    assert read_kept(parsed.kept()) == parsed.marc
    assert [code for code, _value in parsed.marc.fields[0].subfields][1] != "\x07"


def test_records_kept_as_marc_in_json_still_read() -> None:
    """Records imported before the ISO 2709 form, and those from MARCXML, are MARC-in-JSON."""
    for parsed in read_bytes(generate_cnmarc(5, seed=4)):
        assert read_kept(parsed.marc.to_json()) == read_kept(parsed.kept()) == parsed.marc
