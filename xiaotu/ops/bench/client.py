"""A desk as the benchmark drives it: one process, one keep-alive connection, 借出 then 归还, every request timed.

Only the standard library is imported here, so that a spawned client process starts fast and without Django.
"""

from __future__ import annotations

import http.client
import json
import time
from dataclasses import dataclass, field
from multiprocessing.synchronize import Barrier
from typing import Any, Protocol

CHECKOUT = "/api/v1/circulation/checkout"
CHECKIN = "/api/v1/circulation/checkin"
# Requests slower than this are a hung server, not a figure.
TIMEOUT_S = 30
BARRIER_TIMEOUT_S = 120


@dataclass(frozen=True)
class DeskWork:
    """What one client does: lend its own books to its own readers, in turn, and take each book back."""

    host: str
    port: int
    token: str
    readers: list[str]
    items: list[str]
    seconds: float
    warmup: int = 5


@dataclass
class DeskResult:
    checkout_ms: list[float] = field(default_factory=list)
    checkin_ms: list[float] = field(default_factory=list)
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    elapsed_s: float = 0.0
    cpu_s: float = 0.0  # this client's own CPU time during the timed run: the load the benchmark itself adds
    warmups: int = 0  # check-out/check-in pairs before the timed run


class ResultQueue(Protocol):
    def put(self, obj: Any) -> None: ...


class Desk:
    def __init__(self, work: DeskWork) -> None:
        self.work = work
        self.headers = {
            "Authorization": f"Bearer {work.token}",
            "Content-Type": "application/json",
            "Accept": "application/json",
        }
        self.connection = http.client.HTTPConnection(work.host, work.port, timeout=TIMEOUT_S)

    def post(self, path: str, body: dict[str, str]) -> tuple[int, bytes]:
        payload = json.dumps(body).encode()
        try:
            self.connection.request("POST", path, body=payload, headers=self.headers)
            response = self.connection.getresponse()
            return response.status, response.read()
        except (OSError, http.client.HTTPException) as error:
            # A dropped keep-alive connection: count it, and open a new one for the next request.
            self.connection.close()
            self.connection = http.client.HTTPConnection(self.work.host, self.work.port, timeout=TIMEOUT_S)
            return 0, repr(error).encode()

    def timed(self, path: str, body: dict[str, str], expected: int, into: list[float], result: DeskResult) -> bool:
        started = time.perf_counter()
        status, content = self.post(path, body)
        elapsed = (time.perf_counter() - started) * 1000
        if status == expected:
            into.append(elapsed)
            return True
        result.errors += 1
        if len(result.error_samples) < 5:
            result.error_samples.append(f"{path} {body} → {status} {content[:300].decode(errors='replace')}")
        return False

    def run(self, barrier: Barrier | None) -> DeskResult:
        work = self.work
        result = DeskResult()
        warmup = DeskResult()
        turn = 0

        def pair(into: DeskResult) -> None:
            nonlocal turn
            reader, item = work.readers[turn % len(work.readers)], work.items[turn % len(work.items)]
            turn += 1
            if self.timed(CHECKOUT, {"reader": reader, "item": item}, 201, into.checkout_ms, into):
                self.timed(CHECKIN, {"item": item}, 200, into.checkin_ms, into)

        for _ in range(work.warmup):
            pair(warmup)
        result.warmups = work.warmup
        if barrier is not None:
            barrier.wait(timeout=BARRIER_TIMEOUT_S)
        started, cpu = time.perf_counter(), time.process_time()
        deadline = started + work.seconds
        while time.perf_counter() < deadline:
            pair(result)
        result.elapsed_s = time.perf_counter() - started
        result.cpu_s = time.process_time() - cpu
        self.connection.close()
        return result


def run_desk(work: DeskWork, barrier: Barrier | None, results: ResultQueue, index: int) -> None:
    """Process entry point: warm up, wait for the other desks, run for the given seconds, report."""
    try:
        results.put((index, Desk(work).run(barrier)))
    except BaseException as error:  # the parent must hear of any failure, or it waits for a result forever
        results.put((index, DeskResult(errors=1, error_samples=[f"client crashed: {error!r}"])))
        raise
