"""Collection statistics measured against the 规程 standard: holdings by class and 部类, per pupil, new, value."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, DecimalField, Q, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from xiaotu.catalogue.clc.table import CATEGORIES
from xiaotu.catalogue.models import Item
from xiaotu.readers.models import Reader
from xiaotu.reports.clc import BASIC_CLASSES, CATEGORY_BY_LETTER, UNCLASSIFIED, basic_class, letter_of
from xiaotu.reports.models import Standard
from xiaotu.reports.standards import DEFAULTS, FOR_LIBRARY_LEVEL
from xiaotu.schools.models import Library

ZERO = Decimal("0.00")
MONEY = DecimalField(max_digits=14, decimal_places=2)
# A copy's own price when it has one, else its record's.
ITEM_PRICE = Coalesce("price", "record__price", ZERO, output_field=MONEY)
# Withdrawn copies left the collection; lost ones are gone from the shelf even before they are written off.
GONE = (Item.Status.WITHDRAWN, Item.Status.LOST)


def _pct(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def _ratio(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.01"), ROUND_HALF_UP)


@dataclass
class ClassLine:
    """One basic class (or 部类): titles, copies and value held now, and copies added in the year."""

    key: str
    label: str
    titles: int = 0
    volumes: int = 0
    value: Decimal = ZERO
    new: int = 0
    share: Decimal | None = None
    standard: Decimal | None = None
    met: bool | None = None


@dataclass
class Collection:
    year: int
    pupils: int
    classes: list[ClassLine]
    divisions: list[ClassLine]
    standard: Standard

    @property
    def volumes(self) -> int:
        return sum(c.volumes for c in self.classes)

    @property
    def titles(self) -> int:
        return sum(c.titles for c in self.classes)

    @property
    def value(self) -> Decimal:
        return sum((c.value for c in self.classes), ZERO)

    @property
    def new(self) -> int:
        return sum(c.new for c in self.classes)

    @property
    def per_pupil(self) -> Decimal | None:
        return _ratio(self.volumes, self.pupils)

    @property
    def new_per_pupil(self) -> Decimal | None:
        return _ratio(self.new, self.pupils)


def standard_for(library: Library) -> Standard:
    """The library's row of the 规程 table for its level; the seeded figures (unsaved) if it has none yet."""
    level = FOR_LIBRARY_LEVEL.get(Library.Level(library.level), Standard.Level.PRIMARY)
    found = Standard.objects.filter(library=library, level=level).first()
    return found or Standard(library=library, level=level, **DEFAULTS[level])


def pupil_count(library: Library) -> int:
    return Reader.objects.filter(library=library, status=Reader.Status.ACTIVE, reader_type__kind="student").count()


def collection(library: Library, *, year: int | None = None, tolerance: Decimal = Decimal("5")) -> Collection:
    """馆藏统计 — one GROUP BY over the copies, then the 22 classes and five 部类 with their shares."""
    year = year or dt.date.today().year
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    held = ~Q(status__in=GONE)
    rows = (
        Item.objects.filter(library=library)
        .annotate(letter=basic_class("record__clc_class"))
        .values("letter")
        .annotate(
            volumes=Count("id", filter=held),
            titles=Count("record_id", filter=held, distinct=True),
            value=Sum(ITEM_PRICE, filter=held),
            new=Count("id", filter=Q(acquired_on__gte=first, acquired_on__lte=last)),
        )
        .order_by()
    )
    lines = {letter: ClassLine(letter, f"{letter} {name}") for letter, name in BASIC_CLASSES.items()}
    for row in rows:
        letter = letter_of(row["letter"])
        line = lines.setdefault(letter, ClassLine(UNCLASSIFIED, _("未分类")))
        line.volumes += row["volumes"]
        line.titles += row["titles"]
        line.value += row["value"] or ZERO
        line.new += row["new"]
    classes = list(lines.values())
    total = sum(c.volumes for c in classes)
    for line in classes:
        line.share = _pct(line.volumes, total)
    standard = standard_for(library)
    return Collection(year, pupil_count(library), classes, _divisions(classes, standard, total, tolerance), standard)


def _divisions(classes: list[ClassLine], standard: Standard, total: int, tolerance: Decimal) -> list[ClassLine]:
    """五大部类 with their shares against the standard's; a share within `tolerance` points is met."""
    targets = standard.shares()
    sums: dict[str, ClassLine] = {c.key: ClassLine(c.key, c.short_name) for c in CATEGORIES}
    for line in classes:
        category = CATEGORY_BY_LETTER.get(line.key)
        if category is None:
            continue
        division = sums[category.key]
        division.titles += line.titles
        division.volumes += line.volumes
        division.value += line.value
        division.new += line.new
    for division in sums.values():
        division.share = _pct(division.volumes, total)
        division.standard = targets[division.key]
        if division.share is not None:
            division.met = abs(division.share - division.standard) <= tolerance
    return list(sums.values())


def reference_titles(library: Library) -> int:
    """工具书、教学参考书（种）— titles with a copy held in a reference-only category."""
    return (
        Item.objects.filter(library=library, category__reference_only=True)
        .exclude(status__in=GONE)
        .values("record_id")
        .distinct()
        .count()
    )


def by_year_added(library: Library, years: int = 5) -> dict[int, int]:
    """Copies added per calendar year over the last `years` years (for the dashboard's chart), in one query of
    date ranges (a year extracted per row is a Python function call per copy on SQLite)."""
    this_year = dt.date.today().year
    span = range(this_year - years + 1, this_year + 1)
    counts = Item.objects.filter(library=library, acquired_on__gte=dt.date(span[0], 1, 1)).aggregate(
        **{
            f"y{year}": Count(
                "id", filter=Q(acquired_on__gte=dt.date(year, 1, 1), acquired_on__lte=dt.date(year, 12, 31))
            )
            for year in span
        }
    )
    return {year: counts[f"y{year}"] for year in span}
