"""Fixtures for a small school with one loan rule: students may borrow two ordinary books for 14 days."""

from __future__ import annotations

import pytest

from xiaotu.accounts.models import Role, User
from xiaotu.testing.clients import ServerClient
from xiaotu.testing.factories import (
    ItemCategoryFactory,
    LibraryFactory,
    LoanCapFactory,
    LoanRuleFactory,
    ReaderTypeFactory,
    UserFactory,
)


@pytest.fixture
def client() -> ServerClient:
    """pytest-django's client, but choosing the middleware per request as the server does (xiaotu/wsgi.py)."""
    return ServerClient()


@pytest.fixture
def library(db):
    return LibraryFactory.create()


@pytest.fixture
def rules(library):
    """学生 × 普通图书: 14 days, 2 at once, 1 renewal, overdue blocks; 3 in all; 工具书 is reference-only."""
    student = ReaderTypeFactory.create(library=library)
    book = ItemCategoryFactory.create(library=library)
    reference = ItemCategoryFactory.create(library=library, code="ref", name="工具书", reference_only=True)
    rule = LoanRuleFactory.create(library=library, reader_type=student, item_category=book)
    LoanRuleFactory.create(library=library, reader_type=student, item_category=reference)
    LoanCapFactory.create(library=library, reader_type=student, max_total=3)
    return rule


@pytest.fixture
def librarian(library) -> User:
    return UserFactory.create(library=library, username="librarian", role=Role.LIBRARIAN)


@pytest.fixture
def student_librarian(library) -> User:
    return UserFactory.create(library=library, username="xiaoguan", role=Role.STUDENT_LIBRARIAN)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Real hashing costs a quarter of a second per staff user; tests only need passwords to match."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_short_caches():
    """Each test builds its own rules and calendar, often under the same primary keys as the test before."""
    from xiaotu.short_cache import forget_all

    forget_all()
    yield
    forget_all()


@pytest.fixture(autouse=True)
def _chinese_after_each_test():
    """The locale middleware leaves a request's language active in the thread: an English page must not turn the
    next test's messages English."""
    yield
    from django.utils import translation

    translation.deactivate()


@pytest.fixture
def browser_page():
    """A Playwright page in Debian's Chromium (see xiaotu/testing/browser.py)."""
    from xiaotu.testing.browser import chromium_page

    yield from chromium_page()
