"""The demo school's 花名册: grades, classes of about 45 pupils, teachers and other staff, each with a library card."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from xiaotu.demo.people import Namer, name_pinyin
from xiaotu.demo.school import School
from xiaotu.readers.models import Grade, Reader, SchoolClass
from xiaotu.schools.models import Library

GRADE_NAMES = {
    1: "一年级", 2: "二年级", 3: "三年级", 4: "四年级", 5: "五年级", 6: "六年级",
    7: "七年级", 8: "八年级", 9: "九年级",
}  # fmt: skip
GRADES = {Library.Level.PRIMARY: range(1, 7), Library.Level.JUNIOR: range(7, 10)}
CLASS_SIZE = 45
# The default school: 24 classes of 45 pupils, 80 teachers and 10 other staff.
DEFAULT_READERS = 24 * CLASS_SIZE + 80 + 10
TEACHER_SHARE = 80 / DEFAULT_READERS
STAFF_SHARE = 10 / DEFAULT_READERS
BATCH_SIZE = 2000


@dataclass(frozen=True)
class RosterSize:
    students: int
    teachers: int
    staff: int
    classes_per_grade: int

    @classmethod
    def for_readers(cls, readers: int, grades: int) -> RosterSize:
        """Split a number of readers as a school is split: mostly pupils, in classes of about 45."""
        teachers = max(1, round(readers * TEACHER_SHARE))
        staff = max(1, round(readers * STAFF_SHARE))
        students = max(grades, readers - teachers - staff)
        return cls(students, teachers, staff, max(1, round(students / grades / CLASS_SIZE)))


@dataclass(frozen=True)
class ReaderRow:
    """What the loan history needs to know of a reader."""

    id: int
    type_code: str
    grade: int | None


@dataclass
class Roster:
    readers: list[ReaderRow]
    classes: int
    # The class the demo teacher login is class teacher of, and a pupil who works as student librarian.
    teacher_class: SchoolClass
    teacher_name: str
    student_librarian_name: str


def create_roster(*, school: School, size: RosterSize, rng: random.Random, today: dt.date) -> Roster:
    library = school.library
    namer = Namer(rng)
    school_year = today.year if today.month >= 8 else today.year - 1
    numbers = GRADES[Library.Level(library.level)]
    grades = Grade.objects.bulk_create(Grade(library=library, number=n, name=GRADE_NAMES[n]) for n in numbers)
    classes = SchoolClass.objects.bulk_create(
        SchoolClass(library=library, grade=grade, number=n, name=f"{grade.name}({n})班")
        for grade in grades
        for n in range(1, size.classes_per_grade + 1)
    )
    card_width = max(5, len(str(size.students)))
    seat_width = max(2, len(str(size.students // len(classes) + 1)))
    class_width = max(2, len(str(size.classes_per_grade)))
    readers: list[Reader] = []
    types = school.reader_types

    def add(card: str, name: str, gender: str, type_code: str, school_class: SchoolClass | None, number: str) -> None:
        pinyin, initials = name_pinyin(name)
        readers.append(
            Reader(
                library=library,
                card_barcode=card,
                name=name,
                name_pinyin=pinyin,
                name_initials=initials,
                gender=gender,
                reader_type=types[type_code],
                school_class=school_class,
                student_number=number,
            )
        )

    # 学号: year of entry, class and seat, e.g. 2024030215 for seat 15 of class 3 of the pupils who entered in 2024.
    for index, school_class in enumerate(classes):
        in_class = size.students // len(classes) + (1 if index < size.students % len(classes) else 0)
        entry_year = school_year - (school_class.grade.number - numbers[0])
        for seat in range(1, in_class + 1):
            gender = "m" if rng.random() < 0.52 else "f"
            number = f"{entry_year}{school_class.number:0{class_width}d}{seat:0{seat_width}d}"
            add(f"S{len(readers) + 1:0{card_width}d}", namer.child(gender), gender, "student", school_class, number)
    students = len(readers)
    # Primary teachers are mostly women; cards T0001…, other staff (职工) Z0001….
    for n in range(1, size.teachers + 1):
        gender = "f" if rng.random() < 0.7 else "m"
        add(f"T{n:04d}", namer.adult(gender), gender, "teacher", None, "")
    for n in range(1, size.staff + 1):
        gender = rng.choice("mf")
        add(f"Z{n:04d}", namer.adult(gender), gender, "staff", None, "")

    created: list[Reader] = []
    for start in range(0, len(readers), BATCH_SIZE):
        created.extend(Reader.objects.bulk_create(readers[start : start + BATCH_SIZE]))
    grade_of = {c.pk: c.grade.number for c in classes}
    rows = [
        ReaderRow(r.pk, r.reader_type.code, grade_of[r.school_class.pk] if r.school_class else None) for r in created
    ]
    # The demo teacher has 三年级(2)班 (八年级(2)班 in a junior school); the student librarian is in the grade
    # below the top one, old enough for the desk and not yet busy with graduation.
    middle = grades[2 if len(grades) > 3 else 1]
    teacher_class = [c for c in classes if c.grade == middle][min(1, size.classes_per_grade - 1)]
    senior = grades[-2]
    librarian_pupil = next(r for r in created[:students] if r.school_class and r.school_class.grade == senior)
    return Roster(rows, len(classes), teacher_class, created[students].name, librarian_pupil.name)
