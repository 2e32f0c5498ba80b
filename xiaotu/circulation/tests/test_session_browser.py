"""班级借阅 in a real browser: ten pupils borrow two books each, card then books as fast as a scanner types, and the
one who tries a third is refused. Set XIAOTU_SCREENSHOT_DIR to keep a screenshot."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from xiaotu.accounts.models import Role
from xiaotu.circulation.models import ClassVisit, Loan
from xiaotu.testing.factories import (
    GradeFactory,
    ItemCategoryFactory,
    ItemFactory,
    LibraryFactory,
    LoanCapFactory,
    LoanRuleFactory,
    ReaderFactory,
    ReaderTypeFactory,
    SchoolClassFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "desk-pass-123"


@pytest.fixture
def a_class(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    library = LibraryFactory.create()
    student = ReaderTypeFactory.create(library=library)
    book = ItemCategoryFactory.create(library=library)
    LoanRuleFactory.create(library=library, reader_type=student, item_category=book, max_loans=2)
    LoanCapFactory.create(library=library, reader_type=student, max_total=2)
    UserFactory.create(library=library, username="xiaoguan", role=Role.STUDENT_LIBRARIAN, password=PASSWORD)
    school_class = SchoolClassFactory.create(grade=GradeFactory.create(library=library), number=1)
    pupils = [
        ReaderFactory.create(
            library=library, school_class=school_class, card_barcode=f"C{i:04d}", student_number=f"{i:03d}"
        )
        for i in range(10)
    ]
    books = [ItemFactory.create(library=library, barcode=f"B{i:05d}") for i in range(21)]
    return school_class, pupils, books


def test_ten_pupils_borrow_two_books_each_and_one_is_refused_a_third(live_server, browser_page, a_class):
    school_class, pupils, books = a_class
    page = browser_page
    page.goto(f"{live_server.url}/accounts/login/?next=/desk/classes/")
    page.wait_for_selector("#id_username:focus")
    page.keyboard.type("xiaoguan")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")

    # Choose the class: the session page lists its pupils, and the visit is counted.
    page.click(f"form[action$='/classes/{school_class.pk}/start/'] button")
    page.wait_for_selector("#session-scan:focus")
    assert page.locator(".session-pupils tbody tr").count() == 10
    assert ClassVisit.objects.filter(school_class=school_class).count() == 1

    # Card, book, book — pupil after pupil, typed straight on as a scanner sends them; pupil 5 tries a third.
    for i, pupil in enumerate(pupils):
        for text in (pupil.card_barcode, books[2 * i].barcode, books[2 * i + 1].barcode):
            page.keyboard.type(text)
            page.keyboard.press("Enter")
        if i == 4:
            page.keyboard.type(books[20].barcode)
            page.keyboard.press("Enter")
            page.wait_for_selector('#session-notice .notice.error[data-code="reader_limit_reached"]')
    page.wait_for_selector("#session-busy[hidden]", state="attached")
    page.wait_for_function("document.querySelectorAll('.session-pupils tr.has-borrowed').length === 10")

    assert Loan.objects.filter(returned_at__isnull=True).count() == 20
    assert not Loan.objects.filter(item=books[20]).exists()
    for pupil in pupils:
        assert Loan.objects.filter(reader=pupil).count() == 2
    assert "2 / 2" in page.inner_text(f"#pupil-{pupils[9].pk}")
    assert page.evaluate("document.activeElement.id") == "session-scan"
    if shots := os.environ.get("XIAOTU_SCREENSHOT_DIR"):
        page.screenshot(path=str(Path(shots) / "session.png"), full_page=True)
