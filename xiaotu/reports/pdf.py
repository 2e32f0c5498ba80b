"""Registers printed like the paper books: A4 landscape, ruled, column heads on every page, and at the foot of
each page the page's totals and the totals carried forward (承前页 at the top of the next)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from decimal import Decimal

from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4, landscape  # type: ignore[import-untyped]
from reportlab.lib.units import mm  # type: ignore[import-untyped]
from reportlab.pdfbase.pdfmetrics import stringWidth  # type: ignore[import-untyped]
from reportlab.pdfgen.canvas import Canvas  # type: ignore[import-untyped]

from xiaotu.printing.fonts import chinese_font
from xiaotu.reports.registers import Cell, Register

PAGE = landscape(A4)
MARGIN = 12 * mm
ROW = 6.2 * mm
HEAD = 8 * mm
FONT_SIZE = 8.5
TITLE_SIZE = 15


def cell_text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


class _Writer:
    def __init__(self, register: Register, library_name: str, printed_on: dt.date) -> None:
        self.register, self.library_name, self.printed_on = register, library_name, printed_on
        self.buffer = io.BytesIO()
        self.canvas = Canvas(self.buffer, pagesize=PAGE, pageCompression=1)
        self.canvas.setTitle(f"{library_name} {register.title}")
        self.font = chinese_font().name
        width = PAGE[0] - 2 * MARGIN
        units = sum(c.width for c in register.columns)
        self.widths = [width * c.width / units for c in register.columns]
        self.lefts = [MARGIN + sum(self.widths[:i]) for i in range(len(self.widths))]
        self.summed = [i for i, c in enumerate(register.columns) if c.total]
        self.page_sum: dict[int, Decimal] = {}
        self.carried: dict[int, Decimal] = {i: Decimal(0) for i in self.summed}
        self.page_rows = self.carried_rows = 0
        self.page = 0
        self.y = 0.0
        # Room for the two totals lines at the foot; the first page has no 承前页 line.
        self.bottom = MARGIN + 8 * mm + 2 * ROW

    def fit(self, text: str, width: float) -> str:
        room = width - 2.4 * mm
        # A Chinese character is at most one em wide: most cells fit without measuring.
        if len(text) * FONT_SIZE <= room or stringWidth(text, self.font, FONT_SIZE) <= room:
            return text
        while text and stringWidth(text + "…", self.font, FONT_SIZE) > room:
            text = text[:-1]
        return text + "…"

    def start_page(self) -> None:
        c = self.canvas
        self.page += 1
        self.page_rows = 0
        self.page_sum = {i: Decimal(0) for i in self.summed}
        top = PAGE[1] - MARGIN
        c.setFont(self.font, TITLE_SIZE)
        c.drawCentredString(PAGE[0] / 2, top - TITLE_SIZE, self.register.title)
        c.setFont(self.font, FONT_SIZE + 0.5)
        c.drawString(MARGIN, top - TITLE_SIZE - 4 * mm, self.library_name)
        c.drawRightString(
            PAGE[0] - MARGIN,
            top - TITLE_SIZE - 4 * mm,
            _("第 %(page)d 页　打印日期 %(date)s") % {"page": self.page, "date": self.printed_on.isoformat()},
        )
        self.y = top - TITLE_SIZE - 7 * mm
        self.rule_row(HEAD, [c_.label for c_ in self.register.columns], header=True)
        if self.page > 1:
            self.totals_row(_("承前页"), self.carried, self.carried_rows)

    def rule_row(self, height: float, texts: Sequence[str], *, header: bool = False, bold: bool = False) -> None:
        c = self.canvas
        bottom = self.y - height
        c.setLineWidth(0.8 if header or bold else 0.4)
        c.rect(MARGIN, bottom, sum(self.widths), height, stroke=1, fill=0)
        c.setLineWidth(0.4)
        for left in self.lefts[1:]:
            c.line(left, bottom, left, self.y)
        c.setFont(self.font, FONT_SIZE)
        base = bottom + (height - FONT_SIZE) / 2 + 1.5
        for text, left, width, column in zip(texts, self.lefts, self.widths, self.register.columns, strict=True):
            if not text:
                continue
            shown = self.fit(text, width)
            if header:
                c.drawCentredString(left + width / 2, base, shown)
            elif column.align == "right":
                c.drawRightString(left + width - 1.2 * mm, base, shown)
            else:
                c.drawString(left + 1.2 * mm, base, shown)
        self.y = bottom

    def totals_row(self, label: str, sums: dict[int, Decimal], rows: int) -> None:
        texts = [""] * len(self.register.columns)
        for i in self.summed:
            texts[i] = self._total_text(i, sums[i])
        if self.register.count_column is not None:
            texts[self.register.count_column] = _("%(n)d 册") % {"n": rows}
        first_free = next((i for i, t in enumerate(texts) if not t), None)
        if first_free is not None:
            texts[first_free] = label
        self.rule_row(ROW, texts, bold=True)

    def _total_text(self, index: int, value: Decimal) -> str:
        return cell_text(value) if value != value.to_integral_value() or self._is_money(index) else str(int(value))

    def _is_money(self, index: int) -> bool:
        return "元" in self.register.columns[index].label

    def end_page(self) -> None:
        self.carried = {i: self.carried[i] + self.page_sum[i] for i in self.summed}
        self.carried_rows += self.page_rows
        self.totals_row(_("本页合计"), self.page_sum, self.page_rows)
        self.totals_row(_("累计"), self.carried, self.carried_rows)
        self.canvas.showPage()

    def write(self) -> bytes:
        self.start_page()
        any_row = False
        for row in self.register.rows():
            any_row = True
            if self.y - ROW < self.bottom:
                self.end_page()
                self.start_page()
            for i in self.summed:
                value = row[i]
                if isinstance(value, int | Decimal):
                    self.page_sum[i] += Decimal(value)
            self.page_rows += 1
            self.rule_row(ROW, [cell_text(v) for v in row])
        if not any_row:
            self.rule_row(ROW, [_("（无记录）")] + [""] * (len(self.register.columns) - 1))
        self.end_page()
        self.canvas.save()
        return self.buffer.getvalue()


def register_pdf(register: Register, *, library_name: str, printed_on: dt.date) -> bytes:
    return _Writer(register, library_name, printed_on).write()
