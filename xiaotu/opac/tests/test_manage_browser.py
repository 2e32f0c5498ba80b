"""The librarian builds a reading list in a browser: new list, search the collection, add, note, reorder.

Set XIAOTU_SCREENSHOT_DIR to keep screenshots of each step.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from xiaotu.accounts.models import Role
from xiaotu.opac.models import ReadingList
from xiaotu.opac.tests.school import build_school
from xiaotu.testing.factories import GradeFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
STAFF_PASSWORD = "opac-staff-123"


@pytest.fixture
def school(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    school = build_school()
    GradeFactory.create(library=school.library, number=3, name="三年级")
    GradeFactory.create(library=school.library, number=4, name="四年级")
    UserFactory.create(library=school.library, username="guan", role=Role.LIBRARIAN, password=STAFF_PASSWORD)
    return school


def shot(page, name: str) -> None:
    if directory := os.environ.get("XIAOTU_SCREENSHOT_DIR"):
        page.screenshot(path=str(Path(directory) / f"opac-manage-{name}.png"), full_page=True)


def test_a_librarian_builds_a_reading_list(live_server, browser_page, school):
    page = browser_page
    page.goto(f"{live_server.url}/accounts/login/?next=/opac/manage/lists/")
    page.fill("#id_username", "guan")
    page.fill("#id_password", STAFF_PASSWORD)
    page.press("#id_password", "Enter")
    page.wait_for_selector("text=新建书目")

    page.fill("input[name=title]", "三年级必读书目")
    page.check("label:has-text('三年级') input")
    page.click("button:has-text('新建')")
    page.wait_for_selector("#add-q")

    for query, title in [("xyj", "西游记"), ("草房子", "草房子")]:
        page.fill("#add-q", query)
        page.press("#add-q", "Enter")
        page.wait_for_selector("table.found")
        page.click("table.found button:has-text('加入')")
        page.wait_for_selector(f"ol.entries >> text=《{title}》")
    page.fill("ol.entries li >> nth=0 >> input[name=note]", "四大名著之一")
    page.click("ol.entries li >> nth=0 >> button[value=note]")
    page.wait_for_selector(".flash li")
    page.click("ol.entries li >> nth=1 >> button[value=up]")
    page.wait_for_selector("ol.entries li >> nth=0 >> text=《草房子》")
    shot(page, "list")

    reading_list = ReadingList.objects.get()
    assert [e.record.title for e in reading_list.entries.order_by("position")] == ["草房子", "西游记"]
    assert reading_list.entries.get(record=school.xyj).note == "四大名著之一"

    page.goto(f"{live_server.url}/readers/{school.pupil.pk}/")
    page.wait_for_selector("#opac-password")
    page.click("#opac-password button[value=generate]")
    page.wait_for_selector(".flash li")
    assert "新密码是" in page.inner_text(".flash li")
    shot(page, "reader")
