"""`xiaotu demo`: a small demo school is complete, consistent, idempotent, and usable at the desk."""

from __future__ import annotations

import datetime as dt
import random
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count, F, Q
from django.test import Client
from django.utils import timezone
from stdnum import isbn

from xiaotu.accounts.models import User
from xiaotu.catalogue.models import Item, Record
from xiaotu.circulation.models import Loan
from xiaotu.circulation.services import checkout
from xiaotu.demo.collection import isbn13, parse_responsibility, plan_titles, responsibility
from xiaotu.demo.roster import DEFAULT_READERS, RosterSize
from xiaotu.demo.terms import autumn_term, holidays, school_year_terms
from xiaotu.ops.welcome import DEMO_LOGINS, DEMO_PASSWORD
from xiaotu.pinyin import name_initials, name_pinyin
from xiaotu.readers.models import Reader, SchoolClass
from xiaotu.schools.models import Library

SMALL = {"items": 300, "readers": 60, "history": 500}


def run_demo(**options: object) -> str:
    out = StringIO()
    call_command("demo", stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def demo(db) -> str:
    return run_demo(**SMALL)


def test_builds_the_asked_size(demo):
    """Given --items 300 --readers 60 --history 500, the library has exactly that many copies and readers."""
    library = Library.objects.get(code="demo")
    assert library.level == Library.Level.PRIMARY
    assert Item.objects.filter(library=library).count() == 300
    assert Reader.objects.filter(library=library).count() == 60
    # Six grades of one class each at this size; every pupil is in a class, named as schools name them.
    assert SchoolClass.objects.filter(library=library).count() == 6
    assert SchoolClass.objects.filter(name="三年级(1)班").exists()
    assert Loan.objects.filter(library=library).count() > 400


def test_second_run_changes_nothing(demo):
    """Running it again says the demo is loaded and writes nothing."""
    counts = Item.objects.count(), Reader.objects.count(), Loan.objects.count(), User.objects.count()
    again = run_demo(**SMALL)
    assert "已加载" in again
    assert (Item.objects.count(), Reader.objects.count(), Loan.objects.count(), User.objects.count()) == counts


def test_if_empty_after_the_demo_says_it_is_loaded(demo):
    assert "已加载" in run_demo(if_empty=True)


def test_if_empty_skips_a_database_with_a_library(db):
    """--if-empty loads nothing when any library exists, and says so."""
    Library.objects.create(code="other", name="另一所学校图书馆")
    out = run_demo(if_empty=True, **SMALL)
    assert "不加载" in out
    assert not Library.objects.filter(code="demo").exists()


def test_open_loans_and_item_statuses_agree(demo):
    """Every open loan's copy is on loan, every copy on loan has one open loan, and some loans are overdue."""
    open_loans = Loan.objects.filter(returned_at__isnull=True)
    assert open_loans.exists()
    assert not open_loans.exclude(item__status=Item.Status.ON_LOAN).exists()
    on_loan = Item.objects.filter(status=Item.Status.ON_LOAN).annotate(
        open=Count("loans", filter=Q(loans__returned_at__isnull=True))
    )
    assert set(on_loan.values_list("open", flat=True)) == {1}
    assert open_loans.filter(due_on__lt=timezone.localdate()).exists()
    assert not Loan.objects.filter(returned_at__lt=F("issued_at")).exists()


def test_staff_can_log_in_and_the_teacher_has_a_class(demo):
    """The four demo logins work with the demo password; the teacher is class teacher of one class."""
    client = Client()
    for username, _role in DEMO_LOGINS:
        assert client.login(username=username, password=DEMO_PASSWORD), username
        client.logout()
    assert SchoolClass.objects.filter(teacher__username="teacher").count() == 1
    assert all(name in demo for name, _role in DEMO_LOGINS)


def test_desk_can_lend_a_demo_book_to_a_demo_pupil(demo):
    """checkout works on a pupil with nothing out and an ordinary book on the shelf."""
    reader = (
        Reader.objects.filter(reader_type__code="student")
        .exclude(loans__returned_at__isnull=True)
        .select_related("reader_type")
        .first()
    )
    item = Item.objects.filter(status=Item.Status.AVAILABLE, category__code="book").first()
    assert reader is not None and item is not None
    loan = checkout(reader=reader, item=item, by=User.objects.get(username="librarian"))
    assert loan.due_on > timezone.localdate()
    item.refresh_from_db()
    assert item.status == Item.Status.ON_LOAN


def test_records_look_catalogued(demo):
    """ISBNs are valid 978-7 numbers, call numbers are class/种次号, copies carry their record's call number."""
    records = Record.objects.exclude(isbn="")
    assert records.exists()
    for number in records.values_list("isbn", flat=True):
        assert number.startswith("9787") and isbn.is_valid(number), number
    for item in Item.objects.exclude(call_number="").select_related("record")[:50]:
        assert item.call_number == item.record.call_number
        assert item.call_number.startswith(item.record.clc_class + "/")
    first = Item.objects.order_by("pk").first()
    assert first is not None and first.barcode == first.accession_number == "00000001"


def test_reader_pinyin_is_the_projects_own(demo):
    for reader in Reader.objects.all()[:20]:
        assert (reader.name_pinyin, reader.name_initials) == (name_pinyin(reader.name), name_initials(reader.name))


def test_default_school_has_24_classes_of_about_45():
    size = RosterSize.for_readers(DEFAULT_READERS, grades=6)
    assert (size.classes_per_grade * 6, size.teachers, size.staff) == (24, 80, 10)
    assert size.students // 24 == 45
    assert RosterSize.for_readers(DEFAULT_READERS, grades=3).classes_per_grade == 8


def test_title_plan_is_deterministic_and_adds_up():
    """The same seed gives the same titles, and the copies add up to exactly the asked number."""
    today = dt.date(2026, 11, 25)
    first = plan_titles(rng=random.Random(7), level="primary", items=2000, today=today)
    second = plan_titles(rng=random.Random(7), level="primary", items=2000, today=today)
    assert [t.title for t in first] == [t.title for t in second]
    assert sum(t.copies for t in first) == 2000
    assert {"reference", "periodical", "picture", "book"} <= {t.category for t in first}


def test_terms_follow_the_date():
    """The 2026 autumn term runs from 1 September to 22 January; the calendar moves with the year."""
    term = autumn_term(2026)
    assert (term.starts_on, term.ends_on) == (dt.date(2026, 9, 1), dt.date(2027, 1, 22))
    terms = school_year_terms(dt.date(2026, 11, 25))
    assert [t.name for t in terms] == ["2026年春季学期", "2026年秋季学期", "2027年春季学期"]
    assert school_year_terms(dt.date(2031, 3, 1))[1].starts_on == dt.date(2030, 9, 1)
    assert holidays(range(2026, 2027))[dt.date(2026, 10, 3)] == "国庆节"


def test_isbn_and_responsibility_helpers():
    assert isbn13("978730215962") == "9787302159629"
    people = parse_responsibility("[法]圣埃克苏佩里 著；周克希 译")
    assert people == [("法", "圣埃克苏佩里", "著"), ("", "周克希", "译")]
    assert responsibility(people) == "[法]圣埃克苏佩里著；周克希译"
