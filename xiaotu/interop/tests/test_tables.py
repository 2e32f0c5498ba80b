"""Reading the spreadsheets schools send: every file is built here, in the formats the schools' programs write."""

from __future__ import annotations

import codecs
import datetime as dt
import io
import struct
import zipfile
from typing import Any

import openpyxl  # type: ignore[import-untyped,unused-ignore]
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xiaotu.interop.tables import (
    FieldSpec,
    TableError,
    cell_text,
    check_mapping,
    column_letter,
    guess_mapping,
    heading_key,
    read_table,
    sniff_delimiter,
)

BOOKISH = (
    FieldSpec("title", "题名", ("书名", "题名")),
    FieldSpec("author", "作者", ("作者", "责任者")),
    FieldSpec("isbn", "ISBN", ("isbn", "书号")),
    FieldSpec("price", "定价", ("定价", "单价")),
    FieldSpec("publisher", "出版社", ("出版社",)),
    FieldSpec("year", "出版年", ("出版年", "出版日期")),
)
ROSTER = (
    FieldSpec("number", "学号", ("学号", "学籍号"), required=True),
    FieldSpec("name", "姓名", ("姓名", "学生姓名")),
    FieldSpec("klass", "班级", ("班级", "班别")),
    FieldSpec("gender", "性别", ("性别",)),
)


def xlsx(build) -> bytes:
    """A workbook made by openpyxl; `build` fills the active sheet."""
    workbook = openpyxl.Workbook()
    sheet: Any = workbook.active
    build(sheet)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- a minimal .xls writer (BIFF8 in an OLE2 compound file), from the published formats -----------------------


def _record(kind: int, payload: bytes = b"") -> bytes:
    return struct.pack("<HH", kind, len(payload)) + payload


def _bof(kind: int) -> bytes:
    return _record(0x0809, struct.pack("<HHHHII", 0x0600, kind, 0, 0, 0, 0x0600))


def biff8(name: str, cells: dict[tuple[int, int], Any], merges=(), *, extra: bytes = b"") -> bytes:
    """A Workbook stream with one sheet.

    cells: (row, col) -> str | float | ("date", serial); merges: (first row, last row, first col, last col).
    """
    strings = sorted({v for v in cells.values() if isinstance(v, str)})
    index = {s: i for i, s in enumerate(strings)}
    sst = struct.pack("<II", len(strings), len(strings))
    sst += b"".join(struct.pack("<HB", len(s), 1) + s.encode("utf-16-le") for s in strings)
    sheet = _bof(0x0010)
    for (row, col), value in sorted(cells.items()):
        if isinstance(value, str):
            sheet += _record(0x00FD, struct.pack("<HHHI", row, col, 0, index[value]))
        else:
            style, number = (1, value[1]) if isinstance(value, tuple) else (0, float(value))
            sheet += _record(0x0203, struct.pack("<HHHd", row, col, style, number))
    if merges:
        sheet += _record(0x00E5, struct.pack("<H", len(merges)) + b"".join(struct.pack("<HHHH", *m) for m in merges))
    sheet += _record(0x000A)

    def xf(number_format: int) -> bytes:
        return _record(0x00E0, struct.pack("<HHHBBBBIIH", 0, number_format, 0, 0x20, 0, 0, 0, 0, 0, 0x20C0))

    def globals_(offset: int) -> bytes:
        out = _bof(0x0005) + extra + _record(0x0042, struct.pack("<H", 1200)) + xf(0) + xf(14)
        out += _record(0x0085, struct.pack("<IBBBB", offset, 0, 0, len(name), 1) + name.encode("utf-16-le"))
        return out + _record(0x00FC, sst) + _record(0x000A)

    return globals_(len(globals_(0))) + sheet


def compound(streams: list[tuple[str, bytes]]) -> bytes:
    """An OLE2 compound file (MS-CFB version 3) holding the streams, each padded past the mini-stream cutoff."""
    sector, none, end = 512, 0xFFFFFFFF, 0xFFFFFFFE
    placed, bodies, next_sector = [], b"", 2
    for name, body in streams:
        body = body.ljust(max(4096, -(-len(body) // sector) * sector), b"\0")
        placed.append((name, next_sector, len(body), len(body) // sector))
        bodies += body
        next_sector += len(body) // sector
    fat = [0xFFFFFFFD, end]
    for _name, start, _size, count in placed:
        fat += [start + i + 1 for i in range(count - 1)] + [end]
    fat += [none] * (128 - len(fat))
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16 + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
    header += b"\0" * 6 + struct.pack("<9I", 0, 1, 1, 0, 4096, end, 0, end, 0) + struct.pack("<I", 0)
    header += struct.pack("<I", none) * 108

    def entry(name: str, kind: int, right: int, child: int, start: int, size: int) -> bytes:
        raw = name.encode("utf-16-le") + b"\0\0"
        fields = struct.pack("<HBBIII", len(raw), kind, 1, none, right, child)
        return raw.ljust(64, b"\0") + fields + b"\0" * 36 + struct.pack("<IQ", start, size)

    directory = entry("Root Entry", 5, none, 1, end, 0)
    for i, (name, start, size, _count) in enumerate(placed, start=1):
        directory += entry(name, 2, i + 1 if i < len(placed) else none, none, start, size)
    return header + struct.pack("<128I", *fat) + directory.ljust(sector, b"\0") + bodies


def ods(rows: list[list[object]]) -> bytes:
    """A minimal OpenDocument spreadsheet, as WPS and LibreOffice save it."""
    cells = []
    for row in rows:
        out = []
        for value in row:
            if isinstance(value, str):
                out.append(f'<table:table-cell office:value-type="string"><text:p>{value}</text:p></table:table-cell>')
            else:
                out.append(f'<table:table-cell office:value-type="float" office:value="{value}"/>')
        cells.append(f"<table:table-row>{''.join(out)}</table:table-row>")
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="名单">{"".join(cells)}'
        "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED)
        archive.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def error_code(data: bytes, filename: str, **options) -> str:
    with pytest.raises(TableError) as caught:
        read_table(data, filename=filename, **options)
    assert str(caught.value.message)  # every code has a message
    return caught.value.code


# --- xlsx -----------------------------------------------------------------------------------------------------


def school_list(ws):
    ws["A1"] = "2026年秋季新书清单"
    ws.merge_cells("A1:F1")
    ws.append([])
    ws.append(["ISBN", "定价（元）", "书名", "出版日期", "作者", "学号"])
    ws.append([9787020002207, 28, "西游记", dt.datetime(2019, 5, 1), "吴承恩", 123])
    ws["B4"].number_format = "¥#,##0.00"
    ws["F4"].number_format = "000000"
    ws.append([9787536692930.0, 23.5, "三体", dt.datetime(2008, 1, 1), "刘慈欣", "000456"])
    ws["A5"].number_format = "0.00E+00"  # the narrow column showed 9.79E+12
    ws["D5"].number_format = 'yyyy"年"m"月"'


def test_xlsx_header_found_below_a_merged_title_and_a_blank_row():
    """The title in A1 merged across the columns is passed over; the header is row 3, data from row 4."""
    table = read_table(xlsx(school_list), filename="新书清单.xlsx", fields=BOOKISH)
    assert table.source_format == "xlsx"
    assert table.header_line == 3
    assert table.headers == ["ISBN", "定价（元）", "书名", "出版日期", "作者", "学号"]
    assert [row.line for row in table.rows] == [4, 5]
    assert table.merged == []  # the title merge is above the header: nobody's business


def test_xlsx_numbers_that_are_codes_read_as_people_see_them():
    """ISBNs stored as floats keep every digit, formatted leading zeros stay, dates read as dates."""
    table = read_table(xlsx(school_list), filename="x.xlsx", fields=BOOKISH)
    assert table.rows[0].values == ["9787020002207", "28.00", "西游记", "2019-05-01", "吴承恩", "000123"]
    assert table.rows[1].values == ["9787536692930", "23.5", "三体", "2008-01", "刘慈欣", "000456"]


def test_header_found_without_fields_by_its_text_cells():
    """Without headings to look for, the leading row with the most text cells is the header."""
    table = read_table(xlsx(school_list), filename="x.xlsx")
    assert table.header_line == 3


def test_header_prefers_the_row_matching_known_headings():
    """A 供书单位 line with several cells above the header does not win against real headings."""

    def build(ws):
        ws.append(["供书单位：新华书店", "日期：2026-09-01", "经手人：王老师", "联系电话", "备注"])
        ws.append(["序号", "书名", "作者", "出版社", "定价"])
        ws.append([1, "城南旧事", "林海音", "人民文学出版社", 25])

    table = read_table(xlsx(build), filename="x.xlsx", fields=BOOKISH)
    assert table.header_line == 2
    assert table.rows[0].values == ["1", "城南旧事", "林海音", "人民文学出版社", "25"]


def test_two_row_header_takes_names_from_vertical_merges():
    """书名 merged over rows 1–2 beside 出版信息 split into 出版社 | 出版年: the second row is the header."""

    def build(ws):
        ws.append(["书名", "出版信息", None, "定价"])
        ws.append([None, "出版社", "出版年", None])
        ws.merge_cells("A1:A2")
        ws.merge_cells("B1:C1")
        ws.merge_cells("D1:D2")
        ws.append(["草房子", "江苏少年儿童出版社", 2016, 26])

    table = read_table(xlsx(build), filename="x.xlsx", fields=BOOKISH)
    assert table.header_line == 2
    assert table.headers == ["书名", "出版社", "出版年", "定价"]
    assert table.merged == []


def test_merged_cells_in_the_data_area_are_reported():
    """A publisher merged down three rows: the value is in the top cell only, and the merge is listed."""

    def build(ws):
        ws.append(["书名", "出版社"])
        ws.append(["草房子", "江苏少年儿童出版社"])
        ws.append(["青铜葵花", None])
        ws.append(["根鸟", None])
        ws.merge_cells("B2:B4")

    table = read_table(xlsx(build), filename="x.xlsx", fields=BOOKISH)
    assert [row.values for row in table.rows] == [["草房子", "江苏少年儿童出版社"], ["青铜葵花", ""], ["根鸟", ""]]
    [merged] = table.merged
    assert (merged.ref, merged.first_line, merged.last_line, merged.vertical) == ("B2:B4", 2, 4, True)
    assert "B2:B4" in str(merged.message)


def test_empty_sheet_is_refused():
    assert error_code(xlsx(lambda ws: None), "空表.xlsx") == "empty_sheet"


def test_first_sheet_with_content_is_read_and_sheets_listed():
    """A blank Sheet1 before the list does not hide it; a sheet may also be chosen by name or index."""
    workbook = openpyxl.Workbook()
    first: Any = workbook.active
    first.title = "说明"
    data_sheet = workbook.create_sheet("书单")
    data_sheet.append(["书名", "作者"])
    data_sheet.append(["稻草人", "叶圣陶"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    data = buffer.getvalue()
    table = read_table(data, filename="x.xlsx")
    assert (table.sheets, table.sheet) == (["说明", "书单"], "书单")
    assert read_table(data, filename="x.xlsx", sheet=1).rows[0].values == ["稻草人", "叶圣陶"]
    assert read_table(data, filename="x.xlsx", sheet="书单").sheet == "书单"
    assert error_code(data, "x.xlsx", sheet="说明") == "empty_sheet"
    assert error_code(data, "x.xlsx", sheet="借阅") == "no_such_sheet"
    assert error_code(data, "x.xlsx", sheet=5) == "no_such_sheet"


def test_header_line_can_be_given():
    """A list without a header row: the user says which line is the header."""
    table = read_table(xlsx(school_list), filename="x.xlsx", header_line=4)
    assert table.headers[2] == "西游记"
    assert [row.line for row in table.rows] == [5]
    assert error_code(xlsx(school_list), "x.xlsx", header_line=2) == "bad_header_line"


def test_text_file_renamed_xlsx_is_refused():
    assert error_code("书名,作者\n西游记,吴承恩\n".encode(), "书单.xlsx") == "extension_mismatch"


def test_binary_junk_is_not_a_spreadsheet():
    assert error_code(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20, "photo.xlsx") == "not_spreadsheet"


def test_a_word_document_zip_is_not_a_spreadsheet():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    assert error_code(buffer.getvalue(), "书单.docx") == "not_spreadsheet"


def test_truncated_xlsx_is_corrupt():
    data = xlsx(school_list)
    assert error_code(data[: len(data) // 2], "x.xlsx") == "corrupt"


def test_xlsx_with_broken_xml_is_corrupt():
    source = zipfile.ZipFile(io.BytesIO(xlsx(school_list)))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for info in source.infolist():
            body = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                body = body[: len(body) // 2]
            archive.writestr(info, body)
    assert error_code(buffer.getvalue(), "x.xlsx") == "corrupt"


def test_file_over_the_size_limit_is_refused_unread():
    """50 MB of anything is refused by its size before any parser sees it."""
    assert error_code(b"PK\x03\x04" + b"\0" * (50 * 1024 * 1024), "大.xlsx") == "too_large"


def test_zip_that_unpacks_far_beyond_its_size_is_refused():
    """A small file with an entry of zeros that unpacks to 20 MB, against a 1 MB upload limit."""
    buffer = io.BytesIO(xlsx(school_list))
    with zipfile.ZipFile(buffer, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/padding.bin", b"\0" * (20 * 1024 * 1024))
    data = buffer.getvalue()
    assert len(data) < 1024 * 1024
    assert error_code(data, "x.xlsx", max_bytes=1024 * 1024) == "unpacked_too_large"


def test_password_protected_xlsx_is_refused():
    """Office saves an encrypted workbook as a compound file with EncryptionInfo and EncryptedPackage streams."""
    data = compound([("EncryptionInfo", b"\x04\x00\x04\x00" + b"\0" * 200), ("EncryptedPackage", b"\x5a" * 5000)])
    assert error_code(data, "加密.xlsx") == "encrypted"


def test_empty_file_is_refused():
    assert error_code(b"", "x.csv") == "empty_file"
    assert error_code(b"  \r\n", "x.csv") == "empty_file"


def test_too_many_rows_is_refused():
    def build(ws):
        ws.append(["书名"])
        for i in range(30):
            ws.append([f"书{i}"])

    assert error_code(xlsx(build), "x.xlsx", max_rows=20) == "too_many_rows"
    assert len(read_table(xlsx(build), filename="x.xlsx", max_rows=30).rows) == 30


def test_blank_rows_are_dropped_but_lines_kept():
    def build(ws):
        ws.append(["书名"])
        ws.append(["稻草人"])
        ws.append([])
        ws.append([None])
        ws.append(["宝葫芦的秘密"])

    table = read_table(xlsx(build), filename="x.xlsx")
    assert [(row.line, row.values) for row in table.rows] == [(2, ["稻草人"]), (5, ["宝葫芦的秘密"])]


# --- xls and ods ------------------------------------------------------------------------------------------------


def test_xls_is_read_with_merges_numbers_and_dates():
    """An Excel 97–2003 file: title merged over A1:D1, an ISBN as a number, a date, a merged data cell."""
    cells = {
        (0, 0): "2026年秋季新书清单",
        (2, 0): "书名",
        (2, 1): "ISBN",
        (2, 2): "出版日期",
        (2, 3): "出版社",
        (3, 0): "西游记",
        (3, 1): 9787020002207,
        (3, 2): ("date", 43586),
        (3, 3): "人民文学出版社",
        (4, 0): "水浒传",
        (4, 1): 9787020008735,
    }
    data = compound([("Workbook", biff8("书单", cells, [(0, 0, 0, 3), (3, 4, 3, 3)]))])
    table = read_table(data, filename="书单.xls", fields=BOOKISH)
    assert (table.source_format, table.sheets, table.header_line) == ("xls", ["书单"], 3)
    assert table.headers == ["书名", "ISBN", "出版日期", "出版社"]
    assert table.rows[0].values == ["西游记", "9787020002207", "2019-05-01", "人民文学出版社"]
    assert table.rows[1].values == ["水浒传", "9787020008735", "", ""]
    assert [m.ref for m in table.merged] == ["D4:D5"]


def test_password_protected_xls_is_refused():
    """An RC4-encrypted .xls has a FILEPASS record right after the workbook's BOF."""
    filepass = _record(0x002F, struct.pack("<HHH", 1, 1, 1) + b"\x11" * 48)
    data = compound([("Workbook", biff8("S", {(0, 0): "书名"}, extra=filepass))])
    assert error_code(data, "加密.xls") == "encrypted"


def test_compound_file_without_a_workbook_is_not_a_spreadsheet():
    assert error_code(compound([("WordDocument", b"\xec\xa5" + b"\0" * 600)]), "通知.xls") == "not_spreadsheet"


def test_ods_is_read():
    data = ods([["学号", "姓名"], ["2023001", "张小明"], [20230002, "李华"]])
    table = read_table(data, filename="名单.ods", fields=ROSTER)
    assert table.source_format == "ods"
    assert [row.values for row in table.rows] == [["2023001", "张小明"], ["20230002", "李华"]]


# --- CSV and other text ----------------------------------------------------------------------------------------


ROSTER_CSV = "学号,姓名,班级\n00123,张小明,三年级（2）班\n00124,李华,三年级（2）班\n"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (codecs.BOM_UTF8 + ROSTER_CSV.encode(), "utf-8-sig"),
        (ROSTER_CSV.encode(), "utf-8"),
        (ROSTER_CSV.encode("gbk"), "gbk"),
        (codecs.BOM_UTF16_LE + ROSTER_CSV.replace(",", "\t").encode("utf-16-le"), "utf-16"),
    ],
    ids=["utf-8 with BOM (Excel's CSV UTF-8)", "utf-8", "gbk (Excel's CSV on Chinese Windows)", "Unicode text"],
)
def test_csv_encodings_are_detected_and_named(data, encoding):
    table = read_table(data, filename="名单.csv", fields=ROSTER)
    assert table.encoding == encoding
    assert table.headers == ["学号", "姓名", "班级"]
    assert table.rows[0].values == ["00123", "张小明", "三年级（2）班"]


def test_gb18030_only_characters_are_read():
    """A rare character in a pupil's name (𠮷) exists in GB18030 but not in GBK."""
    table = read_table("姓名,学号\n𠮷祥,001\n".encode("gb18030"), filename="名单.csv")
    assert table.encoding == "gb18030"
    assert table.rows[0].values == ["𠮷祥", "001"]


def test_undecodable_text_is_refused():
    assert error_code(b"a,b\n\xff\xfe\xff,\x80\n" * 3, "x.csv") == "unknown_encoding"


@pytest.mark.parametrize(
    ("text", "delimiter"),
    [
        ("书名\t作者\t定价\n西游记\t吴承恩\t28\n", "\t"),
        ("书名;作者;定价\n西游记;吴承恩;28,00\n", ";"),
        ("书名，作者，定价\n西游记，吴承恩，28\n", "，"),
        ("书名,作者\n我们仨，杨绛散文,杨绛\n城南旧事,林海音\n", ","),
    ],
    ids=["tab", "semicolon", "full-width comma", "comma beside titles with full-width commas"],
)
def test_csv_delimiter_is_sniffed(text, delimiter):
    assert sniff_delimiter(text) == delimiter
    table = read_table(text.encode(), filename="x.csv")
    assert table.delimiter == delimiter
    assert len(table.headers) == len(table.rows[0].values)


def test_csv_lines_are_counted_across_quoted_newlines_and_blank_lines():
    text = '书名,提要\n"红楼梦","第一行\n第二行"\n\n西游记,取经\n'
    table = read_table(text.encode(), filename="x.csv")
    assert [(row.line, row.values[0]) for row in table.rows] == [(2, "红楼梦"), (5, "西游记")]


def test_csv_title_row_and_excel_text_formulas():
    """A title line above the header, and ="00123" written by exports that protect leading zeros."""
    text = '2026级新生名单,,\n学号,姓名,班级\n="00123",张小明,一（1）班\n'
    table = read_table(text.encode("gbk"), filename="名单.csv", fields=ROSTER)
    assert table.header_line == 2
    assert table.rows[0].values == ["00123", "张小明", "一（1）班"]


def test_csv_saved_as_xls_is_read_as_csv():
    """Some school systems export tab-separated text named .xls."""
    table = read_table("学号\t姓名\n001\t张小明\n".encode("gbk"), filename="导出.xls")
    assert (table.source_format, table.delimiter) == ("csv", "\t")


@pytest.mark.parametrize(
    "text",
    [
        "<html><body><table><tr><td>书名</td></tr></table></body></html>",
        '<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"></Workbook>',
    ],
    ids=["html", "xml spreadsheet 2003"],
)
def test_web_exports_named_xls_are_refused_with_advice(text):
    assert error_code(text.encode(), "学生名单.xls") == "web_export"


@settings(max_examples=200, deadline=None)
@given(data=st.binary(min_size=1, max_size=2000), name=st.sampled_from(["x.csv", "x.xls", "x.xlsx", "x.txt"]))
def test_any_bytes_give_a_table_or_a_table_error(data, name):
    try:
        read_table(data, filename=name)
    except TableError as exc:
        assert exc.code


# --- cell values ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "number_format", "text"),
    [
        (9787020002207.0, "General", "9787020002207"),
        (9787020002207, "0.00E+00", "9787020002207"),
        (28.0, "General", "28"),
        (0.1 + 0.2, "General", "0.3"),
        (28, "0.00", "28.00"),
        (1280.5, "#,##0.00", "1280.50"),
        (28, '"¥"#,##0.00;[Red]-"¥"#,##0.00', "28.00"),
        (0.5, "0%", "50%"),
        (123, "000000", "000123"),
        (123, "@", "123"),
        (True, "General", "TRUE"),
        ("  张三 ", "General", "张三"),
        (None, "General", ""),
        (dt.datetime(2019, 5, 1), "yyyy-mm-dd h:mm:ss", "2019-05-01"),
        (dt.datetime(2019, 5, 1, 8, 30), "yyyy-mm-dd h:mm", "2019-05-01 08:30"),
        (dt.datetime(2019, 5, 1), 'yyyy"年"m"月"', "2019-05"),
        (dt.datetime(2019, 5, 1), "yyyy", "2019"),
        (dt.date(2019, 5, 1), None, "2019-05-01"),
        (dt.time(7, 45), "h:mm", "07:45"),
    ],
)
def test_cell_text_is_what_a_person_sees(value, number_format, text):
    assert cell_text(value, number_format) == text


def test_column_letters():
    assert [column_letter(i) for i in (0, 25, 26, 701, 702)] == ["A", "Z", "AA", "ZZ", "AAA"]


# --- headings and mapping ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("heading", "key"),
    [
        ("定价（元）", "定价"),
        ("单价(元/册)", "单价"),
        ("价格/元", "价格"),
        (" ISBN 号 ", "isbn号"),
        ("ＩＳＢＮ", "isbn"),
        ("*题名", "题名"),
        ("【书名】", "书名"),
        ("出版社：", "出版社"),
    ],
)
def test_heading_key_ignores_spaces_width_brackets_and_units(heading, key):
    assert heading_key(heading) == key


def test_guess_mapping_for_a_roster():
    """The helper is not about books: a roster's headings map the same way, unknown columns left alone."""
    headers = ["序号", "学生姓名", "性别", "学籍号", "班别", "备注"]
    assert guess_mapping(headers, ROSTER) == {"number": 3, "name": 1, "klass": 4, "gender": 2}


def test_guess_mapping_gives_each_column_to_one_field():
    assert guess_mapping(["书名", "书名"], BOOKISH)["title"] == 0
    assert guess_mapping(["学号"], ROSTER)["name"] is None


@pytest.mark.parametrize(
    ("mapping", "code"),
    [
        ({"name": 1}, "required_unmapped"),
        ({"number": 9}, "column_out_of_range"),
        ({"number": 0, "name": 0}, "column_twice"),
        ({"number": 0, "shoe_size": 1}, "unknown_field"),
    ],
)
def test_check_mapping_refuses_unusable_mappings(mapping, code):
    with pytest.raises(TableError) as caught:
        check_mapping(mapping, ROSTER, width=3)
    assert caught.value.code == code
    assert str(caught.value.message)
