"""Every report table as an Excel workbook, written in openpyxl's write-only mode so big registers stream."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import quote

import openpyxl  # type: ignore[import-untyped,unused-ignore]
from django.http import HttpResponse
from django.utils.translation import gettext as _
from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped,unused-ignore]
from openpyxl.styles import Font  # type: ignore[import-untyped,unused-ignore]

from xiaotu.reports.registers import Cell, Register

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_BAD_TITLE = re.compile(r"[\[\]:*?/\\]")


@dataclass
class Sheet:
    title: str
    headers: Sequence[str]
    rows: Iterable[Sequence[Cell | float]]
    # Indexes of the columns summed in a last 合计 line.
    totals: Sequence[int] = field(default_factory=tuple)
    note: str = ""


def _value(value: Cell | float) -> object:
    if isinstance(value, Decimal):
        return float(value)
    return value


def workbook(sheets: Iterable[Sheet]) -> bytes:
    book = openpyxl.Workbook(write_only=True)
    titles: set[str] = set()
    for sheet in sheets:
        title = _BAD_TITLE.sub("-", sheet.title)[:31] or "Sheet"
        while title in titles:
            title = title[:28] + f"-{len(titles)}"
        titles.add(title)
        ws = book.create_sheet(title)
        bold = Font(bold=True)
        if sheet.note:
            ws.append([sheet.note])
        head = []
        for text in sheet.headers:
            cell = WriteOnlyCell(ws, value=text)
            cell.font = bold
            head.append(cell)
        ws.append(head)
        sums: dict[int, Decimal] = {i: Decimal(0) for i in sheet.totals}
        for row in sheet.rows:
            for i in sheet.totals:
                if isinstance(row[i], int | Decimal | float):
                    sums[i] += Decimal(str(row[i]))
            ws.append([_value(v) for v in row])
        if sheet.totals:
            line: list[object] = [""] * len(sheet.headers)
            for i, total in sums.items():
                line[i] = float(total) if total != total.to_integral_value() else int(total)
            if line[0] == "":
                line[0] = _("合计")
            ws.append(line)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def register_sheet(register: Register) -> Sheet:
    return Sheet(
        register.title,
        [c.label for c in register.columns],
        register.rows(),
        totals=[i for i, c in enumerate(register.columns) if c.total],
    )


def xlsx_response(data: bytes, name: str) -> HttpResponse:
    """The workbook as a download named e.g. 借阅统计-2026-11-25.xlsx."""
    response = HttpResponse(data, content_type=XLSX)
    filename = f"{name}-{dt.date.today().isoformat()}.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response
