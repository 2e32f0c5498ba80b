"""Django's SQLite backend with one change: write transactions queue on a lock before BEGIN IMMEDIATE.

SQLite lets one writer in at a time; the others wait in its busy handler, which sleeps in growing steps (up to
100 ms) instead of queueing, so with eight server threads the unlucky desk waited half a second while the
database sat idle. Queueing first on a lock hands the database over the moment the last writer commits: a
thread lock within the process, and where the system has it an flock on a file beside the database across
processes (the server's web processes, a command-line import).
"""

from __future__ import annotations

import os
import threading
from typing import Any

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: one web process, so the thread lock is the queue
    fcntl = None  # type: ignore[assignment]

from django.db import OperationalError
from django.db.backends.sqlite3 import base

# One lock per process for each database file (the test suite's file differs from the server's).
_LOCKS: dict[str, threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()


_LOCK_FILES: dict[str, int] = {}


def _lock_for(name: str) -> threading.Lock:
    with _LOCKS_GUARD:
        return _LOCKS.setdefault(name, threading.Lock())


def _lock_file(name: str) -> int | None:
    """A descriptor of `<database>.writelock`, opened once per process (a forked child opens its own)."""
    if fcntl is None or name in ("", ":memory:") or name.startswith("file:"):
        return None
    key = f"{os.getpid()}:{name}"
    with _LOCKS_GUARD:
        if key not in _LOCK_FILES:
            _LOCK_FILES[key] = os.open(name + ".writelock", os.O_RDWR | os.O_CREAT, 0o600)
        return _LOCK_FILES[key]


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._holds_write_lock = False

    def _write_lock(self) -> threading.Lock:
        return _lock_for(str(self.settings_dict["NAME"]))

    def _start_transaction_under_autocommit(self) -> None:
        timeout = float(self.settings_dict.get("OPTIONS", {}).get("timeout", 20))
        if not self._write_lock().acquire(timeout=timeout):
            raise OperationalError("database is locked")
        self._holds_write_lock = True
        try:
            if (fd := _lock_file(str(self.settings_dict["NAME"]))) is not None:
                # Blocking: the kernel wakes the next process the moment the holder lets go.
                fcntl.flock(fd, fcntl.LOCK_EX)
            super()._start_transaction_under_autocommit()  # type: ignore[misc]
        except BaseException:
            self._release_write_lock()
            raise

    def _release_write_lock(self) -> None:
        if self._holds_write_lock:
            self._holds_write_lock = False
            if (fd := _lock_file(str(self.settings_dict["NAME"]))) is not None:
                fcntl.flock(fd, fcntl.LOCK_UN)
            self._write_lock().release()

    def _commit(self) -> None:
        try:
            super()._commit()  # type: ignore[misc]
        finally:
            self._release_write_lock()

    def _rollback(self) -> None:
        try:
            super()._rollback()  # type: ignore[misc]
        finally:
            self._release_write_lock()

    def _close(self) -> None:
        try:
            super()._close()  # type: ignore[misc]
        finally:
            self._release_write_lock()
