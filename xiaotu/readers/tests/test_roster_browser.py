"""导入花名册 in a real browser: drop a roster on the page, check columns and preview, confirm, see the readers.

Drives Debian's Chromium through Playwright against pytest-django's live server. Skipped when Chromium is missing,
unless XIAOTU_REQUIRE_BROWSER=1 (CI). Set XIAOTU_SCREENSHOT_DIR to keep a screenshot of each step.
"""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest

from xiaotu.accounts.models import AuditEvent, Role
from xiaotu.readers.models import Reader, SchoolClass
from xiaotu.readers.tests.roster_helpers import reader_types, xlsx
from xiaotu.testing.factories import LibraryFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "roster-pass-123"
HEADERS = ["序号", "学号", "姓名", "性别", "班级", "学籍号", "家长手机"]
ROWS = [
    [1, "2026301", "张小明", "男", "三年级(1)班", "G110101201801010011", "13800000001"],
    [2, "2026302", "李  华", "女", "三年级(1)班", "", "13800000002"],
    [3, "2026303", "单田芳", "男", "三年级(2)班", "", ""],
    [4, "2026304", "", "女", "三年级(2)班", "", ""],
    [5, "2026305", "王芳", "2", "302", "", ""],
]


@pytest.fixture
def school(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.DATA_DIR = tmp_path
    library = LibraryFactory.create()
    reader_types(library)
    UserFactory.create(
        library=library, username="guanli", role=Role.LIBRARIAN, display_name="王老师", password=PASSWORD
    )
    return library


def drop_file(page, selector: str, name: str, data: bytes) -> None:
    """Drag a file from the desktop onto the drop zone: a drop event carrying it, as the browser sends one."""
    page.evaluate(
        """([selector, name, data]) => {
            const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
            const transfer = new DataTransfer();
            transfer.items.add(new File([bytes], name, { type: "application/octet-stream" }));
            const zone = document.querySelector(selector);
            zone.dispatchEvent(new DragEvent("dragenter", { bubbles: true, dataTransfer: transfer }));
            zone.dispatchEvent(new DragEvent("drop", { bubbles: true, cancelable: true, dataTransfer: transfer }));
        }""",
        [selector, name, base64.b64encode(data).decode()],
    )


def test_a_librarian_imports_the_schools_roster(live_server, browser_page, school):
    page = browser_page
    shots = Path(os.environ["XIAOTU_SCREENSHOT_DIR"]) if os.environ.get("XIAOTU_SCREENSHOT_DIR") else None

    def shot(name: str) -> None:
        if shots:
            page.screenshot(path=str(shots / f"roster-{name}.png"), full_page=True)

    page.goto(f"{live_server.url}/readers/roster/")
    page.fill("#id_username", "guanli")
    page.fill("#id_password", PASSWORD)
    page.press("#id_password", "Enter")
    page.wait_for_selector("[data-dropzone]")

    # The school's roster, dropped on the page.
    drop_file(page, "[data-dropzone]", "2026学年三年级花名册.xlsx", xlsx(ROWS, headers=HEADERS, title="三年级学生名单"))
    page.wait_for_selector("[data-dropzone].has-file")
    assert "三年级花名册" in page.inner_text("[data-file-name]")
    shot("1-upload")
    page.click("[data-submit]")

    # The columns as guessed: the phone column maps to nothing; a school without classes creates them.
    page.wait_for_selector("#mapping")
    assert page.input_value("#id_name") == "2" and page.input_value("#id_school_class") == "4"
    assert page.input_value("#id_student_id") == "5"
    assert page.is_checked("input[name=missing_classes][value=create]")
    assert "张小明" in page.inner_text("#sample")
    assert page.inner_text('[data-column-field="6"]') == ""
    shot("2-mapping")
    page.click("#to-preview")

    # The preview: four new pupils in two new classes, one row without a name; nothing written yet.
    page.wait_for_selector("#counts")
    assert page.inner_text('[data-count="new"]') == "4"
    assert page.inner_text('[data-count="error_rows"]') == "1"
    assert page.inner_text('[data-count="classes_new"]') == "2"
    assert "第 6 行" in page.inner_text("#problem-list") and "没有姓名" in page.inner_text("#problem-list")
    assert "三年级(1)班" in page.inner_text("#new-classes") and "三年级(2)班" in page.inner_text("#new-classes")
    assert "S00001" in page.inner_text("#new-list")
    assert not Reader.objects.exists()
    shot("3-preview")

    # Confirm, once: the button is spent after the first click.
    page.click("#confirm")
    page.wait_for_selector("#done")
    assert "新增 4 名读者" in page.inner_text("#done")
    created = page.inner_text("#created-list")
    assert "张小明" in created and "李华" in created and "单田芳" in created and "S00004" in created
    shot("4-result")
    assert Reader.objects.count() == 4 and SchoolClass.objects.count() == 2
    assert AuditEvent.objects.filter(action="readers.import").count() == 1
    assert set(Reader.objects.values_list("name_initials", flat=True)) == {"zxm", "lh", "stf", "wf"}

    # The same roster again: the preview says nothing would change and offers no confirm.
    page.click("text=再导入一个文件")
    page.wait_for_selector("[data-dropzone]")
    drop_file(page, "[data-dropzone]", "2026学年三年级花名册.xlsx", xlsx(ROWS, headers=HEADERS, title="三年级学生名单"))
    page.wait_for_selector("[data-dropzone].has-file")
    page.click("[data-submit]")
    page.wait_for_selector("#mapping")
    page.click("#to-preview")
    page.wait_for_selector("#nothing-to-do")
    assert page.inner_text('[data-count="unchanged"]') == "4"
    assert "完全一致" in page.inner_text("#nothing-to-do") and page.query_selector("#confirm") is None
    shot("5-again")
    assert AuditEvent.objects.filter(action="readers.import").count() == 1
