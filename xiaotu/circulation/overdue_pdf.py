"""超期通知单 — one A4 page per class for its class teacher, printed from the overdue list."""

from __future__ import annotations

import datetime as dt
import io

from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4  # type: ignore[import-untyped]
from reportlab.lib.units import mm  # type: ignore[import-untyped]
from reportlab.pdfbase.pdfmetrics import stringWidth  # type: ignore[import-untyped]
from reportlab.pdfgen.canvas import Canvas  # type: ignore[import-untyped]

from xiaotu.circulation.overdue import ClassOverdue
from xiaotu.printing.fonts import chinese_font

MARGIN = 18 * mm
ROW = 7 * mm
SIZE = 10.5
# 学生, 书名, 条码, 应还日期, 逾期天数: shares of the line.
COLUMNS = (0.18, 0.42, 0.15, 0.15, 0.10)


def overdue_pdf(groups: list[ClassOverdue], *, library_name: str, today: dt.date, term_end: bool = False) -> bytes:
    """A page per class (continued on further pages only when a class has more books than a page holds).

    With term_end, the slips are the 期末归还 list: every book still out, to come back before the holidays.
    """
    heading = _("%(class)s 期末归还图书通知单") if term_end else _("%(class)s 超期未还图书通知单")
    closing = (
        _("学期即将结束，请班主任提醒以上学生在放假前把书还到图书馆。谢谢！")
        if term_end
        else _("请班主任提醒以上学生尽快到图书馆还书。谢谢！")
    )
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1)
    canvas.setTitle(_("期末归还图书通知单") if term_end else _("超期未还图书通知单"))
    font = chinese_font().name
    width = A4[0] - 2 * MARGIN
    lefts = [MARGIN + width * sum(COLUMNS[:i]) for i in range(len(COLUMNS))]
    heads = [_("学生"), _("书名"), _("条码"), _("应还日期"), _("逾期天数")]
    if not groups:
        canvas.setFont(font, 14)
        canvas.drawString(MARGIN, A4[1] - MARGIN - 14, _("今天没有超期未还的图书。"))
        canvas.showPage()
    for group in groups:
        y = _head(canvas, font, group, heading, library_name=library_name, today=today, heads=heads, lefts=lefts)
        for row in group.rows:
            if y < MARGIN + 3 * ROW:
                canvas.showPage()
                y = _head(
                    canvas, font, group, heading, library_name=library_name, today=today, heads=heads, lefts=lefts
                )
            cells = [row.reader, f"《{row.title}》", row.barcode, row.due_on.isoformat(), str(row.days or "—")]
            canvas.setFont(font, SIZE)
            for i, text in enumerate(cells):
                canvas.drawString(lefts[i] + 1 * mm, y, _fit(text, font, width * COLUMNS[i] - 2 * mm))
            canvas.setLineWidth(0.3)
            canvas.line(MARGIN, y - 2.2 * mm, MARGIN + width, y - 2.2 * mm)
            y -= ROW
        canvas.setFont(font, SIZE)
        canvas.drawString(MARGIN, y - 4 * mm, closing)
        canvas.drawRightString(MARGIN + width, MARGIN, _("班主任签收：__________"))
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _head(
    canvas: Canvas,
    font: str,
    group: ClassOverdue,
    heading: str,
    *,
    library_name: str,
    today: dt.date,
    heads: list[str],
    lefts: list[float],
) -> float:
    top = A4[1] - MARGIN
    canvas.setFont(font, 17)
    canvas.drawCentredString(A4[0] / 2, top - 17, heading % {"class": group.name})
    canvas.setFont(font, SIZE)
    teacher = group.teacher
    who = _("班主任：%(name)s") % {"name": teacher} if teacher else _("班主任：（未设置）")
    canvas.drawString(MARGIN, top - 17 - 8 * mm, f"{library_name}　{who}")
    canvas.drawRightString(A4[0] - MARGIN, top - 17 - 8 * mm, _("日期：%(date)s") % {"date": today.isoformat()})
    y = top - 17 - 17 * mm
    canvas.setFont(font, SIZE)
    for left, head in zip(lefts, heads, strict=True):
        canvas.drawString(left + 1 * mm, y, head)
    canvas.setLineWidth(0.8)
    canvas.line(MARGIN, y - 2.2 * mm, A4[0] - MARGIN, y - 2.2 * mm)
    return float(y - ROW)


def _fit(text: str, font: str, room: float) -> str:
    if stringWidth(text, font, SIZE) <= room:
        return text
    while text and stringWidth(text + "…", font, SIZE) > room:
        text = text[:-1]
    return text + "…"
