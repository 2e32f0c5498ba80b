"""班级借阅 — a class at the desk in its timetable slot: its pupils listed, card then books, pupil after pupil.

Each scan is one call into services.checkout (the desk's prepared-statement path) and one small count for the
pupil's row; the page updates that row only, so a class of fifty costs fifty-odd cheap requests, not page loads.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaotu.accounts.models import User
from xiaotu.barcodes import clean_barcode, is_scannable
from xiaotu.circulation import desk_sql
from xiaotu.circulation.errors import REFUSAL_BY_READER_STATUS, LoanRefused
from xiaotu.circulation.models import ClassSlot, ClassVisit, Loan
from xiaotu.circulation.policy import total_limit_for
from xiaotu.circulation.selectors import item_ref_by_barcode
from xiaotu.circulation.services import checkout
from xiaotu.readers.models import Reader, SchoolClass
from xiaotu.schools.models import Library

WEEKLY_TARGET = 1  # 《规程》: every class visits the library at least once a week


@dataclass(frozen=True)
class PupilRow:
    reader: Reader
    on_loan: int
    limit: int | None
    lent_today: int = 0

    @property
    def full(self) -> bool:
        return self.limit is not None and self.on_loan >= self.limit


@dataclass(frozen=True)
class SessionNotice:
    kind: Literal["ok", "warn", "error", "info"]
    text: str
    code: str = ""
    detail: str = ""


@dataclass(frozen=True)
class SessionResult:
    """One scan's answer: the line to show, the pupil now being served, and their row to redraw."""

    notice: SessionNotice
    reader: Reader | None = None
    row: PupilRow | None = None


def class_visit_start(*, school_class: SchoolClass, by: User | None, at: dt.datetime | None = None) -> ClassVisit:
    """班级借阅 — the class came to borrow today (once a day, however often the session is opened)."""
    at = at or timezone.now()
    day = timezone.localtime(at).date()
    try:
        with transaction.atomic():
            visit, _created = ClassVisit.objects.get_or_create(
                school_class=school_class,
                day=day,
                defaults={"library_id": school_class.library_id, "started_at": at, "by": by},
            )
    except IntegrityError:
        # Two desks opened the same class at once: the other one recorded the visit.
        visit = ClassVisit.objects.get(school_class=school_class, day=day)
    return visit


def session_pupils(school_class: SchoolClass, *, today: dt.date) -> list[PupilRow]:
    """The class's pupils in 学号 order with how many books each has out and borrowed today (two queries)."""
    readers = list(
        Reader.objects.filter(school_class=school_class, status=Reader.Status.ACTIVE)
        .exclude(reader_type__code="corner")  # the class's book corner borrows as a reader, not as a pupil
        .select_related("reader_type", "school_class")
        .order_by("student_number", "name_pinyin", "pk")
    )
    start = timezone.make_aware(dt.datetime.combine(today, dt.time.min))
    counts: dict[int, tuple[int, int]] = {
        reader_id: (out, lent_today)
        for reader_id, out, lent_today in Loan.objects.filter(reader__in=readers)
        .filter(Q(returned_at__isnull=True) | Q(issued_at__gte=start))
        .values("reader_id")
        .annotate(
            out=Count("pk", filter=Q(returned_at__isnull=True)),
            today=Count("pk", filter=Q(issued_at__gte=start)),
        )
        .values_list("reader_id", "out", "today")
    }
    return [
        PupilRow(
            reader=r,
            on_loan=counts.get(r.pk, (0, 0))[0],
            limit=total_limit_for(r),
            lent_today=counts.get(r.pk, (0, 0))[1],
        )
        for r in readers
    ]


_COUNTS = (
    "SELECT SUM(CASE WHEN returned_at IS NULL THEN 1 ELSE 0 END), SUM(CASE WHEN issued_at >= %s THEN 1 ELSE 0 END)"
    " FROM circulation_loan WHERE reader_id = %s AND (returned_at IS NULL OR issued_at >= %s)"
)


def _row(reader: Reader, *, today: dt.date) -> PupilRow:
    start = connection.ops.adapt_datetimefield_value(timezone.make_aware(dt.datetime.combine(today, dt.time.min)))
    with connection.cursor() as cursor:
        cursor.execute(_COUNTS, [start, reader.pk, start])
        out, lent_today = cursor.fetchone() or (0, 0)
    return PupilRow(
        reader=reader, on_loan=int(out or 0), limit=total_limit_for(reader), lent_today=int(lent_today or 0)
    )


def session_class(*, library: Library, pk: int) -> SchoolClass | None:
    """The class of a session, by a prepared statement: each of a class's hundred-odd scans names it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, name FROM readers_schoolclass WHERE id = %s AND library_id = %s", [pk, library.pk])
        row = cursor.fetchone()
    if row is None:
        return None
    return SchoolClass.from_db(connection.alias, ["id", "library_id", "name"], [row[0], library.pk, row[1]])


def session_reader(*, library: Library, pk: int | None) -> Reader | None:
    """The pupil being served, as the page sends it back (None if gone or of another library)."""
    return desk_sql.reader_by_id(library.pk, pk) if pk is not None else None


def session_scan(
    *, library: Library, school_class: SchoolClass, reader: Reader | None, text: str, by: User
) -> SessionResult:
    """A card chooses the pupil; a book is lent to the pupil chosen."""
    code = clean_barcode(text)
    if not code:
        return SessionResult(
            notice=SessionNotice(kind="info", text=_("请扫描学生的借书证，再扫描要借的书")), reader=reader
        )
    today = timezone.localdate()
    if is_scannable(code) and (card := desk_sql.reader_by_card(library.pk, code)) is not None:
        return _pupil_chosen(card, school_class=school_class, today=today)
    try:
        item = item_ref_by_barcode(library=library, barcode=code)
    except LoanRefused:
        return SessionResult(
            notice=SessionNotice(
                kind="error", text=_("没有这个借书证或图书条码：%(code)s") % {"code": code}, code="not_found"
            ),
            reader=reader,
        )
    if reader is None:
        return SessionResult(
            notice=SessionNotice(kind="error", text=_("请先扫描学生的借书证，再扫描要借的书"), code="no_reader")
        )
    try:
        loan = checkout(reader=reader, item=item, by=by)
    except LoanRefused as refusal:
        return SessionResult(
            notice=SessionNotice(kind="error", text=refusal.message, code=refusal.code),
            reader=reader,
            row=_row(reader, today=today),
        )
    return SessionResult(
        notice=SessionNotice(
            kind="ok",
            text=_("%(name)s 借《%(title)s》") % {"name": reader.name, "title": loan.item.record.title},
            detail=_("应还日期 %(due)s") % {"due": loan.due_on.isoformat()},
        ),
        reader=reader,
        row=_row(reader, today=today),
    )


def _pupil_chosen(reader: Reader, *, school_class: SchoolClass, today: dt.date) -> SessionResult:
    row = _row(reader, today=today)
    if code := REFUSAL_BY_READER_STATUS.get(Reader.Status(reader.status)):
        refusal = LoanRefused(code, reader=reader.name)
        return SessionResult(notice=SessionNotice(kind="error", text=refusal.message, code=code), reader=None, row=row)
    detail = _("在借 %(n)d 本") % {"n": row.on_loan}
    if row.limit is not None:
        detail = _("在借 %(n)d 本，最多 %(limit)d 本") % {"n": row.on_loan, "limit": row.limit}
    if reader.school_class_id != school_class.pk:
        return SessionResult(
            notice=SessionNotice(
                kind="warn",
                text=_("%(name)s 不是本班学生（%(class)s），仍可借书")
                % {"name": reader.name, "class": reader.school_class},
                code="other_class",
                detail=detail,
            ),
            reader=reader,
            row=row,
        )
    return SessionResult(
        notice=SessionNotice(kind="ok", text=_("%(name)s：请扫描要借的书") % {"name": reader.name}, detail=detail),
        reader=reader,
        row=row,
    )


# The timetable and the weekly visits.


def week_of(day: dt.date) -> tuple[dt.date, dt.date]:
    monday = day - dt.timedelta(days=day.weekday())
    return monday, monday + dt.timedelta(days=6)


@dataclass(frozen=True)
class ClassWeek:
    school_class: SchoolClass
    slots: list[ClassSlot]
    visits: int

    @property
    def met(self) -> bool:
        return self.visits >= WEEKLY_TARGET


def classes_this_week(*, library: Library, day: dt.date) -> list[ClassWeek]:
    """Each class in school with its borrowing slots and its visits in the week of `day` (three queries)."""
    classes = list(SchoolClass.objects.filter(library=library, active=True).select_related("grade"))
    monday, sunday = week_of(day)
    visits = dict(
        ClassVisit.objects.filter(library=library, day__range=(monday, sunday))
        .values("school_class_id")
        .annotate(n=Count("pk"))
        .values_list("school_class_id", "n")
    )
    slots: dict[int, list[ClassSlot]] = {}
    for slot in ClassSlot.objects.filter(library=library).order_by("weekday", "starts_at"):
        slots.setdefault(slot.school_class_id, []).append(slot)
    return [ClassWeek(school_class=c, slots=slots.get(c.pk, []), visits=visits.get(c.pk, 0)) for c in classes]


def class_slots(library: Library) -> QuerySet[ClassSlot]:
    return ClassSlot.objects.filter(library=library).select_related("school_class__grade")


def class_slot_add(
    *, library: Library, school_class: SchoolClass, weekday: int, starts_at: dt.time, ends_at: dt.time
) -> ClassSlot:
    """Add a weekly borrowing time for a class; refused with a Chinese message when it makes no sense."""
    if school_class.library_id != library.pk:
        raise ValidationError(_("没有这个班级。"))
    if ends_at <= starts_at:
        raise ValidationError(_("结束时间要晚于开始时间。"))
    if ClassSlot.objects.filter(school_class=school_class, weekday=weekday, starts_at=starts_at).exists():
        raise ValidationError(_("这个班级在这个时间已经有借阅时间了。"))
    return ClassSlot.objects.create(
        library=library, school_class=school_class, weekday=weekday, starts_at=starts_at, ends_at=ends_at
    )
