"""班级借阅: a class session at the desk, the timetable, and visits per class per week."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from xiaotu.circulation.models import ClassSlot, ClassVisit, Loan
from xiaotu.circulation.sessions import class_visit_start, classes_this_week, session_pupils, session_scan
from xiaotu.readers.models import Reader
from xiaotu.testing.factories import GradeFactory, ItemFactory, ReaderFactory, SchoolClassFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def school_class(rules, library):
    return SchoolClassFactory.create(grade=GradeFactory.create(library=library), number=1)


def pupils(school_class, n: int) -> list[Reader]:
    return [ReaderFactory.create(school_class=school_class, student_number=f"S{i:03d}") for i in range(n)]


def test_a_card_chooses_the_pupil_and_a_book_is_lent_to_them(school_class, library, student_librarian):
    (pupil,) = pupils(school_class, 1)
    item = ItemFactory.create()
    chosen = session_scan(
        library=library, school_class=school_class, reader=None, text=pupil.card_barcode, by=student_librarian
    )
    assert chosen.reader == pupil and chosen.notice.kind == "ok"
    lent = session_scan(
        library=library, school_class=school_class, reader=chosen.reader, text=item.barcode, by=student_librarian
    )
    assert lent.notice.kind == "ok" and lent.row is not None and lent.row.on_loan == 1 and lent.row.lent_today == 1
    assert Loan.objects.get().reader == pupil


def test_a_book_before_any_card_is_refused(school_class, library, student_librarian):
    result = session_scan(
        library=library, school_class=school_class, reader=None, text=ItemFactory.create().barcode, by=student_librarian
    )
    assert result.notice.code == "no_reader" and not Loan.objects.exists()


def test_a_refusal_keeps_the_pupil_chosen(school_class, library, student_librarian):
    (pupil,) = pupils(school_class, 1)
    for _ in range(2):
        session_scan(
            library=library,
            school_class=school_class,
            reader=pupil,
            text=ItemFactory.create().barcode,
            by=student_librarian,
        )
    result = session_scan(
        library=library,
        school_class=school_class,
        reader=pupil,
        text=ItemFactory.create().barcode,
        by=student_librarian,
    )
    assert result.notice.code == "category_limit_reached" and result.reader == pupil
    assert Loan.objects.count() == 2


def test_a_pupil_of_another_class_is_served_with_a_warning(school_class, library, student_librarian):
    other = ReaderFactory.create(school_class=SchoolClassFactory.create(grade=school_class.grade, number=2))
    result = session_scan(
        library=library, school_class=school_class, reader=None, text=other.card_barcode, by=student_librarian
    )
    assert result.notice.code == "other_class" and result.reader == other


def test_an_unknown_code_says_so(school_class, library, student_librarian):
    result = session_scan(library=library, school_class=school_class, reader=None, text="XYZ999", by=student_librarian)
    assert result.notice.code == "not_found"


def test_the_pupils_are_listed_with_their_loans(school_class, library, student_librarian):
    first, second = pupils(school_class, 2)
    session_scan(
        library=library,
        school_class=school_class,
        reader=first,
        text=ItemFactory.create().barcode,
        by=student_librarian,
    )
    rows = session_pupils(school_class, today=timezone.localdate())
    assert [(row.reader, row.on_loan) for row in rows] == [(first, 1), (second, 0)]


def test_a_visit_counts_once_a_day_against_the_weekly_target(school_class, library, student_librarian):
    class_visit_start(school_class=school_class, by=student_librarian)
    class_visit_start(school_class=school_class, by=student_librarian)
    other = SchoolClassFactory.create(grade=school_class.grade, number=2)
    weeks = {w.school_class: w for w in classes_this_week(library=library, day=timezone.localdate())}
    assert weeks[school_class].visits == 1 and weeks[school_class].met
    assert weeks[other].visits == 0 and not weeks[other].met


def test_last_weeks_visit_does_not_count_this_week(school_class, library, student_librarian):
    class_visit_start(school_class=school_class, by=student_librarian, at=timezone.now() - dt.timedelta(days=7))
    (week,) = classes_this_week(library=library, day=timezone.localdate())
    assert week.visits == 0


def test_starting_a_session_from_the_class_list(client, school_class, student_librarian):
    client.force_login(student_librarian)
    assert school_class.name in client.get(reverse("circulation:classes")).content.decode()
    response = client.post(reverse("circulation:session_start", args=[school_class.pk]))
    assert response.status_code == 302 and ClassVisit.objects.filter(school_class=school_class).exists()
    assert school_class.name in client.get(response["Location"]).content.decode()


def test_a_scan_answers_with_the_notice_and_the_pupils_row(client, school_class, student_librarian):
    (pupil,) = pupils(school_class, 1)
    client.force_login(student_librarian)
    url = reverse("circulation:session_scan", args=[school_class.pk])
    answer = client.post(url, {"q": pupil.card_barcode, "reader": ""}).json()
    assert answer["reader"] == pupil.pk and answer["row_id"] == f"pupil-{pupil.pk}"
    answer = client.post(url, {"q": ItemFactory.create().barcode, "reader": pupil.pk}).json()
    assert "借《" in answer["notice"] and "今天借 1 本" in answer["row"]


def test_bad_input_in_a_session_is_a_clear_message(client, school_class, student_librarian):
    client.force_login(student_librarian)
    response = client.post(reverse("circulation:session_scan", args=[school_class.pk]), {"q": "x" * 500, "reader": ""})
    assert response.status_code == 400 and "输入太长" in response.json()["notice"]
    assert not Loan.objects.exists()


def test_the_timetable_adds_a_slot_and_refuses_a_backwards_one(client, school_class, librarian):
    client.force_login(librarian)
    url = reverse("circulation:timetable")
    form = {"school_class": school_class.pk, "weekday": 2, "starts_at": "14:30", "ends_at": "15:10"}
    assert client.post(url, form).status_code == 302
    backwards = client.post(url, {**form, "weekday": 3, "starts_at": "15:10", "ends_at": "14:30"})
    assert backwards.status_code == 400 and "结束时间要晚于开始时间" in backwards.content.decode()
    assert ClassSlot.objects.count() == 1


def test_todays_classes_come_first(client, school_class, library, student_librarian):
    today = timezone.localdate().isoweekday()
    ClassSlot.objects.create(
        library=library, school_class=school_class, weekday=today, starts_at=dt.time(9), ends_at=dt.time(9, 40)
    )
    client.force_login(student_librarian)
    page = client.get(reverse("circulation:classes")).content.decode()
    assert "今天的班级" in page


def test_a_student_librarian_may_not_edit_the_timetable(client, school_class, student_librarian):
    client.force_login(student_librarian)
    assert client.get(reverse("circulation:timetable")).status_code == 403
