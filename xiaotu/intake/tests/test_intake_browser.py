"""导入 MARC in a real browser: drop the GB18030 dp2 file on the page, watch the preview arrive, confirm, see the batch.

Drives Debian's Chromium through Playwright against pytest-django's live server, with a huey worker thread running
the jobs as `xiaotu serve` does, so the page really polls for them. Skipped when Chromium is missing, unless
XIAOTU_REQUIRE_BROWSER=1 (CI). Set XIAOTU_SCREENSHOT_DIR to keep a screenshot of each step.
"""

from __future__ import annotations

import base64
import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache

from xiaotu.accounts.models import Role
from xiaotu.catalogue.models import Record
from xiaotu.intake.models import Batch, ImportJob
from xiaotu.testing.factories import ItemCategoryFactory, LibraryFactory, LocationFactory, UserFactory
from xiaotu.testing.paths import MARC

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "intake-pass-123"
DELIVERY = "dp2-cnmarc.gb18030.mrc"


@pytest.fixture
def worker() -> Iterator[None]:
    """huey's consumer as a thread of this process, polling often: the jobs run beside the live server."""
    from huey.contrib.djhuey import HUEY

    import xiaotu.intake.tasks  # noqa: F401 - registers the tasks the worker will be handed

    if not MARC.is_dir():  # pragma: no cover
        pytest.skip(f"{MARC} is missing")
    HUEY.flush()  # this test run's queue: nothing left over from another run
    cache.clear()
    consumer = HUEY.create_consumer(workers=1, worker_type="thread", periodic=False, initial_delay=0.05, max_delay=0.2)
    consumer.start()
    signal.signal(signal.SIGINT, signal.default_int_handler)  # the consumer takes Ctrl+C; give it back to pytest
    yield
    consumer.stop(graceful=True)


@pytest.fixture
def school(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.DATA_DIR = tmp_path
    library = LibraryFactory.create()
    LocationFactory.create(library=library)
    ItemCategoryFactory.create(library=library)
    UserFactory.create(
        library=library, username="guanli", role=Role.LIBRARIAN, display_name="王老师", password=PASSWORD
    )
    return library


def drop_file(page: Any, selector: str, path: Path) -> None:
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
        [selector, path.name, base64.b64encode(path.read_bytes()).decode()],
    )


def test_a_librarian_imports_a_vendors_gb18030_file(live_server, browser_page, worker, school):
    page = browser_page
    shots = Path(os.environ["XIAOTU_SCREENSHOT_DIR"]) if os.environ.get("XIAOTU_SCREENSHOT_DIR") else None

    def shot(name: str) -> None:
        if shots:
            page.screenshot(path=str(shots / f"intake-{name}.png"), full_page=True)

    page.goto(f"{live_server.url}/intake/marc/")
    page.fill("#id_username", "guanli")
    page.fill("#id_password", PASSWORD)
    page.press("#id_password", "Enter")
    page.wait_for_selector("[data-dropzone]")
    assert page.get_attribute("nav.menu a[aria-current=page]", "href") == "/intake/"

    # The vendor's file, dropped on the page; the batch details typed in.
    drop_file(page, "[data-dropzone]", MARC / DELIVERY)
    page.wait_for_selector("[data-dropzone].has-file")
    assert DELIVERY in page.inner_text("[data-file-name]")
    page.fill("#id_vendor", "新华书店")
    page.fill("#id_invoice_number", "No.20260901")
    shot("1-upload")
    page.click("[data-submit]")

    # The preview comes from the worker; the page polls until it is there.
    page.wait_for_url("**/intake/imports/*/")
    page.wait_for_selector('#job[data-status="previewed"]')
    facts = page.inner_text("#file-facts")
    assert "GB18030" in facts and "100 字段" in facts and "ISO 2709" in facts and "CNMARC" in facts
    records = page.inner_text("#records")
    assert "'94中国发展报告" in records and "9787503717444" in records and "叶震" in records
    assert page.inner_text('[data-count="records_new"]') == "9"
    assert not Record.objects.exists()
    shot("2-preview")

    # Confirm: the import runs in the background too, then the result and the batch.
    page.click("#confirm")
    page.wait_for_selector('#job[data-status="done"]')
    assert "已导入" in page.inner_text("#done")
    shot("3-result")
    batch = Batch.objects.get()
    assert ImportJob.objects.get().batch == batch and batch.invoice_number == "No.20260901"
    page.click("#done a")
    page.wait_for_selector("#batch-items")
    assert page.inner_text("#batch-volumes") == "13"
    assert "'94中国发展报告" in page.inner_text("#batch-items")
    assert "新华书店" in page.inner_text("main")
    shot("4-batch")
