"""A whole school for the school-year tests: grades, classes of pupils with cards S00001…, books and loans."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils import timezone

from xiaotu.accounts.models import User
from xiaotu.catalogue.models import Item
from xiaotu.circulation.models import Loan
from xiaotu.circulation.services import checkout
from xiaotu.pinyin import name_initials, name_pinyin
from xiaotu.readers.models import Grade, Reader, ReaderType, SchoolClass
from xiaotu.readers.structure import default_grade_names
from xiaotu.schools.models import Library
from xiaotu.testing.factories import ItemFactory, RecordFactory

SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜"
GIVEN = ["子涵", "欣怡", "浩然", "梓萱", "宇轩", "诗涵", "俊杰", "雨桐", "子轩", "佳怡"]


@dataclass
class School:
    library: Library
    student: ReaderType
    grades: dict[int, Grade]
    classes: dict[tuple[int, int], SchoolClass]
    pupils: dict[tuple[int, int], list[Reader]]
    loans: list[Loan] = field(default_factory=list)


def build_school(
    *,
    library: Library,
    student: ReaderType,
    grade_numbers: Iterable[int] = range(1, 7),
    classes_per_grade: int = 5,
    pupils_per_class: int = 3,
) -> School:
    """Grades named for the library's level, classes 一年级(1)班…, pupils numbered S00001… in class order."""
    names = {**default_grade_names(Library.Level.NINE_YEAR), **default_grade_names(Library.Level.COMPLETE)}
    grades = {n: Grade.objects.create(library=library, number=n, name=names[n]) for n in grade_numbers}
    classes = {
        (n, c): SchoolClass.objects.create(library=library, grade=g, number=c, name=f"{g.name}({c})班")
        for n, g in grades.items()
        for c in range(1, classes_per_grade + 1)
    }
    pupils: dict[tuple[int, int], list[Reader]] = {}
    seq = 0
    rows = []
    for key, school_class in classes.items():
        for seat in range(1, pupils_per_class + 1):
            seq += 1
            name = SURNAMES[seq % len(SURNAMES)] + GIVEN[seq % len(GIVEN)]
            rows.append(
                Reader(
                    library=library,
                    card_barcode=f"S{seq:05d}",
                    name=name,
                    name_pinyin=name_pinyin(name),
                    name_initials=name_initials(name),
                    reader_type=student,
                    school_class=school_class,
                    student_number=f"20{key[0]:02d}{key[1]:02d}{seat:02d}",
                )
            )
    for reader in Reader.objects.bulk_create(rows):
        assert reader.school_class is not None
        key = (reader.school_class.grade.number, reader.school_class.number)
        pupils.setdefault(key, []).append(reader)
    return School(library=library, student=student, grades=grades, classes=classes, pupils=pupils)


def lend(reader: Reader, title: str, *, by: User | None, days_ago: int = 0, barcode: str | None = None) -> Loan:
    """Lend a new copy of `title` to the reader, as if at the desk `days_ago` days ago."""
    extra = {"barcode": barcode} if barcode else {}
    item: Item = ItemFactory.create(
        library=reader.library, record=RecordFactory.create(library=reader.library, title=title), **extra
    )
    return checkout(reader=reader, item=item, by=by, at=timezone.now() - dt.timedelta(days=days_ago))
