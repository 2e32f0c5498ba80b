"""The reader search in a real browser, from the keyboard only: type initials, ↓, Enter opens the reader; on the card
page the same search adds readers to print, and Enter never sends the form by accident.

Set XIAOTU_SCREENSHOT_DIR to keep screenshots of each step.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from xiaotu.accounts.models import Role
from xiaotu.readers.tests.people_school import build_school
from xiaotu.testing.factories import LibraryFactory, ReaderFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "people-pass-123"


@pytest.fixture
def school(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    school = build_school(LibraryFactory.create())
    ReaderFactory.create(
        library=school.library,
        name="张晓梅",
        card_barcode="R000201",
        student_number="20230202",
        school_class=school.mine,
    )
    UserFactory.create(library=school.library, username="guan", role=Role.LIBRARIAN, password=PASSWORD)
    return school


def shot(page, name: str) -> None:
    if directory := os.environ.get("XIAOTU_SCREENSHOT_DIR"):
        page.screenshot(path=str(Path(directory) / f"readers-{name}.png"), full_page=True)


def log_in(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("#id_username:focus")
    page.keyboard.type("guan")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")


def test_a_librarian_finds_a_reader_and_picks_readers_for_cards(live_server, browser_page, school):
    page = browser_page
    log_in(page, f"{live_server.url}/readers/")
    page.wait_for_selector("#reader-q:focus")

    # Initials find both 张小明 and 张晓梅; ↓ ↓ highlights the second, Enter opens that reader's page.
    page.keyboard.type("zx")
    page.wait_for_selector("#reader-q-options li[role=option] >> nth=1")
    assert page.get_attribute("#reader-q", "aria-expanded") == "true"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    chosen = page.inner_text("#reader-q-options li[aria-selected=true] .choice-name")
    shot(page, "search")
    page.keyboard.press("Enter")
    page.wait_for_selector(".reader-title h1")
    assert page.inner_text(".reader-title h1") == chosen
    shot(page, "detail")

    # Esc closes the list; Enter with nothing chosen filters the list instead.
    page.goto(f"{live_server.url}/readers/")
    page.wait_for_selector("#reader-q:focus")
    page.keyboard.type("20230101")
    page.wait_for_selector("#reader-q-options li[role=option]")
    page.keyboard.press("Escape")
    assert page.is_hidden("#reader-q-options")
    page.keyboard.press("Enter")
    page.wait_for_url("**/readers/?q=20230101**")
    assert [name.strip() for name in page.locator("a.reader-link").all_inner_texts()] == ["李华"]

    # On the card page the search adds readers; Enter in it never prints.
    page.goto(f"{live_server.url}/readers/cards/")
    page.click("text=选定的读者")
    page.click("#card-reader")
    page.keyboard.type("李华")
    page.wait_for_selector("#card-reader-options li[role=option]")
    page.keyboard.press("Enter")  # the only match is taken
    page.keyboard.type("r000101")
    page.wait_for_selector("#card-reader-options li[role=option]")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.keyboard.type("zzzz")
    page.wait_for_selector("#card-reader-options .picker-empty")
    page.keyboard.press("Enter")
    assert page.url.endswith("/readers/cards/")
    picked = page.locator("[data-picked] input[name=reader]")
    assert sorted(picked.evaluate_all("els => els.map(e => Number(e.value))")) == sorted(
        [school.li.pk, school.zhang.pk]
    )
    assert page.inner_text("[data-picked-count]") == "2"
    shot(page, "cards")
    page.click("[data-picked] li >> nth=0 >> [data-unpick]")
    assert page.inner_text("[data-picked-count]") == "1"
