"""The librarian's OPAC pages: reading lists, a reader's password from the reader page, a class's passwords."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.hashers import check_password
from django.urls import reverse

from xiaotu.accounts.models import AuditEvent, Role
from xiaotu.opac import services
from xiaotu.opac.models import ReadingList
from xiaotu.opac.tests.school import build_school
from xiaotu.readers.models import Reader
from xiaotu.testing.factories import GradeFactory, LibraryFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def school():
    return build_school()


@pytest.fixture
def staff_client(client, librarian):
    client.force_login(librarian)
    return client


def test_the_pages_are_for_librarians_only(client, school, student_librarian):
    pages = [reverse("opac:manage_lists"), reverse("opac:class_passwords")]
    for page in pages:
        assert client.get(page).status_code == 302
    client.force_login(student_librarian)
    for page in pages:
        assert client.get(page).status_code == 403
    assert (
        client.post(reverse("opac:reader_password", args=[school.pupil.pk]), {"action": "generate"}).status_code == 403
    )


def test_the_menu_links_to_the_lists(staff_client, school):
    assert reverse("opac:manage_lists") in staff_client.get(reverse("readers:reader_list")).content.decode()


def test_a_librarian_creates_a_list_and_adds_a_book_found_by_search(staff_client, school):
    grade = GradeFactory.create(library=school.library, number=3)

    created = staff_client.post(
        reverse("opac:manage_lists"),
        {"title": "三年级必读", "kind": "required", "grades": [grade.pk], "note": "", "published": "on"},
    )
    reading_list = ReadingList.objects.get()
    found = staff_client.get(reverse("opac:manage_list", args=[reading_list.pk]) + "?q=xyj")
    staff_client.post(reverse("opac:manage_list_add", args=[reading_list.pk]), {"record": school.xyj.pk, "q": "xyj"})

    assert created["Location"] == reverse("opac:manage_list", args=[reading_list.pk])
    assert [record.title for record in found.context["found"].records] == ["西游记"]
    assert [entry.record for entry in reading_list.entries.all()] == [school.xyj]
    assert list(reading_list.grades.all()) == [grade]


def test_a_list_without_a_title_is_sent_back_with_the_message(staff_client, school):
    response = staff_client.post(reverse("opac:manage_lists"), {"title": "", "kind": "required"})

    assert response.status_code == 400 and not ReadingList.objects.exists()


def test_entries_get_notes_and_are_removed(staff_client, school, librarian):
    reading_list = services.reading_list_create(
        library_id=school.library.pk, title="必读", kind="required", grades=[], by=librarian
    )
    entry = services.reading_list_add(reading_list=reading_list, record=school.xyj, by=librarian)
    entry_url = reverse("opac:manage_entry", args=[reading_list.pk, entry.pk])

    staff_client.post(entry_url, {"action": "note", "note": "四大名著之一"})
    entry.refresh_from_db()
    assert entry.note == "四大名著之一"
    staff_client.post(entry_url, {"action": "remove"})
    assert not reading_list.entries.exists()


def test_another_librarys_list_is_not_found(staff_client, school):
    elsewhere = LibraryFactory.create(code="elsewhere")
    theirs = services.reading_list_create(library_id=elsewhere.pk, title="别校", kind="required", grades=[], by=None)

    assert staff_client.get(reverse("opac:manage_list", args=[theirs.pk])).status_code == 404
    assert (
        staff_client.post(reverse("opac:manage_list_action", args=[theirs.pk]), {"action": "delete"}).status_code == 404
    )


def test_the_reader_page_offers_the_password_form(staff_client, school):
    page = staff_client.get(reverse("readers:reader_detail", args=[school.pupil.pk])).content.decode()

    assert reverse("opac:reader_password", args=[school.pupil.pk]) in page


def test_a_typed_password_is_set_from_the_reader_page(staff_client, school):
    staff_client.post(
        reverse("opac:reader_password", args=[school.pupil.pk]), {"action": "set", "password": "pupil-2026"}
    )

    assert check_password("pupil-2026", Reader.objects.get(pk=school.pupil.pk).password)


def test_a_generated_password_is_shown_once_and_works(staff_client, school):
    response = staff_client.post(
        reverse("opac:reader_password", args=[school.pupil.pk]), {"action": "generate"}, follow=True
    )

    shown = re.search(r"新密码是 (\d{6})", response.content.decode())
    assert shown and check_password(shown.group(1), Reader.objects.get(pk=school.pupil.pk).password)
    again = staff_client.get(reverse("readers:reader_detail", args=[school.pupil.pk])).content.decode()
    assert shown.group(1) not in again


def test_a_short_password_is_refused_and_nothing_changes(staff_client, school):
    before = school.pupil.password

    response = staff_client.post(
        reverse("opac:reader_password", args=[school.pupil.pk]), {"action": "set", "password": "12"}, follow=True
    )

    assert "密码至少 4 位" in response.content.decode()
    assert Reader.objects.get(pk=school.pupil.pk).password == before


def test_clearing_the_password_from_the_reader_page(staff_client, school):
    staff_client.post(reverse("opac:reader_password", args=[school.pupil.pk]), {"action": "clear"})

    assert Reader.objects.get(pk=school.pupil.pk).password == ""
    assert AuditEvent.objects.filter(action="reader.opac_password_clear").count() == 1


def test_a_reader_of_another_library_is_not_found(client, school):
    elsewhere = LibraryFactory.create(code="elsewhere")
    client.force_login(UserFactory.create(library=elsewhere, username="other-librarian", role=Role.LIBRARIAN))

    response = client.post(reverse("opac:reader_password", args=[school.pupil.pk]), {"action": "generate"})

    assert response.status_code == 404


def test_a_class_gets_its_initial_passwords(staff_client, school):
    school_class = school.pupil.school_class

    response = staff_client.post(reverse("opac:class_passwords"), {"school_class": school_class.pk, "overwrite": "on"})

    assert response.status_code == 200 and response.context["outcome"].set_count == 2
    pupil = Reader.objects.get(pk=school.pupil.pk)
    assert check_password(pupil.student_number[-6:], pupil.password)


def test_a_class_of_another_library_is_refused(client, school):
    elsewhere = LibraryFactory.create(code="elsewhere")
    client.force_login(UserFactory.create(library=elsewhere, username="other-librarian", role=Role.LIBRARIAN))

    response = client.post(reverse("opac:class_passwords"), {"school_class": school.pupil.school_class_id})

    assert response.status_code == 400


@pytest.mark.parametrize("record", ["", "abc", "99999999999999999999", "-1"])
def test_adding_a_book_that_is_not_there_says_so(staff_client, school, record):
    reading_list = services.reading_list_create(
        library_id=school.library.pk, title="必读", kind="required", grades=[], by=None
    )

    response = staff_client.post(
        reverse("opac:manage_list_add", args=[reading_list.pk]), {"record": record}, follow=True
    )

    assert "没有找到这本书" in response.content.decode() and not reading_list.entries.exists()
