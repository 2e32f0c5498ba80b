"""阅览室签到: pupils scan their card at the door; visits per pupil, class and week."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from xiaotu.circulation.models import RoomVisit
from xiaotu.circulation.visits import room_visit_record, visits_by_class, visits_by_pupil
from xiaotu.readers.models import Reader
from xiaotu.testing.factories import GradeFactory, ReaderFactory, SchoolClassFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def school_class(rules, library):
    return SchoolClassFactory.create(grade=GradeFactory.create(library=library), number=1)


def test_a_scan_records_a_visit_and_welcomes_the_pupil(school_class, library):
    pupil = ReaderFactory.create(name="张小明", school_class=school_class)
    answer = room_visit_record(library=library, card=f" {pupil.card_barcode.lower()}\n")
    assert answer.kind == "ok" and "张小明" in answer.text and answer.visits_this_week == 1
    visit = RoomVisit.objects.get()
    assert visit.reader == pupil and visit.school_class == school_class


def test_a_second_scan_soon_after_is_the_same_visit(school_class, library):
    pupil = ReaderFactory.create(school_class=school_class)
    now = timezone.now()
    room_visit_record(library=library, card=pupil.card_barcode, at=now)
    answer = room_visit_record(library=library, card=pupil.card_barcode, at=now + dt.timedelta(minutes=5))
    assert answer.kind == "again" and RoomVisit.objects.count() == 1


def test_a_visit_later_in_the_week_counts_again(school_class, library):
    pupil = ReaderFactory.create(school_class=school_class)
    monday = timezone.make_aware(dt.datetime(2026, 11, 23, 10, 0))
    room_visit_record(library=library, card=pupil.card_barcode, at=monday)
    answer = room_visit_record(library=library, card=pupil.card_barcode, at=monday + dt.timedelta(days=2))
    assert answer.kind == "ok" and answer.visits_this_week == 2


def test_an_unknown_card_records_nothing(school_class, library):
    answer = room_visit_record(library=library, card="NO-SUCH")
    assert answer.kind == "error" and not RoomVisit.objects.exists()


def test_a_suspended_card_records_nothing(school_class, library):
    pupil = ReaderFactory.create(school_class=school_class, status=Reader.Status.SUSPENDED)
    assert room_visit_record(library=library, card=pupil.card_barcode).kind == "error"
    assert not RoomVisit.objects.exists()


def test_visits_are_counted_per_class_and_pupil_for_the_week(school_class, library):
    came, stayed_away = ReaderFactory.create(school_class=school_class), ReaderFactory.create(school_class=school_class)
    monday = timezone.make_aware(dt.datetime(2026, 11, 23, 10, 0))
    room_visit_record(library=library, card=came.card_barcode, at=monday)
    room_visit_record(library=library, card=came.card_barcode, at=monday + dt.timedelta(days=1))
    room_visit_record(library=library, card=came.card_barcode, at=monday - dt.timedelta(days=3))  # last week
    (row,) = visits_by_class(library=library, day=monday.date())
    assert (row.pupils, row.visited, row.visits, row.all_came) == (2, 1, 2, False)
    assert visits_by_pupil(school_class=school_class, day=monday.date()) == [(stayed_away, 0), (came, 2)]


def test_the_kiosk_page_answers_a_scan(client, school_class, student_librarian):
    pupil = ReaderFactory.create(name="王芳", school_class=school_class)
    client.force_login(student_librarian)
    page = client.post(reverse("circulation:kiosk"), {"card": pupil.card_barcode}).content.decode()
    assert "欢迎，王芳！" in page and 'data-kind="ok"' in page


def test_the_kiosk_page_refuses_junk_clearly(client, school_class, student_librarian):
    client.force_login(student_librarian)
    page = client.post(reverse("circulation:kiosk"), {"card": "\x00" * 500}).content.decode()
    assert 'data-kind="error"' in page and not RoomVisit.objects.exists()


def test_the_statistics_page_lists_classes_and_a_classes_pupils(client, school_class, librarian):
    pupil = ReaderFactory.create(name="李华", school_class=school_class)
    room_visit_record(library=school_class.library, card=pupil.card_barcode)
    client.force_login(librarian)
    page = client.get(reverse("circulation:room_visits"), {"class": school_class.pk}).content.decode()
    assert school_class.name in page and "李华" in page
    response = client.get(reverse("circulation:room_visits"), {"week": "not-a-date"})
    assert response.status_code == 200 and "日期格式不正确" in response.content.decode()
