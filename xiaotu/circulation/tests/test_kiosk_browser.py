"""阅览室签到 on a phone-sized screen: a pupil scans their card and is welcomed; the visit is counted."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from xiaotu.accounts.models import Role
from xiaotu.circulation.models import RoomVisit
from xiaotu.testing.factories import LibraryFactory, ReaderFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "desk-pass-123"


def test_a_pupil_signs_in_at_the_door_on_a_phone(live_server, browser_page, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    library = LibraryFactory.create()
    UserFactory.create(library=library, username="xiaoguan", role=Role.STUDENT_LIBRARIAN, password=PASSWORD)
    pupil = ReaderFactory.create(library=library, name="张小明", card_barcode="R000777")
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(f"{live_server.url}/accounts/login/?next=/desk/kiosk/")
    page.wait_for_selector("#id_username:focus")
    page.keyboard.type("xiaoguan")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")

    page.wait_for_selector("#kiosk-card:focus")
    page.keyboard.type(pupil.card_barcode)
    page.keyboard.press("Enter")
    page.wait_for_selector('.kiosk-answer[data-kind="ok"]')
    assert "欢迎，张小明！" in page.inner_text(".kiosk-answer")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert RoomVisit.objects.filter(reader=pupil).count() == 1
    if shots := os.environ.get("XIAOTU_SCREENSHOT_DIR"):
        page.screenshot(path=str(Path(shots) / "kiosk-phone.png"), full_page=True)

    # The focus is back in the box for the next pupil; the same card again is the same visit.
    page.wait_for_selector("#kiosk-card:focus")
    page.keyboard.type(pupil.card_barcode)
    page.keyboard.press("Enter")
    page.wait_for_selector('.kiosk-answer[data-kind="again"]')
    assert RoomVisit.objects.filter(reader=pupil).count() == 1
