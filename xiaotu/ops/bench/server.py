"""The real server for a benchmark: `xiaotu serve` (waitress and its jobs) in a child process, started and stopped."""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

START_TIMEOUT_S = 60
STOP_TIMEOUT_S = 15


class ServerFailed(RuntimeError):
    pass


@dataclass(frozen=True)
class Server:
    host: str
    port: int
    pid: int

    def cpu_seconds(self) -> float | None:
        """User + system CPU time the server and its web processes have used so far; None without /proc (not Linux).

        The web processes are the server's children (`xiaotu serve` forks one per core); their time is read while
        they run, so it does not matter that the kernel adds it to the parent's only when they exit.
        """
        try:
            pids = [self.pid, *_children(self.pid)]
            total = 0
            for pid in pids:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])
        except OSError:
            return None
        return total / os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def free_port(host: str = "127.0.0.1") -> int:
    """A port nobody listens on right now, chosen by the operating system."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def _answers(host: str, port: int) -> bool:
    connection = http.client.HTTPConnection(host, port, timeout=2)
    try:
        connection.request("GET", "/api/v1/")
        connection.getresponse().read()
        return True
    except OSError:
        return False
    finally:
        connection.close()


@contextlib.contextmanager
def running_server(*, port: int, threads: int | None, log: Path, env: dict[str, str]) -> Iterator[Server]:
    """Start `xiaotu serve --no-migrate` with the given environment, wait until it answers, and stop it afterwards.

    Its output goes to `log`; if it dies before answering, the end of that log is the error.
    """
    host = "127.0.0.1"
    command = [sys.executable, "-m", "xiaotu.cli", "serve", "--no-migrate", "--host", host, "--port", str(port)]
    if threads:
        command += ["--threads", str(threads)]
    with log.open("ab") as output:
        process = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not _answers(host, port):
            if process.poll() is not None or time.monotonic() > deadline:
                tail = log.read_text(errors="replace")[-2000:]
                raise ServerFailed(f"xiaotu serve did not start on port {port}:\n{tail}")
            time.sleep(0.2)
        yield Server(host, port, process.pid)
    finally:
        _stop(process)


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM, which `xiaotu serve` treats as Ctrl+C; kill only if it does not finish in time."""
    if process.poll() is not None:
        return
    if os.name == "posix":
        process.send_signal(signal.SIGTERM)
    else:
        process.terminate()
    try:
        process.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
