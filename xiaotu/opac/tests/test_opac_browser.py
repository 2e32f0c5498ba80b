"""A pupil on a phone (390 pixels wide): searches by initials, opens the record, signs in, sees a loan, renews it.

Set XIAOTU_SCREENSHOT_DIR to keep screenshots of each step, at phone width and at 1366 pixels.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from django.utils import timezone

from xiaotu.circulation.models import Loan
from xiaotu.opac import services
from xiaotu.opac.tests.school import PASSWORD, build_school

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


@pytest.fixture
def school(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    school = build_school()
    Loan.objects.filter(pk=school.loan.pk).update(due_on=timezone.localdate() + dt.timedelta(days=2))
    reading_list = services.reading_list_create(
        library_id=school.library.pk, title="三年级必读书目", kind="required", grades=[], by=None
    )
    services.reading_list_add(reading_list=reading_list, record=school.xyj, note="四大名著之一", by=None)
    services.reading_list_add(reading_list=reading_list, record=school.cfz, by=None)
    return school, reading_list


def shot(page, name: str) -> None:
    if directory := os.environ.get("XIAOTU_SCREENSHOT_DIR"):
        width = page.viewport_size["width"]
        page.screenshot(path=str(Path(directory) / f"opac-{name}-{width}.png"), full_page=True)


def no_sideways_scroll(page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def test_a_pupil_on_a_phone_finds_a_book_signs_in_and_renews(live_server, browser_page, school):
    school, _reading_list = school
    page = browser_page
    page.set_viewport_size(PHONE)
    home = f"{live_server.url}/opac/{school.library.pk}/"
    page.goto(home)
    shot(page, "home")
    assert no_sideways_scroll(page)

    # 拼音 initials find 西游记; the entry says where copies are on the shelf.
    page.fill("#opac-q", "xyj")
    page.press("#opac-q", "Enter")
    page.wait_for_selector(".book-title")
    assert page.inner_text(".book .book-title") == "西游记"
    assert "借阅室：在架 2 册" in page.inner_text(".book .shelves")
    shot(page, "results")
    assert no_sideways_scroll(page)

    page.click(".book .book-title")
    page.wait_for_selector("article.record h1")
    assert page.inner_text("article.record h1") == "西游记"
    assert "I242.4/1" in page.inner_text("article.record")
    shot(page, "record")
    assert no_sideways_scroll(page)

    page.click("text=读者登录")
    page.fill("input[name=card]", "S0001")
    page.fill("input[name=password]", PASSWORD)
    shot(page, "sign-in")
    page.click("form.card button.btn")
    page.wait_for_selector(".card.loan")
    assert "草房子" in page.inner_text(".card.loan")
    shot(page, "account")
    assert no_sideways_scroll(page)

    page.click(".card.loan button:has-text('续借')")
    page.wait_for_selector(".flash li")
    assert "已续借" in page.inner_text(".flash li")
    assert Loan.objects.get(pk=school.loan.pk).renewals == 1
    shot(page, "renewed")


def test_the_pages_at_desktop_width(live_server, browser_page, school):
    """Screenshots only where asked: the wide layout puts the facets beside the results."""
    school, reading_list = school
    page = browser_page
    page.set_viewport_size(DESKTOP)
    base = f"{live_server.url}/opac/{school.library.pk}"
    for name, path in [
        ("home", "/"),
        ("results", "/search/?q=xyj"),
        ("record", f"/records/{school.xyj.pk}/"),
        ("list", "/lists/"),
        ("new", "/new/"),
    ]:
        page.goto(base + path)
        assert no_sideways_scroll(page)
        shot(page, name)
    page.set_viewport_size(PHONE)
    for name, path in [("list-detail", f"/lists/{reading_list.pk}/"), ("new", "/new/"), ("lists", "/lists/")]:
        page.goto(base + path)
        shot(page, name)
