"""Excel 书单: a vendor's or school's book list read into rows ready to catalogue, every problem listed first.

Nothing here writes: parse_booklist() gives the preview a librarian checks before the import runs. A problem is an
error (the row is not imported), a warning (imported, but worth a look) or a skip (a 合计 or section-heading row,
not a book, nothing to fix).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise
from stdnum import isbn as stdnum_isbn
from stdnum.exceptions import InvalidChecksum, ValidationError

from xiaotu.interop import tables
from xiaotu.interop.tables import FieldSpec, MergedRange, Row, Severity, Table, check_mapping

MAX_COPIES = 500

BOOK_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec(
        "title",
        _("题名"),
        ("题名", "书名", "正题名", "图书名称", "图书名", "书刊名称", "书目名称", "名称", "书名title"),
        required=True,
        excludes=("丛书", "副", "并列", "其他", "拼音", "原", "英文", "外文"),
    ),
    FieldSpec(
        "author",
        _("责任者"),
        ("作者", "著者", "责任者", "编著", "编著者", "著作者", "第一责任者", "责任说明", "作译者", "编者", "主编"),
        excludes=("简介", "国籍", "号", "拼音"),
    ),
    FieldSpec(
        "isbn",
        "ISBN",
        ("isbn号", "isbn号码", "书号", "标准书号", "国际标准书号", "isbn13", "isbn10"),
        excludes=("索书号", "索取号", "统一"),
    ),
    FieldSpec("publisher", _("出版社"), ("出版社", "出版者", "出版单位", "出版商", "出版发行", "出版机构")),
    FieldSpec("pub_place", _("出版地"), ("出版地", "出版地点", "place")),
    FieldSpec(
        "year", _("出版年"), ("出版年", "出版日期", "出版时间", "出版年份", "出版年月", "年份", "pubyear", "date")
    ),
    FieldSpec(
        "price",
        _("定价"),
        ("定价", "单价", "价格", "价钱", "售价", "原价", "price"),
        excludes=("总", "金额", "实洋", "码洋", "折扣", "合计"),
    ),
    FieldSpec(
        "clc_class",
        _("中图法分类号"),
        ("分类号", "中图分类号", "中图法分类号", "中图分类", "中图法分类", "中图号", "分类", "类号", "clc", "class"),
        excludes=("索书号", "索取号"),
    ),
    FieldSpec(
        "copies",
        _("册数"),
        ("册数", "复本", "复本数", "数量", "本数", "册", "订数", "订购数", "订购数量", "采购数量", "copies", "qty"),
        excludes=("单位",),
    ),
    FieldSpec("call_number", _("索书号"), ("索书号", "索取号", "排架号", "书标号", "callnumber", "callno")),
    FieldSpec("series", _("丛书名"), ("丛书", "丛书名", "丛编", "丛编题名", "series")),
    FieldSpec("edition", _("版次"), ("版次", "版本", "版本说明", "edition")),
    FieldSpec("pages", _("页数"), ("页数", "页码", "pages")),
    FieldSpec("size", _("尺寸"), ("尺寸", "开本", "size")),
    FieldSpec("summary", _("内容简介"), ("内容简介", "简介", "提要", "内容提要", "摘要", "内容摘要", "summary")),
    FieldSpec("barcode", _("条码"), ("条码", "条码号", "条形码", "图书条码", "barcode")),
    FieldSpec(
        "accession_number",
        _("登录号"),
        ("登录号", "财产号", "登记号", "个别登录号", "个别登记号", "财产登录号", "accession"),
    ),
)

_LABELS = {spec.name: spec.label for spec in BOOK_FIELDS}


# Codes are part of the API: change a message freely, never a code.
PROBLEMS: dict[str, tuple[Severity, StrOrPromise]] = {
    "missing_title": (Severity.ERROR, _("没有题名。")),
    "bad_copies": (Severity.ERROR, _("册数“{value}”不是数字。")),
    "copies_out_of_range": (Severity.ERROR, _("册数 {value} 不在 1–{limit} 之间。")),
    "count_mismatch": (Severity.ERROR, _("{label}有 {count} 个，但册数是 {copies}，对不上。")),
    "duplicate_number": (Severity.ERROR, _("{label} {value} 在第 {other} 行已经出现过。")),
    "too_long": (Severity.ERROR, _("{label}“{value}”太长，最多 {limit} 个字符。")),
    "merged_cells": (
        Severity.ERROR,
        _("{cells} 是合并单元格，这一行的内容读不准。请取消合并、在每一格填上内容后再导入。"),
    ),
    "isbn_checksum": (
        Severity.WARNING,
        _("ISBN“{value}”的校验位不对。仍会导入，ISBN 按原样记为“其他 ISBN”，不用来查找已有的书目。"),
    ),
    "not_isbn": (Severity.WARNING, _("“{value}”不是 ISBN（也许是统一书号），按原样记为“其他 ISBN”。")),
    "isbn_scientific": (
        Severity.WARNING,
        _(
            "ISBN 被写成了科学计数法（{value}），后几位数字已经丢失，这一行不带 ISBN 导入。"
            "请把这一列设为“文本”格式、重新填写 ISBN 后再导出。"
        ),
    ),
    "duplicate_isbn": (Severity.WARNING, _("ISBN {isbn} 与第 {other} 行相同，两行会作为同一种书的复本导入。")),
    "bad_price": (Severity.WARNING, _("定价“{value}”读不出金额，这一行不带定价导入。")),
    "foreign_price": (Severity.WARNING, _("定价“{value}”不是人民币，这一行不带定价导入，请在书目中补填。")),
    "bad_year": (Severity.WARNING, _("出版年“{value}”读不出年份，这一行不带出版年导入。")),
    "unusual_class": (Severity.WARNING, _("分类号“{value}”不像中图法分类号，请核对。")),
    "truncated": (Severity.WARNING, _("{label}超过 {limit} 个字符，已截断。")),
    "merged_filled": (Severity.WARNING, _("{cells} 是合并单元格，已把“{value}”用于这一行。")),
    "total_row": (Severity.SKIPPED, _("合计行，不导入。")),
    "section_row": (Severity.SKIPPED, _("分类标题行“{value}”，不导入。")),
}


class RowProblem(tables.RowProblem):
    PROBLEMS = PROBLEMS


@dataclass(slots=True)
class BookRow:
    """One line of the list, cleaned: what the import will catalogue, with `copies` volumes.

    isbn13 is set only for a valid ISBN (an ISBN-10 is converted); anything else written in the ISBN column is
    kept as written in other_isbns. barcodes and accession_numbers are the numbers the school pre-printed, one per
    copy, or empty for the library's numbering to hand out.
    """

    line: int
    title: str
    author: str = ""
    isbn13: str = ""
    other_isbns: list[str] = dataclasses.field(default_factory=list)
    publisher: str = ""
    pub_place: str = ""
    year: int | None = None
    pub_date: str = ""
    price: Decimal | None = None
    clc_class: str = ""
    copies: int = 1
    call_number: str = ""
    series: str = ""
    edition: str = ""
    pages: str = ""
    size: str = ""
    summary: str = ""
    barcodes: list[str] = dataclasses.field(default_factory=list)
    accession_numbers: list[str] = dataclasses.field(default_factory=list)


@dataclass(slots=True)
class BookListPreview:
    """The rows that will be imported and every problem found, in line order."""

    rows: list[BookRow]
    problems: list[RowProblem]

    @property
    def errors(self) -> list[RowProblem]:
        return [p for p in self.problems if p.severity == Severity.ERROR]

    @property
    def warnings(self) -> list[RowProblem]:
        return [p for p in self.problems if p.severity == Severity.WARNING]

    @property
    def skipped(self) -> list[RowProblem]:
        return [p for p in self.problems if p.severity == Severity.SKIPPED]

    @property
    def copies(self) -> int:
        return sum(row.copies for row in self.rows)


# Longest values the catalogue keeps. Text is cut with a warning; a cut number would be a different number.
_TEXT_LIMITS = {
    "title": 500,
    "author": 300,
    "publisher": 200,
    "pub_place": 100,
    "series": 300,
    "edition": 100,
    "pages": 100,
    "size": 50,
    "pub_date": 30,
}
_NUMBER_LIMITS = {"clc_class": 50, "call_number": 64, "barcode": 32, "accession_number": 32}


def parse_booklist(table: Table, mapping: Mapping[str, int | None]) -> BookListPreview:
    """Read every row of the table by the column mapping; raises TableError only when the mapping cannot be used.

    Rows with nothing in the mapped columns are skipped without a word. The same ISBN on two rows is a warning:
    both import, as copies of one record, since the import matches records by ISBN.
    """
    check_mapping(mapping, BOOK_FIELDS, width=table.width)
    columns = {spec.name: mapping.get(spec.name) for spec in BOOK_FIELDS}
    fills, broken = _merged_cells(table, columns)
    rows: list[BookRow] = []
    problems: list[RowProblem] = []
    seen_isbns: dict[str, int] = {}
    seen_numbers: dict[tuple[str, str], int] = {}
    for row in table.rows:
        cells = {
            name: fills[(row.line, column)][0] if (row.line, column) in fills else row.get(column)
            for name, column in columns.items()
            if column is not None
        }
        if not any(cells.values()):
            continue
        if skip := _not_a_book(row, table):
            problems.append(skip)
            continue
        if row.line in broken:
            # whatever else looks wrong on this row follows from the merge
            problems += [RowProblem(row.line, "", "merged_cells", {"cells": m.ref}) for m in broken[row.line]]
            continue
        found = [
            RowProblem(row.line, name, "merged_filled", {"cells": merged.ref, "value": value})
            for name, column in columns.items()
            if column is not None and (row.line, column) in fills
            for value, merged in [fills[(row.line, column)]]
        ]
        book = _parse_row(row.line, cells, found)
        if book is not None:
            _check_repeats(book, found, seen_isbns, seen_numbers)
        problems += found
        if book is not None and not any(p.severity == Severity.ERROR for p in found):
            rows.append(book)
    return BookListPreview(rows=rows, problems=problems)


def _merged_cells(
    table: Table, columns: Mapping[str, int | None]
) -> tuple[dict[tuple[int, int], tuple[str, MergedRange]], dict[int, list[MergedRange]]]:
    """Merged cells over mapped columns: a run down one column is filled from its top; anything else breaks rows.

    A school merging 出版社 down ten rows means all ten; a block or a row-wide merge cannot be read reliably.
    """
    mapped = {c for c in columns.values() if c is not None}
    by_line = {row.line: row for row in table.rows}
    fills: dict[tuple[int, int], tuple[str, MergedRange]] = {}
    broken: dict[int, list[MergedRange]] = {}
    for merged in table.merged:
        hidden = [
            (line, column)
            for line in range(max(merged.first_line, table.header_line + 1), merged.last_line + 1)
            for column in range(merged.first_column, merged.last_column + 1)
            if column in mapped and (line, column) != (merged.first_line, merged.first_column)
        ]
        if not hidden:
            continue
        top = by_line.get(merged.first_line)
        if merged.vertical and merged.first_line > table.header_line and top is not None:
            value = top.get(merged.first_column)
            for cell in hidden:
                fills[cell] = (value, merged)
        else:
            for line in sorted({line for line, _column in hidden}):
                broken.setdefault(line, []).append(merged)
    return fills, broken


# 合计 alone, or followed by anything but more words: 合计：, 合计 120 册; not 合计金额 in a title.
_TOTAL = re.compile(r"\s*(?:合\s*计|总\s*计|小\s*计|共\s*计|总\s*共)\s*(?:[:：]|$|[^\w]|\d)")
_SECTION = re.compile(r"[一二三四五六七八九十百]+[、.．].*|第.{1,6}[类部]|.{1,10}类(?:图书|书目)")


def _not_a_book(row: Row, table: Table) -> RowProblem | None:
    """A 合计 row, or a lone heading such as “一、文学类” between runs of books."""
    filled = [value for value in row.values if value]
    if any(_TOTAL.match(value) for value in filled):
        return RowProblem(row.line, "", "total_row")
    if len(filled) == 1:
        value = filled[0]
        column = row.values.index(value)
        wide = any(
            m.first_line == row.line and m.first_column == column and m.last_column > m.first_column
            for m in table.merged
        )
        if wide or _SECTION.fullmatch(value):
            return RowProblem(row.line, "", "section_row", {"value": value})
    return None


def _parse_row(line: int, cells: Mapping[str, str], found: list[RowProblem]) -> BookRow | None:
    text = {name: _clean(cells.get(name, "")) for name in _TEXT_LIMITS if name != "pub_date"}
    title = _unwrap_title(text.pop("title"))
    if not title:
        found.append(RowProblem(line, "title", "missing_title"))
    book = BookRow(line=line, title=title, summary=cells.get("summary", "").strip())
    for name, value in text.items():
        setattr(book, name, value)
    book.isbn13, book.other_isbns = _parse_isbn(line, cells.get("isbn", ""), found)
    book.year, book.pub_date = _parse_year(line, cells.get("year", ""), found)
    book.price = _parse_price(line, cells.get("price", ""), found)
    book.clc_class, book.call_number = _parse_class(
        line, cells.get("clc_class", ""), cells.get("call_number", ""), found
    )
    for name, limit in _TEXT_LIMITS.items():
        value = getattr(book, name)
        if len(value) > limit:
            setattr(book, name, value[:limit])
            found.append(RowProblem(line, name, "truncated", {"label": _LABELS.get(name, name), "limit": limit}))
    for name in ("clc_class", "call_number"):
        _check_length(line, name, getattr(book, name), found)
    book.barcodes = _parse_numbers(line, "barcode", cells.get("barcode", ""), found)
    book.accession_numbers = _parse_numbers(line, "accession_number", cells.get("accession_number", ""), found)
    numbered = [
        (name, values)
        for name, values in (("barcode", book.barcodes), ("accession_number", book.accession_numbers))
        if values
    ]
    copies: int | None
    if cells.get("copies", "").strip():
        copies = _parse_copies(line, cells["copies"], found)
    else:
        # no 册数: as many copies as pre-printed numbers, else one
        copies = max((len(values) for _name, values in numbered), default=1)
        if copies > MAX_COPIES:
            found.append(RowProblem(line, "copies", "copies_out_of_range", {"value": copies, "limit": MAX_COPIES}))
            copies = None
    if copies is not None:
        book.copies = copies
        for name, values in numbered:
            if len(values) != copies:
                params = {"label": _LABELS[name], "count": len(values), "copies": copies}
                found.append(RowProblem(line, name, "count_mismatch", params))
    return book if copies is not None else None


def _check_repeats(
    book: BookRow, found: list[RowProblem], seen_isbns: dict[str, int], seen_numbers: dict[tuple[str, str], int]
) -> None:
    if book.isbn13:
        if book.isbn13 in seen_isbns:
            found.append(
                RowProblem(book.line, "isbn", "duplicate_isbn", {"isbn": book.isbn13, "other": seen_isbns[book.isbn13]})
            )
        else:
            seen_isbns[book.isbn13] = book.line
    for name, values in (("barcode", book.barcodes), ("accession_number", book.accession_numbers)):
        for value in values:
            if (name, value) in seen_numbers:
                params = {"label": _LABELS[name], "value": value, "other": seen_numbers[(name, value)]}
                found.append(RowProblem(book.line, name, "duplicate_number", params))
            else:
                seen_numbers[(name, value)] = book.line


_WHITESPACE = re.compile(r"\s+")


def _clean(value: str) -> str:
    return _WHITESPACE.sub(" ", value).strip()


def _unwrap_title(title: str) -> str:
    if title.startswith("《") and title.endswith("》") and title.count("《") == 1:
        return title[1:-1].strip()
    return title


def _check_length(line: int, name: str, value: str, found: list[RowProblem]) -> None:
    limit = _NUMBER_LIMITS[name]
    if len(value) > limit:
        found.append(RowProblem(line, name, "too_long", {"label": _LABELS[name], "value": value, "limit": limit}))


# ---------------------------------------------------------------------------------------------------------------
# ISBN

_NO_VALUE = {"", "无", "空", "-", "--", "—", "/", "N/A", "NA", "NULL", "NONE", "0", "暂无"}
_SCIENTIFIC = re.compile(r"\d(?:\.\d+)?E\+?\d+")
_ISBN_JOINERS = re.compile(r"(?<=[\dX])[\s\-‐‑‒–—]+(?=[\dX])")
_ISBN_TOKEN = re.compile(r"(?<![\dX])(\d{13}|\d{9}[\dX])(?![\dX])")


def _parse_isbn(line: int, raw: str, found: list[RowProblem]) -> tuple[str, list[str]]:
    """(isbn13, other_isbns): the first valid ISBN as 13 digits; any other valid ones too; the rest as written."""
    written = raw.strip()
    text = unicodedata.normalize("NFKC", written).upper().strip()
    if text in _NO_VALUE:
        return "", []
    if _SCIENTIFIC.fullmatch(text):
        found.append(RowProblem(line, "isbn", "isbn_scientific", {"value": written}))
        return "", []
    valid: list[str] = []
    problem = "" if _ISBN_TOKEN.search(_ISBN_JOINERS.sub("", text)) else "not_isbn"
    for token in _ISBN_TOKEN.findall(_ISBN_JOINERS.sub("", text)):
        try:
            number = stdnum_isbn.validate(token)
        except InvalidChecksum:
            problem = problem or "isbn_checksum"
            continue
        except ValidationError:
            problem = problem or "not_isbn"
            continue
        number = stdnum_isbn.to_isbn13(number) if len(number) == 10 else number
        if number not in valid:
            valid.append(number)
    others = valid[1:]
    if problem:
        found.append(RowProblem(line, "isbn", problem, {"value": written}))
        others.append(written)
    return (valid[0] if valid else ""), others


# ---------------------------------------------------------------------------------------------------------------
# Year, price, class, copies, numbers

_CHINESE_DIGITS = str.maketrans("〇零○Ｏ一二三四五六七八九", "0000123456789")
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_YEAR_DIGITS = re.compile(r"((?:18|19|20|21)\d\d)(?:\d\d){1,2}")  # 201905, 20190501
_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")


def _parse_year(line: int, raw: str, found: list[RowProblem]) -> tuple[int | None, str]:
    """(year, pub_date as written): from 2019, 2019.5, 2019年5月, 二〇一九年, 20190501 or an Excel date serial."""
    written = raw.strip()
    text = unicodedata.normalize("NFKC", written).translate(_CHINESE_DIGITS)
    if not text:
        return None, ""
    year: int | None = None
    if match := re.fullmatch(r"(\d{5})(?:\.\d+)?", text):
        # an Excel date the sheet showed as a number: days since 1899-12-30
        year = (_EXCEL_EPOCH + dt.timedelta(days=int(match.group(1)))).year
    elif match := _YEAR_DIGITS.fullmatch(text) or _YEAR.search(text):
        year = int(match.group(1))
    if year is None or not 1800 <= year <= 2100:
        found.append(RowProblem(line, "year", "bad_year", {"value": written}))
        year = None
    return year, written[: _TEXT_LIMITS["pub_date"]]


_FOREIGN_MONEY = (
    "$",
    "USD",
    "HKD",
    "NTD",
    "£",
    "€",
    "EUR",
    "GBP",
    "JPY",
    "円",
    "美元",
    "港币",
    "港元",
    "台币",
    "日元",
    "欧元",
    "英镑",
)
_AMOUNT = re.compile(r"(\d+)(?:\.(\d+))?")
_CENT = Decimal("0.01")


def _parse_price(line: int, raw: str, found: list[RowProblem]) -> Decimal | None:
    """Yuan from 28.00, ¥28, ￥28.00, 28元, CNY28.00, RMB 28, 定价：28.00元, 1,280.00."""
    written = raw.strip()
    text = unicodedata.normalize("NFKC", written).upper()
    if not text:
        return None
    if any(mark in text for mark in _FOREIGN_MONEY):
        found.append(RowProblem(line, "price", "foreign_price", {"value": written}))
        return None
    match = _AMOUNT.search(re.sub(r"(?<=\d),(?=\d{3}(?!\d))", "", text))
    if match is None or len(match.group(1)) > 8 or len(match.group(2) or "") > 6:
        found.append(RowProblem(line, "price", "bad_price", {"value": written}))
        return None
    return Decimal(f"{match.group(1)}.{match.group(2) or '0'}").quantize(_CENT, rounding=ROUND_HALF_UP)


_CLC_LETTERS = r"(?:T[BDEFGHJKLMNPQSUV]|DF|[A-KNOPQRSTUVXZ])"
_CLC_NUMBER = r"\d+(?:\.\d+)*"
_CLC = re.compile(
    rf"{_CLC_LETTERS}(?:{_CLC_NUMBER})?"
    rf'(?:-{_CLC_NUMBER}|\({_CLC_NUMBER}\)|={_CLC_NUMBER}|"{_CLC_NUMBER}"|<{_CLC_NUMBER}>'
    rf"|[:+]\.?{_CLC_NUMBER}|[:+]{_CLC_LETTERS}(?:{_CLC_NUMBER})?)*A?"
)


def looks_like_clc(value: str) -> bool:
    """Whether a normalised class number has the shape of 中图法 notation: I247.5, TP311.1, K825.6=74, O1-49."""
    return bool(_CLC.fullmatch(value))


def normalise_class(raw: str) -> str:
    """Full-width to half-width, upper-case, no spaces: 'ｉ２４７．５ ' -> 'I247.5'."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", raw)).upper()


def _parse_class(line: int, raw_class: str, raw_call: str, found: list[RowProblem]) -> tuple[str, str]:
    """(clc_class, call_number). A call number in the class column lends its class; a call number alone does too."""
    clc = normalise_class(raw_class)
    call = unicodedata.normalize("NFKC", raw_call).strip()
    if "/" in clc:
        # I247.5/123 is a call number written where the class goes
        head, _sep, tail = clc.partition("/")
        if tail and looks_like_clc(head):
            call = call or unicodedata.normalize("NFKC", raw_class).strip()
            clc = head
    if clc and not looks_like_clc(clc):
        found.append(RowProblem(line, "clc_class", "unusual_class", {"value": raw_class.strip()}))
    if not clc and "/" in call:
        head = normalise_class(call.partition("/")[0])
        clc = head if looks_like_clc(head) else ""
    return clc, call


_COUNT_WORDS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}


def _parse_copies(line: int, raw: str, found: list[RowProblem]) -> int | None:
    """Copies from 2, 2.0, 2册, ２本, 两册; None (with an error) when unreadable or outside 1–MAX_COPIES."""
    written = raw.strip()
    text = re.sub(r"\s*[册本套部份]$", "", unicodedata.normalize("NFKC", written)).strip()
    if match := re.fullmatch(r"(\d{1,7})(?:\.0+)?", text):
        copies = int(match.group(1))
    elif text in _COUNT_WORDS:
        copies = _COUNT_WORDS[text]
    else:
        found.append(RowProblem(line, "copies", "bad_copies", {"value": written}))
        return None
    if not 1 <= copies <= MAX_COPIES:
        found.append(RowProblem(line, "copies", "copies_out_of_range", {"value": copies, "limit": MAX_COPIES}))
        return None
    return copies


_NUMBER_RANGE = re.compile(r"([A-Z]*)(\d{1,18})[-~至到]([A-Z]*)(\d{1,18})", re.IGNORECASE)


def _parse_numbers(line: int, name: str, raw: str, found: list[RowProblem]) -> list[str]:
    """Barcodes or accession numbers the school pre-numbered: one, a list, or a run such as 00012301-00012305."""
    text = unicodedata.normalize("NFKC", raw).strip()
    text = re.sub(r"\s*([-~至到])\s*", r"\1", text)
    numbers: list[str] = []
    for part in re.split(r"[\s,;、]+", text):
        if not part:
            continue
        match = _NUMBER_RANGE.fullmatch(part)
        if match and _is_run(match):
            prefix, first, last = match.group(1), match.group(2), match.group(4)
            numbers += [f"{prefix}{n:0{len(first)}d}" for n in range(int(first), int(last) + 1)]
        else:
            numbers.append(part)
        if len(numbers) > MAX_COPIES:
            break
    for number in numbers:
        if len(number) > _NUMBER_LIMITS[name]:
            _check_length(line, name, number, found)
            return []
    return numbers[: MAX_COPIES + 1]


def _is_run(match: re.Match[str]) -> bool:
    prefix, first, last_prefix, last = match.groups()
    return last_prefix in ("", prefix) and len(first) == len(last) and 0 < int(last) - int(first) < MAX_COPIES
