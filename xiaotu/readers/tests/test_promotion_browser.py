"""新学年升级 in a real browser: an administrator previews, sees the graduate who still has a book, confirms, and
finds every class one grade up.

Skipped without Chromium unless XIAOTU_REQUIRE_BROWSER=1; XIAOTU_SCREENSHOT_DIR keeps a screenshot of each step.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from xiaotu.accounts.models import Role
from xiaotu.readers.models import Reader, SchoolClass
from xiaotu.readers.tests.year_school import build_school, lend
from xiaotu.testing.factories import (
    ItemCategoryFactory,
    LibraryFactory,
    LoanRuleFactory,
    ReaderTypeFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "year-pass-123"
ON = dt.date(2026, 8, 25)


@pytest.fixture
def school(settings):
    """六个年级 with two classes of two pupils; 六年级(1)班's first pupil still has 《西游记》."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    library = LibraryFactory.create()
    student = ReaderTypeFactory.create(library=library)
    LoanRuleFactory.create(
        library=library, reader_type=student, item_category=ItemCategoryFactory.create(library=library)
    )
    UserFactory.create(library=library, username="admin", role=Role.ADMIN, display_name="管理员", password=PASSWORD)
    school = build_school(library=library, student=student, classes_per_grade=2, pupils_per_class=2)
    school.loans = [lend(school.pupils[(6, 1)][0], "西游记", by=None)]
    return school


def test_an_administrator_previews_and_confirms_the_promotion(live_server, browser_page, school):
    page = browser_page
    shots = Path(os.environ["XIAOTU_SCREENSHOT_DIR"]) if os.environ.get("XIAOTU_SCREENSHOT_DIR") else None

    def shot(name: str) -> None:
        if shots:
            page.screenshot(path=str(shots / f"year-{name}.png"), full_page=True)

    blocked = school.pupils[(6, 1)][0]
    page.goto(f"{live_server.url}/readers/year/?on={ON.isoformat()}")
    page.fill("#id_username", "admin")
    page.fill("#id_password", PASSWORD)
    page.press("#id_password", "Enter")
    page.wait_for_selector("h1:has-text('新学年升级')")

    graduating = page.inner_text("section.graduating:has-text('六年级(1)班')")
    assert blocked.name in graduating and "《西游记》" in graduating
    assert "四年级(2)班" in page.inner_text("#moves")
    assert SchoolClass.objects.get(pk=school.classes[(3, 2)].pk).name == "三年级(2)班"
    shot("1-preview")

    page.click("#to-confirm")
    page.wait_for_selector("h1:has-text('确认升级')")
    # The tick is required: the browser will not send the form without it.
    assert page.get_attribute("#id_checked", "required") is not None
    page.check("#id_checked")
    shot("2-confirm")
    page.click("#apply")
    page.wait_for_selector("h1:has-text('毕业未离校')")
    assert "升级完成" in page.inner_text(".flash")
    assert blocked.name in page.inner_text("main")
    shot("3-graduates")

    page.click("nav.subnav >> text=学校结构")
    page.wait_for_selector("h1:has-text('学校结构')")
    structure = page.inner_text("main")
    assert "四年级(2)班" in structure and "六年级(1)班" in structure
    shot("4-structure")
    assert SchoolClass.objects.get(pk=school.classes[(3, 2)].pk).name == "四年级(2)班"
    assert Reader.objects.get(pk=blocked.pk).status == Reader.Status.ACTIVE
    assert Reader.objects.get(pk=school.pupils[(6, 2)][0].pk).status == Reader.Status.GRADUATED
