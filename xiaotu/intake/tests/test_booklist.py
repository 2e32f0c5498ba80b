"""Excel 书单: the preview a librarian checks before anything is written."""

from __future__ import annotations

import codecs
import datetime as dt
import io
import json
from decimal import Decimal
from typing import Any

import openpyxl  # type: ignore[import-untyped,unused-ignore]
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xiaotu.intake.booklist import (
    BOOK_FIELDS,
    MAX_COPIES,
    BookListPreview,
    normalise_class,
    parse_booklist,
)
from xiaotu.interop.tables import MergedRange, Row, Severity, Table, TableError, guess_mapping, read_table

HEADERS = ["题名", "作者", "ISBN", "出版社", "出版年", "定价", "分类号", "册数", "索书号", "条码"]


def table(*rows: list[str], headers=HEADERS, merged=()) -> Table:
    """A table as read_table would give it: header on line 1, rows from line 2."""
    width = len(headers)
    return Table(
        headers=list(headers),
        rows=[Row(line, [*values, *[""] * (width - len(values))]) for line, values in enumerate(rows, start=2)],
        sheets=[],
        sheet="",
        source_format="csv",
        merged=list(merged),
    )


def preview(*rows: list[str], **options) -> BookListPreview:
    data = table(*rows, **options)
    return parse_booklist(data, guess_mapping(data.headers, BOOK_FIELDS))


def book(**cells: str) -> list[str]:
    """A row by heading: book(题名="西游记", 册数="2")."""
    return [cells.get(heading, "") for heading in HEADERS]


def codes(result: BookListPreview) -> list[tuple[int, str, str]]:
    return [(p.line, p.code, str(p.severity)) for p in result.problems]


# --- end to end from real files ---------------------------------------------------------------------------------


def vendor_workbook() -> bytes:
    workbook = openpyxl.Workbook()
    ws: Any = workbook.active
    ws["A1"] = "XX小学2026年秋季新书清单"
    ws.merge_cells("A1:J1")
    ws.append(["供书单位：新华书店", None, None, None, "日期：2026-09-01"])
    ws.append(
        ["序号", "正题名", "ISBN号", "责任者", "出版者", "出版日期", "定价（元）", "中图法分类号", "复本数", "备注"]
    )
    ws.append([1, "西游记", 9787020002207, "吴承恩 著", "人民文学出版社", dt.datetime(2019, 5, 1), 28, "I242.4", 2.0])
    ws["G4"].number_format = "¥#,##0.00"
    ws.append([2, "三体", "978-7-5366-9293-0", "刘慈欣", "重庆出版社", "2008.1", "23.00元", "ｉ２４７．５５", 1])
    ws.append([3, None, None, None, None, None, None, None, None, "空行，只有序号"])
    ws.append(["合计", None, None, None, None, None, 51, None, 3])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_vendor_workbook_reads_into_book_rows():
    """A title merged over the top, a vendor line, headings in the vendor's order and words, numbers as numbers."""
    data = read_table(vendor_workbook(), filename="新书清单.xlsx", fields=BOOK_FIELDS)
    assert data.header_line == 3
    mapping = guess_mapping(data.headers, BOOK_FIELDS)
    result = parse_booklist(data, mapping)
    first, second = result.rows
    assert (first.line, first.title, first.author, first.isbn13) == (4, "西游记", "吴承恩 著", "9787020002207")
    assert (first.publisher, first.year, first.pub_date, first.price) == (
        "人民文学出版社",
        2019,
        "2019-05-01",
        Decimal("28.00"),
    )
    assert (first.clc_class, first.copies) == ("I242.4", 2)
    assert (second.isbn13, second.year, second.price, second.clc_class) == (
        "9787536692930",
        2008,
        Decimal("23.00"),
        "I247.55",
    )
    assert codes(result) == [(7, "total_row", "skipped")]
    assert result.copies == 3


def test_gbk_csv_book_list():
    text = (
        "书名,著者,书号,出版单位,出版时间,单价,中图分类号,数量\n"
        "城南旧事,林海音,9787020090006,人民文学出版社,2010年6月,￥18,I287.6,3\n"
    )
    data = read_table(text.encode("gbk"), filename="书单.csv", fields=BOOK_FIELDS)
    result = parse_booklist(data, guess_mapping(data.headers, BOOK_FIELDS))
    [row] = result.rows
    assert (row.title, row.author, row.publisher, row.year, row.price, row.copies) == (
        "城南旧事",
        "林海音",
        "人民文学出版社",
        2010,
        Decimal("18.00"),
        3,
    )
    assert data.encoding == "gbk"


def test_utf8_bom_csv_book_list():
    text = "题名,责任者,ISBN\n草房子,曹文轩,9787534620546\n"
    data = read_table(codecs.BOM_UTF8 + text.encode(), filename="书单.csv", fields=BOOK_FIELDS)
    result = parse_booklist(data, guess_mapping(data.headers, BOOK_FIELDS))
    assert [r.title for r in result.rows] == ["草房子"]
    assert data.encoding == "utf-8-sig"


# --- mapping ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("heading", "field"),
    [
        ("题名", "title"),
        ("书名", "title"),
        ("正题名", "title"),
        ("图书名称", "title"),
        ("作者", "author"),
        ("著者", "author"),
        ("责任者", "author"),
        ("编著", "author"),
        ("ISBN", "isbn"),
        ("ISBN号", "isbn"),
        ("ＩＳＢＮ 号码", "isbn"),
        ("书号", "isbn"),
        ("标准书号", "isbn"),
        ("出版社", "publisher"),
        ("出版者", "publisher"),
        ("出版单位", "publisher"),
        ("出版年", "year"),
        ("出版日期", "year"),
        ("出版时间", "year"),
        ("定价（元）", "price"),
        ("单价", "price"),
        ("价格", "price"),
        ("价格/元", "price"),
        ("分类号", "clc_class"),
        ("中图分类号", "clc_class"),
        ("中图法分类号", "clc_class"),
        ("分类号(中图法)", "clc_class"),
        ("册数", "copies"),
        ("复本", "copies"),
        ("复本数", "copies"),
        ("数量", "copies"),
        ("索书号", "call_number"),
        ("丛书名", "series"),
        ("版次", "edition"),
        ("内容简介", "summary"),
        ("条形码", "barcode"),
        ("财产号", "accession_number"),
        ("登录号", "accession_number"),
    ],
)
def test_heading_maps_to_field(heading, field):
    mapping = guess_mapping(["序号", heading, "备注"], BOOK_FIELDS)
    assert mapping[field] == 1
    assert [name for name, column in mapping.items() if column is not None] == [field]


@pytest.mark.parametrize("heading", ["序号", "备注", "总价", "码洋", "实洋", "金额", "统一书号说明", "著者号"])
def test_headings_that_are_not_book_fields_stay_unmapped(heading):
    assert set(guess_mapping([heading], BOOK_FIELDS).values()) == {None}


def test_call_number_is_not_a_class_nor_an_isbn():
    """索书号 contains 书号, and holds a class: it still goes to call_number, beside the real columns."""
    mapping = guess_mapping(["索书号", "书号", "分类号", "书名", "丛书名"], BOOK_FIELDS)
    assert (mapping["call_number"], mapping["isbn"], mapping["clc_class"]) == (0, 1, 2)
    assert (mapping["title"], mapping["series"]) == (3, 4)


def test_whole_vendor_header_maps():
    headers = [
        "序号",
        "正题名",
        "ISBN号",
        "责任者",
        "出版者",
        "出版日期",
        "定价（元）",
        "中图法分类号",
        "复本数",
        "备注",
    ]
    mapping = guess_mapping(headers, BOOK_FIELDS)
    assert {name: column for name, column in mapping.items() if column is not None} == {
        "title": 1,
        "isbn": 2,
        "author": 3,
        "publisher": 4,
        "year": 5,
        "price": 6,
        "clc_class": 7,
        "copies": 8,
    }


def test_user_mapping_overrides_the_guess():
    """Headings nobody could guess: the librarian says 名字 is the title and 数目 the copies."""
    data = table(["小王子", "3"], headers=["名字", "数目"])
    assert guess_mapping(data.headers, BOOK_FIELDS)["title"] is None
    result = parse_booklist(data, {"title": 0, "copies": 1})
    assert [(r.title, r.copies) for r in result.rows] == [("小王子", 3)]


def test_mapping_without_a_title_is_refused():
    data = table(book(作者="林海音"))
    with pytest.raises(TableError) as caught:
        parse_booklist(data, {"author": 1})
    assert caught.value.code == "required_unmapped"


# --- rows -------------------------------------------------------------------------------------------------------


def test_missing_title_is_an_error_and_the_row_is_not_imported():
    result = preview(book(作者="林海音", ISBN="9787020090006"), book(题名="城南旧事"))
    assert codes(result) == [(2, "missing_title", "error")]
    assert [r.line for r in result.rows] == [3]


def test_rows_with_nothing_in_mapped_columns_are_skipped_silently():
    result = preview(book(), book(题名="城南旧事"), headers=HEADERS)
    assert result.problems == []
    assert [r.line for r in result.rows] == [3]


def test_section_headings_and_totals_are_skipped_not_errors():
    result = preview(book(题名="一、文学类"), book(题名="城南旧事"), book(题名="合计：", 册数="12"))
    assert codes(result) == [(2, "section_row", "skipped"), (4, "total_row", "skipped")]
    assert result.errors == [] and len(result.skipped) == 2


def test_title_in_book_title_marks_is_unwrapped():
    assert preview(book(题名="《城南旧事》")).rows[0].title == "城南旧事"


@pytest.mark.parametrize(
    ("written", "isbn13"),
    [
        ("9787020002207", "9787020002207"),
        ("978-7-02-000220-7", "9787020002207"),
        ("ISBN 978-7-02-000220-7", "9787020002207"),
        ("7-02-000220-X", "9787020002207"),
        ("702000220x", "9787020002207"),
        ("９７８７０２０００２２０７", "9787020002207"),
        ("9787020002207.0", "9787020002207"),
    ],
)
def test_isbn_is_normalised_to_13_digits(written, isbn13):
    [row] = preview(book(题名="西游记", ISBN=written)).rows
    assert (row.isbn13, row.other_isbns) == (isbn13, [])


def test_isbn_with_a_wrong_check_digit_is_a_warning_and_kept_as_written():
    """The row imports without an ISBN to match on; the number as written is kept in other_isbns."""
    result = preview(book(题名="西游记", ISBN="978-7-02-000220-8"))
    [row] = result.rows
    assert (row.isbn13, row.other_isbns) == ("", ["978-7-02-000220-8"])
    assert codes(result) == [(2, "isbn_checksum", "warning")]


def test_not_an_isbn_is_kept_as_written():
    result = preview(book(题名="十万个为什么", ISBN="统一书号 13031·1234"))
    assert result.rows[0].other_isbns == ["统一书号 13031·1234"]
    assert codes(result) == [(2, "not_isbn", "warning")]


def test_isbn_lost_to_scientific_notation_is_a_warning():
    result = preview(book(题名="三体", ISBN="9.78754E+12"))
    assert (result.rows[0].isbn13, result.rows[0].other_isbns) == ("", [])
    assert codes(result) == [(2, "isbn_scientific", "warning")]


def test_two_isbns_in_one_cell():
    [row] = preview(book(题名="三体", ISBN="9787536692930；7-02-000220-X")).rows
    assert (row.isbn13, row.other_isbns) == ("9787536692930", ["9787020002207"])


def test_same_isbn_twice_is_a_warning_and_both_rows_import():
    result = preview(book(题名="西游记", ISBN="9787020002207"), book(题名="西游记（上）", ISBN="7-02-000220-X"))
    assert codes(result) == [(3, "duplicate_isbn", "warning")]
    assert result.problems[0].params["other"] == 2
    assert len(result.rows) == 2


@pytest.mark.parametrize(
    "written",
    ["28.00", "28", "¥28", "￥28.00", "28元", "CNY28.00", "RMB 28", "定价：28.00元", "28.00元/册", " 28.004 "],
)
def test_price_is_read_in_yuan(written):
    assert preview(book(题名="西游记", 定价=written)).rows[0].price == Decimal("28.00")


def test_price_with_thousands_separator():
    assert preview(book(题名="辞海", 定价="1,280.00")).rows[0].price == Decimal("1280.00")


@pytest.mark.parametrize(("written", "code"), [("USD 12.99", "foreign_price"), ("二十八元", "bad_price")])
def test_unreadable_price_is_a_warning(written, code):
    result = preview(book(题名="西游记", 定价=written))
    assert result.rows[0].price is None
    assert codes(result) == [(2, code, "warning")]


@pytest.mark.parametrize(
    "written", ["2019", "2019.5", "2019年5月", "2019-05-01", "2019/5/1", "二〇一九年", "20190501", "201905", "43586"]
)
def test_year_is_read(written):
    [row] = preview(book(题名="西游记", 出版年=written)).rows
    assert (row.year, row.pub_date) == (2019, written)


@pytest.mark.parametrize("written", ["19.5", "不详", "3019"])
def test_unreadable_year_is_a_warning(written):
    result = preview(book(题名="西游记", 出版年=written))
    assert result.rows[0].year is None
    assert codes(result) == [(2, "bad_year", "warning")]


@pytest.mark.parametrize(("written", "copies"), [("", 1), ("2", 2), ("2.0", 2), ("3册", 3), ("２本", 2), ("两", 2)])
def test_copies_are_read(written, copies):
    assert preview(book(题名="西游记", 册数=written)).rows[0].copies == copies


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("0", "copies_out_of_range"),
        (str(MAX_COPIES + 1), "copies_out_of_range"),
        ("若干", "bad_copies"),
        ("2.5", "bad_copies"),
    ],
)
def test_bad_copies_are_errors(written, code):
    result = preview(book(题名="西游记", 册数=written))
    assert result.rows == []
    assert codes(result) == [(2, code, "error")]


@pytest.mark.parametrize(
    ("written", "clc"),
    [
        ("I247.5", "I247.5"),
        ("ｉ２４７．５", "I247.5"),
        (" tp311.1 ", "TP311.1"),
        ("K825.6=74", "K825.6=74"),
        ("O1-49", "O1-49"),
    ],
)
def test_class_is_normalised(written, clc):
    result = preview(book(题名="书", 分类号=written))
    assert result.rows[0].clc_class == clc
    assert result.problems == []


def test_normalise_class():
    assert normalise_class("ｔｐ ３１１．１") == "TP311.1"


@pytest.mark.parametrize("written", ["1247.5", "文学", "L123", "I247.5；I287"])
def test_class_not_like_clc_is_a_warning(written):
    result = preview(book(题名="书", 分类号=written))
    assert len(result.rows) == 1
    assert codes(result) == [(2, "unusual_class", "warning")]


def test_call_number_in_the_class_column_lends_both():
    [row] = preview(book(题名="城南旧事", 分类号="I287.6/12")).rows
    assert (row.clc_class, row.call_number) == ("I287.6", "I287.6/12")


def test_call_number_alone_lends_its_class():
    [row] = preview(book(题名="城南旧事", 索书号="I287.6/Lhy")).rows
    assert (row.clc_class, row.call_number) == ("I287.6", "I287.6/Lhy")


def test_pre_numbered_barcodes_as_a_run():
    [row] = preview(book(题名="西游记", 册数="5", 条码="00012301-00012305")).rows
    assert row.barcodes == ["00012301", "00012302", "00012303", "00012304", "00012305"]


def test_barcodes_without_copies_give_the_count():
    [row] = preview(book(题名="西游记", 条码="A001、A002，A003")).rows
    assert (row.copies, row.barcodes) == (3, ["A001", "A002", "A003"])


def test_barcode_count_must_match_copies():
    result = preview(book(题名="西游记", 册数="3", 条码="00012301-00012302"))
    assert result.rows == []
    assert codes(result) == [(2, "count_mismatch", "error")]


def test_barcode_twice_in_the_file_is_an_error():
    result = preview(book(题名="西游记", 条码="00012301"), book(题名="水浒传", 条码="00012301"))
    assert codes(result) == [(3, "duplicate_number", "error")]
    assert [r.line for r in result.rows] == [2]


def test_over_long_values():
    """A title is cut with a warning; a barcode is not cut, since a cut number is another number."""
    result = preview(book(题名="长" * 600), book(题名="西游记", 条码="9" * 40))
    assert codes(result) == [(2, "truncated", "warning"), (3, "too_long", "error")]
    assert len(result.rows[0].title) == 500


# --- merged cells -----------------------------------------------------------------------------------------------


def test_publisher_merged_down_the_rows_is_filled_with_a_warning():
    merged = MergedRange(first_line=2, last_line=4, first_column=3, last_column=3)
    result = preview(
        book(题名="草房子", 出版社="江苏少年儿童出版社"), book(题名="青铜葵花"), book(题名="根鸟"), merged=[merged]
    )
    assert [r.publisher for r in result.rows] == ["江苏少年儿童出版社"] * 3
    assert codes(result) == [(3, "merged_filled", "warning"), (4, "merged_filled", "warning")]


def test_block_merged_over_mapped_columns_breaks_the_rows():
    merged = MergedRange(first_line=2, last_line=3, first_column=0, last_column=1)
    result = preview(book(题名="草房子", 作者="曹文轩"), book(ISBN="9787534620546"), merged=[merged])
    assert result.rows == []
    assert [(line, code) for line, code, _severity in codes(result)] == [(2, "merged_cells"), (3, "merged_cells")]


def test_row_wide_merged_heading_is_skipped():
    merged = MergedRange(first_line=2, last_line=2, first_column=0, last_column=9)
    result = preview(book(题名="儿童文学（捐赠）"), book(题名="草房子"), merged=[merged])
    assert codes(result) == [(2, "section_row", "skipped")]
    assert [r.title for r in result.rows] == ["草房子"]


def test_merged_cells_from_a_real_workbook():
    workbook = openpyxl.Workbook()
    ws: Any = workbook.active
    ws.append(["书名", "作者", "出版社"])
    ws.append(["草房子", "曹文轩", "江苏少年儿童出版社"])
    ws.append(["青铜葵花", "曹文轩", None])
    ws.merge_cells("C2:C3")
    buffer = io.BytesIO()
    workbook.save(buffer)
    data = read_table(buffer.getvalue(), filename="x.xlsx", fields=BOOK_FIELDS)
    result = parse_booklist(data, guess_mapping(data.headers, BOOK_FIELDS))
    assert [r.publisher for r in result.rows] == ["江苏少年儿童出版社", "江苏少年儿童出版社"]
    assert codes(result) == [(3, "merged_filled", "warning")]


# --- the report -------------------------------------------------------------------------------------------------


def test_problems_serialise_for_the_job_report_in_chinese():
    result = preview(book(作者="佚名"), book(题名="西游记", 定价="免费"))
    report = json.loads(json.dumps([p.as_dict() for p in result.problems], ensure_ascii=False))
    assert report[0] == {
        "line": 2,
        "field": "title",
        "code": "missing_title",
        "severity": "error",
        "params": {},
        "message": "没有题名。",
    }
    assert "免费" in report[1]["message"]
    assert [p.severity for p in result.problems] == [Severity.ERROR, Severity.WARNING]


cell_text = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["", "9787020002207", "7-02-000220-X", "¥28", "2019年5月", "I247.5/1", "00001-00600", "合计"]),
    st.from_regex(r"[0-9０-９.,\-~/ 年月元册X]{0,30}", fullmatch=True),
)


@settings(max_examples=300, deadline=None)
@given(
    rows=st.lists(st.lists(cell_text, min_size=len(HEADERS), max_size=len(HEADERS)), max_size=8),
    spans=st.lists(st.tuples(st.integers(2, 10), st.integers(0, 3), st.integers(0, 9), st.integers(0, 3)), max_size=3),
)
def test_parse_booklist_never_raises_on_any_cell_text(rows, spans):
    merged = [MergedRange(line, line + down, column, min(column + across, 9)) for line, down, column, across in spans]
    result = preview(*rows, merged=merged)
    lines_with_errors = {p.line for p in result.errors}
    assert all(row.line not in lines_with_errors for row in result.rows)
    assert all(1 <= row.copies <= MAX_COPIES for row in result.rows)
    for problem in result.problems:
        assert str(problem.message)
