"""Writes of the reports app: the library's report settings and its 规程 standard table."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from xiaotu.accounts.models import User
from xiaotu.accounts.services import audit_record
from xiaotu.reports.models import ReportSettings, Standard
from xiaotu.reports.standards import DEFAULTS
from xiaotu.schools.models import Library


def standards_ensure(*, library: Library) -> list[Standard]:
    """The library's four rows of the 规程 table, creating the seeded ones it lacks (a library made after the
    data migration has none)."""
    with transaction.atomic():
        have = {s.level for s in Standard.objects.filter(library=library)}
        Standard.objects.bulk_create(
            [
                Standard(library=library, level=level, **values)
                for level, values in DEFAULTS.items()
                if level not in have
            ]
        )
    order = list(DEFAULTS)
    return sorted(Standard.objects.filter(library=library), key=lambda s: order.index(s.level))


def report_settings_save(*, library: Library, settings: ReportSettings, standards: list[Standard], by: User) -> None:
    """Save the settings and the edited standard rows together, with one audit entry saying what changed."""
    changed: dict[str, Any] = {}
    with transaction.atomic():
        settings.library = library
        settings.save()
        for row in standards:
            if row.library_id != library.pk:
                raise ValueError("standard row of another library")
            row.save()
            changed[row.level] = str(row.books_per_pupil)
        audit_record(
            library=library,
            actor=by,
            action="reports.settings",
            obj=settings,
            data={
                "loans_per_pupil_target": str(settings.loans_per_pupil_target),
                "stars_public": settings.stars_public,
                "standards": changed,
            },
            at=timezone.now(),
        )
