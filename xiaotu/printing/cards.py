"""Library cards (借书证) as PDF: school name, the reader's name and class, a Code 128 barcode, an optional photo."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _
from PIL import Image, ImageOps
from reportlab.graphics.barcode.code128 import Code128  # type: ignore[import-untyped]
from reportlab.lib import colors  # type: ignore[import-untyped]
from reportlab.lib.units import mm  # type: ignore[import-untyped]
from reportlab.lib.utils import ImageReader  # type: ignore[import-untyped]
from reportlab.pdfbase.pdfmetrics import stringWidth  # type: ignore[import-untyped]
from reportlab.pdfgen.canvas import Canvas  # type: ignore[import-untyped]

from xiaotu.printing.fonts import chinese_font
from xiaotu.printing.labels import (
    LATIN,
    MAX_MODULE_MM,
    MIN_MODULE_MM,
    QUIET_MODULES,
    LabelError,
    _fit_size,
    _font_for,
    _outline,
    _Sheet,
)
from xiaotu.printing.layout import LabelBox, SheetLayout

BAND = colors.HexColor("#115e59")
MUTED = colors.HexColor("#5f6b7a")
PLACEHOLDER = colors.HexColor("#9aa3af")
# A one-inch ID photo (一寸照) is 25×35 mm: the card keeps that shape, cropping the picture to it.
PHOTO_ASPECT = 35 / 25
MIN_CARD_MM = 30.0


@dataclass(frozen=True)
class LibraryCard:
    """借书证 — what goes on one card: ``line`` is the reader's class, or their type for staff (教师, 职工);
    ``photo`` the picture file, if the reader has one."""

    card_barcode: str
    name: str
    line: str = ""
    line_label: str = ""
    photo: Path | None = None


def cards_pdf(
    cards: Sequence[LibraryCard],
    layout: SheetLayout,
    *,
    school_name: str,
    show_photo: bool,
    skip: int = 0,
    outline: bool = False,
    font_path: str | Path | None = None,
) -> bytes:
    """A PDF of library cards on ``layout`` (card stock: A4 sheets of CR80 cards, or a card printer's one per page).

    The school's name and 借书证 head each card on a coloured band; under it the photo (a box to stick one on when
    ``show_photo`` and the reader has none), the name, the class, and the card number as Code 128 with the figures
    under the bars. ``skip`` leaves the first cards of a partly used sheet blank; ``outline`` draws each card's edge.
    """
    if not cards:
        raise LabelError(_("没有要打印的借书证。"))
    for card in cards:
        _check_card_number(card.card_barcode)
    font = chinese_font(font_path).name
    sheet = _Sheet(layout, _("借书证"))
    for card, box in zip(cards, layout.boxes(len(cards), skip=skip), strict=True):
        if min(box.width, box.height) < MIN_CARD_MM * mm:
            raise LabelError(
                _("证卡太小（%(width)s×%(height)s 毫米），至少要 %(least)s 毫米见方。")
                % {"width": f"{box.width / mm:.1f}", "height": f"{box.height / mm:.1f}", "least": f"{MIN_CARD_MM:g}"}
            )
        canvas = sheet.canvas_for(box)
        if outline:
            _outline(canvas, box)
        _draw_card(canvas, box, card, school_name.strip(), show_photo, font)
    return sheet.finish()


def _check_card_number(value: str) -> None:
    if not value or not all(32 < ord(char) < 127 for char in value):
        raise LabelError(
            _("借书证号“%(number)s”不能印成 Code 128 条码：只能用字母、数字和常见符号，不能有空格或汉字。")
            % {"number": value}
        )


def _draw_card(canvas: Canvas, box: LabelBox, card: LibraryCard, school: str, show_photo: bool, font: str) -> None:
    portrait = box.height > box.width * 1.1
    short = min(box.width, box.height)
    pad = short * 0.065
    band = _draw_band(canvas, box, school, font, pad)
    top = box.y + box.height - band - pad
    bottom = box.y + pad
    left, right = box.x + pad, box.x + box.width - pad
    if portrait:
        if show_photo:
            photo_w = min(box.width * 0.42, (top - bottom) * 0.38 / PHOTO_ASPECT)
            photo_h = photo_w * PHOTO_ASPECT
            _draw_photo(canvas, box.x + (box.width - photo_w) / 2, top - photo_h, photo_w, photo_h, card.photo, font)
            top -= photo_h + pad
        _draw_text_and_barcode(canvas, card, left, bottom, right, top, font, centred=True)
        return
    if show_photo:
        photo_h = min(top - bottom, (right - left) * 0.3 * PHOTO_ASPECT)
        photo_w = photo_h / PHOTO_ASPECT
        _draw_photo(canvas, left, top - photo_h, photo_w, photo_h, card.photo, font)
        left += photo_w + pad
    _draw_text_and_barcode(canvas, card, left, bottom, right, top, font, centred=not show_photo)


def _draw_band(canvas: Canvas, box: LabelBox, school: str, font: str, pad: float) -> float:
    """The coloured head of the card with the school's name and 借书证; returns its height."""
    height = min(box.height, box.width) * 0.2
    top = box.y + box.height
    canvas.saveState()
    canvas.setFillColor(BAND)
    canvas.rect(box.x, top - height, box.width, height, stroke=0, fill=1)
    canvas.setFillColor(colors.white)
    title = _("借书证")
    title_size = height * 0.42
    title_width = stringWidth(title, font, title_size)
    baseline = top - height / 2 - title_size * 0.36
    canvas.setFont(font, title_size)
    canvas.drawRightString(box.x + box.width - pad, baseline, title)
    if school:
        room = box.width - 3 * pad - title_width
        school_font = _font_for(school, font, LATIN)
        size = _fit_size([school], [school_font], room, height * 0.6, title_size)
        canvas.setFont(school_font, size)
        canvas.drawString(box.x + pad, top - height / 2 - size * 0.36, school)
    canvas.restoreState()
    return height


def _draw_photo(canvas: Canvas, x: float, y: float, width: float, height: float, path: Path | None, font: str) -> None:
    picture = _photo(path)
    canvas.saveState()
    if picture is not None:
        canvas.drawImage(ImageReader(picture), x, y, width, height)
        canvas.setStrokeColor(colors.lightgrey)
        canvas.setLineWidth(0.3)
        canvas.rect(x, y, width, height, stroke=1, fill=0)
    else:
        # A box to stick a printed photo into.
        canvas.setStrokeColor(PLACEHOLDER)
        canvas.setLineWidth(0.5)
        canvas.setDash(2, 1.5)
        canvas.rect(x, y, width, height, stroke=1, fill=0)
        canvas.setFillColor(PLACEHOLDER)
        size = min(width * 0.28, 9.0)
        canvas.setFont(font, size)
        canvas.drawCentredString(x + width / 2, y + height / 2 - size * 0.35, _("照片"))
    canvas.restoreState()


def _photo(path: Path | None) -> Image.Image | None:
    """The reader's picture cropped to the photo's shape, or None when there is none or it cannot be read."""
    if path is None or not path.is_file():
        return None
    try:
        with Image.open(path) as source:
            source.load()
            picture = ImageOps.exif_transpose(source).convert("RGB")
    except (OSError, ValueError, Image.DecompressionBombError):
        return None
    # 300 dpi at 25 mm is about 300 pixels: more only makes the PDF heavier.
    return ImageOps.fit(picture, (300, round(300 * PHOTO_ASPECT)), method=Image.Resampling.LANCZOS)


def _draw_text_and_barcode(
    canvas: Canvas,
    card: LibraryCard,
    left: float,
    bottom: float,
    right: float,
    top: float,
    font: str,
    *,
    centred: bool,
) -> None:
    width = right - left
    height = top - bottom
    label_size = min(8.0, height * 0.09)
    gap = label_size * 0.6
    # The name is what a child looks for on the card: it gets the largest type the space allows.
    name_font = _font_for(card.name, font, LATIN)
    name_size = _fit_size([card.name], [name_font], width - 3 * label_size, height * 0.24, 17.0)
    line = card.line or "—"
    line_font = _font_for(line, font, LATIN)
    line_size = _fit_size([line], [line_font], width - 3 * label_size, height * 0.14, 10.0)
    name_baseline = top - name_size * 0.85
    line_baseline = name_baseline - name_size * 0.3 - gap - line_size * 0.85
    rows = [
        (_("姓名"), card.name, name_font, name_size, name_baseline),
        (card.line_label or _("班级"), line, line_font, line_size, line_baseline),
    ]
    for label, value, value_font, size, baseline in rows:
        canvas.setFillColor(colors.black)
        if centred:
            canvas.setFont(value_font, size)
            canvas.drawCentredString(left + width / 2, baseline, value)
            continue
        canvas.setFont(value_font, size)
        canvas.drawString(left + label_size * 3, baseline, value)
        canvas.setFillColor(MUTED)
        canvas.setFont(font, label_size)
        canvas.drawString(left, baseline, label)
    bars_top = line_baseline - line_size * 0.3 - gap
    _draw_barcode(canvas, card.card_barcode, left, bottom, width, bars_top - bottom)


def _draw_barcode(canvas: Canvas, number: str, left: float, bottom: float, width: float, height: float) -> None:
    """Code 128 bars over the card number in plain figures, centred in the space given."""
    number_size = min(9.0, height * 0.22)
    canvas.setFillColor(colors.black)
    canvas.setFont(LATIN, number_size)
    canvas.drawCentredString(left + width / 2, bottom + number_size * 0.15, number)
    bars_bottom = bottom + number_size * 1.4
    bars_height = min(height - number_size * 1.4, 14 * mm)
    if bars_height < 5 * mm:
        raise LabelError(_("证卡上放不下条码，请换用更大的证卡。"))
    symbol = Code128(number, barWidth=1, quiet=0)
    modules = float(symbol.width)
    module = min(MAX_MODULE_MM * mm, width / (modules + 2 * QUIET_MODULES))
    if module < MIN_MODULE_MM * mm:
        raise LabelError(_("借书证号“%(number)s”太长，条码在这张证卡上印不清楚。") % {"number": number})
    x = left + (width - modules * module) / 2
    path = canvas.beginPath()
    for element in symbol.decomposed:
        units = ord(element.lower()) - ord("a") + 1
        if element.isupper():
            path.rect(x, bars_bottom, units * module, bars_height)
        x += units * module
    canvas.drawPath(path, stroke=0, fill=1)
