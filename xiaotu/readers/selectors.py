"""Reads for the reader lists of the API and pages: who matches, and how many books each has out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Case, Count, F, Q, QuerySet, Value, When

from xiaotu.accounts.models import Role, User
from xiaotu.accounts.permissions import DESK, LIBRARY_WORK
from xiaotu.barcodes import clean_barcode
from xiaotu.circulation.models import Loan
from xiaotu.readers.models import Grade, Reader, ReaderType, RetiredCard, SchoolClass
from xiaotu.schools.models import Library


@dataclass(frozen=True)
class LoanCounts:
    open: int = 0
    overdue: int = 0


def reader_list(*, readers: QuerySet[Reader], q: str = "", limit: int = 20) -> list[Reader]:
    """Of `readers`, those matching what was typed (see reader_match), or the first in 拼音 order when nothing was."""
    if q.strip():
        readers = readers.filter(reader_match(q))
    return list(readers.select_related("reader_type", "school_class").order_by("name_pinyin", "pk")[:limit])


def readers_for_api(*, user: User, library: Library) -> QuerySet[Reader]:
    """The readers an API caller may look at: the desk's roles every reader (lending needs it), else as on the
    reader pages — a 教师 only their own classes' pupils."""
    if user.library_id == library.pk and user.has_role(*DESK):
        return Reader.objects.filter(library=library)
    return readers_visible_to(user=user, library=library)


def loan_counts(*, readers: Sequence[Reader], today: dt.date) -> dict[int, LoanCounts]:
    """Open and overdue loans per reader id, for a whole page of readers in one query."""
    rows = (
        Loan.objects.filter(reader__in=[r.pk for r in readers], returned_at__isnull=True)
        .values("reader_id")
        .annotate(open=Count("pk"), overdue=Count("pk", filter=Q(due_on__lt=today)))
        .order_by()
    )
    return {row["reader_id"]: LoanCounts(open=row["open"], overdue=row["overdue"]) for row in rows}


# -- 读者名单: who may see whom, finding readers, a reader's record ---------------------------------------------------

LIST_STATUSES = (Reader.Status.ACTIVE, Reader.Status.SUSPENDED)


def readers_visible_to(*, user: User, library: Library) -> QuerySet[Reader]:
    """The readers a member of staff may look at: 管理员/馆员 every reader of their library, a 教师 only the pupils of
    the classes they are 班主任 of, anyone else (学生馆员 outside the desk) none. Pupils are minors: every reader page
    and the reader search start from here."""
    readers = Reader.objects.filter(library=library)
    if user.library_id != library.pk:
        return readers.none()
    if user.has_role(*LIBRARY_WORK):
        return readers
    if user.has_role(Role.TEACHER):
        return readers.filter(school_class__teacher=user)
    return readers.none()


def classes_visible_to(*, user: User, library: Library) -> QuerySet[SchoolClass]:
    """The classes offered in the reader list's filter: all of them for library staff, a teacher's own for a teacher."""
    classes = SchoolClass.objects.filter(library=library).select_related("grade")
    if user.library_id != library.pk:
        return classes.none()
    if user.has_role(*LIBRARY_WORK):
        return classes.order_by("-active", "grade__number", "number", "pk")
    if user.has_role(Role.TEACHER):
        return classes.filter(teacher=user).order_by("-active", "grade__number", "number", "pk")
    return classes.none()


def reader_match(q: str) -> Q:
    """What a typed text finds, as the desk's reader_search: card, 学号 or 学籍号 exactly, 拼音 initials or full 拼音
    from the start ("zxm", "zhangxiao"), or any part of the name."""
    q = q.strip()[:50]
    lowered = q.lower().replace(" ", "")
    match = Q(card_barcode=clean_barcode(q)) | Q(student_number=q) | Q(student_id=q) | Q(name__contains=q)
    if lowered.isascii() and lowered.isalpha():
        match |= Q(name_initials__startswith=lowered) | Q(name_pinyin__startswith=lowered)
    return match


def reader_rows(
    readers: QuerySet[Reader],
    *,
    q: str = "",
    school_class: SchoolClass | None = None,
    grade: Grade | None = None,
    reader_type: ReaderType | None = None,
    status: str = "",
) -> QuerySet[Reader]:
    """读者名单 — ``readers`` (see readers_visible_to) narrowed by a search and the filters: readers in school
    first, class by class in 学号 order (staff, who have no class, after the pupils), then those who left; ready to
    be paged."""
    rows = readers.select_related("reader_type", "school_class", "school_class__grade")
    if q.strip():
        rows = rows.filter(reader_match(q))
    if school_class is not None:
        rows = rows.filter(school_class=school_class)
    if grade is not None:
        rows = rows.filter(school_class__grade=grade)
    if reader_type is not None:
        rows = rows.filter(reader_type=reader_type)
    if status:
        rows = rows.filter(status=status)
    in_school = Case(When(status__in=LIST_STATUSES, then=Value(0)), default=Value(1))
    return rows.order_by(
        in_school,
        F("school_class__grade__number").asc(nulls_last=True),
        F("school_class__number").asc(nulls_last=True),
        "student_number",
        "name_pinyin",
        "pk",
    )


def reader_choices(*, readers: QuerySet[Reader], q: str, limit: int = 12) -> list[Reader]:
    """The few readers an autocomplete offers for what was typed: pupils in school before those who left."""
    if not q.strip():
        return []
    in_school = Case(When(status__in=LIST_STATUSES, then=Value(0)), default=Value(1))
    return list(
        readers.filter(reader_match(q))
        .select_related("reader_type", "school_class")
        .order_by(in_school, "name_pinyin", "pk")[:limit]
    )


def loan_history(reader: Reader) -> QuerySet[Loan]:
    """借阅历史 — every loan of the reader, the newest first."""
    return Loan.objects.filter(reader=reader).select_related("item__record").order_by("-issued_at", "-pk")


def retired_cards(reader: Reader) -> QuerySet[RetiredCard]:
    return RetiredCard.objects.filter(reader=reader).select_related("retired_by").order_by("-retired_at", "-pk")


def readers_for_cards(
    *, library: Library, classes: Sequence[SchoolClass] = (), ids: Sequence[int] = ()
) -> list[Reader]:
    """The readers whose cards are printed: the pupils in school of the chosen classes, and the chosen readers
    (whatever their status, but never one whose personal data was erased), class by class in 学号 order."""
    wanted = Q(school_class__in=list(classes), status__in=LIST_STATUSES) if classes else Q(pk__in=[])
    readers: dict[int, Reader] = {}
    chosen = sorted(set(ids))
    for start in range(0, max(len(chosen), 1), 900):
        found = Reader.objects.filter(library=library, erased_at__isnull=True).filter(
            wanted | Q(pk__in=chosen[start : start + 900])
        )
        for reader in found.select_related("reader_type", "school_class", "school_class__grade"):
            readers[reader.pk] = reader
    return sorted(
        readers.values(),
        key=lambda r: (
            r.school_class is None,
            r.school_class.grade.number if r.school_class else 0,
            r.school_class.number if r.school_class else 0,
            r.student_number,
            r.name_pinyin,
            r.pk,
        ),
    )


def classes_for_cards(*, library: Library) -> list[tuple[Grade, list[SchoolClass]]]:
    """The classes in school, grade by grade, each with ``pupils``: how many cards printing the class makes."""
    in_school = Q(readers__status__in=LIST_STATUSES, readers__erased_at__isnull=True)
    classes = (
        SchoolClass.objects.filter(library=library, active=True)
        .select_related("grade")
        .annotate(pupils=Count("readers", filter=in_school))
        .order_by("grade__number", "number", "pk")
    )
    grades: dict[int, tuple[Grade, list[SchoolClass]]] = {}
    for school_class in classes:
        grades.setdefault(school_class.grade_id, (school_class.grade, []))[1].append(school_class)
    return list(grades.values())
