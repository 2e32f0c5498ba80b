"""Reading the spreadsheets schools send (xlsx, xls, ods, CSV) as rows of text, and guessing which column is which.

Shared by the Excel book-list import and the pupil-roster import. Everything comes out as the text a person sees in
the cell: an ISBN stored as the float 9.787020002207e12 reads "9787020002207", a student number formatted 000000
keeps its leading zeros, a date reads "2019-05-01" whatever the cell format. Thousands separators and currency
signs are left out so the text stays easy to parse.
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import datetime as dt
import enum
import io
import math
import posixpath
import re
import unicodedata
import zipfile
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import PureWindowsPath
from typing import Any, ClassVar, Literal
from xml.etree import ElementTree

import openpyxl  # type: ignore[import-untyped,unused-ignore]
import python_calamine
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

SourceFormat = Literal["xlsx", "xls", "xlsb", "ods", "csv"]

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 100_000
MAX_COLUMNS = 500
# The header is looked for among the first rows that have anything in them.
HEADER_SCAN = 10
# An xlsx is a zip of XML; ordinary ones unpack to a few times their size. More than this is refused unread.
UNPACK_RATIO = 10

# Codes are part of the API: change a message freely, never a code.
MESSAGES: dict[str, StrOrPromise] = {
    "empty_file": _("文件是空的。"),
    "too_large": _("文件太大（{size}），最大只能导入 {limit} 的文件。"),
    "unpacked_too_large": _("文件解压后超过 {limit}，不像是正常的表格文件，已拒绝读取。"),
    "not_spreadsheet": _("这不是表格文件。请上传 Excel 工作簿（.xlsx、.xls）或 CSV 文件。"),
    "extension_mismatch": _(
        "文件扩展名是 {extension}，但内容不是 Excel 工作簿。请用 Excel 或 WPS 打开后另存为 .xlsx 再导入。"
    ),
    "web_export": _(
        "这个文件是网页（HTML）或 XML 格式的导出文件，并不是真正的 Excel 工作簿。"
        "请用 Excel 或 WPS 打开，另存为 .xlsx 后再导入。"
    ),
    "encrypted": _("文件设置了打开密码。请在 Excel 或 WPS 中取消密码、保存后再导入。"),
    "corrupt": _("文件已损坏或不完整，无法读取。请用 Excel 或 WPS 打开后重新保存再试。"),
    "unknown_encoding": _("无法识别文件的文字编码。请把文件另存为“CSV UTF-8”后再导入。"),
    "no_such_sheet": _("没有找到工作表“{sheet}”。文件中的工作表有：{sheets}。"),
    "empty": _("表格中没有任何内容。"),
    "empty_sheet": _("工作表“{sheet}”是空的。"),
    "bad_header_line": _("第 {line} 行是空行或不在表格中，不能作为表头。"),
    "too_many_rows": _("数据超过 {limit} 行，请分成几个文件导入。"),
    "too_many_columns": _("表格超过 {limit} 列，请只保留需要导入的列。"),
    # the column mapping chosen by the user
    "unknown_field": _("没有“{field}”这一项。"),
    "required_unmapped": _("请指定“{label}”在哪一列。"),
    "column_out_of_range": _("“{label}”指定的第 {column} 列不存在（表格共 {width} 列）。"),
    "column_twice": _("第 {column} 列同时被指定为“{first}”和“{second}”。"),
}

MERGED_MESSAGE: StrOrPromise = _(
    "{cells} 是合并单元格（第 {first}–{last} 行），合并后的内容只属于左上角的格子。"
    "请取消合并、在每一格填上内容后再导入。"
)


def render(template: StrOrPromise, params: Mapping[str, Any]) -> StrOrPromise:
    """Fill a lazy message template; stays lazy so it is translated when shown."""
    return format_lazy(template, **params) if params else template


class Severity(enum.StrEnum):
    ERROR = "error"  # the row is not imported
    WARNING = "warning"  # imported, but look
    SKIPPED = "skipped"  # not a data row (合计, a title or section heading, the header again): nothing to fix


@dataclass(frozen=True, slots=True)
class RowProblem:
    """A problem with one row of a sheet: its line, the field concerned ('' for the whole row), and a code of the
    importer's `PROBLEMS` table ({code: (severity, message template)}), which each importer's subclass names."""

    PROBLEMS: ClassVar[Mapping[str, tuple[Severity, StrOrPromise]]] = {}

    line: int
    field: str
    code: str
    params: dict[str, Any] = dataclasses.field(default_factory=dict)

    @property
    def severity(self) -> Severity:
        return self.PROBLEMS[self.code][0]

    @property
    def message(self) -> StrOrPromise:
        return render(self.PROBLEMS[self.code][1], self.params)

    def as_dict(self) -> dict[str, Any]:
        """For a preview or an import job's report: plain JSON, the message in the current language."""
        return {
            "line": self.line,
            "field": self.field,
            "code": self.code,
            "severity": str(self.severity),
            "params": {key: str(value) for key, value in self.params.items()},
            "message": str(self.message),
        }


class TableError(Exception):
    """The file cannot be read as a table, or a column mapping cannot be used; `code` is stable."""

    def __init__(self, code: str, **params: Any) -> None:
        self.code = code
        self.params = params
        self.message = render(MESSAGES[code], params)
        super().__init__(code)

    def __str__(self) -> str:
        return str(self.message)


def column_letter(index: int) -> str:
    """0 -> 'A', 25 -> 'Z', 26 -> 'AA': how Excel names the column."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _column_index(letters: str) -> int:
    index = 0
    for ch in letters.upper():
        index = index * 26 + ord(ch) - 64
    return index - 1


@dataclass(frozen=True, slots=True)
class Row:
    """One row that has something in it: `line` is its row number in the sheet (the line in a CSV file)."""

    line: int
    values: list[str]

    def get(self, column: int | None) -> str:
        if column is None or not 0 <= column < len(self.values):
            return ""
        return self.values[column]


@dataclass(frozen=True, slots=True)
class MergedRange:
    """合并单元格: lines as in Row.line, columns 0-based. Only the top-left cell holds the value."""

    first_line: int
    last_line: int
    first_column: int
    last_column: int

    @property
    def ref(self) -> str:
        start = f"{column_letter(self.first_column)}{self.first_line}"
        end = f"{column_letter(self.last_column)}{self.last_line}"
        return start if start == end else f"{start}:{end}"

    @property
    def vertical(self) -> bool:
        """One column over several rows: schools merge a publisher or class down a run of books."""
        return self.first_column == self.last_column and self.first_line < self.last_line

    @property
    def message(self) -> StrOrPromise:
        return render(MERGED_MESSAGE, {"cells": self.ref, "first": self.first_line, "last": self.last_line})

    def covers(self, line: int, column: int) -> bool:
        return self.first_line <= line <= self.last_line and self.first_column <= column <= self.last_column


@dataclass(frozen=True, slots=True)
class Table:
    """A sheet read as text: the header row, the rows under it that have anything in them, and where it came from.

    `merged` lists the merged cells that reach below the header: their other cells are empty here, which is
    rarely what the school meant, so importers report them. `encoding` and `delimiter` are set for CSV only.
    """

    headers: list[str]
    rows: list[Row]
    sheets: list[str]
    sheet: str
    source_format: SourceFormat
    encoding: str = ""
    delimiter: str = ""
    header_line: int = 1
    merged: list[MergedRange] = field(default_factory=list)

    @property
    def width(self) -> int:
        return len(self.headers)


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """A thing an importer wants from the table, and the headings schools write for it.

    `excludes` are headings that contain a synonym but mean something else (索书号 is not a 书号).
    """

    name: str
    label: StrOrPromise
    synonyms: tuple[str, ...]
    required: bool = False
    excludes: tuple[str, ...] = ()


# ---------------------------------------------------------------------------------------------------------------
# Reading


@dataclass(slots=True)
class _Grid:
    """What a reader hands to the header finder: the non-empty rows with their line numbers."""

    sheets: list[str]
    sheet: str
    source_format: SourceFormat
    rows: list[tuple[int, list[str]]]
    merged: list[MergedRange] = field(default_factory=list)
    encoding: str = ""
    delimiter: str = ""


def read_table(
    data: bytes,
    *,
    filename: str,
    sheet: str | int | None = None,
    header_line: int | None = None,
    fields: Sequence[FieldSpec] = (),
    max_bytes: int = MAX_BYTES,
    max_rows: int = MAX_ROWS,
) -> Table:
    """Read an uploaded spreadsheet or CSV file; raises TableError with a stable code when it cannot.

    The format is told by the content, not the name (a CSV renamed .xls is read as CSV). `sheet` is a name or a
    0-based index; by default the first visible sheet with anything in it. The header row is the one among the first
    rows that best matches `fields`' headings (a merged title row above it is passed over), unless `header_line`
    says which line it is.
    """
    if len(data) > max_bytes:
        raise TableError("too_large", size=_megabytes(len(data)), limit=_megabytes(max_bytes))
    if not data.strip():
        raise TableError("empty_file")
    extension = PureWindowsPath(filename).suffix.lower()
    limit = max_rows + HEADER_SCAN
    if data.startswith(b"PK\x03\x04"):
        grid = _read_zip(data, sheet, limit, unpacked_limit=UNPACK_RATIO * max_bytes)
    elif data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        grid = _read_compound(data, sheet, limit)
    else:
        grid = _read_text(data, extension, limit)
    return _build_table(grid, header_line=header_line, fields=fields, max_rows=max_rows)


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB" if size >= 1024 * 1024 else f"{size} B"


def _read_zip(data: bytes, sheet: str | int | None, limit: int, *, unpacked_limit: int) -> _Grid:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            names = {info.filename for info in infos}
            # zipfile reads no more than each entry declares, so the declared sizes bound what parsing unpacks.
            if sum(info.file_size for info in infos) > unpacked_limit:
                raise TableError("unpacked_too_large", limit=_megabytes(unpacked_limit))
            if "xl/workbook.xml" in names:
                merges = _xlsx_merges(archive)
                return _read_xlsx(data, sheet, limit, merges)
            if "xl/workbook.bin" in names:
                return _read_calamine(data, "xlsb", sheet, limit)
            if "mimetype" in names and archive.read("mimetype").startswith(
                b"application/vnd.oasis.opendocument.spreadsheet"
            ):
                return _read_calamine(data, "ods", sheet, limit)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, NotImplementedError) as exc:
        raise TableError("corrupt") from exc
    raise TableError("not_spreadsheet")


def _read_compound(data: bytes, sheet: str | int | None, limit: int) -> _Grid:
    """An OLE2 compound file: an .xls, or an .xlsx that Office encrypted with a password."""
    if "EncryptedPackage".encode("utf-16-le") in data:
        raise TableError("encrypted")
    # the workbook stream is "Workbook", or "Book" in Excel 5/95 files
    if not any(name.encode("utf-16-le") in data for name in ("Workbook", "Book")):
        raise TableError("not_spreadsheet")  # a Word .doc, an Outlook message…
    return _read_calamine(data, "xls", sheet, limit)


def _pick_sheet(names: list[str], sheet: str | int | None) -> list[str]:
    """The sheet asked for, or every sheet in order when the caller takes the first one with content."""
    if sheet is None:
        return names
    if isinstance(sheet, int):
        if 0 <= sheet < len(names):
            return [names[sheet]]
    else:
        for name in names:
            if name == sheet or name.strip() == sheet.strip():
                return [name]
    raise TableError("no_such_sheet", sheet=sheet, sheets="、".join(names))


def _xlsx_sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> the zip member holding it, from xl/workbook.xml and its relationships."""
    try:
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError):
        return {}
    targets: dict[str, str] = {}
    for rel in rels.iter():
        if rel.tag.endswith("Relationship") and rel.get("Id") and rel.get("Target"):
            target = rel.get("Target", "")
            targets[rel.get("Id", "")] = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
    parts: dict[str, str] = {}
    for element in workbook.iter():
        if element.tag.rsplit("}", 1)[-1] != "sheet":
            continue
        rel_id = next((value for key, value in element.attrib.items() if key.endswith("}id")), "")
        if rel_id in targets:
            parts[element.get("name", "")] = posixpath.normpath(targets[rel_id])
    return parts


_MERGE_CELL = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="([A-Za-z]+)(\d+)(?::([A-Za-z]+)(\d+))?"')


def _xlsx_merges(archive: zipfile.ZipFile) -> dict[str, list[MergedRange]]:
    """openpyxl's read-only mode does not report merged cells, so find the <mergeCell ref="A1:H1"/> tags ourselves."""
    merges: dict[str, list[MergedRange]] = {}
    for name, part_name in _xlsx_sheet_parts(archive).items():
        found: list[MergedRange] = []
        try:
            with archive.open(part_name) as part:
                carry = b""
                while chunk := part.read(1 << 20):
                    text = carry + chunk
                    cut = text.rfind(b"<")
                    cut = len(text) if cut == -1 else cut
                    found += _merges_in(text[:cut])
                    carry = text[cut:]
                found += _merges_in(carry)
        except KeyError:
            continue
        merges[name] = found
    return merges


def _merges_in(xml: bytes) -> list[MergedRange]:
    found = []
    for match in _MERGE_CELL.finditer(xml):
        first_col, first_row = match.group(1).decode(), int(match.group(2))
        last_col = match.group(3).decode() if match.group(3) else first_col
        last_row = int(match.group(4)) if match.group(4) else first_row
        found.append(MergedRange(first_row, last_row, _column_index(first_col), _column_index(last_col)))
    return found


def _read_xlsx(data: bytes, sheet: str | int | None, limit: int, merges: dict[str, list[MergedRange]]) -> _Grid:
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # a damaged workbook fails in whatever part of openpyxl meets the damage first
        raise TableError("corrupt") from exc
    try:
        worksheets = {ws.title: ws for ws in workbook.worksheets}
        names = list(worksheets)
        candidates = _pick_sheet(names, sheet)
        if sheet is None:
            candidates = [name for name in candidates if getattr(worksheets[name], "sheet_state", "") == "visible"]
        for name in candidates:
            worksheet: Any = worksheets[name]
            worksheet.reset_dimensions()  # some writers leave a wrong <dimension>, which read-only mode trusts
            try:
                # read-only mode yields an empty row for each row missing from the file, so counting gives the line
                texts = (
                    [cell_text(cell.value, getattr(cell, "number_format", "General")) for cell in cells]
                    for cells in worksheet.iter_rows()
                )
                rows = _collect(enumerate(texts, start=1), limit)
            except TableError:
                raise
            except Exception as exc:
                raise TableError("corrupt") from exc
            if rows or sheet is not None:
                return _Grid(names, name, "xlsx", rows, merges.get(name, []))
        return _Grid(names, candidates[0] if candidates else "", "xlsx", [])
    finally:
        workbook.close()


# BOF of the workbook globals (BIFF8) followed by FILEPASS: the workbook is encrypted with a password.
_XLS_FILEPASS = re.compile(rb"\x09\x08\x10\x00\x00\x06\x05\x00.{12}\x2f\x00", re.DOTALL)


def _read_calamine(data: bytes, source_format: SourceFormat, sheet: str | int | None, limit: int) -> _Grid:
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        metadata = workbook.sheets_metadata
        names = [m.name for m in metadata if m.typ == python_calamine.SheetTypeEnum.WorkSheet]
        candidates = _pick_sheet(names, sheet)
        if sheet is None:
            visible = {m.name for m in metadata if m.visible == python_calamine.SheetVisibleEnum.Visible}
            candidates = [name for name in candidates if name in visible]
        for name in candidates:
            worksheet = workbook.get_sheet_by_name(name)
            if worksheet.end is not None and worksheet.end[1] >= MAX_COLUMNS:
                raise TableError("too_many_columns", limit=MAX_COLUMNS)
            cells = worksheet.to_python(skip_empty_area=False)
            rows = _collect(enumerate(([cell_text(value) for value in values] for values in cells), start=1), limit)
            if rows or sheet is not None:
                merged = [
                    MergedRange(top + 1, bottom + 1, left, right)
                    for (top, left), (bottom, right) in worksheet.merged_cell_ranges or []
                ]
                return _Grid(names, name, source_format, rows, merged)
        return _Grid(names, candidates[0] if candidates else "", source_format, [])
    except TableError:
        raise
    except python_calamine.PasswordError as exc:
        raise TableError("encrypted") from exc
    except python_calamine.CalamineError as exc:
        # calamine reports an encrypted .xls as a format it cannot detect; the FILEPASS record after BOF tells
        raise TableError("encrypted" if _XLS_FILEPASS.search(data[:65536]) else "corrupt") from exc
    except BaseException as exc:
        # calamine's Rust panics arrive as pyo3's PanicException, which is not an Exception.
        if isinstance(exc, KeyboardInterrupt | SystemExit | GeneratorExit | MemoryError):
            raise
        raise TableError("corrupt") from exc


def _collect(rows: Iterable[tuple[int, list[str]]], limit: int) -> list[tuple[int, list[str]]]:
    """Keep the rows with anything in them, trimmed of empty cells at the end."""
    kept = []
    for line, values in rows:
        while values and not values[-1]:
            values.pop()
        if not values:
            continue
        if len(values) > MAX_COLUMNS:
            raise TableError("too_many_columns", limit=MAX_COLUMNS)
        kept.append((line, values))
        if len(kept) > limit:
            raise TableError("too_many_rows", limit=limit - HEADER_SCAN)
    return kept


# ---------------------------------------------------------------------------------------------------------------
# CSV and other text

_DELIMITERS = ("\t", ",", ";", "，", "|")
_WEB_MARKERS = ("<html", "<table", "<!doctype", "<?xml", "urn:schemas-microsoft-com:office")
_WORKBOOK_EXTENSIONS = {".xlsx", ".xlsm", ".xltx", ".xlsb", ".ods"}


def decode_text(data: bytes) -> tuple[str, str]:
    """Text and the encoding it was read with: a BOM decides; else UTF-8 if it decodes, then GBK, then GB18030."""
    if data.startswith(codecs.BOM_UTF8):
        candidates = [("utf-8-sig", "utf-8-sig")]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = [("utf-16", "utf-16")]  # Excel's “Unicode 文本”: UTF-16 with tabs
    else:
        candidates = [("utf-8", "utf-8"), ("gbk", "gbk"), ("gb18030", "gb18030")]
    for codec, name in candidates:
        try:
            return data.decode(codec), name
        except UnicodeDecodeError:
            continue
    raise TableError("unknown_encoding")


_CONTROL_BYTES = bytes([*range(0, 9), *range(14, 32)])


def _looks_binary(data: bytes) -> bool:
    """NULs or many control bytes: a picture, a program, an archive, but no text a school typed."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    sample = data[:65536]
    return b"\0" in sample or (len(sample) - len(sample.translate(None, _CONTROL_BYTES))) * 100 > len(sample)


def _read_text(data: bytes, extension: str, limit: int) -> _Grid:
    if _looks_binary(data):
        raise TableError("not_spreadsheet")
    text, encoding = decode_text(data)
    head = text.lstrip("\ufeff \t\r\n")[:4096].lower()
    if head.startswith("<") and any(marker in head for marker in _WEB_MARKERS):
        raise TableError("web_export")
    if "\x00" in text:
        raise TableError("not_spreadsheet")
    if extension in _WORKBOOK_EXTENSIONS:
        raise TableError("extension_mismatch", extension=extension)
    delimiter = sniff_delimiter(text)
    try:
        rows = _collect(_csv_rows(text, delimiter), limit)
    except csv.Error as exc:
        raise TableError("corrupt") from exc
    return _Grid([], "", "csv", rows, encoding=encoding, delimiter=delimiter)


def sniff_delimiter(text: str) -> str:
    """The separator that splits the first lines into the same number of fields most often (a comma by default).

    A full-width comma is tried too, since some hand-made lists use it; Chinese titles that contain one do not
    outvote a real separator because they do not split every line alike.
    """
    lines = [line for line in text[:65536].splitlines() if line.strip()][:50]
    best: tuple[int, int] = (0, 0)
    choice = ","
    for delimiter in _DELIMITERS:
        try:
            widths = [len(record) for record in csv.reader(lines, delimiter=delimiter) if len(record) > 1]
        except csv.Error:
            continue
        if not widths:
            continue
        width, count = Counter(widths).most_common(1)[0]
        if (count, width) > best:
            best, choice = (count, width), delimiter
    return choice


_EXCEL_TEXT_FORMULA = re.compile(r'="(.*)"', re.DOTALL)


def _csv_rows(text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """Records of a CSV with the line each starts on (a quoted cell may span lines)."""
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""), delimiter=delimiter)
    line = 1
    for record in reader:
        yield line, [_csv_cell(value) for value in record]
        line = reader.line_num + 1


def _csv_cell(value: str) -> str:
    value = value.strip()
    # Some exports write ="00123" to stop Excel eating leading zeros.
    if match := _EXCEL_TEXT_FORMULA.fullmatch(value):
        return match.group(1).strip()
    return value


# ---------------------------------------------------------------------------------------------------------------
# Cell values as a person sees them

_FORMAT_NOISE = re.compile(r'\[[^\]]*\]|"[^"]*"|\\.|_.|\*.|[¥￥$€£元\s]')
_DECIMAL_FORMAT = re.compile(r"[#,0]*0(?:\.(0+))?(%?)")
_MIDNIGHT = dt.time(0, 0)


def cell_text(value: object, number_format: str | None = "General") -> str:
    """The text a person sees in a cell, for the values openpyxl and calamine return."""
    fmt = number_format or "General"
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        if value.time() == _MIDNIGHT:
            return _date_text(value.date(), fmt)
        return f"{value.date().isoformat()} {_time_text(value.time())}"
    if isinstance(value, dt.date):
        return _date_text(value, fmt)
    if isinstance(value, dt.time):
        return _time_text(value)
    if isinstance(value, int | float | Decimal):
        return _number_text(value, fmt)
    return str(value).strip()


def _time_text(value: dt.time) -> str:
    return value.strftime("%H:%M:%S" if value.second else "%H:%M")


def _date_text(value: dt.date, fmt: str) -> str:
    tokens = _FORMAT_NOISE.sub("", fmt).lower()
    if "y" in tokens and "d" not in tokens:
        return f"{value.year:04d}-{value.month:02d}" if "m" in tokens else f"{value.year:04d}"
    return value.isoformat()


def _number_text(value: float | Decimal, fmt: str) -> str:
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    pattern = _FORMAT_NOISE.sub("", fmt.split(";", 1)[0])
    if pattern and set(pattern) == {"0"}:
        # 000000: a code with its leading zeros, as the school typed it
        number = round(value)
        return ("-" if number < 0 else "") + str(abs(number)).zfill(len(pattern))
    if match := _DECIMAL_FORMAT.fullmatch(pattern):
        decimals = len(match.group(1) or "")
        if match.group(2):
            return f"{value * 100:.{decimals}f}%"
        return f"{value:.{decimals}f}"
    # General, text (@), scientific and the rest: all the digits the cell holds. A 13-digit ISBN shown as
    # 9.79E+12 in a narrow column still has every digit in the file.
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    return f"{value:.15g}"


# ---------------------------------------------------------------------------------------------------------------
# Finding the header row

_NUMERIC = re.compile(r"[-+]?[\d.,:/\s-]+")


def _build_table(grid: _Grid, *, header_line: int | None, fields: Sequence[FieldSpec], max_rows: int) -> Table:
    if not grid.rows:
        if grid.sheet:
            raise TableError("empty_sheet", sheet=grid.sheet)
        raise TableError("empty")
    by_line = dict(grid.rows)
    if header_line is None:
        header_line = _find_header_line(grid, by_line, fields)
    elif header_line not in by_line:
        raise TableError("bad_header_line", line=header_line)
    headers = _filled(header_line, by_line, grid.merged, from_left=True)
    rows = [Row(line, values) for line, values in grid.rows if line > header_line]
    if len(rows) > max_rows:
        raise TableError("too_many_rows", limit=max_rows)
    width = max([len(headers), *(len(row.values) for row in rows)])
    headers += [""] * (width - len(headers))
    for row in rows:
        row.values.extend([""] * (width - len(row.values)))
    merged = [m for m in grid.merged if m.last_line > header_line]
    return Table(
        headers=headers,
        rows=rows,
        sheets=grid.sheets,
        sheet=grid.sheet,
        source_format=grid.source_format,
        encoding=grid.encoding,
        delimiter=grid.delimiter,
        header_line=header_line,
        merged=merged,
    )


def _filled(line: int, by_line: dict[int, list[str]], merged: list[MergedRange], *, from_left: bool) -> list[str]:
    """A row's values with merged cells given their top-left value: from above only, or from the left as well.

    For telling a header we fill from above only, so a title merged across the columns still counts as one cell.
    """
    values = list(by_line.get(line, []))
    for m in merged:
        if not m.first_line <= line <= m.last_line or (m.first_line == line and not from_left):
            continue
        source = by_line.get(m.first_line, [])
        top_left = source[m.first_column] if m.first_column < len(source) else ""
        if len(values) <= m.last_column:
            values.extend([""] * (m.last_column + 1 - len(values)))
        for column in range(m.first_column, m.last_column + 1):
            if (m.first_line, m.first_column) != (line, column):
                values[column] = top_left
    return values


def _find_header_line(grid: _Grid, by_line: dict[int, list[str]], fields: Sequence[FieldSpec]) -> int:
    """The first of the leading rows that matches the most headings, then has the most text cells."""
    best: tuple[int, int, int] | None = None
    chosen = grid.rows[0][0]
    for line, _values in grid.rows[:HEADER_SCAN]:
        cells = [value for value in _filled(line, by_line, grid.merged, from_left=False) if value]
        matched = sum(max((_match(heading_key(value), spec)[0] for spec in fields), default=0) for value in set(cells))
        texty = sum(1 for value in cells if not _NUMERIC.fullmatch(value))
        score = (matched, texty, len(cells))
        if best is None or score > best:
            best, chosen = score, line
    return chosen


# ---------------------------------------------------------------------------------------------------------------
# Column mapping

_BRACKETED = re.compile(r"[(\[（【〔<《{][^)\]）】〕>》}]*[)\]）】〕>》}]")
_HEADING_NOISE = re.compile(r"[\s*:：/\\_\-.·•、,，;；'\"“”‘’#№]+")
_UNITS = ("人民币", "rmb", "cny", "元")


@lru_cache(maxsize=4096)
def heading_key(text: str) -> str:
    """A heading reduced for comparison: half-width, lower-case, without spaces, brackets, units or punctuation.

    '定价（元）' -> '定价'; ' ISBN 号 ' -> 'isbn号'; '*题名' -> '题名'.
    """
    key = unicodedata.normalize("NFKC", text).lower()
    without = _BRACKETED.sub("", key)
    key = _HEADING_NOISE.sub("", without if _HEADING_NOISE.sub("", without) else key)
    key = re.sub(r"[()\[\]【】〔〕<>《》{}]", "", key)
    for unit in _UNITS:
        if key.endswith(unit) and len(key) > len(unit):
            key = key[: -len(unit)]
            break
    return key


def _match(key: str, spec: FieldSpec) -> tuple[int, int]:
    """(2, n) for a heading that is a synonym, (1, n) for one that starts or ends with one; n is its length."""
    if not key or any(heading_key(word) in key for word in spec.excludes):
        return (0, 0)
    best = (0, 0)
    for synonym in (spec.name, str(spec.label), *spec.synonyms):
        syn = heading_key(synonym)
        if not syn:
            continue
        if key == syn:
            best = max(best, (2, len(syn)))
        elif len(syn) >= 2 and (key.startswith(syn) or key.endswith(syn)) and len(key) - len(syn) <= 4:
            best = max(best, (1, len(syn)))
    return best


def guess_mapping(headers: Sequence[str], fields: Sequence[FieldSpec]) -> dict[str, int | None]:
    """Which column holds each field, as the headings suggest; None where no heading fits. The user may change it.

    An exact heading beats a partial one, a longer synonym beats a shorter one, and the leftmost column wins a tie;
    each column goes to one field at most.
    """
    candidates = []
    for column, heading in enumerate(headers):
        key = heading_key(heading)
        for order, spec in enumerate(fields):
            strength, length = _match(key, spec)
            if strength:
                candidates.append(((-strength, -length, column, order), column, spec.name))
    mapping: dict[str, int | None] = {spec.name: None for spec in fields}
    taken: set[int] = set()
    for _rank, column, name in sorted(candidates):
        if mapping[name] is None and column not in taken:
            mapping[name] = column
            taken.add(column)
    return mapping


def check_mapping(mapping: Mapping[str, int | None], fields: Sequence[FieldSpec], *, width: int) -> None:
    """Refuse a mapping (guessed or chosen by the user) that cannot be used: raises TableError."""
    specs = {spec.name: spec for spec in fields}
    for name in mapping:
        if name not in specs:
            raise TableError("unknown_field", field=name)
    used: dict[int, FieldSpec] = {}
    for spec in fields:
        column = mapping.get(spec.name)
        if column is None:
            if spec.required:
                raise TableError("required_unmapped", label=spec.label)
            continue
        if not 0 <= column < width:
            raise TableError("column_out_of_range", label=spec.label, column=column + 1, width=width)
        if column in used:
            raise TableError("column_twice", column=column_letter(column), first=used[column].label, second=spec.label)
        used[column] = spec
