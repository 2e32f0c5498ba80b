"""One library's circulation settings (流通设置), read in one place; a library that never saved any gets defaults."""

from __future__ import annotations

from django.db import transaction

from xiaotu.circulation.models import CirculationSettings
from xiaotu.short_cache import ShortCache

_SETTINGS: ShortCache[int, CirculationSettings] = ShortCache(seconds=30)


def settings_for(library_id: int) -> CirculationSettings:
    """The saved row, or an unsaved one holding the defaults (nothing is written by reading)."""
    found = CirculationSettings.objects.filter(library_id=library_id).first()
    return found if found is not None else CirculationSettings(library_id=library_id)


def cached_settings_for(library_id: int) -> CirculationSettings:
    """The same, remembered for a few seconds: for the desk's check-out and return, which read it on every scan."""
    return _SETTINGS.get(library_id, lambda: settings_for(library_id))


def forget_settings(library_id: int) -> None:
    """Call after changing a library's settings: now, and again once the change is committed."""
    _SETTINGS.forget(library_id)
    transaction.on_commit(lambda: _SETTINGS.forget(library_id))
