"""借还台 in a real browser: a student librarian lends, is refused, and takes books back, using only the keyboard.

Drives Debian's Chromium through Playwright against pytest-django's live server. Skipped when Chromium is missing,
unless XIAOTU_REQUIRE_BROWSER=1 (CI), where a missing browser fails the run instead.
Set XIAOTU_SCREENSHOT_DIR to keep screenshots of each step, XIAOTU_CHROMIUM to use another Chromium binary.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from xiaotu.accounts.models import Role
from xiaotu.circulation.holds import hold_place
from xiaotu.circulation.models import Hold, Loan
from xiaotu.circulation.services import checkout
from xiaotu.testing.factories import (
    ItemCategoryFactory,
    ItemFactory,
    LibraryFactory,
    LoanCapFactory,
    LoanRuleFactory,
    ReaderFactory,
    ReaderTypeFactory,
    RecordFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "desk-pass-123"


@pytest.fixture
def school(settings):
    """A small school: 学生 may take 2 ordinary books; 工具书 stays in the room."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    library = LibraryFactory.create()
    student = ReaderTypeFactory.create(library=library)
    book = ItemCategoryFactory.create(library=library)
    reference = ItemCategoryFactory.create(library=library, code="ref", name="工具书", reference_only=True)
    LoanRuleFactory.create(library=library, reader_type=student, item_category=book)
    LoanRuleFactory.create(library=library, reader_type=student, item_category=reference)
    LoanCapFactory.create(library=library, reader_type=student, max_total=3)
    UserFactory.create(
        library=library,
        username="xiaoguan",
        role=Role.STUDENT_LIBRARIAN,
        display_name="陈晨",
        password=PASSWORD,
    )
    reader = ReaderFactory.create(library=library, name="张小明", card_barcode="R000123")
    books = [
        ItemFactory.create(library=library, barcode="T0000101", record=RecordFactory.create(title="西游记")),
        ItemFactory.create(library=library, barcode="T0000102", record=RecordFactory.create(title="草房子")),
    ]
    dictionary = ItemFactory.create(
        library=library, barcode="G0000001", category=reference, record=RecordFactory.create(title="新华字典")
    )
    return reader, books, dictionary


class Desk:
    """The keyboard, as a librarian's hands: type into whatever has the focus, press Enter."""

    def __init__(self, page: Any, shots: Path | None) -> None:
        self.page = page
        self.shots = shots

    def log_in(self) -> None:
        """On the login page: wait for the autofocus (it lands after the load event), type, Enter, reach the desk."""
        self.page.wait_for_selector("#id_username:focus")
        self.page.keyboard.type("xiaoguan")
        self.page.keyboard.press("Tab")
        self.page.keyboard.type(PASSWORD)
        self.page.keyboard.press("Enter")
        self.page.wait_for_selector("#scan:focus")

    def scan(self, text: str) -> None:
        self.page.keyboard.type(text)
        self.page.keyboard.press("Enter")

    def idle(self) -> None:
        self.page.wait_for_selector("#scan-busy[hidden]", state="attached")

    def notice(self) -> str:
        return str(self.page.inner_text("#desk-message"))

    def focused(self) -> str:
        return str(self.page.evaluate("document.activeElement && document.activeElement.id"))

    def shot(self, name: str) -> None:
        if self.shots:
            self.page.screenshot(path=str(self.shots / f"desk-{name}.png"), full_page=True)


def test_a_student_librarian_lends_is_refused_and_takes_books_back(live_server, browser_page, school):
    reader, (first, second), dictionary = school
    page = browser_page
    shots = Path(os.environ["XIAOTU_SCREENSHOT_DIR"]) if os.environ.get("XIAOTU_SCREENSHOT_DIR") else None
    desk = Desk(page, shots)

    # Log in with the keyboard only: the user name field has the focus.
    page.goto(f"{live_server.url}/desk/")
    desk.log_in()
    assert page.get_attribute("body", "data-mode") == "lend"
    desk.shot("1-empty")

    # The card, then both books, typed as fast as a scanner sends them.
    desk.scan(reader.card_barcode)
    desk.scan(first.barcode)
    desk.scan(second.barcode)
    page.wait_for_function("document.querySelector('#reader-panel [data-count]')?.textContent.trim() === '2'")
    desk.idle()
    panel = page.inner_text("#reader-panel")
    assert "张小明" in panel and "《西游记》" in panel and "《草房子》" in panel
    assert "已借出《草房子》" in desk.notice()
    assert desk.focused() == "scan"
    desk.shot("2-lent")

    # A reference book stays in the room: the scan counts a use in the room instead of a loan.
    desk.scan(dictionary.barcode)
    page.wait_for_selector('#desk-message .notice[data-code="in_room_use"]')
    assert "已记录馆内阅览《新华字典》" in desk.notice()
    assert desk.focused() == "scan"
    desk.shot("3-in-room")

    # A third ordinary book (two at once is the rule) is refused at once, in words, in red, with the error beep.
    third = ItemFactory.create(library=reader.library, barcode="T0000103", record=RecordFactory.create(title="小王子"))
    desk.scan(third.barcode)
    page.wait_for_selector('#desk-message .notice.error[data-code="category_limit_reached"]')
    page.wait_for_selector('body[data-last-sound="error"]', state="attached")
    assert desk.focused() == "scan"
    desk.shot("3-refused")

    # F3: return mode; both books come back and are listed.
    page.keyboard.press("F3")
    page.wait_for_selector('body[data-mode="return"]')
    assert page.is_visible("#returns-panel") and not page.is_visible("#reader-panel")
    desk.scan(first.barcode)
    desk.scan(second.barcode)
    page.wait_for_function("document.querySelectorAll('#returns-panel tbody tr').length === 2")
    desk.idle()
    returns = page.inner_text("#returns-panel")
    assert "《西游记》" in returns and "《草房子》" in returns and "张小明" in returns
    assert "已还《草房子》" in desk.notice() and "张小明" in desk.notice()
    assert desk.focused() == "scan"
    desk.shot("4-returned")

    assert not Loan.objects.filter(returned_at__isnull=True).exists()
    assert Loan.objects.filter(reader=reader, returned_at__isnull=False).count() == 2


def test_find_a_reader_by_pinyin_move_a_book_with_f8_and_renew_with_alt_r(live_server, browser_page, school):
    reader, (first, second), _dictionary = school
    holder = ReaderFactory.create(library=reader.library, name="李华", card_barcode="R000456")
    checkout(reader=holder, item=first, by=None)
    checkout(reader=reader, item=second, by=None, at=timezone.now() - dt.timedelta(days=3))
    page = browser_page
    desk = Desk(page, None)
    page.goto(f"{live_server.url}/accounts/login/?next=/desk/")
    desk.log_in()

    # 拼音 initials list the readers; the arrow keys choose, Enter picks.
    desk.scan("zxm")
    page.wait_for_selector("#reader-choices [role=option]")
    page.wait_for_function("document.querySelector('#scan').value === 'zxm'")  # kept, to refine the search
    desk.idle()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_selector("#reader-panel .reader-name:has-text('张小明')")
    assert page.query_selector("#reader-choices [role=option]") is None

    # The book is still on 李华's card: F8 returns it from her and lends it to 张小明 in one step.
    desk.scan(first.barcode)
    page.wait_for_selector('#desk-message .notice.error[data-code="item_on_loan"]')
    assert "李华" in desk.notice()
    page.keyboard.press("F8")
    page.wait_for_selector("#desk-message .notice.ok")
    desk.idle()
    assert "已借出《西游记》" in desk.notice() and "李华" in desk.notice()
    assert Loan.objects.get(item=first, returned_at__isnull=True).reader == reader

    # ↓ selects the loan due first (草房子, lent three days ago), Alt+R renews it.
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Alt+r")
    page.wait_for_selector("#desk-message .notice.ok:has-text('已续借《草房子》')")
    assert Loan.objects.get(item=second, returned_at__isnull=True).renewals == 1

    # Esc, Esc: the desk is ready for the next reader.
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    page.wait_for_selector("#desk-reader[value='']", state="attached")
    assert "请扫描借书证" in page.inner_text("#reader-panel")
    assert desk.focused() == "scan"


def test_a_return_someone_waits_for_goes_to_the_hold_shelf(live_server, browser_page, school):
    reader, (first, _second), _dictionary = school
    waiting = ReaderFactory.create(library=reader.library, name="李华", card_barcode="R000456")
    checkout(reader=reader, item=first, by=None)
    hold_place(reader=waiting, record=first.record, by=None)
    page = browser_page
    shots = Path(os.environ["XIAOTU_SCREENSHOT_DIR"]) if os.environ.get("XIAOTU_SCREENSHOT_DIR") else None
    desk = Desk(page, shots)
    page.goto(f"{live_server.url}/accounts/login/?next=/desk/%3Fmode%3Dreturn")
    desk.log_in()

    # The return says, louder than a plain return, to put the copy on the hold shelf for 李华.
    desk.scan(first.barcode)
    page.wait_for_selector('#desk-message .notice.hold[data-code="hold_trapped"]')
    desk.idle()
    assert "请放到预约书架：留给 李华" in desk.notice()
    desk.shot("5-hold-shelf")

    # Lent to anyone else, the kept copy is refused with the reason.
    page.keyboard.press("F2")
    page.wait_for_selector('body[data-mode="lend"]')
    desk.scan(reader.card_barcode)
    page.wait_for_selector("#reader-panel .reader-name:has-text('张小明')")
    desk.scan(first.barcode)
    page.wait_for_selector('#desk-message .notice.error[data-code="item_on_hold_shelf"]')
    assert "李华" in desk.notice()

    # To 李华 herself it goes out, and her hold is fulfilled.
    desk.scan(waiting.card_barcode)
    page.wait_for_selector("#reader-panel .reader-name:has-text('李华')")
    desk.scan(first.barcode)
    page.wait_for_selector("#desk-message .notice.ok:has-text('已借出《西游记》')")
    assert Hold.objects.get(reader=waiting).status == Hold.Status.FULFILLED
