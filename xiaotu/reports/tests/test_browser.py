"""The report pages in a real browser: charts drawn by the vendored Chart.js, printable, usable on a phone."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from xiaotu.accounts.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
# Set XIAOTU_SCREENSHOTS to a folder to keep pictures of the pages for a person to look at.
SHOTS = os.environ.get("XIAOTU_SCREENSHOTS")


def shoot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def log_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw-for-tests")
    page.press("#id_password", "Enter")
    page.wait_for_load_state()


def test_the_dashboard_draws_its_four_charts(browser_page, live_server, school, users, today):
    page = browser_page
    log_in(page, live_server, users[Role.LIBRARIAN].username)
    page.goto(f"{live_server.url}/reports/?period=term")
    page.wait_for_function("() => Object.keys(Chart.instances).length === 4")
    shoot(page, "dashboard")
    page.goto(f"{live_server.url}/reports/circulation/?period=term")
    page.wait_for_function("() => Object.keys(Chart.instances).length === 1")
    shoot(page, "circulation")


def test_the_inspection_page_prints_without_the_menu(browser_page, live_server, school, users, today):
    page = browser_page
    log_in(page, live_server, users[Role.ADMIN].username)
    page.goto(f"{live_server.url}/reports/inspection/")
    shoot(page, "inspection")
    page.emulate_media(media="print")
    assert not page.locator(".topbar").is_visible()
    assert not page.locator(".report-tabs").is_visible()
    assert page.locator(".inspection-table").is_visible()
    shoot(page, "inspection-print")


def test_a_teacher_reads_their_class_on_a_phone(browser_page, live_server, school, users, today):
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server, users[Role.TEACHER].username)
    page.goto(f"{live_server.url}/reports/class/?period=term")
    page.wait_for_function("() => Object.keys(Chart.instances).length === 1")
    assert school.teacher_class.name in page.inner_text("h1")
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390
    shoot(page, "class-phone")


def test_stars_and_collection_pages_render(browser_page, live_server, school, users, today):
    page = browser_page
    log_in(page, live_server, users[Role.LIBRARIAN].username)
    page.goto(f"{live_server.url}/reports/stars/?period=term")
    shoot(page, "stars")
    page.goto(f"{live_server.url}/reports/collection/?year=2026")
    page.wait_for_function("() => Object.keys(Chart.instances).length === 1")
    shoot(page, "collection")
