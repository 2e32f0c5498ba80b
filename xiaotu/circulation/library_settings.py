"""One library's circulation settings (流通设置), read in one place; a library that never saved any gets defaults."""

from __future__ import annotations

from xiaotu.circulation.models import CirculationSettings


def settings_for(library_id: int) -> CirculationSettings:
    """The saved row, or an unsaved one holding the defaults (nothing is written by reading)."""
    found = CirculationSettings.objects.filter(library_id=library_id).first()
    return found if found is not None else CirculationSettings(library_id=library_id)
