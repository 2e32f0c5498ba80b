"""阅览室签到 — pupils scan their card at the reading-room door; visits counted per pupil, class and week."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaotu.barcodes import clean_barcode, is_scannable
from xiaotu.circulation import desk_sql
from xiaotu.circulation.corners import is_corner_reader
from xiaotu.circulation.errors import REFUSAL_BY_READER_STATUS
from xiaotu.circulation.models import RoomVisit
from xiaotu.circulation.sessions import week_of
from xiaotu.readers.models import Reader, SchoolClass
from xiaotu.schools.models import Library

# A second scan this soon is the same visit (a pupil scanning twice, or going out and back in).
SAME_VISIT = dt.timedelta(minutes=30)


@dataclass(frozen=True)
class KioskAnswer:
    """What the door screen shows: welcome (ok), already signed in (again), or why not (error)."""

    kind: str  # "ok", "again", "error"
    text: str
    reader: Reader | None = None
    visits_this_week: int = 0


def room_visit_record(*, library: Library, card: str, at: dt.datetime | None = None) -> KioskAnswer:
    """签到 — record the reader's visit; a repeat within half an hour counts once. Never raises for bad input."""
    at = at or timezone.now()
    code = clean_barcode(card)[:32]
    reader = desk_sql.reader_by_card(library.pk, code) if is_scannable(code) else None
    if reader is None or is_corner_reader(reader):
        return KioskAnswer(kind="error", text=_("没有找到这张借书证，请再扫一次或找老师"))
    if REFUSAL_BY_READER_STATUS.get(Reader.Status(reader.status)):
        return KioskAnswer(
            kind="error", text=_("%(name)s 的借书证不能使用，请找老师") % {"name": reader.name}, reader=reader
        )
    monday, _sunday = week_of(timezone.localtime(at).date())
    week_start = timezone.make_aware(dt.datetime.combine(monday, dt.time.min))
    recent = RoomVisit.objects.filter(reader_id=reader.pk, at__gt=at - SAME_VISIT).exists()
    if not recent:
        RoomVisit.objects.create(library=library, reader_id=reader.pk, school_class_id=reader.school_class_id, at=at)
    visits = RoomVisit.objects.filter(reader_id=reader.pk, at__gte=week_start, at__lte=at).count()
    if recent:
        return KioskAnswer(
            kind="again",
            text=_("%(name)s，你已经签到了") % {"name": reader.name},
            reader=reader,
            visits_this_week=visits,
        )
    return KioskAnswer(
        kind="ok", text=_("欢迎，%(name)s！") % {"name": reader.name}, reader=reader, visits_this_week=visits
    )


@dataclass(frozen=True)
class ClassVisits:
    school_class: SchoolClass
    pupils: int
    visited: int  # pupils who came at least once in the week
    visits: int

    @property
    def all_came(self) -> bool:
        return self.pupils > 0 and self.visited >= self.pupils


def visits_by_class(*, library: Library, day: dt.date) -> list[ClassVisits]:
    """Each class in school: pupils, how many came to the reading room in the week of `day`, and all visits."""
    monday, sunday = week_of(day)
    start = timezone.make_aware(dt.datetime.combine(monday, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(sunday + dt.timedelta(days=1), dt.time.min))
    week = RoomVisit.objects.filter(library=library, at__gte=start, at__lt=end)
    per_class: dict[int | None, tuple[int, int]] = {
        class_id: (visited, visits)
        for class_id, visited, visits in week.values("school_class_id")
        .annotate(visits=Count("pk"), visited=Count("reader_id", distinct=True))
        .values_list("school_class_id", "visited", "visits")
    }
    sizes = dict(
        Reader.objects.filter(library=library, status=Reader.Status.ACTIVE, school_class__isnull=False)
        .exclude(reader_type__code="corner")
        .values("school_class_id")
        .annotate(n=Count("pk"))
        .values_list("school_class_id", "n")
    )
    classes = SchoolClass.objects.filter(library=library, active=True).select_related("grade")
    return [
        ClassVisits(
            school_class=c,
            pupils=sizes.get(c.pk, 0),
            visited=per_class.get(c.pk, (0, 0))[0],
            visits=per_class.get(c.pk, (0, 0))[1],
        )
        for c in classes
    ]


def visits_by_pupil(*, school_class: SchoolClass, day: dt.date) -> list[tuple[Reader, int]]:
    """The class's pupils with their reading-room visits in the week of `day`, those who did not come first."""
    monday, sunday = week_of(day)
    start = timezone.make_aware(dt.datetime.combine(monday, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(sunday + dt.timedelta(days=1), dt.time.min))
    counts = dict(
        RoomVisit.objects.filter(school_class=school_class, at__gte=start, at__lt=end)
        .values("reader_id")
        .annotate(n=Count("pk"))
        .values_list("reader_id", "n")
    )
    pupils = Reader.objects.filter(school_class=school_class, status=Reader.Status.ACTIVE).exclude(
        reader_type__code="corner"
    )
    rows = [(r, counts.get(r.pk, 0)) for r in pupils.order_by("student_number", "pk")]
    return sorted(rows, key=lambda row: row[1] > 0)
