"""按 ISBN 编目 in a real browser: an unknown ISBN gives the short form, the class is picked by typing 拼音 initials,
and saving shows the call number — all from the keyboard.

Drives Debian's Chromium through Playwright against pytest-django's live server (as the desk's browser test does).
Skipped when Chromium is missing, unless XIAOTU_REQUIRE_BROWSER=1. XIAOTU_SCREENSHOT_DIR keeps screenshots.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from xiaotu.accounts.models import Role
from xiaotu.catalogue.models import Item, Record
from xiaotu.testing.factories import ItemCategoryFactory, LibraryFactory, LocationFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "catalogue-pass-123"
UNKNOWN_ISBN = "9787534657139"


@pytest.fixture
def school(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    library = LibraryFactory.create()
    LocationFactory.create(library=library)
    ItemCategoryFactory.create(library=library)
    UserFactory.create(library=library, username="librarian", role=Role.LIBRARIAN, password=PASSWORD)
    return library


def shot(page: Any, name: str) -> None:
    folder = os.environ.get("XIAOTU_SCREENSHOT_DIR")
    if folder:
        page.screenshot(path=str(Path(folder) / f"catalogue-{name}.png"), full_page=True)


def test_an_unknown_isbn_is_catalogued_with_the_short_form_and_a_class_picked_by_pinyin(
    live_server, browser_page, school
):
    page = browser_page
    page.goto(f"{live_server.url}/catalogue/isbn/")
    page.wait_for_selector("#id_username:focus")
    page.keyboard.type("librarian")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")

    # The ISBN box has the focus: scan, and the scanner's Enter looks it up.
    page.wait_for_selector("#isbn:focus")
    shot(page, "1-empty")
    page.keyboard.type(UNKNOWN_ISBN)
    page.keyboard.press("Enter")

    # Not here and no servers: the short form, ISBN filled in, the title ready for typing.
    page.wait_for_selector("#id_title:focus")
    assert page.input_value("#id_isbn") == UNKNOWN_ISBN
    page.keyboard.type("草房子")
    page.fill("#id_author", "曹文轩")
    page.fill("#id_pub_year", "2019")

    # The class picker: 拼音 initials (xs) list the classes; ↓ walks to 小说 (the first one is highlighted).
    page.click("#id_clc_class")
    page.keyboard.type("xs")
    page.wait_for_selector("#clc-options [role=option][aria-selected=true]")
    names = page.eval_on_selector_all("#clc-options .clc-name", "nodes => nodes.map(n => n.textContent)")
    codes = page.eval_on_selector_all("#clc-options [role=option]", "nodes => nodes.map(n => n.dataset.code)")
    novel = names.index("小说")
    for _step in range(novel):
        page.keyboard.press("ArrowDown")
    page.wait_for_selector(f'#clc-options [role=option][aria-selected=true][data-code="{codes[novel]}"]')
    shot(page, "2-picker")
    page.keyboard.press("Enter")  # takes the class, does not send the form
    chosen = page.input_value("#id_clc_class")
    assert chosen == codes[novel]
    assert "小说" in page.inner_text("#clc-caption")
    assert page.get_attribute("#id_clc_class", "aria-expanded") == "false"
    assert not Record.objects.exists()

    page.keyboard.press("Enter")  # now Enter saves
    page.wait_for_selector(".done-card")
    record = Record.objects.get()
    assert (record.title, record.isbn, record.clc_class) == ("草房子", UNKNOWN_ISBN, chosen)
    assert record.call_number == f"{chosen}/1"
    assert page.inner_text(".done-call").strip() == record.call_number
    assert Item.objects.filter(record=record).count() == 1
    page.wait_for_selector("#isbn:focus")  # ready for the next book
    shot(page, "3-saved")

    # The same ISBN again: now it is here, with its copy.
    page.keyboard.type(UNKNOWN_ISBN)
    page.keyboard.press("Enter")
    page.wait_for_selector("text=本馆已有")
    assert record.call_number in page.inner_text("#isbn-result")
    shot(page, "4-found")
