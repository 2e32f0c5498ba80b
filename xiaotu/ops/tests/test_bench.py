"""`xiaotu bench circulation` at the smallest size: builds its own library, starts the real server, drives it, reports.

It runs the command as a person would, in a child process with its own data folder (and, on PostgreSQL, its own
database, dropped afterwards). It takes about ten seconds; it asserts what was measured, never how fast.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from xiaotu.ops.bench.place import drop_database, with_database
from xiaotu.ops.bench.stats import percentiles, throughput

KEYS = {"p50_ms", "p95_ms", "p99_ms", "ops_per_s", "errors", "operations", "database", "items", "readers", "clients"}


@pytest.fixture
def bench_database():
    """On PostgreSQL, a database of this run's own, so that parallel runs do not build into the same one."""
    server = os.environ.get("DATABASE_URL")
    if not server:
        yield None
        return
    name = f"xiaotu_bench_test_{os.getpid()}"
    yield name
    drop_database(server_url=server, url=with_database(server, name))


def test_circulation_bench_prints_one_json_object(tmp_path, bench_database):
    """Given a tiny library and one client for two seconds, stdout is one JSON object with the figures, no errors."""
    command = [sys.executable, "-m", "xiaotu.cli", "bench", "circulation", "--items", "200", "--readers", "20"]
    command += ["--history", "100", "--clients", "1", "--seconds", "2", "--json"]
    if bench_database:
        command += ["--database", bench_database]
    env = {**os.environ, "XIAOTU_DATA_DIR": str(tmp_path)}
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result.keys() >= KEYS
    assert result["errors"] == 0, result.get("error_samples")
    assert result["operations"] > 0 and result["built"] is True
    assert result["database"] == ("postgresql" if bench_database else "sqlite")
    assert (tmp_path / "bench" / "circulation-200-20-100" / "bench-server.log").exists() or bench_database


def test_percentiles_of_known_samples():
    figures = percentiles([float(n) for n in range(1, 101)])
    assert (figures["p50_ms"], figures["p95_ms"], figures["p99_ms"], figures["max_ms"]) == (50.5, 95.05, 99.01, 100.0)
    assert percentiles([])["p95_ms"] is None
    assert throughput(300, 2.0) == 150.0


def test_the_import_benchmark_prints_its_figures(tmp_path):
    """`xiaotu bench import --records 300 --json` catalogues a generated file and prints one JSON object."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["XIAOTU_DATA_DIR"] = str(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "xiaotu.cli", "bench", "import", "--records", "300", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout)
    assert figures["records"] == 300 and figures["errors"] == 0
    assert figures["records_new"] + figures["records_matched"] > 0 and figures["copies"] > 0
    assert figures["records_per_s"] > 0 and figures["pymarc_parse_records_per_s"] > 0 and figures["ratio"] > 0
