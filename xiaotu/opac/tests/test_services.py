"""OPAC passwords (one reader, a class) and reading lists: each change checked, written and audited."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import check_password

from xiaotu.accounts.models import AuditEvent
from xiaotu.opac import services
from xiaotu.opac.models import ReadingList
from xiaotu.opac.services import OpacRefused
from xiaotu.opac.tests.school import book, build_school
from xiaotu.readers.models import Reader
from xiaotu.testing.factories import GradeFactory, LibraryFactory, ReaderFactory, RecordFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def school():
    return build_school()


def test_setting_a_password_stores_only_its_hash_and_audits_it(school, librarian):
    services.reader_password_set(reader=school.pupil, password="mima2026", by=librarian)

    stored = Reader.objects.get(pk=school.pupil.pk).password
    assert stored != "mima2026" and check_password("mima2026", stored)
    event = AuditEvent.objects.get(action="reader.opac_password_set", object_id=school.pupil.pk)
    assert event.actor == librarian and "mima2026" not in str(event.data)


@pytest.mark.parametrize("password", ["123", " 123456", "12 34\x00", "x" * 65])
def test_a_password_too_short_long_or_with_spaces_is_refused_and_nothing_changes(school, librarian, password):
    before = school.pupil.password

    with pytest.raises(OpacRefused):
        services.reader_password_set(reader=school.pupil, password=password, by=librarian)

    assert Reader.objects.get(pk=school.pupil.pk).password == before
    assert not AuditEvent.objects.filter(action="reader.opac_password_set").exists()


def test_clearing_the_password_stops_sign_in(school, librarian):
    services.reader_password_clear(reader=school.pupil, by=librarian)

    assert Reader.objects.get(pk=school.pupil.pk).password == ""
    assert AuditEvent.objects.filter(action="reader.opac_password_clear", object_id=school.pupil.pk).exists()


def test_random_passwords_are_six_digits():
    password = services.random_password()

    assert len(password) == 6 and password.isdigit()


def test_class_passwords_are_the_last_six_of_the_student_number(school, librarian):
    """Given a class with a pupil without a password, one with a password, one without 学号 and one who left."""
    school_class = school.pupil.school_class
    fresh = ReaderFactory.create(library=school.library, school_class=school_class, student_number="20230123456")
    nameless = ReaderFactory.create(library=school.library, school_class=school_class, student_number="")
    gone = ReaderFactory.create(
        library=school.library, school_class=school_class, student_number="20239999", status=Reader.Status.LEFT
    )

    outcome = services.class_passwords_from_student_numbers(school_class=school_class, by=librarian)

    assert check_password("123456", Reader.objects.get(pk=fresh.pk).password)
    assert outcome.set_count == 1
    assert set(outcome.kept) == {school.pupil, school.other}
    assert outcome.without_number == [nameless]
    assert Reader.objects.get(pk=gone.pk).password == ""
    assert AuditEvent.objects.filter(action="reader.opac_password_set", object_id=fresh.pk).count() == 1


def test_class_passwords_overwrite_existing_ones_when_asked(school, librarian):
    school_class = school.pupil.school_class

    outcome = services.class_passwords_from_student_numbers(school_class=school_class, by=librarian, overwrite=True)

    assert outcome.set_count == 2 and outcome.kept == []
    pupil = Reader.objects.get(pk=school.pupil.pk)
    assert check_password(pupil.student_number[-6:], pupil.password)


def test_a_reading_list_keeps_its_books_in_the_order_given(school, librarian):
    grade = GradeFactory.create(library=school.library, number=3)
    reading_list = services.reading_list_create(
        library_id=school.library.pk, title="三年级必读", kind="required", grades=[grade], by=librarian
    )
    third = book(school.library, school.lending, title="小王子", call_number="I565.88/1")

    for record in (school.xyj, school.cfz, third):
        services.reading_list_add(reading_list=reading_list, record=record, by=librarian)
    last = reading_list.entries.get(record=third)
    services.reading_list_move(entry=last, up=True, by=librarian)

    assert [e.record.title for e in reading_list.entries.order_by("position")] == ["西游记", "小王子", "草房子"]
    assert list(reading_list.grades.all()) == [grade]
    assert AuditEvent.objects.filter(object_type="readinglist", object_id=reading_list.pk).count() == 5


def test_a_book_cannot_be_on_a_list_twice(school, librarian):
    reading_list = services.reading_list_create(
        library_id=school.library.pk, title="选读", kind="optional", grades=[], by=librarian
    )
    services.reading_list_add(reading_list=reading_list, record=school.xyj, by=librarian)

    with pytest.raises(OpacRefused):
        services.reading_list_add(reading_list=reading_list, record=school.xyj, by=librarian)

    assert reading_list.entries.count() == 1


def test_a_book_of_another_library_cannot_be_added(school, librarian):
    reading_list = services.reading_list_create(
        library_id=school.library.pk, title="选读", kind="optional", grades=[], by=librarian
    )
    foreign = RecordFactory.create(library=LibraryFactory.create(code="elsewhere"))

    with pytest.raises(OpacRefused):
        services.reading_list_add(reading_list=reading_list, record=foreign, by=librarian)


def test_a_list_without_a_title_or_with_another_librarys_grade_is_refused(school, librarian):
    foreign_grade = GradeFactory.create(library=LibraryFactory.create(code="elsewhere"), number=4)

    with pytest.raises(OpacRefused):
        services.reading_list_create(library_id=school.library.pk, title="  ", kind="required", grades=[], by=None)
    with pytest.raises(OpacRefused):
        services.reading_list_create(
            library_id=school.library.pk, title="四年级", kind="required", grades=[foreign_grade], by=None
        )

    assert not ReadingList.objects.exists()


def test_deleting_a_list_keeps_its_books(school, librarian):
    reading_list = services.reading_list_create(
        library_id=school.library.pk, title="选读", kind="optional", grades=[], by=librarian
    )
    services.reading_list_add(reading_list=reading_list, record=school.xyj, by=librarian)

    services.reading_list_delete(reading_list=reading_list, by=librarian)

    assert not ReadingList.objects.exists()
    school.xyj.refresh_from_db()
    assert AuditEvent.objects.filter(action="reading_list.delete").exists()
