"""Handheld scanner files: barcodes with or without times, CSV or TXT, UTF-8 or GBK; junk lines listed."""

from __future__ import annotations

import pytest

from xiaotu.stocktake import handheld
from xiaotu.stocktake.models import Scan
from xiaotu.stocktake.reconcile import reconcile
from xiaotu.stocktake.services import StocktakeRefused, scan_barcode, scanner_file_upload


def test_a_plain_text_file_gives_one_barcode_a_line():
    parsed = handheld.parse(b"I1\r\nI2\n\n  i3  \n")
    assert [line.barcode for line in parsed.lines] == ["I1", "I2", "I3"]
    assert parsed.junk == []


def test_time_stamps_are_read_from_csv_and_txt():
    parsed = handheld.parse(b"I1,2026-11-20 09:15:02\n2026/11/20 09:16 I2\nI3\t20261120091700\n")
    assert [(line.barcode, line.at and line.at.minute) for line in parsed.lines] == [("I1", 15), ("I2", 16), ("I3", 17)]


def test_a_gbk_file_with_a_chinese_header_is_read():
    """Given a GBK CSV with a Chinese header line, then the header is listed as junk and the barcodes are taken."""
    parsed = handheld.parse("条码,扫描时间\nI1,2026-11-20 09:15:02\n".encode("gbk"))
    assert parsed.encoding == "GBK"
    assert [line.barcode for line in parsed.lines] == ["I1"]
    assert [(j.number, j.text) for j in parsed.junk] == [(1, "条码,扫描时间")]


def test_junk_lines_are_listed_with_their_line_numbers():
    parsed = handheld.parse("I1\n??##\n读取失败\nI2 I3\nI4\n".encode())
    assert [line.barcode for line in parsed.lines] == ["I1", "I4"]
    assert [j.number for j in parsed.junk] == [2, 3, 4]


def test_an_upload_takes_the_barcodes_and_lists_the_junk(shelves, loan_room_count, librarian):
    data = "I1\nI2\n--坏行--\nK1\nI2\nNOPE\n".encode("gbk")
    upload = scanner_file_upload(stocktake=loan_room_count, data=data, file_name="pda.txt", by=librarian)
    assert (upload.taken, upload.repeated, len(upload.junk)) == (4, 1, 1)
    assert upload.counts == {"found": 2, "misplaced": 1, "unknown": 1}
    assert upload.run.junk[0]["line"] == 3
    assert reconcile(loan_room_count).counts["missing"] == 3


def test_an_upload_does_not_count_again_what_the_page_scanned(shelves, loan_room_count, run, librarian):
    scan_barcode(library=shelves.library, stocktake_id=loan_room_count.pk, run_id=run.pk, barcode="I1", by=librarian)
    upload = scanner_file_upload(stocktake=loan_room_count, data=b"I1\nI2\n", file_name="a.csv", by=librarian)
    assert (upload.taken, upload.repeated) == (1, 1)
    assert Scan.objects.filter(stocktake=loan_room_count).count() == 2


def test_a_file_without_barcodes_is_refused(shelves, loan_room_count, librarian):
    with pytest.raises(StocktakeRefused):
        scanner_file_upload(stocktake=loan_room_count, data="你好\n".encode(), file_name="x.txt", by=librarian)
    assert not loan_room_count.runs.exists()


def test_an_upload_keeps_the_time_each_book_was_scanned(shelves, loan_room_count, librarian):
    data = b"I1,2026-11-20 09:15:02\nI2\n"
    scanner_file_upload(stocktake=loan_room_count, data=data, file_name="pda.csv", by=librarian)
    first = Scan.objects.get(barcode="I1")
    assert (first.scanned_at.day, first.scanned_at.second) == (20, 2)
    assert Scan.objects.get(barcode="I2").scanned_at.date() != first.scanned_at.date()
