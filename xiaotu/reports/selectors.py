"""Circulation statistics and reading stars over a period: every table is one GROUP BY query, the same on SQLite
and PostgreSQL; Python only names, sorts and ranks the few rows that come back."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, QuerySet, Sum
from django.utils.translation import gettext as _

from xiaotu.catalogue.models import Item, Record
from xiaotu.circulation.models import Loan
from xiaotu.readers.models import Grade, Reader, ReaderType, SchoolClass
from xiaotu.reports.clc import BASIC_CLASSES, UNCLASSIFIED, basic_class, letter_of
from xiaotu.reports.models import ClassDay, ReaderDay, RecordDay, ReportSettings, ShelfDay, TallyBorrowed
from xiaotu.reports.periods import Period
from xiaotu.reports.tallies import Span, live_returns, midnight, record_blocks, split, tallied_through
from xiaotu.schools.models import Library, Location

TOP_BOOKS = 20
NEVER_BORROWED_SHOWN = 200


@dataclass
class Row:
    """One line of a breakdown: loans issued and books returned in the period, and per pupil where it applies."""

    key: Any
    label: str
    loans: int = 0
    returns: int = 0
    pupils: int | None = None

    @property
    def per_pupil(self) -> Decimal | None:
        if not self.pupils:
            return None
        return (Decimal(self.loans) / self.pupils).quantize(Decimal("0.01"), ROUND_HALF_UP)


@dataclass
class Breakdown:
    title: str
    rows: list[Row]

    @property
    def loans(self) -> int:
        return sum(r.loans for r in self.rows)

    @property
    def with_pupils(self) -> bool:
        return any(r.pupils is not None for r in self.rows)

    @property
    def returns(self) -> int:
        return sum(r.returns for r in self.rows)


def report_settings(library: Library) -> ReportSettings:
    """The library's settings, unsaved defaults when it never saved any (reads never write)."""
    found = ReportSettings.objects.filter(library=library).first()
    return found or ReportSettings(library=library)


Counts = dict[Any, list[int]]


def _add(into: Counts, key: Any, loans: int, returns: int) -> None:
    pair = into.setdefault(key, [0, 0])
    pair[0] += loans
    pair[1] += returns


def _readers_of(classes: list[SchoolClass]) -> list[int]:
    """The readers of the classes, as a list: the database then walks each reader's loans by its index instead of
    every loan of the period."""
    return list(Reader.objects.filter(school_class__in=classes).values_list("pk", flat=True))


def _live(library: Library, span: Span, keys: tuple[str, ...], classes: list[SchoolClass] | None) -> Counts:
    """Loans issued and books returned in a span of time not yet tallied, grouped by `keys`: two queries."""
    start, end = span
    loans = Loan.objects.filter(library=library)
    if classes is not None:
        loans = loans.filter(reader_id__in=_readers_of(classes))
    counts: Counts = {}
    issued = loans.filter(issued_at__gte=start, issued_at__lt=end)
    returned = live_returns(library, span)
    if classes is not None:
        returned = [qs.filter(reader_id__in=_readers_of(classes)) for qs in returned]
    for index, qs in [(0, issued)] + [(1, qs) for qs in returned]:
        if "letter" in keys:
            qs = qs.annotate(letter=basic_class("item__record__clc_class"))
        for row in qs.values(*keys).annotate(n=Count("id")).order_by():
            key = tuple(row[k] for k in keys)
            _add(counts, key, row["n"] if index == 0 else 0, row["n"] if index == 1 else 0)
    return counts


def _people(library: Library, period: Period, classes: list[SchoolClass] | None = None) -> Counts:
    """{(class id, reader type id): [loans, returns]} in the period: tallied days plus the live rest."""
    tallied, live = split(period.first, period.last, tallied_through(library))
    counts: Counts = {}
    if tallied:
        rows = ClassDay.objects.filter(library=library, day__range=tallied)
        if classes is not None:
            rows = rows.filter(school_class_id__in=[c.pk for c in classes])
        for row in (
            rows.values("school_class_id", "reader_type_id").annotate(n=Sum("loans"), r=Sum("returns")).order_by()
        ):
            _add(counts, (row["school_class_id"], row["reader_type_id"]), row["n"], row["r"])
    if live:
        for key, (n, r) in _live(library, live, ("reader__school_class_id", "reader__reader_type_id"), classes).items():
            _add(counts, key, n, r)
    return counts


def _shelves(library: Library, period: Period) -> Counts:
    """{(basic class letter, location id): [loans, returns]} in the period."""
    tallied, live = split(period.first, period.last, tallied_through(library))
    counts: Counts = {}
    if tallied:
        for row in (
            ShelfDay.objects.filter(library=library, day__range=tallied)
            .values("letter", "location_id")
            .annotate(n=Sum("loans"), r=Sum("returns"))
            .order_by()
        ):
            _add(counts, (row["letter"], row["location_id"]), row["n"], row["r"])
    if live:
        for (letter, location), (n, r) in _live(library, live, ("letter", "item__location_id"), None).items():
            _add(counts, (letter_of(letter), location), n, r)
    return counts


def _sum_by(counts: Counts, position: int, mapping: dict[Any, Any] | None = None) -> Counts:
    """Fold {(a, b): pair} into {key: pair} on one part of the key (mapped, e.g. class → grade)."""
    out: Counts = {}
    for key, (n, r) in counts.items():
        part = key[position]
        if mapping is not None:
            part = mapping.get(part)
        _add(out, part, n, r)
    return out


def _pair(counts: Counts, key: Any) -> tuple[int, int]:
    loans, returns = counts.get(key, (0, 0))
    return loans, returns


def _pupils_by(library: Library, by: str, classes: Iterable[SchoolClass] | None = None) -> dict[Any, int]:
    """Pupils in school now (学生 types, active), counted per class or grade."""
    readers = Reader.objects.filter(
        library=library, status=Reader.Status.ACTIVE, reader_type__kind="student", school_class__isnull=False
    )
    if classes is not None:
        readers = readers.filter(school_class__in=list(classes))
    return {row[by]: row["n"] for row in readers.values(by).annotate(n=Count("id")).order_by()}


def by_class(
    library: Library, period: Period, classes: Iterable[SchoolClass] | None = None, *, people: Counts | None = None
) -> Breakdown:
    """按班级 — every class in school (or the given ones), with its pupils and loans per pupil."""
    shown = list(classes) if classes is not None else None
    counts = _sum_by(people if people is not None else _people(library, period, shown), 0)
    pupils = _pupils_by(library, "school_class_id", shown)
    school_classes = (
        shown
        if shown is not None
        else list(SchoolClass.objects.filter(library=library, active=True).select_related("grade"))
    )
    rows = [
        Row(c.pk, c.name, *_pair(counts, c.pk), pupils=pupils.get(c.pk, 0))
        for c in sorted(school_classes, key=lambda c: (c.grade.number, c.number))
    ]
    return Breakdown(_("按班级"), rows)


def by_grade(library: Library, period: Period, *, people: Counts | None = None) -> Breakdown:
    grade_of = dict(SchoolClass.objects.filter(library=library).values_list("pk", "grade_id"))
    counts = _sum_by(people if people is not None else _people(library, period), 0, grade_of)
    pupils = _pupils_by(library, "school_class__grade_id")
    rows = [
        Row(g.pk, g.name, *_pair(counts, g.pk), pupils=pupils.get(g.pk, 0))
        for g in Grade.objects.filter(library=library).order_by("number")
        if g.pk in counts or g.pk in pupils
    ]
    return Breakdown(_("按年级"), rows)


def by_reader_type(library: Library, period: Period, *, people: Counts | None = None) -> Breakdown:
    counts = _sum_by(people if people is not None else _people(library, period), 1)
    rows = [
        Row(t.pk, t.name, *counts.get(t.pk, (0, 0))) for t in ReaderType.objects.filter(library=library).order_by("pk")
    ]
    return Breakdown(_("按读者类型"), rows)


def by_clc(library: Library, period: Period, *, shelves: Counts | None = None) -> Breakdown:
    """按中图法基本大类 — the first letter of the record's class; records without one under “未分类”."""
    counts = _sum_by(shelves if shelves is not None else _shelves(library, period), 0)
    lines = [Row(letter, f"{letter} {name}", *counts.get(letter, (0, 0))) for letter, name in BASIC_CLASSES.items()]
    if UNCLASSIFIED in counts:
        lines.append(Row(UNCLASSIFIED, _("未分类"), *counts[UNCLASSIFIED]))
    return Breakdown(_("按中图法分类"), lines)


def by_location(library: Library, period: Period, *, shelves: Counts | None = None) -> Breakdown:
    counts = _sum_by(shelves if shelves is not None else _shelves(library, period), 1)
    rows = [
        Row(loc.pk, loc.name, *counts.get(loc.pk, (0, 0)))
        for loc in Location.objects.filter(library=library).order_by("pk")
    ]
    return Breakdown(_("按馆藏地点"), rows)


@dataclass
class PerPupil:
    """人均借书 — pupils' loans in the period over the pupils in school, against the library's target."""

    loans: int
    pupils: int
    target: Decimal
    # The target is per term; for any other period it is shown but not judged.
    judged: bool

    @property
    def value(self) -> Decimal | None:
        if not self.pupils:
            return None
        return (Decimal(self.loans) / self.pupils).quantize(Decimal("0.01"), ROUND_HALF_UP)

    @property
    def met(self) -> bool | None:
        value = self.value
        return None if value is None or not self.judged else value >= self.target


def loans_per_pupil(library: Library, period: Period, *, people: Counts | None = None) -> PerPupil:
    pupil_types = set(ReaderType.objects.filter(library=library, kind="student").values_list("pk", flat=True))
    counts = people if people is not None else _people(library, period)
    loans = sum(n for (_class, kind), (n, _r) in counts.items() if kind in pupil_types)
    pupils = sum(_pupils_by(library, "library_id").values())
    target = report_settings(library).loans_per_pupil_target
    return PerPupil(loans, pupils, target, judged=period.kind == "term")


@dataclass
class CirculationTables:
    classes: Breakdown
    tables: list[Breakdown]
    per_pupil: PerPupil


def circulation_tables(library: Library, period: Period) -> CirculationTables:
    """The five breakdowns and loans per pupil, from one count by people and one by shelves."""
    people, shelves = _people(library, period), _shelves(library, period)
    classes = by_class(library, period, people=people)
    tables = [
        classes,
        by_grade(library, period, people=people),
        by_reader_type(library, period, people=people),
        by_clc(library, period, shelves=shelves),
        by_location(library, period, shelves=shelves),
    ]
    return CirculationTables(classes, tables, loans_per_pupil(library, period, people=people))


def class_ranking(classes: Breakdown) -> tuple[list[Row], list[Row]]:
    """The five classes that read most and the five that read least, by loans per pupil (classes with pupils)."""
    ranked = sorted((r for r in classes.rows if r.pupils), key=lambda r: (r.per_pupil or 0, r.loans), reverse=True)
    most = ranked[:5]
    least = [r for r in reversed(ranked[-5:]) if r not in most] if len(ranked) > 5 else []
    return most, least


@dataclass(frozen=True)
class BookCount:
    record_id: int
    title: str
    author: str
    clc_class: str
    loans: int


def _class_loans_by(classes: list[SchoolClass], period: Period, key: str) -> dict[int, int]:
    """Loans of the classes' readers in the period, per `key`. Read through the index on reader with the period
    applied here: a class's whole history is smaller than the school's term."""
    start, end = period.bounds()
    counts: dict[int, int] = defaultdict(int)
    rows = Loan.objects.filter(reader_id__in=_readers_of(classes)).values_list("issued_at", key)
    for issued, value in rows.order_by():
        if start <= issued < end:
            counts[value] += 1
    return counts


def _per_reader(library: Library, period: Period, classes: list[SchoolClass] | None) -> dict[int, int]:
    """Loans in the period per reader: tallied days plus the live rest (or the classes' loans)."""
    if classes is not None:
        return _class_loans_by(classes, period, "reader_id")
    counts: dict[int, int] = defaultdict(int)
    tallied, live = split(period.first, period.last, tallied_through(library))
    if tallied:
        days = ReaderDay.objects.filter(library=library, day__range=tallied)
        for row in days.values("reader_id").annotate(n=Sum("loans")).order_by():
            counts[row["reader_id"]] += row["n"]
    if live:
        loans = Loan.objects.filter(library=library, issued_at__gte=live[0], issued_at__lt=live[1])
        for row in loans.values("reader_id").annotate(n=Count("id")).order_by():
            counts[row["reader_id"]] += row["n"]
    return counts


def most_borrowed(
    library: Library, period: Period, limit: int = TOP_BOOKS, classes: Iterable[SchoolClass] | None = None
) -> list[BookCount]:
    """借阅排行 — titles (all their copies together) by loans issued in the period."""
    shown = list(classes) if classes is not None else None
    if shown is not None:
        counts = _class_loans_by(shown, period, "item__record_id")
    else:
        counts = _top_records(library, period, limit)
    top = sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))[:limit]
    records = Record.objects.filter(pk__in=[pk for pk, _n in top]).in_bulk()
    return [
        BookCount(pk, records[pk].title, records[pk].author, records[pk].clc_class, n) for pk, n in top if pk in records
    ]


def _top_records(library: Library, period: Period, limit: int) -> dict[int, int]:
    """The candidates for the top `limit`: the tallies' own top, plus every title lent in the live part with its
    tallied count added. Nothing outside can overtake them, so the database sorts and only a few rows come back."""
    tallied, live = split(period.first, period.last, tallied_through(library))
    counts: dict[int, int] = defaultdict(int)
    if live:
        loans = Loan.objects.filter(library=library, issued_at__gte=live[0], issued_at__lt=live[1])
        for row in loans.values("item__record_id").annotate(n=Count("id")).order_by():
            counts[row["item__record_id"]] += row["n"]
    if tallied:
        base = RecordDay.objects.filter(record_blocks(*tallied), library=library).values("record_id")
        summed = base.annotate(n=Sum("loans"))
        found = {row["record_id"]: row["n"] for row in summed.order_by("-n", "record_id")[:limit]}
        lent_live = [pk for pk in counts if pk not in found]
        if lent_live:
            found.update({row["record_id"]: row["n"] for row in summed.filter(record_id__in=lent_live).order_by()})
        for pk, n in found.items():
            counts[pk] += n
    return counts


def never_borrowed(library: Library) -> QuerySet[Item]:
    """零借阅 — copies in the collection (not withdrawn or lost) that no one has ever borrowed, oldest first.

    With tallies, "ever borrowed" is the tallies' list of copies plus those lent since: a small table instead of
    every loan."""
    items = Item.objects.filter(library=library).exclude(status__in=(Item.Status.WITHDRAWN, Item.Status.LOST))
    through = tallied_through(library)
    if through is None:
        items = items.filter(~Exists(Loan.objects.filter(item_id=OuterRef("pk"))))
    else:
        known = TallyBorrowed.objects.filter(library=library, item_id=OuterRef("pk"))
        since = Loan.objects.filter(library=library, issued_at__gte=midnight(through)).values("item_id")
        items = items.filter(~Exists(known)).exclude(pk__in=since)
    return items.select_related("record", "location").order_by("acquired_on", "accession_number")


# -- 读书之星 --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Star:
    reader_id: int
    name: str
    class_name: str
    loans: int
    rank: int


@dataclass
class StarGroup:
    label: str
    stars: list[Star] = field(default_factory=list)


def _ranked(rows: list[dict[str, Any]], count: int, class_names: dict[int, str]) -> list[Star]:
    """The first `count` places; readers with the same number of loans share a place, and a tie at the last place
    keeps everyone on it."""
    stars: list[Star] = []
    rank, previous = 0, None
    for index, row in enumerate(rows):
        if row["n"] != previous:
            rank, previous = index + 1, row["n"]
        if rank > count:
            break
        stars.append(
            Star(
                row["reader_id"],
                row["reader__name"],
                class_names.get(row["reader__school_class_id"], ""),
                row["n"],
                rank,
            )
        )
    return stars


def reading_stars(
    library: Library, period: Period, *, count: int = 3, classes: Iterable[SchoolClass] | None = None
) -> tuple[list[StarGroup], list[StarGroup]]:
    """读书之星 — the pupils in school with most loans in the period, per grade and per class."""
    shown = list(classes) if classes is not None else None
    counts = _per_reader(library, period, shown)
    school_classes = (
        shown
        if shown is not None
        else list(SchoolClass.objects.filter(library=library, active=True).select_related("grade"))
    )
    school_classes.sort(key=lambda c: (c.grade.number, c.number))
    names = {c.pk: c.name for c in school_classes}
    pupils = Reader.objects.filter(
        library=library,
        status=Reader.Status.ACTIVE,
        reader_type__kind="student",
        school_class__in=school_classes,
    ).values_list("pk", "name", "school_class_id")
    rows: list[dict[str, Any]] = sorted(
        (
            {"reader_id": pk, "reader__name": name, "reader__school_class_id": class_id, "n": counts[pk]}
            for pk, name, class_id in pupils
            if counts.get(pk)
        ),
        key=lambda row: (-row["n"], row["reader__name"], row["reader_id"]),
    )
    per_class: dict[int, list[dict[str, Any]]] = defaultdict(list)
    per_grade: dict[int, list[dict[str, Any]]] = defaultdict(list)
    grade_of = {c.pk: c.grade for c in school_classes}
    for row in rows:
        class_id = row["reader__school_class_id"]
        per_class[class_id].append(row)
        per_grade[grade_of[class_id].pk].append(row)
    grades = list(dict.fromkeys(c.grade for c in school_classes))
    by_grade = [StarGroup(g.name, _ranked(per_grade[g.pk], count, names)) for g in grades]
    by_class = [StarGroup(c.name, _ranked(per_class[c.pk], count, names)) for c in school_classes]
    return by_grade, by_class


def public_name(name: str, *, full: bool) -> str:
    """The name as the library lets the OPAC show it: whole, or the surname and 同学."""
    if full or not name:
        return name
    return _("%(surname)s同学") % {"surname": name[0]}
