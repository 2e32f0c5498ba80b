"""`xiaotu bench reports` at a tiny size prints one JSON object with a time for every report (never asserts speed)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from xiaotu.ops.bench.place import drop_database, with_database


@pytest.fixture
def bench_database():
    server = os.environ.get("DATABASE_URL")
    if not server:
        yield None
        return
    name = f"xiaotu_bench_reports_test_{os.getpid()}"
    yield name
    drop_database(server_url=server, url=with_database(server, name))


def test_the_reports_bench_times_every_report(tmp_path, bench_database):
    command = [sys.executable, "-m", "xiaotu.cli", "bench", "reports", "--loans", "300", "--items", "200"]
    command += ["--readers", "40", "--runs", "1", "--json"]
    if bench_database:
        command += ["--database", bench_database]
    env = {**os.environ, "XIAOTU_DATA_DIR": str(tmp_path)}
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout)
    assert figures["loans"] == 300 and figures["built"] is True
    assert {"circulation_term", "stars_term", "collection", "inspection", "class_term"} <= figures["reports_ms"].keys()
    assert all(ms > 0 for ms in figures["reports_ms"].values())
