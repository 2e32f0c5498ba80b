"""The kept reports: a stocktake's result (清点报告) and the withdrawal register (注销帐), as PDF and as Excel.

PDFs use the printing app's Chinese font; the tables are reportlab platypus tables that repeat their header on
every page. Excel workbooks have one sheet for the summary and one per list.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from reportlab.lib import colors  # type: ignore[import-untyped]
from reportlab.lib.pagesizes import A4, landscape  # type: ignore[import-untyped]
from reportlab.lib.styles import ParagraphStyle  # type: ignore[import-untyped]
from reportlab.lib.units import mm  # type: ignore[import-untyped]
from reportlab.platypus import (  # type: ignore[import-untyped]
    LongTable,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    TableStyle,
)

from xiaotu.printing.fonts import chinese_font
from xiaotu.schools.models import Library, Location
from xiaotu.stocktake.models import Scan, Stocktake, WithdrawalLine
from xiaotu.stocktake.reconcile import MISSING, OUT_OF_ORDER, Row, category_rows, out_of_order, reconcile


@dataclass(frozen=True)
class Section:
    title: str
    header: Sequence[str]
    rows: Sequence[Sequence[Any]]
    widths: Sequence[float] = ()  # in mm; empty: shared equally
    footer: Sequence[Any] = ()  # a total line after the rows


def category_labels() -> dict[str, str]:
    return {
        Scan.Outcome.FOUND: _("在架"),
        MISSING: _("未找到（盘亏）"),
        Scan.Outcome.MISPLACED: _("错架"),
        Scan.Outcome.ON_LOAN: _("借出未还却在架"),
        Scan.Outcome.LOST: _("丢失/注销却找到"),
        Scan.Outcome.UNKNOWN: _("未知条码"),
        OUT_OF_ORDER: _("排架顺序错误"),
    }


def scope_text(stocktake: Stocktake) -> str:
    if stocktake.whole_library:
        return _("全馆")
    parts = []
    if stocktake.location_ids:
        names = Location.objects.filter(pk__in=stocktake.location_ids).order_by("code").values_list("name", flat=True)
        parts.append(_("馆藏地点：%(names)s") % {"names": "、".join(names)})
    if stocktake.call_number_ranges:
        ranges = "、".join(f"{low}—{high}" for low, high in stocktake.call_number_ranges)
        parts.append(_("索书号：%(ranges)s") % {"ranges": ranges})
    if stocktake.clc_classes:
        parts.append(_("分类：%(classes)s") % {"classes": "、".join(stocktake.clc_classes)})
    return "；".join(parts)


def _local(moment: dt.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def stocktake_sections(stocktake: Stocktake) -> tuple[list[tuple[str, str]], list[Section]]:
    """The report's facts (label, value) and its lists, the same for the PDF and the workbook."""
    counts = reconcile(stocktake).counts
    labels = category_labels()
    facts = [
        (_("清点名称"), stocktake.name),
        (_("范围"), scope_text(stocktake)),
        (_("开始时间"), _local(stocktake.created_at)),
        (_("完成时间"), _local(stocktake.finalised_at) or _("未完成")),
        (_("扫描批次"), str(stocktake.runs.count())),
    ]
    facts += [(labels[key], str(counts.get(key, 0))) for key in labels if key != OUT_OF_ORDER]
    header = [_("条码"), _("索书号"), _("题名"), _("馆藏地点"), _("状态")]
    widths = (30, 35, 110, 35, 25)
    sections = []
    for key in (MISSING, Scan.Outcome.MISPLACED, Scan.Outcome.ON_LOAN, Scan.Outcome.LOST, Scan.Outcome.UNKNOWN):
        rows = category_rows(stocktake, key, limit=None)
        sections.append(Section(labels[key], header, [_row(row) for row in rows], widths))
    if stocktake.check_order:
        rows = out_of_order(stocktake)
        sections.append(
            Section(
                labels[OUT_OF_ORDER],
                [_("条码"), _("索书号"), _("题名"), _("排在其后")],
                [(r.barcode, r.call_number, r.title, r.note) for r in rows],
                (30, 35, 130, 40),
            )
        )
    return facts, sections


def _row(row: Row) -> tuple[str, ...]:
    return (row.barcode, row.call_number, row.title, row.location, row.status_label)


def stocktake_pdf(stocktake: Stocktake) -> bytes:
    facts, sections = stocktake_sections(stocktake)
    title = _("%(library)s 清点报告") % {"library": stocktake.library.name}
    return table_pdf(title=title, facts=facts, sections=sections)


def stocktake_xlsx(stocktake: Stocktake) -> bytes:
    facts, sections = stocktake_sections(stocktake)
    return table_xlsx(summary_title=_("汇总"), facts=facts, sections=sections)


# -- the withdrawal register (注销帐) --------------------------------------------------------------------------------


def register_section(lines: Iterable[WithdrawalLine]) -> Section:
    rows = []
    total = 0.0
    for line in lines:
        item, batch = line.item, line.batch
        price = item.price if item.price is not None else item.record.price
        total += float(price or 0)
        rows.append(
            (
                timezone.localtime(batch.decided_at).strftime("%Y-%m-%d") if batch.decided_at else "",
                batch.number,
                item.accession_number,
                item.barcode,
                item.call_number,
                item.record.title,
                f"{price:.2f}" if price is not None else "",
                batch.get_reason_display(),
            )
        )
    footer = ("", "", "", "", "", _("合计 %(n)d 册") % {"n": len(rows)}, f"{total:.2f}", "") if rows else ()
    header = [_("注销日期"), _("注销单号"), _("登录号"), _("条码"), _("索书号"), _("题名"), _("价格"), _("原因")]
    return Section(_("注销帐"), header, rows, (22, 24, 24, 26, 30, 86, 18, 30), footer)


def register_pdf(*, library: Library, lines: Iterable[WithdrawalLine], year: int | None) -> bytes:
    title = _("%(library)s 注销帐") % {"library": library.name}
    facts = [(_("年度"), str(year) if year else _("全部")), (_("打印日期"), timezone.localdate().isoformat())]
    return table_pdf(title=title, facts=facts, sections=[register_section(lines)])


def register_xlsx(*, lines: Iterable[WithdrawalLine]) -> bytes:
    return table_xlsx(summary_title="", facts=[], sections=[register_section(lines)])


# -- rendering ------------------------------------------------------------------------------------------------------


def table_pdf(*, title: str, facts: Sequence[tuple[str, str]], sections: Sequence[Section]) -> bytes:
    """A landscape A4 document: the title, the facts two columns wide, then each section as a table."""
    font = chinese_font().name
    heading = ParagraphStyle("heading", fontName=font, fontSize=15, leading=20, spaceAfter=4 * mm)
    subheading = ParagraphStyle("sub", fontName=font, fontSize=11, leading=15, spaceBefore=5 * mm, spaceAfter=2 * mm)
    cell = ParagraphStyle("cell", fontName=font, fontSize=8, leading=10)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=landscape(A4),
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
        title=title,
    )
    story: list[Any] = [Paragraph(_escape(title), heading)]
    if facts:
        pairs = [list(facts[i : i + 2]) for i in range(0, len(facts), 2)]
        grid = [[_escape(v) for pair in row for v in pair] + [""] * (4 - 2 * len(row)) for row in pairs]
        table = LongTable(
            [[Paragraph(text, cell) for text in row] for row in grid],
            colWidths=[35 * mm, 100 * mm, 35 * mm, 100 * mm],
            hAlign="LEFT",
        )
        table.setStyle(_style(font, header=False))
        story.append(table)
    for section in sections:
        story.append(Paragraph(_escape(f"{section.title}（{len(section.rows)}）"), subheading))
        if not section.rows:
            story.append(Paragraph(_escape(_("无")), cell))
            continue
        widths = [w * mm for w in section.widths] if section.widths else None
        data = [[Paragraph(_escape(str(v)), cell) for v in section.header]]
        data += [[Paragraph(_escape(str(v)), cell) for v in row] for row in [*section.rows, *_footer(section)]]
        table = LongTable(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
        table.setStyle(_style(font, header=True))
        story.append(table)
    story.append(Spacer(1, 4 * mm))
    doc.build(story)
    return buffer.getvalue()


def _footer(section: Section) -> list[Sequence[Any]]:
    return [section.footer] if section.footer else []


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _style(font: str, *, header: bool) -> TableStyle:
    commands: list[tuple[Any, ...]] = [
        ("FONTNAME", (0, 0), (-1, -1), font),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#9aa5b1")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]
    if header:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e6ecf2")))
    return TableStyle(commands)


def table_xlsx(*, summary_title: str, facts: Sequence[tuple[str, str]], sections: Sequence[Section]) -> bytes:
    workbook = Workbook()
    first = workbook.active
    assert first is not None
    sheets = []
    if facts:
        first.title = summary_title
        for label, value in facts:
            first.append([label, value])
        first.column_dimensions["A"].width = 18
        first.column_dimensions["B"].width = 60
    else:
        workbook.remove(first)
    for section in sections:
        # Excel refuses \ / ? * [ ] : in sheet names.
        sheet = workbook.create_sheet(re.sub(r"[\\/?*\[\]:]", "、", section.title)[:31])
        sheet.append(list(section.header))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in [*section.rows, *_footer(section)]:
            sheet.append(list(row))
        for index, width in enumerate(section.widths):
            sheet.column_dimensions[chr(ord("A") + index)].width = max(10, width / 2.2)
        sheet.freeze_panes = "A2"
        sheets.append(sheet)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
