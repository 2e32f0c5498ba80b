"""班级图书角: a class borrows a pile, passes it on (图书漂流) with its history, returns it with the missing listed."""

from __future__ import annotations

import pytest
from django.urls import reverse

from xiaotu.accounts.models import AuditEvent
from xiaotu.catalogue.models import Item
from xiaotu.circulation.corners import barcodes_from, corner_lend, corner_open, corner_pass_on, corner_return
from xiaotu.circulation.desk import give_back
from xiaotu.circulation.errors import LoanRefused
from xiaotu.circulation.holds import hold_place
from xiaotu.circulation.models import CornerTransfer, Loan
from xiaotu.circulation.services import checkout
from xiaotu.testing.factories import GradeFactory, ItemCategoryFactory, ItemFactory, ReaderFactory, SchoolClassFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def classes(rules, library):
    grade = GradeFactory.create(library=library)
    return SchoolClassFactory.create(grade=grade, number=1), SchoolClassFactory.create(grade=grade, number=2)


@pytest.fixture
def corner(classes, librarian):
    return corner_open(school_class=classes[0], by=librarian)


def test_a_corner_borrows_a_pile_for_its_longer_period(corner, librarian):
    books = [ItemFactory.create() for _ in range(60)]
    result = corner_lend(corner=corner, barcodes=[b.barcode for b in books], by=librarian)
    assert len(result.done) == 60 and not result.refused
    loans = Loan.objects.filter(reader=corner.reader, returned_at__isnull=True)
    assert loans.count() == 60 and {loan.due_on for loan in loans} == {loans[0].due_on}
    assert (loans[0].due_on - loans[0].issued_at.date()).days >= 59
    assert Item.objects.filter(status=Item.Status.ON_LOAN).count() == 60


def test_books_that_cannot_go_are_listed_and_the_rest_go(corner, librarian, library):
    out = ItemFactory.create()
    checkout(reader=ReaderFactory.create(name="王芳"), item=out, by=librarian)
    reference = ItemFactory.create(category=ItemCategoryFactory.create(library=library, code="ref"))
    fine = ItemFactory.create()
    result = corner_lend(corner=corner, barcodes=[out.barcode, reference.barcode, "NOPE1", fine.barcode], by=librarian)
    assert result.done == [fine]
    reasons = dict(result.refused)
    assert "王芳" in reasons[out.barcode] and "馆内阅览" in reasons[reference.barcode] and "NOPE1" in reasons
    assert Loan.objects.get(item=out).reader.name == "王芳"


def test_the_same_book_scanned_twice_in_a_batch_goes_once(corner, librarian):
    book = ItemFactory.create()
    codes = barcodes_from(f"{book.barcode}\n{book.barcode.lower()}\n")
    assert codes == [book.barcode]
    assert len(corner_lend(corner=corner, barcodes=codes, by=librarian).done) == 1


def test_the_set_passes_to_another_class_with_its_history_kept(corner, classes, librarian):
    books = [ItemFactory.create() for _ in range(5)]
    corner_lend(corner=corner, barcodes=[b.barcode for b in books], by=librarian)
    other = corner_open(school_class=classes[1], by=librarian)

    transfer = corner_pass_on(from_corner=corner, to_corner=other, by=librarian)

    assert transfer.books == 5
    assert Loan.objects.filter(reader=other.reader, returned_at__isnull=True).count() == 5
    assert Loan.objects.filter(reader=corner.reader, returned_at__isnull=False).count() == 5  # history kept
    assert AuditEvent.objects.filter(action="loan.corner_pass").count() == 5
    assert CornerTransfer.objects.get().to_corner == other


def test_an_empty_corner_cannot_pass_anything_on(corner, classes, librarian):
    other = corner_open(school_class=classes[1], by=librarian)
    with pytest.raises(LoanRefused) as info:
        corner_pass_on(from_corner=corner, to_corner=other, by=librarian)
    assert info.value.code == "corner_empty"


def test_the_batch_return_lists_the_missing_and_leaves_others_alone(corner, librarian):
    books = [ItemFactory.create() for _ in range(4)]
    corner_lend(corner=corner, barcodes=[b.barcode for b in books], by=librarian)
    someone_elses = ItemFactory.create()
    checkout(reader=ReaderFactory.create(), item=someone_elses, by=librarian)

    result = corner_return(
        corner=corner, barcodes=[books[0].barcode, books[1].barcode, someone_elses.barcode], by=librarian
    )

    assert result.done == books[:2] and result.other == [someone_elses]
    assert [loan.item for loan in result.missing] == sorted(books[2:], key=lambda b: b.barcode)
    assert Loan.objects.get(item=someone_elses).returned_at is None


def test_a_corner_book_returned_at_the_desk_by_a_pupil_closes_the_corners_loan(corner, librarian, library):
    book = ItemFactory.create()
    corner_lend(corner=corner, barcodes=[book.barcode], by=librarian)
    result = give_back(library=library, reader=None, text=book.barcode, by=librarian)
    assert result.notice is not None and result.notice.kind == "ok"
    assert "班级图书角" in result.notice.detail
    assert Loan.objects.get(item=book).returned_at is not None
    assert corner_return(corner=corner, barcodes=[], by=librarian).missing == []


def test_a_pupil_may_not_borrow_a_book_out_to_the_corner(corner, librarian):
    book = ItemFactory.create()
    corner_lend(corner=corner, barcodes=[book.barcode], by=librarian)
    with pytest.raises(LoanRefused) as info:
        checkout(reader=ReaderFactory.create(), item=book, by=librarian)
    assert info.value.code == "item_on_loan" and "图书角" in info.value.message


def test_a_returned_corner_book_someone_waits_for_goes_to_the_hold_shelf(corner, librarian):
    book = ItemFactory.create()
    corner_lend(corner=corner, barcodes=[book.barcode], by=librarian)
    waiting = ReaderFactory.create()
    hold_place(reader=waiting, record=book.record, by=librarian)
    result = corner_return(corner=corner, barcodes=[book.barcode], by=librarian)
    assert [(item, hold.reader) for item, hold in result.held] == [(book, waiting)]


def test_opening_a_corner_twice_gives_the_same_corner(corner, classes, librarian):
    assert corner_open(school_class=classes[0], by=librarian) == corner


def test_the_corner_is_not_listed_among_the_pupils_of_a_class_session(corner, classes):
    from django.utils import timezone

    from xiaotu.circulation.sessions import session_pupils

    assert session_pupils(classes[0], today=timezone.localdate()) == []


def test_the_pages_lend_return_and_pass_on(client, corner, classes, librarian):
    client.force_login(librarian)
    books = [ItemFactory.create() for _ in range(3)]
    page = client.post(
        reverse("circulation:corner_lend", args=[corner.pk]), {"barcodes": "\n".join(b.barcode for b in books)}
    ).content.decode()
    assert "借出 3 本" in page
    page = client.post(
        reverse("circulation:corner_return", args=[corner.pk]), {"barcodes": books[0].barcode}
    ).content.decode()
    assert "还缺 2 本没有还" in page and books[1].barcode in page
    response = client.post(reverse("circulation:corner_pass", args=[corner.pk]), {"to_class": classes[1].pk})
    assert response.status_code == 302
    assert Loan.objects.filter(reader__book_corner__school_class=classes[1], returned_at__isnull=True).count() == 2


def test_an_empty_batch_is_a_clear_message(client, corner, librarian):
    client.force_login(librarian)
    response = client.post(reverse("circulation:corner_lend", args=[corner.pk]), {"barcodes": ""})
    assert response.status_code == 400 and "请扫描图书条码" in response.content.decode()


def test_a_student_librarian_may_not_manage_corners(client, corner, student_librarian):
    client.force_login(student_librarian)
    assert client.get(reverse("circulation:corners")).status_code == 403
