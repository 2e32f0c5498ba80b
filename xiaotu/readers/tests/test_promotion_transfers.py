"""转入, 转出, 暂停, 恢复: pupils join and leave classes during the year; nobody leaves with books out."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from xiaotu.accounts.models import AuditEvent
from xiaotu.circulation.services import checkin
from xiaotu.readers.models import Reader, ReaderType
from xiaotu.readers.tests.year_school import lend
from xiaotu.readers.year import reader_change_status, reader_transfer_in, reader_transfer_out
from xiaotu.testing.factories import ReaderFactory, ReaderTypeFactory, SchoolClassFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def school_class(library):
    return SchoolClassFactory.create(grade__library=library)


@pytest.fixture
def pupil(library, rules, school_class):
    return ReaderFactory.create(
        library=library, name="王芳", card_barcode="S00041", student_number="20230041", school_class=school_class
    )


def test_a_new_pupil_transfers_in_with_the_next_card_number(library, rules, librarian, school_class, pupil):
    done = reader_transfer_in(
        library=library,
        school_class=school_class,
        name=" 刘 洋 ",
        reader_type=rules.reader_type,
        student_number="20230099",
        gender="m",
        by=librarian,
    )
    reader = Reader.objects.get(pk=done.reader.pk)
    assert not done.returned
    assert (reader.name, reader.card_barcode, reader.school_class, reader.status) == (
        "刘 洋",
        "S00042",
        school_class,
        Reader.Status.ACTIVE,
    )
    assert reader.name_initials.startswith("l")
    assert AuditEvent.objects.filter(object_id=reader.pk, action="reader.transfer_in").exists()


def test_a_typed_card_number_is_checked(library, rules, librarian, school_class, pupil):
    with pytest.raises(ValidationError, match="已被 王芳 使用"):
        reader_transfer_in(
            library=library,
            school_class=school_class,
            name="刘洋",
            reader_type=rules.reader_type,
            card_barcode="s00041",
            by=librarian,
        )
    assert Reader.objects.count() == 1


def test_a_pupil_who_left_comes_back_with_the_same_record(library, rules, librarian, school_class, pupil):
    reader_transfer_out(reader=pupil, by=librarian, on=dt.date(2026, 3, 1))
    other_class = SchoolClassFactory.create(grade__library=library, number=3)
    done = reader_transfer_in(
        library=library,
        school_class=other_class,
        name="王芳",
        reader_type=rules.reader_type,
        student_number="20230041",
        by=librarian,
    )
    pupil.refresh_from_db()
    assert done.returned and done.reader.pk == pupil.pk
    assert (pupil.status, pupil.left_on, pupil.school_class, pupil.card_barcode) == (
        Reader.Status.ACTIVE,
        None,
        other_class,
        "S00041",
    )


@pytest.mark.parametrize(
    ("name", "card", "left", "says"),
    [
        ("王芳", "", False, "已是在校读者 王芳"),
        ("王小芳", "", True, "姓名不一致"),
        ("王芳", "S00777", True, "原来的借书证号是 S00041"),
    ],
)
def test_a_student_number_already_known_is_checked(
    library, rules, librarian, school_class, pupil, name, card, left, says
):
    if left:
        reader_transfer_out(reader=pupil, by=librarian)
    with pytest.raises(ValidationError, match=says):
        reader_transfer_in(
            library=library,
            school_class=school_class,
            name=name,
            reader_type=rules.reader_type,
            student_number="20230041",
            card_barcode=card,
            by=librarian,
        )
    assert Reader.objects.count() == 1


def test_transfer_in_needs_an_active_class_and_a_pupil_type(library, rules, librarian, school_class):
    staff = ReaderTypeFactory.create(library=library, code="teacher", name="教师", kind=ReaderType.Kind.STAFF)
    with pytest.raises(ValidationError, match="学生类"):
        reader_transfer_in(library=library, school_class=school_class, name="A", reader_type=staff, by=librarian)
    school_class.active = False
    school_class.save()
    with pytest.raises(ValidationError, match="在校的班级"):
        reader_transfer_in(
            library=library, school_class=school_class, name="A", reader_type=rules.reader_type, by=librarian
        )
    with pytest.raises(ValidationError, match="请填写姓名"):
        reader_transfer_in(
            library=library, school_class=school_class, name=" ", reader_type=rules.reader_type, by=librarian
        )
    assert not Reader.objects.exists()


def test_transfer_out_is_refused_while_books_are_out(library, librarian, pupil):
    loan = lend(pupil, "西游记", by=librarian)
    with pytest.raises(ValidationError) as refused:
        reader_transfer_out(reader=pupil, by=librarian)
    message = refused.value.messages[0]
    assert "王芳 还有 1 本书未还" in message and "《西游记》" in message and loan.due_on.isoformat() in message
    assert Reader.objects.get(pk=pupil.pk).status == Reader.Status.ACTIVE

    checkin(item=loan.item, by=librarian)
    reader_transfer_out(reader=pupil, by=librarian, on=dt.date(2026, 4, 30))
    pupil.refresh_from_db()
    assert (pupil.status, pupil.left_on) == (Reader.Status.LEFT, dt.date(2026, 4, 30))
    event = AuditEvent.objects.get(action="reader.status", object_id=pupil.pk)
    assert event.data == {"from": "active", "to": "left", "left_on": "2026-04-30", "note": "transfer_out"}


def test_suspending_and_reactivating(library, librarian, pupil):
    reader_change_status(reader=pupil, status="suspended", by=librarian)
    assert Reader.objects.get(pk=pupil.pk).status == Reader.Status.SUSPENDED
    reader_change_status(reader=pupil, status="suspended", by=librarian)
    assert AuditEvent.objects.filter(action="reader.status").count() == 1
    Reader.objects.filter(pk=pupil.pk).update(status=Reader.Status.LEFT, left_on=dt.date(2026, 1, 1))
    reader_change_status(reader=pupil, status="active", by=librarian)
    pupil.refresh_from_db()
    assert (pupil.status, pupil.left_on) == (Reader.Status.ACTIVE, None)


def test_graduating_by_hand_waits_for_the_books_and_sets_the_day(library, librarian, pupil):
    lend(pupil, "草房子", by=librarian)
    with pytest.raises(ValidationError, match="草房子"):
        reader_change_status(reader=pupil, status="graduated", by=librarian)


def test_an_erased_reader_keeps_its_status(library, librarian, pupil):
    Reader.objects.filter(pk=pupil.pk).update(erased_at=timezone.now())
    with pytest.raises(ValidationError, match="个人信息已删除"):
        reader_change_status(reader=pupil, status="suspended", by=librarian)
    with pytest.raises(ValidationError, match="未知的读者状态"):
        reader_change_status(reader=pupil, status="expelled", by=librarian)
