"""Spine labels (书标) and barcode labels as PDF, for a batch, a range or a selection of copies."""

from __future__ import annotations

import enum
import io
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _
from reportlab.graphics.barcode.code128 import Code128  # type: ignore[import-untyped]
from reportlab.lib import colors  # type: ignore[import-untyped]
from reportlab.lib.units import mm  # type: ignore[import-untyped]
from reportlab.pdfbase.pdfmetrics import stringWidth  # type: ignore[import-untyped]
from reportlab.pdfgen.canvas import Canvas  # type: ignore[import-untyped]

from xiaotu.printing.fonts import chinese_font
from xiaotu.printing.layout import LabelBox, SheetLayout

# Call numbers and accession numbers are ASCII: a bold Latin face reads best on a spine at arm's length.
LATIN_BOLD = "Helvetica-Bold"
LATIN = "Helvetica"
MIN_CALL_NUMBER_PT = 7.0
MAX_CALL_NUMBER_PT = 18.0
LINE_SPACING = 1.15
# Code 128 needs a quiet zone of ten modules on each side; below 0.15 mm a bar is thinner than most
# label printers' dots and scanners stop reading it.
QUIET_MODULES = 10
MIN_MODULE_MM = 0.15
MAX_MODULE_MM = 0.38
MAX_RANGE = 5000

_BREAK_BEFORE = '=("<:+-'
_RANGE_END = re.compile(r"^(.*?)(\d+)$")


class LabelError(ValueError):
    """Labels that cannot be printed as asked; the message says why in Chinese."""


class Slash(enum.StrEnum):
    """Where the "/" between 分类号 and 书次号 goes once the call number is broken over lines."""

    START = "start"  # I247.5 / "/123": the usual way, and the first line stays exactly the class number
    END = "end"  # "I247.5/" / 123
    OMIT = "omit"  # I247.5 / 123


@dataclass(frozen=True)
class SpineLabel:
    """书标 — what goes on one spine label.

    ``volume`` (卷册, e.g. "v.2") and ``copy`` (复本, e.g. "c.3") are printed as given on their own line;
    ``location`` (馆藏地 or class corner) goes at the top, on ``band_colour`` ("#RRGGBB") when given.
    """

    call_number: str
    volume: str = ""
    copy: str = ""
    location: str = ""
    band_colour: str = ""


@dataclass(frozen=True)
class BarcodeLabel:
    """One barcode label: the accession number (登录号) and, when it differs from the batch's, the school name
    printed above the bars. ``barcode`` is what the bars encode when the copy's barcode is not its accession
    number (pre-printed ranges): the desk scans the barcode, the figures under the bars stay the accession number."""

    accession_number: str
    school_name: str = ""
    barcode: str = ""

    @property
    def symbol(self) -> str:
        return self.barcode or self.accession_number


def call_number_lines(call_number: str, *, slash: Slash = Slash.START, volume: str = "", copy: str = "") -> list[str]:
    """'I247.5/123' -> ['I247.5', '/123']: the class on the first line, the 书次号 under it, then volume and copy."""
    text = " ".join(unicodedata.normalize("NFKC", call_number).split())
    class_number, separator, book_number = text.partition("/")
    if not separator:
        class_number, _space, book_number = text.partition(" ")
    lines = [class_number.strip()]
    book_number = book_number.strip()
    if book_number:
        if slash is Slash.START:
            lines.append("/" + book_number)
        elif slash is Slash.END:
            lines[0] += "/"
            lines.append(book_number)
        else:
            lines.append(book_number)
    extra = " ".join(part.strip() for part in (volume, copy) if part.strip())
    if extra:
        lines.append(extra)
    return [line for line in lines if line]


def spine_labels_pdf(
    labels: Sequence[SpineLabel],
    layout: SheetLayout,
    *,
    school_name: str | None = None,
    slash: Slash = Slash.START,
    skip: int = 0,
    outline: bool = False,
    font_path: str | Path | None = None,
) -> bytes:
    """A PDF of spine labels laid out on ``layout``; ``school_name`` heads labels that have no location.

    ``skip`` leaves the first labels of a partly used sheet blank; ``outline`` draws each label's edge, for
    lining up a printer on plain paper.
    """
    if not labels:
        raise LabelError(_("没有要打印的标签。"))
    font = chinese_font(font_path).name
    bands = [_colour(label.band_colour) for label in labels]
    sheet = _Sheet(layout, _("书标"))
    for label, band, box in zip(labels, bands, layout.boxes(len(labels), skip=skip), strict=True):
        canvas = sheet.canvas_for(box)
        if outline:
            _outline(canvas, box)
        _draw_spine(canvas, box, label, band, (label.location or school_name or "").strip(), slash, font)
    return sheet.finish()


def barcode_labels_pdf(
    labels: Sequence[BarcodeLabel],
    layout: SheetLayout,
    *,
    school_name: str | None = None,
    skip: int = 0,
    outline: bool = False,
    font_path: str | Path | None = None,
) -> bytes:
    """A PDF of Code 128 barcode labels: school name above, bars, the accession number in plain figures below."""
    if not labels:
        raise LabelError(_("没有要打印的标签。"))
    for label in labels:
        _check_barcode(label.symbol)
    font = chinese_font(font_path).name
    sheet = _Sheet(layout, _("条码标签"))
    for label, box in zip(labels, layout.boxes(len(labels), skip=skip), strict=True):
        canvas = sheet.canvas_for(box)
        if outline:
            _outline(canvas, box)
        school = (label.school_name or school_name or "").strip()
        _draw_barcode_label(canvas, box, label.symbol, school, font, text=label.accession_number)
    return sheet.finish()


def accession_range(first: str, last: str) -> list[str]:
    """Every accession number from ``first`` to ``last``, keeping prefix and zero padding: 'T00098'..'T00102'."""
    start, end = _RANGE_END.match(first.strip()), _RANGE_END.match(last.strip())
    if not start or not end or start.group(1) != end.group(1):
        raise LabelError(_("起止登录号的前缀必须相同，并以数字结尾。"))
    low, high = int(start.group(2)), int(end.group(2))
    if high < low:
        raise LabelError(_("结束登录号不能小于起始登录号。"))
    if high - low + 1 > MAX_RANGE:
        raise LabelError(_("一次最多打印 %(most)s 个标签。") % {"most": MAX_RANGE})
    width = len(start.group(2))
    return [f"{start.group(1)}{number:0{width}d}" for number in range(low, high + 1)]


class _Sheet:
    """A PDF being written one label at a time, turning the page when the labels move to the next sheet."""

    def __init__(self, layout: SheetLayout, title: str) -> None:
        self._buffer = io.BytesIO()
        self._canvas = Canvas(self._buffer, pagesize=layout.page_size, pageCompression=1, invariant=1)
        self._canvas.setTitle(title)
        self._canvas.setCreator("xiaotu")
        self._page = 0

    def canvas_for(self, box: LabelBox) -> Canvas:
        while self._page < box.page:
            self._canvas.showPage()
            self._page += 1
        return self._canvas

    def finish(self) -> bytes:
        self._canvas.showPage()
        self._canvas.save()
        return self._buffer.getvalue()


def _outline(canvas: Canvas, box: LabelBox) -> None:
    canvas.saveState()
    canvas.setStrokeColor(colors.lightgrey)
    canvas.setLineWidth(0.3)
    canvas.rect(box.x, box.y, box.width, box.height, stroke=1, fill=0)
    canvas.restoreState()


def _colour(value: str) -> colors.Color | None:
    if not value.strip():
        return None
    try:
        return colors.HexColor(value.strip())
    except ValueError as exc:
        raise LabelError(_("色标颜色“%(colour)s”无法识别，请用 #RRGGBB 的写法。") % {"colour": value}) from exc


def _font_for(text: str, chinese: str, latin: str) -> str:
    return latin if text.isascii() else chinese


def _fit_size(lines: Sequence[str], fonts: Sequence[str], width: float, height: float, largest: float) -> float:
    """The largest font size at which every line fits ``width`` and all of them together fit ``height``."""
    size = min(largest, height / (len(lines) * LINE_SPACING))
    for line, font in zip(lines, fonts, strict=True):
        unit = stringWidth(line, font, 1)
        if unit:
            size = min(size, width / unit)
    return float(size)


def _break_line(line: str) -> list[str] | None:
    """Split a line too long for a narrow spine where a librarian would: before an auxiliary sign, else
    after a "." group ('K825.6=76' -> 'K825.6', '=76')."""
    for position in range(len(line) - 1, 1, -1):
        if line[position] in _BREAK_BEFORE and line[position - 1] not in _BREAK_BEFORE + "/":
            return [line[:position], line[position:]]
    dot = line.rfind(".", 2)
    if 0 < dot < len(line) - 1:
        return [line[: dot + 1], line[dot + 1 :]]
    return None


def _draw_spine(
    canvas: Canvas,
    box: LabelBox,
    label: SpineLabel,
    band: colors.Color | None,
    heading: str,
    slash: Slash,
    font: str,
) -> None:
    pad = min(box.width, box.height) * 0.06 + 0.4 * mm
    top = box.y + box.height
    if heading or band is not None:
        band_height = box.height * (0.24 if heading else 0.12)
        if band is not None:
            canvas.setFillColor(band)
            canvas.rect(box.x, top - band_height, box.width, band_height, stroke=0, fill=1)
        if heading:
            heading_font = _font_for(heading, font, LATIN)
            size = _fit_size([heading], [heading_font], box.width - 2 * pad, band_height * 0.8, 9.0)
            light = band is not None and _is_dark(band)
            canvas.setFillColor(colors.white if light else colors.black)
            canvas.setFont(heading_font, size)
            canvas.drawCentredString(box.x + box.width / 2, top - band_height / 2 - size * 0.35, heading)
            if band is None:
                canvas.setLineWidth(0.4)
                canvas.line(box.x + pad, top - band_height, box.x + box.width - pad, top - band_height)
        top -= band_height
    lines = call_number_lines(label.call_number, slash=slash, volume=label.volume, copy=label.copy)
    width, height = box.width - 2 * pad, top - box.y - 2 * pad
    fonts = [_font_for(line, font, LATIN_BOLD) for line in lines]
    size = _fit_size(lines, fonts, width, height, MAX_CALL_NUMBER_PT)
    while size < MIN_CALL_NUMBER_PT and len(lines) < 6:
        longest = max(range(len(lines)), key=lambda i: stringWidth(lines[i], fonts[i], 1))
        parts = _break_line(lines[longest])
        if parts is None:
            break
        lines[longest : longest + 1] = parts
        fonts[longest : longest + 1] = [fonts[longest]] * 2
        size = _fit_size(lines, fonts, width, height, MAX_CALL_NUMBER_PT)
    leading = size * LINE_SPACING
    # Centre the block of lines in the space left under the heading; the baseline sits ~0.3 em above a line's foot.
    baseline = box.y + pad + (height + leading * len(lines)) / 2 - leading + (leading - size) / 2 + size * 0.2
    canvas.setFillColor(colors.black)
    centre = box.x + box.width / 2
    for line, line_font in zip(lines, fonts, strict=True):
        canvas.setFont(line_font, size)
        canvas.drawCentredString(centre, baseline, line)
        baseline -= leading


def _is_dark(colour: colors.Color) -> bool:
    return bool(0.299 * colour.red + 0.587 * colour.green + 0.114 * colour.blue < 0.55)


def _check_barcode(value: str) -> None:
    if not value or not all(32 < ord(char) < 127 for char in value):
        raise LabelError(
            _("登录号“%(number)s”不能印成 Code 128 条码：只能用字母、数字和常见符号，不能有空格或汉字。")
            % {"number": value}
        )


def _draw_barcode_label(canvas: Canvas, box: LabelBox, number: str, school: str, font: str, text: str = "") -> None:
    # Edge-to-edge A4 sheets put the top row against the paper edge, where printers cannot print.
    pad_x = max(1.5 * mm, box.width * 0.04)
    pad_y = max(1.5 * mm, box.height * 0.08)
    width = box.width - 2 * pad_x
    top = box.y + box.height - pad_y
    canvas.setFillColor(colors.black)
    if school:
        school_font = _font_for(school, font, LATIN)
        size = _fit_size([school], [school_font], width, box.height * 0.2, 9.0)
        canvas.setFont(school_font, size)
        top -= size
        canvas.drawCentredString(box.x + box.width / 2, top + size * 0.12, school)
        top -= size * 0.3
    text = text or number
    text_font = _font_for(text, font, LATIN)
    number_size = _fit_size([text], [text_font], width, box.height * 0.17, 10.0)
    canvas.setFont(text_font, number_size)
    bottom = box.y + pad_y
    canvas.drawCentredString(box.x + box.width / 2, bottom + number_size * 0.15, text)
    bottom += number_size * 1.2
    if top - bottom < 4 * mm:
        raise LabelError(_("标签太矮（%(height)s 毫米），放不下条码。") % {"height": f"{box.height / mm:.1f}"})
    symbol = Code128(number, barWidth=1, quiet=0)
    modules = float(symbol.width)
    module = min(MAX_MODULE_MM * mm, width / (modules + 2 * QUIET_MODULES))
    if module < MIN_MODULE_MM * mm:
        raise LabelError(
            _("登录号“%(number)s”太长，条码在 %(width)s 毫米宽的标签上印不清楚，请换用更宽的标签。")
            % {"number": number, "width": f"{box.width / mm:.1f}"}
        )
    left = box.x + (box.width - modules * module) / 2
    path = canvas.beginPath()
    for element in symbol.decomposed:
        units = ord(element.lower()) - ord("a") + 1
        if element.isupper():
            path.rect(left, bottom, units * module, top - bottom)
        left += units * module
    canvas.drawPath(path, stroke=0, fill=1)
