"""Shared by the 采编 page tests: staff of each role, the shelves an import needs, and background jobs run at once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from huey.contrib.djhuey import HUEY

from xiaotu.accounts.models import Role, User
from xiaotu.catalogue.models import ItemCategory
from xiaotu.schools.models import Library, Location
from xiaotu.testing.factories import ItemCategoryFactory, LocationFactory, UserFactory
from xiaotu.testing.paths import MARC

Capture = Callable[..., AbstractContextManager[Any]]


@contextmanager
def jobs_run_at_once() -> Iterator[None]:
    """huey's immediate mode: a queued task runs inside the call that queues it, as `xiaotu serve` would run it
    a moment later in its worker thread."""
    was = HUEY.immediate
    HUEY.immediate = True
    try:
        yield
    finally:
        HUEY.immediate = was


def staff(library: Library, role: str) -> User:
    return UserFactory.create(library=library, username=f"{role}-user", role=role)


def shelves(library: Library) -> tuple[Location, ItemCategory]:
    return LocationFactory.create(library=library), ItemCategoryFactory.create(library=library)


def marc_file(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, (MARC / name).read_bytes(), content_type="application/octet-stream")


def options(location: Location, category: ItemCategory, **overrides: Any) -> dict[str, Any]:
    """The upload form's fields as a librarian leaves them: a new batch from 新华书店, one copy per record."""
    data: dict[str, Any] = {
        "marc_format": "auto",
        "encoding": "auto",
        "batch_mode": "new",
        "received_on": dt.date(2026, 9, 1).isoformat(),
        "source": "purchase",
        "vendor": "新华书店",
        "invoice_number": "FP-001",
        "batch_number": "",
        "location": location.pk,
        "category": category.pk,
        "copies_without_holdings": 1,
        "call_numbers": "keep",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def post(client: Client, capture: Capture, url: str, data: dict[str, Any] | None = None, **extra: Any) -> Any:
    """POST, then run what the view queued for after its commit (the test's transaction never commits)."""
    with capture(execute=True):
        return client.post(url, data or {}, **extra)


ROLES_REFUSED = (Role.STUDENT_LIBRARIAN, Role.TEACHER)
