"""A Playwright page in Debian's Chromium for the browser tests (the `browser_page` fixture in conftest.py).

Playwright cannot download its own browser here, so it drives /usr/bin/chromium (or XIAOTU_CHROMIUM). Without a
usable Chromium the browser tests are skipped — unless XIAOTU_REQUIRE_BROWSER=1 (CI), where that fails the run.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
WAIT_MS = 60_000  # a ceiling for slow CI machines, not a timing assertion


def unavailable(reason: str) -> None:
    if os.environ.get("XIAOTU_REQUIRE_BROWSER") == "1":
        pytest.fail(f"XIAOTU_REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(reason)


def chromium_page() -> Iterator[Any]:
    """A fresh Chinese-locale page; fails the test afterwards if the page raised JavaScript errors."""
    chromium = os.environ.get("XIAOTU_CHROMIUM", "/usr/bin/chromium")
    if not Path(chromium).exists():
        unavailable(f"Chromium is not installed at {chromium}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - playwright is a dev dependency
        unavailable("the playwright package is not installed")
    # Playwright's sync API keeps an event loop in this thread; the tests' ORM calls are ordinary blocking calls.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        except Exception as error:  # any launch failure means "no usable browser"
            unavailable(f"Chromium did not start: {error}")
        context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
        page = context.new_page()
        page.set_default_timeout(WAIT_MS)
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        yield page
        browser.close()
        assert not errors, f"JavaScript errors on the page: {errors}"
