"""迎检 — the 规程 figures of one library, each with the standard and met or short, for the inspection page."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from xiaotu.reports.collection import Collection, collection, reference_titles
from xiaotu.reports.periods import Period, period_from
from xiaotu.reports.selectors import PerPupil, loans_per_pupil, report_settings
from xiaotu.schools.models import Library


@dataclass(frozen=True)
class Figure:
    label: str
    value: Decimal | int | None
    standard: Decimal | int | None
    unit: str
    # None: nothing to judge (no standard, or the system does not record it).
    met: bool | None
    note: str = ""


@dataclass
class Inspection:
    library: Library
    on: dt.date
    figures: list[Figure]
    collection: Collection
    per_pupil: PerPupil
    term: Period | None


def _at_least(value: Decimal | int | None, standard: Decimal | int) -> bool | None:
    return None if value is None else value >= standard


def inspection(library: Library, *, today: dt.date | None = None) -> Inspection:
    today = today or timezone.localdate()
    settings = report_settings(library)
    stock = collection(library, year=today.year, tolerance=settings.share_tolerance)
    standard = stock.standard
    refs = reference_titles(library)
    try:
        term: Period | None = period_from({"period": "term"}, library=library, today=today)
    except ValueError:
        term = None
    per_pupil = loans_per_pupil(library, term or period_from({"period": "year"}, library=library, today=today))
    volumes = _("册")
    figures = [
        Figure(_("在校学生"), stock.pupils, None, _("人"), None),
        Figure(_("藏书总量"), stock.volumes, None, volumes, None),
        Figure(
            _("生均藏书"),
            stock.per_pupil,
            standard.books_per_pupil,
            volumes,
            _at_least(stock.per_pupil, standard.books_per_pupil),
        ),
        Figure(
            _("年生均新增图书（%(year)d年）") % {"year": stock.year},
            stock.new_per_pupil,
            standard.new_books_per_pupil,
            volumes,
            _at_least(stock.new_per_pupil, standard.new_books_per_pupil),
        ),
        Figure(
            _("工具书、教学参考书"),
            refs,
            standard.reference_titles,
            _("种"),
            refs >= standard.reference_titles,
            _("按“仅供馆内阅览”类别中的书目计数。"),
        ),
        Figure(_("报刊"), None, standard.periodicals, _("种"), None, _("系统尚未登记报刊订阅，请人工核对。")),
        Figure(_("藏书总金额"), stock.value, None, _("元"), None),
    ]
    for division in stock.divisions:
        figures.append(
            Figure(
                _("部类比例：%(name)s") % {"name": division.label},
                division.share,
                division.standard,
                "%",
                division.met,
                _("允许偏差 ±%(points)s 个百分点") % {"points": settings.share_tolerance},
            )
        )
    figures.append(
        Figure(
            _("人均借书（%(period)s）") % {"period": term.label if term else _("本年")},
            per_pupil.value,
            per_pupil.target,
            volumes,
            per_pupil.met,
            "" if per_pupil.judged else _("学期目标只在学期内评判。"),
        )
    )
    return Inspection(library, today, figures, stock, per_pupil, term)
