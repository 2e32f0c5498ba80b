"""`xiaotu serve` as a school PC runs it: a real process on a fresh data folder, stopped by SIGTERM."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection

# Generous, for a slow CI machine: these bound a wait, they are not what is tested.
START_TIMEOUT = 90
STOP_TIMEOUT = 20

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the server runs on its own fresh SQLite folder; once per suite is enough"
)


def free_port() -> int:
    """A port in the range kept for these tests that nothing listens on."""
    for port in range(8400, 8500):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    pytest.skip("no free port in 8400-8499")


def xiaotu_command() -> list[str]:
    """The installed `xiaotu` script beside this interpreter, as a user would type it."""
    script = Path(sys.executable).with_name("xiaotu")
    return [str(script)] if script.exists() else [sys.executable, "-m", "xiaotu.cli"]


def get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


class Server:
    def __init__(self, process: subprocess.Popen[bytes], url: str, data_dir: Path, log: Path, workers: int) -> None:
        self.process, self.url, self.data_dir, self.log = process, url, data_dir, log
        self.workers = workers

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@pytest.fixture(params=["1", "2"], ids=["one-process", "two-web-processes"])
def server(tmp_path, request) -> Iterator[Server]:
    """The server as one process (as on Windows) and with two forked web processes (the default on 2 cores)."""
    if request.param != "1" and not hasattr(os, "fork"):
        pytest.skip("web processes are forked only where the system can fork")
    port = free_port()
    data_dir = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "XIAOTU_JOBS_IMMEDIATE"}}
    env.update(XIAOTU_DATA_DIR=str(data_dir), XIAOTU_BACKUP_DIR=str(data_dir / "backups"), PYTHONUNBUFFERED="1")
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*xiaotu_command(), "serve", "--port", str(port), "--workers", request.param],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
        )
    running = Server(process, f"http://127.0.0.1:{port}", data_dir, log, int(request.param))
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            assert process.poll() is None, running.output()
            try:
                get(running.url + "/api/v1/openapi.json")
                break
            except OSError:
                assert time.monotonic() < deadline, "the server did not answer:\n" + running.output()
                time.sleep(0.2)
        yield running
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def wait_for(condition, what: str, server: Server) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while not condition():
        assert time.monotonic() < deadline, f"{what}:\n{server.output()}"
        time.sleep(0.2)


def test_serves_migrates_runs_jobs_and_stops_cleanly_on_sigterm(server):
    """Given a fresh data folder, `xiaotu serve` migrates it, answers the API and the login page, makes the day's
    first backup through its in-process job consumer, and exits 0 on SIGTERM without a traceback."""
    assert get(server.url + "/api/v1/openapi.json") == 200
    assert get(server.url + "/accounts/login/") == 200
    assert (server.data_dir / "xiaotu.sqlite3").is_file()
    # The catch-up backup is queued at start and run by the huey consumer inside the server process.
    backups = server.data_dir / "backups"
    wait_for(lambda: any(backups.glob("xiaotu-*.sqlite3")), "no backup was made by the job consumer", server)

    server.process.send_signal(signal.SIGTERM)

    assert server.process.wait(timeout=STOP_TIMEOUT) == 0, server.output()
    output = server.output()
    assert "校图已启动" in output
    assert "Traceback" not in output, output
    assert "Error" not in output, output


def _established_per_process(server: Server) -> list[int]:
    """How many connections to the server's port each web process holds, read from /proc (Linux)."""
    port = int(server.url.rsplit(":", 1)[1])
    established = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "01":  # local port, ESTABLISHED
                established.add(fields[9])  # the socket's inode
    children = Path(f"/proc/{server.process.pid}/task/{server.process.pid}/children").read_text().split()
    counts = []
    for pid in children:
        descriptors = Path(f"/proc/{pid}/fd").iterdir()
        sockets = {str(fd.readlink()).removeprefix("socket:[").rstrip("]") for fd in descriptors}
        counts.append(len(sockets & established))
    return counts


@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="reads the connections from Linux's /proc")
def test_desks_connections_are_shared_evenly_between_web_processes(server):
    """Four desks keeping their connections open land two on each of the two web processes, not three and one."""
    if server.workers != 2:
        pytest.skip("one process has no one to share with")
    import http.client

    host, port = server.url.removeprefix("http://").split(":")
    desks = []
    for _ in range(4):
        desk = http.client.HTTPConnection(host, int(port), timeout=10)
        desk.request("GET", "/api/v1/openapi.json")
        assert desk.getresponse().read()
        desks.append(desk)
    try:
        wait_for(lambda: sorted(_established_per_process(server)) == [2, 2], "connections not shared 2 + 2", server)
    finally:
        for desk in desks:
            desk.close()
