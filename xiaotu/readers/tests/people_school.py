"""A small school for the reader pages' tests: two classes (one is 赵老师's), a member of staff, every role."""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image

from xiaotu.accounts.models import Role, User
from xiaotu.readers.models import Grade, Reader, ReaderType, SchoolClass
from xiaotu.schools.models import Library
from xiaotu.testing.factories import (
    GradeFactory,
    ReaderFactory,
    ReaderTypeFactory,
    SchoolClassFactory,
    UserFactory,
)


@dataclass
class School:
    library: Library
    admin: User
    librarian: User
    student_librarian: User
    teacher: User
    pupil_type: ReaderType
    staff_type: ReaderType
    grade: Grade
    mine: SchoolClass  # 三年级(2)班, 赵老师's
    other: SchoolClass  # 三年级(1)班
    zhang: Reader  # 张小明, 三年级(2)班
    li: Reader  # 李华, 三年级(1)班
    teacher_reader: Reader  # 王老师, staff, no class


def build_school(library: Library) -> School:
    pupil = ReaderTypeFactory.create(library=library)
    staff = ReaderTypeFactory.create(library=library, code="staff", name="教师", kind=ReaderType.Kind.STAFF)
    teacher = UserFactory.create(library=library, username="zhao", role=Role.TEACHER, display_name="赵老师")
    grade = GradeFactory.create(library=library)
    mine = SchoolClassFactory.create(grade=grade, number=2, teacher=teacher)
    other = SchoolClassFactory.create(grade=grade, number=1)
    return School(
        library=library,
        admin=UserFactory.create(library=library, username="boss", role=Role.ADMIN),
        librarian=UserFactory.create(library=library, username="librarian", role=Role.LIBRARIAN),
        student_librarian=UserFactory.create(library=library, username="xiaoguan", role=Role.STUDENT_LIBRARIAN),
        teacher=teacher,
        pupil_type=pupil,
        staff_type=staff,
        grade=grade,
        mine=mine,
        other=other,
        zhang=ReaderFactory.create(
            library=library,
            name="张小明",
            card_barcode="R000101",
            student_number="20230201",
            student_id="G110108201501010011",
            gender="m",
            school_class=mine,
            reader_type=pupil,
        ),
        li=ReaderFactory.create(
            library=library,
            name="李华",
            card_barcode="R000102",
            student_number="20230101",
            gender="f",
            school_class=other,
            reader_type=pupil,
        ),
        teacher_reader=ReaderFactory.create(
            library=library,
            name="王老师",
            card_barcode="T000001",
            student_number="",
            school_class=None,
            reader_type=staff,
        ),
    )


def picture(fmt: str = "PNG", size: tuple[int, int] = (240, 320)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "#88aacc").save(out, format=fmt)
    return out.getvalue()
