"""超期通知 and 期末归还 — a library's loans grouped by class, for each class teacher; staff readers last."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from xiaotu.accounts.models import User
from xiaotu.circulation.models import Loan
from xiaotu.readers.models import SchoolClass
from xiaotu.schools.models import Library


@dataclass(frozen=True)
class OverdueRow:
    reader: str
    student_number: str
    title: str
    barcode: str
    due_on: dt.date
    days: int


@dataclass(frozen=True)
class ClassOverdue:
    """One class's slip: its teacher and each overdue book; `school_class` is None for readers without a class."""

    school_class: SchoolClass | None
    rows: list[OverdueRow]

    @property
    def name(self) -> str:
        return self.school_class.name if self.school_class else _("教职工及其他读者")

    @property
    def teacher(self) -> User | None:
        return self.school_class.teacher if self.school_class else None

    @property
    def readers(self) -> int:
        return len({(row.reader, row.student_number) for row in self.rows})


def overdue_by_class(*, library: Library, today: dt.date) -> list[ClassOverdue]:
    """Every open loan due before today, in one query, grouped by class in grade and class order."""
    return _by_class(Loan.objects.filter(library=library, returned_at__isnull=True, due_on__lt=today), today=today)


def out_by_class(*, library: Library, today: dt.date) -> list[ClassOverdue]:
    """期末归还 — every book still out, late or not, grouped by class: the list to clear before the holidays."""
    return _by_class(Loan.objects.filter(library=library, returned_at__isnull=True), today=today)


def _by_class(loans: QuerySet[Loan], *, today: dt.date) -> list[ClassOverdue]:
    loans = loans.select_related(
        "item__record", "reader__school_class__grade", "reader__school_class__teacher"
    ).order_by("reader__school_class__grade__number", "reader__school_class__number", "reader__name_pinyin", "due_on")
    groups: dict[int | None, ClassOverdue] = {}
    for loan in loans:
        reader = loan.reader
        key = reader.school_class_id
        if key not in groups:
            groups[key] = ClassOverdue(school_class=reader.school_class, rows=[])
        groups[key].rows.append(
            OverdueRow(
                reader=reader.name,
                student_number=reader.student_number,
                title=loan.item.record.title,
                barcode=loan.item.barcode,
                due_on=loan.due_on,
                days=max(0, (today - loan.due_on).days),
            )
        )
    # Readers without a class (staff) sort first in the query (NULL grade); their slip goes last.
    return sorted(groups.values(), key=lambda group: group.school_class is None)


def slip_text(group: ClassOverdue, *, library: Library, today: dt.date) -> str:
    """One class's slip as plain text: the body of its e-mail and its part of the chat message."""
    lines = [
        _("%(library)s 超期未还图书通知（%(date)s）") % {"library": library.name, "date": today.isoformat()},
        _("%(class)s：%(readers)d 人，%(books)d 本")
        % {"class": group.name, "readers": group.readers, "books": len(group.rows)},
    ]
    lines += [
        _("%(reader)s《%(title)s》应还 %(due)s，逾期 %(days)d 天")
        % {"reader": row.reader, "title": row.title, "due": row.due_on.isoformat(), "days": row.days}
        for row in group.rows
    ]
    lines.append(_("请提醒学生尽快还书。"))
    return "\n".join(lines)
