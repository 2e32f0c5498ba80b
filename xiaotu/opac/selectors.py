"""Reads for the public catalogue: shelf counts, a record's copies, new arrivals, most borrowed, reading lists.

Nothing here returns a reader: the public pages show when a copy is due back, never who has it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Count, DateField, Exists, Min, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xiaotu.catalogue.models import Item, Record
from xiaotu.circulation.models import Hold, Loan
from xiaotu.opac.models import ReadingList, ReadingListEntry
from xiaotu.schools.models import Library
from xiaotu.short_cache import ShortCache

WITHDRAWN = Item.Status.WITHDRAWN
HELD = "held"
HELD_LABEL = _("预约保留")


@dataclass(frozen=True)
class ShelfCount:
    """How many copies of a record one location holds, and how many of them are on the shelf now."""

    location_id: int
    location: str
    on_shelf: int
    total: int


@dataclass(frozen=True)
class PublicCopy:
    """One copy as the public sees it: where, which call number, whether it is in, and when it is due if not."""

    location: str
    call_number: str
    volume: str
    status: str
    status_label: str
    due_on: dt.date | None


@dataclass(frozen=True)
class Arrival:
    record: Record
    first_copy_on: dt.date


@dataclass(frozen=True)
class ArrivalsPage:
    month: dt.date  # the first day of the month
    arrivals: list[Arrival]
    page: int
    has_next: bool


@dataclass(frozen=True)
class Borrowed:
    record: Record
    loans: int


def _visible_items() -> QuerySet[Item]:
    return Item.objects.exclude(status=WITHDRAWN)


def _kept_for_a_hold() -> Exists:
    """A copy on the hold shelf stays 在架 in the catalogue, but it is not there for anyone else to take."""
    return Exists(Hold.objects.filter(item=OuterRef("pk"), status=Hold.Status.READY))


def copies_by_location(records: Sequence[Record]) -> dict[int, list[ShelfCount]]:
    """Per record, its copies per location (withdrawn ones left out), in one query for a whole page of records."""
    ids = [record.pk for record in records]
    rows = (
        _visible_items()
        .filter(record_id__in=ids)
        .annotate(kept=_kept_for_a_hold())
        .values("record_id", "location_id", "location__name")
        .annotate(total=Count("pk"), on_shelf=Count("pk", filter=Q(status=Item.Status.AVAILABLE, kept=False)))
        .order_by("record_id", "location__name", "location_id")
    )
    counts: dict[int, list[ShelfCount]] = {pk: [] for pk in ids}
    for row in rows:
        counts[row["record_id"]].append(
            ShelfCount(
                location_id=row["location_id"],
                location=row["location__name"],
                on_shelf=row["on_shelf"],
                total=row["total"],
            )
        )
    return counts


def public_record(*, library: Library, pk: int) -> Record | None:
    """The record if the library shows it: it has at least one copy that is not withdrawn."""
    return (
        Record.objects.filter(library=library, pk=pk)
        .filter(Exists(_visible_items().filter(record_id=OuterRef("pk"))))
        .first()
    )


def record_copies(record: Record) -> list[PublicCopy]:
    """The record's copies, by location and call number, with the due date of those out on loan."""
    items = list(
        _visible_items()
        .filter(record=record)
        .annotate(kept=_kept_for_a_hold())
        .select_related("location")
        .order_by("location__name", "call_number", "volume", "pk")
    )
    due = dict(
        Loan.objects.filter(item__in=[item.pk for item in items], returned_at__isnull=True).values_list(
            "item_id", "due_on"
        )
    )
    return [
        PublicCopy(
            location=item.location.name,
            call_number=item.call_number or record.call_number,
            volume=item.volume,
            status=HELD if item.kept else item.status,
            status_label=str(HELD_LABEL) if item.kept else item.get_status_display(),
            due_on=due.get(item.pk),
        )
        for item in items
    ]


def _first_copy_date() -> Coalesce:
    """When a copy came in: its 入藏日期, else the day it was entered."""
    return Coalesce("acquired_on", TruncDate("created_at"), output_field=DateField())


def _month_end(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def latest_arrival_month(*, library: Library) -> dt.date | None:
    """The month of the newest arrival, where the new-arrivals page opens (kept a minute, like the home page)."""

    def load() -> dt.date | None:
        latest = (
            _visible_items()
            .filter(library=library)
            .values("record_id")
            .annotate(first=Min(_first_copy_date()))
            .order_by("-first")
            .values_list("first", flat=True)
            .first()
        )
        return latest.replace(day=1) if isinstance(latest, dt.date) else None

    return _LATEST_MONTH.get(library.pk, load)


_LATEST_MONTH: ShortCache[int, dt.date | None] = ShortCache(seconds=60)


def new_arrivals(*, library: Library, month: dt.date, page: int = 1, per_page: int = 40) -> ArrivalsPage:
    """新书通报 — records whose first copy came in during the month, newest first."""
    start, end = month.replace(day=1), _month_end(month)
    # Only records with a copy dated in the month can qualify: group just those, not the whole collection.
    candidates = (
        _visible_items()
        .filter(library=library)
        .annotate(came=_first_copy_date())
        .filter(came__gte=start, came__lt=end)
        .values("record_id")
    )
    offset = (page - 1) * per_page
    rows = list(
        _visible_items()
        .filter(library=library, record_id__in=candidates)
        .values("record_id")
        .annotate(first=Min(_first_copy_date()))
        .filter(first__gte=start, first__lt=end)
        .order_by("-first", "-record_id")
        .values_list("record_id", "first")[offset : offset + per_page + 1]
    )
    records = Record.objects.in_bulk([record_id for record_id, _first in rows[:per_page]])
    arrivals = [
        Arrival(record=records[record_id], first_copy_on=first)
        for record_id, first in rows[:per_page]
        if record_id in records
    ]
    return ArrivalsPage(month=start, arrivals=arrivals, page=page, has_next=len(rows) > per_page)


def most_borrowed(*, library: Library, since: dt.datetime, limit: int = 10) -> list[Borrowed]:
    """本周热门 — the records lent most often since the given moment, counted per record across its copies."""
    rows = list(
        Loan.objects.filter(library=library, issued_at__gte=since)
        .values("item__record_id")
        .annotate(loans=Count("pk"))
        .order_by("-loans", "item__record_id")[:limit]
    )
    records = Record.objects.in_bulk([row["item__record_id"] for row in rows])
    return [
        Borrowed(record=records[row["item__record_id"]], loans=row["loans"])
        for row in rows
        if row["item__record_id"] in records
    ]


@dataclass(frozen=True)
class HomeShelves:
    """What the OPAC's home page shows besides the search box and the reading lists."""

    month: dt.date | None
    arrivals: list[Arrival]
    popular: list[Borrowed]


# The home page is the kiosk's idle screen and every pupil's first page; its two group-bys over the collection
# change at most a few times a day, so each process keeps them for a minute.
_HOME: ShortCache[int, HomeShelves] = ShortCache(seconds=60)


def home_shelves(*, library: Library, arrivals: int, popular: int, week: dt.timedelta) -> HomeShelves:
    def load() -> HomeShelves:
        month = latest_arrival_month(library=library)
        return HomeShelves(
            month=month,
            arrivals=new_arrivals(library=library, month=month, per_page=arrivals).arrivals if month else [],
            popular=most_borrowed(library=library, since=timezone.now() - week, limit=popular),
        )

    return _HOME.get(library.pk, load)


def public_reading_lists(*, library: Library, grade_number: int | None = None) -> list[ReadingList]:
    """The published reading lists, in the librarian's order, with their grades; optionally those for one grade
    (a list for no grade in particular is for everyone)."""
    lists = ReadingList.objects.filter(library=library, published=True)
    if grade_number is not None:
        lists = lists.filter(Q(grades__number=grade_number) | Q(grades__isnull=True)).distinct()
    return list(
        lists.prefetch_related("grades").annotate(size=Count("entries", distinct=True)).order_by("position", "pk")
    )


def reading_list_entries(reading_list: ReadingList) -> list[ReadingListEntry]:
    return list(reading_list.entries.select_related("record").order_by("position", "pk"))


def staff_reading_lists(*, library: Library) -> list[ReadingList]:
    return list(
        ReadingList.objects.filter(library=library)
        .prefetch_related("grades")
        .annotate(size=Count("entries"))
        .order_by("position", "pk")
    )


def reading_lists_with_entries(*, library: Library) -> QuerySet[ReadingList]:
    return ReadingList.objects.filter(library=library).prefetch_related(
        "grades", Prefetch("entries", queryset=ReadingListEntry.objects.select_related("record"))
    )
