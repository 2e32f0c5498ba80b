"""The report tables as Excel sheets (excel.workbook writes them)."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _

from xiaotu.catalogue.models import Item
from xiaotu.reports.collection import Collection
from xiaotu.reports.excel import Sheet
from xiaotu.reports.inspection import Inspection
from xiaotu.reports.registers import Cell
from xiaotu.reports.selectors import BookCount, Breakdown, StarGroup


def breakdown_sheet(table: Breakdown) -> Sheet:
    with_pupils = any(r.pupils is not None for r in table.rows)
    headers = [_("项目"), _("借出册次"), _("归还册次")] + ([_("学生人数"), _("人均借书")] if with_pupils else [])
    rows: list[list[Cell]] = [
        [r.label, r.loans, r.returns, *((r.pupils or 0, r.per_pupil) if with_pupils else ())] for r in table.rows
    ]
    return Sheet(table.title, headers, rows, totals=[1, 2, 3] if with_pupils else [1, 2])


def top_books_sheet(books: list[BookCount]) -> Sheet:
    return Sheet(
        _("借阅排行"),
        [_("名次"), _("题名"), _("责任者"), _("分类号"), _("借出册次")],
        [[i, b.title, b.author, b.clc_class, b.loans] for i, b in enumerate(books, 1)],
    )


def never_borrowed_sheet(items: Iterable[Item]) -> Sheet:
    return Sheet(
        _("零借阅图书"),
        [_("登录号"), _("条码"), _("题名"), _("索书号"), _("馆藏地点"), _("入藏日期")],
        ([i.accession_number, i.barcode, i.record.title, i.call_number, i.location.name, i.acquired_on] for i in items),
    )


def stars_sheet(title: str, groups: list[StarGroup]) -> Sheet:
    return Sheet(
        title,
        [_("组别"), _("名次"), _("姓名"), _("班级"), _("借书册数")],
        [[g.label, s.rank, s.name, s.class_name, s.loans] for g in groups for s in g.stars],
    )


def collection_sheets(data: Collection) -> list[Sheet]:
    classes = Sheet(
        _("按中图法分类"),
        [_("分类"), _("种数"), _("册数"), _("金额（元）"), _("占比（%）"), _("本年新增册数")],
        [[c.label, c.titles, c.volumes, c.value, c.share, c.new] for c in data.classes],
        totals=[1, 2, 3, 5],
    )
    divisions = Sheet(
        _("五大部类"),
        [_("部类"), _("种数"), _("册数"), _("金额（元）"), _("本馆占比（%）"), _("规程比例（%）"), _("是否达标")],
        [[d.label, d.titles, d.volumes, d.value, d.share, d.standard, _met(d.met)] for d in data.divisions],
        totals=[1, 2, 3],
    )
    return [classes, divisions]


def _met(met: bool | None) -> str:
    return "" if met is None else (_("达标") if met else _("未达标"))


def inspection_sheet(report: Inspection) -> Sheet:
    return Sheet(
        _("规程指标"),
        [_("指标"), _("本馆"), _("规程标准"), _("单位"), _("是否达标"), _("说明")],
        [[f.label, f.value, f.standard, f.unit, _met(f.met), f.note] for f in report.figures],
        note=_("%(library)s　迎检报告　%(date)s") % {"library": report.library.name, "date": report.on.isoformat()},
    )
