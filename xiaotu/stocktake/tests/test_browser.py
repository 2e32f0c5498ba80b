"""清点 in a real browser: a partial stocktake of one shelf, scanned by keyboard, with a missing and a misplaced book,
then finalised. Set XIAOTU_SCREENSHOT_DIR to keep screenshots of each step."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from xiaotu.accounts.models import Role
from xiaotu.catalogue.models import Item
from xiaotu.stocktake.services import stocktake_create
from xiaotu.testing.factories import LibraryFactory, LocationFactory, UserFactory

from .conftest import make_item

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "stock-pass-123"


@pytest.fixture
def shelf(settings):
    """The 借阅室's I247.5 shelf with four books, and a 阅览室 book left on it."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    library = LibraryFactory.create()
    loan_room = LocationFactory.create(library=library, code="loan", name="借阅室")
    reading_room = LocationFactory.create(library=library, code="read", name="阅览室")
    librarian = UserFactory.create(library=library, username="wang", role=Role.LIBRARIAN, password=PASSWORD)
    books = [make_item(library, loan_room, f"T00{n}", f"I247.5/{n}", title) for n, title in
             enumerate(["草房子", "城南旧事", "小王子", "西游记"], start=1)]  # fmt: skip
    stray = make_item(library, reading_room, "R001", "K825/7", "居里夫人传")
    stocktake = stocktake_create(
        library=library, name="I247.5 书架", locations=[loan_room], call_number_ranges=[["I247.5", "I247.5"]],
        by=librarian,
    )  # fmt: skip
    return stocktake, books, stray


def test_a_partial_stocktake_finds_a_missing_and_a_misplaced_book_and_is_finalised(live_server, browser_page, shelf):
    stocktake, books, stray = shelf
    page = browser_page
    shots = Path(os.environ["XIAOTU_SCREENSHOT_DIR"]) if os.environ.get("XIAOTU_SCREENSHOT_DIR") else None

    def shot(name: str) -> None:
        if shots:
            page.screenshot(path=str(shots / f"stocktake-{name}.png"), full_page=True)

    page.goto(f"{live_server.url}/stocktake/{stocktake.pk}/")
    page.fill("#id_username", "wang")
    page.fill("#id_password", PASSWORD)
    page.press("#id_password", "Enter")
    page.wait_for_selector("text=开始扫描")
    page.select_option("#id_location", label="借阅室")
    page.click("text=开始扫描")
    page.wait_for_selector("#barcode:focus")

    # Three of the four books, the stray from the 阅览室, and one book twice — as fast as a scanner types.
    for code in ["T001", "T002", "R001", "T003", "T002"]:
        page.keyboard.type(code)
        page.keyboard.press("Enter")
    page.wait_for_function("document.querySelectorAll('#recent tr').length === 5")
    assert page.inner_text("#run-count") == "4"
    assert page.get_attribute("body", "data-last-sound") == "duplicate"
    assert "错架" in page.inner_text("#recent")
    assert page.evaluate("document.activeElement.id") == "barcode"
    page.wait_for_function("document.querySelector('[data-count=missing]').textContent.trim() === '1'")
    assert page.inner_text("[data-count=misplaced]") == "1"
    assert page.inner_text("[data-count=found]") == "3"
    shot("1-scanning")
    page.set_viewport_size({"width": 390, "height": 844})  # a phone at the shelf
    shot("1-scanning-phone")
    page.set_viewport_size({"width": 1366, "height": 900})

    # The stocktake page lists the missing book, and the misplaced one with where it belongs.
    page.click(f"a[href='/stocktake/{stocktake.pk}/']")
    assert "西游记" in page.inner_text("#rows")
    page.click("a.tab-misplaced")
    assert "居里夫人传" in page.inner_text("#rows") and "阅览室" in page.inner_text("#rows")
    shot("2-misplaced")

    # Finalise: the missing book becomes lost; the stocktake takes no more scans.
    page.check("input[name=confirm]")
    page.click("button:has-text('完成清点')")
    page.wait_for_selector("text=清点已完成：1 册未找到，已登记为丢失。")
    shot("3-finalised")
    assert Item.objects.get(pk=books[3].pk).status == Item.Status.LOST
    assert Item.objects.get(pk=stray.pk).status == Item.Status.AVAILABLE
    assert page.locator("text=开始扫描").count() == 0
