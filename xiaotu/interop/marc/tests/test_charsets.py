"""Which encoding a file is read in, and the reason given for it."""

from __future__ import annotations

from collections import Counter

import pytest

from xiaotu.interop.marc import MarcField, MarcRecord, open_marc
from xiaotu.interop.marc.charsets import choose_encoding, is_gb_charset, marc8_decode
from xiaotu.interop.marc.iso2709 import encode_record

from .conftest import read_bytes


def cnmarc_file(title: str, charset: str, encoding: str) -> bytes:
    record = MarcRecord(
        "00000nam0 2200000   450 ",
        [
            MarcField("100", "  ", [("a", f"20240101d2024    em y0chiy{charset}    ea")]),
            MarcField("200", "1 ", [("a", title)]),
            MarcField("690", "  ", [("a", "I287.5")]),
        ],
    )
    return encode_record(record, encoding)


@pytest.mark.parametrize(
    ("charset", "encoding", "reason"),
    [
        ("0120", "gb18030", "cnmarc_100"),
        ("50  ", "gb18030", "trial_gb18030"),  # a vendor's GBK file that says Unicode
        ("0120", "utf-8", "trial_utf8"),  # yaz re-encoded to UTF-8 without touching 100
        ("50  ", "utf-8", "trial_utf8"),
    ],
)
def test_cnmarc_encoding_from_content_and_100(charset: str, encoding: str, reason: str) -> None:
    """The bytes decide between UTF-8 and GB18030; 100 $a/26-29 backs GB18030 up and is mentioned."""
    marc_file = open_marc(cnmarc_file("小学生必读的中国成语故事", charset, encoding))

    (record,) = read_bytes(cnmarc_file("小学生必读的中国成语故事", charset, encoding))

    assert (marc_file.info.encoding, marc_file.info.encoding_reason) == (encoding, reason)
    assert record.bib.title == "小学生必读的中国成语故事"
    if reason == "trial_utf8":
        assert charset in str(marc_file.info.encoding_message)


def test_marc21_in_gbk_is_recognised_by_its_double_byte_text() -> None:
    """Chinese vendors also send MARC21 in GBK with leader/09 blank; that is not MARC-8."""
    record = MarcRecord(
        "00000nam  2200000   4500",
        [MarcField.control("008", " " * 40), MarcField("245", "00", [("a", "西游记 /"), ("c", "吴承恩著.")])],
    )

    marc_file = open_marc(encode_record(record, "gb18030"))
    (parsed,) = read_bytes(encode_record(record, "gb18030"))

    assert (marc_file.info.encoding, marc_file.info.encoding_reason) == ("gb18030", "trial_gb18030")
    assert parsed.bib.title == "西游记"


def test_ascii_only_files_need_no_guess() -> None:
    marc_file = open_marc(cnmarc_file("Harry Potter", "50  ", "utf-8"))

    assert marc_file.info.encoding_reason == "ascii"


def test_an_undecidable_file_is_read_with_the_fewest_errors() -> None:
    data = cnmarc_file("ABC", "50  ", "utf-8").replace(b"ABC", b"\xff\xfe\xfd")

    marc_file = open_marc(data)
    (record,) = read_bytes(data)

    assert marc_file.info.encoding_reason == "best_effort"
    assert [w.code for w in record.warnings] == ["bad_bytes"]


def test_choose_encoding_follows_leader_09_for_marc21() -> None:
    choice = choose_encoding(b"abc \xe2e", marc_format="marc21", leader09=Counter({" ": 3}), charset_codes=Counter())

    assert (choice.encoding, choice.reason, choice.follow_leader) == ("marc-8", "leader09", True)


@pytest.mark.parametrize(
    ("code", "gb"), [("0120", True), ("0110", True), ("0121", True), ("50  ", False), ("01  ", False)]
)
def test_gb_character_set_codes(code: str, gb: bool) -> None:
    assert is_gb_charset(code) is gb


def test_marc8_cjk_and_character_references() -> None:
    """ESC $1 switches to EACC (three bytes a character); &#x….; references are resolved."""
    text, ok = marc8_decode(b"\x1b$1\x21\x30\x64\x1b(B &#x4E2D;")

    assert ok
    assert text.endswith(" 中")
    assert text[0] == "\u6b77" or len(text) == 3


def test_a_cut_multibyte_marc8_character_is_reported_not_printed(capsys: pytest.CaptureFixture[str]) -> None:
    _, ok = marc8_decode(b"\x1b$1\x21\x30")

    assert not ok
    assert capsys.readouterr().err == ""
