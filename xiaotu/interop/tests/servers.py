"""Servers the SRU/Z39.50 tests talk to on loopback: a real yaz-ztest, one that never answers, one that answers junk.

yaz-ztest (Debian package `yaz`) answers Z39.50 and SRU on one port. What it returns is synthetic and documented
in its source (ztest/ztest.c): for a Z39.50 type-1 query whose first term is a number, that number is the hit
count ("0" gives none); for any other query, a hash of the query modulo 24 (`ztest_cql_hits`); records are a
fixed set of MARC21 records in turn; database "Default" exists, any other name but db*/Slow* gives diagnostic
109 (over SRU: HTTP 404).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest

YAZ_ZTEST = shutil.which("yaz-ztest")


def free_port() -> int:
    """A loopback port nothing listens on (the kernel's pick; closed again at once)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def yaz_ztest(workdir: Path) -> Iterator[int]:
    """Run yaz-ztest on a free loopback port until the block ends; skip (or fail under XIAOTU_REQUIRE_YAZ=1)."""
    if YAZ_ZTEST is None:
        reason = "yaz-ztest is not installed (Debian package yaz)"
        if os.environ.get("XIAOTU_REQUIRE_YAZ") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    for _attempt in range(3):  # another process may take the port between our probe and yaz-ztest's bind
        port = free_port()
        process = subprocess.Popen(
            [YAZ_ZTEST, "-l", str(workdir / "ztest.log"), f"tcp:127.0.0.1:{port}"],
            cwd=workdir,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # its own process group, so the children it forks per connection stop with it
        )
        if _accepts(process, port):
            break
        _stop(process)
    else:
        pytest.fail(f"yaz-ztest did not start; see {workdir / 'ztest.log'}")
    try:
        yield port
    finally:
        _stop(process)


def _accepts(process: subprocess.Popen[bytes], port: int) -> bool:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and process.poll() is None:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        except OSError:
            time.sleep(0.02)
        else:
            return True
    return False


def _stop(process: subprocess.Popen[bytes]) -> None:
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


@contextmanager
def silent_server() -> Iterator[int]:
    """A port whose connections are accepted (by the kernel, from the backlog) and then never answered."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        yield int(listener.getsockname()[1])


@contextmanager
def answering_server(reply: bytes) -> Iterator[int]:
    """A port that reads each request, sends `reply` and hangs up."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    listener.settimeout(0.05)
    stopping = threading.Event()

    def serve() -> None:
        while not stopping.is_set():
            try:
                connection, _address = listener.accept()
            except TimeoutError:
                continue
            with connection, suppress(OSError):
                connection.settimeout(2)
                connection.recv(65536)
                connection.sendall(reply)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield int(listener.getsockname()[1])
    finally:
        stopping.set()
        thread.join(timeout=5)
        listener.close()


def ztest_cql_hits(cql: str) -> int:
    """yaz-ztest's hit count for a CQL query: its hash of the query text, modulo 24 (ztest.c, get_hit_count)."""
    value = 0
    for byte in cql.encode():
        value = (value * 65509 + (byte - 256 if byte > 127 else byte)) & 0xFFFFFFFF
    return value % 24
