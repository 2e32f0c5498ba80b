"""Per-process caches, a few seconds long, for what every desk scan reads and librarians rarely change.

The loan rules, the calendar and API tokens were a third of a scan's queries. Each cache is cleared by the
service that changes its data, so this process sees a change at once; another process (a second server, a
command) sees it within `seconds`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

_ALL: list[ShortCache[object, object]] = []


class ShortCache(Generic[K, V]):
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._entries: dict[K, tuple[float, V]] = {}
        self._lock = threading.Lock()
        _ALL.append(self)  # type: ignore[arg-type]

    def get(self, key: K, load: Callable[[], V]) -> V:
        """The remembered value, or load() — which is remembered unless it is None (nothing to grow on junk keys)."""
        now = time.monotonic()
        entry = self._entries.get(key)
        if entry is not None and entry[0] > now:
            return entry[1]
        value = load()
        if value is not None:
            with self._lock:
                self._entries[key] = (now + self.seconds, value)
        return value

    def forget(self, key: K | None = None) -> None:
        with self._lock:
            if key is None:
                self._entries.clear()
            else:
                self._entries.pop(key, None)


def forget_all() -> None:
    """Empty every short cache (the tests do this between tests, whose rows reuse primary keys)."""
    for cache in _ALL:
        cache.forget()
