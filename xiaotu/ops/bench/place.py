"""Where a benchmark keeps its library: a data folder of its own and, on PostgreSQL, a database of its own.

The library is built once and reused: its folder and database are named after its size. The benchmark itself runs
in a child `xiaotu bench` process whose XIAOTU_DATA_DIR and DATABASE_URL point there, so that it, the demo builder
and the server it starts all see only the benchmark's library, never the installation's own.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

# Set in the child process: the options it runs with, as JSON.
INSIDE = "XIAOTU_BENCH_RUN"


@dataclass(frozen=True)
class Place:
    data_dir: Path
    database_url: str | None  # None: the SQLite file in data_dir

    def environment(self, options: str) -> dict[str, str]:
        env = dict(os.environ)
        env["XIAOTU_DATA_DIR"] = str(self.data_dir)
        env.pop("DATABASE_URL", None)
        if self.database_url:
            env["DATABASE_URL"] = self.database_url
        env[INSIDE] = options
        return env


def bench_place(*, key: str, base_dir: Path, database_url: str | None, database_name: str | None = None) -> Place:
    """var/bench/circulation-50000-3000-500000/ on SQLite; database xiaotu_bench_circulation_50000_3000_500000 on
    the PostgreSQL server of DATABASE_URL (its data folder gets a -postgresql suffix)."""
    if not database_url:
        return Place(base_dir / key, None)
    name = database_name or "xiaotu_bench_" + key.replace("-", "_")
    return Place(base_dir / f"{key}-postgresql", with_database(database_url, name))


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def ensure_database(*, server_url: str, url: str) -> bool:
    """Create the benchmark's database on the server if it is missing; True if it was created."""
    import psycopg
    from psycopg import sql

    name = database_name(url)
    # Through the maintenance database: the one DATABASE_URL names need not exist (a test run's test_ database).
    with psycopg.connect(with_database(server_url, "postgres"), autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists:
            return False
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return True


def drop_database(*, server_url: str, url: str) -> None:
    import psycopg
    from psycopg import sql

    # Through the maintenance database: the one DATABASE_URL names need not exist (a test run's test_ database).
    with psycopg.connect(with_database(server_url, "postgres"), autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database_name(url)))
        )
