"""kill -9 in the middle of `xiaotu import-marc`: the import writes in one transaction, so nothing of it is left.

A real process on its own SQLite data folder: migrated, given a library, then importing a generated delivery of
20,000 records. The test waits until the import holds SQLite's write lock (its one transaction is open and
writing), kills it with SIGKILL, and looks in the database file: no batch, no copy, no record, no number taken,
and the file is sound.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from xiaotu.interop.marc import generate_cnmarc

RECORDS = 20_000  # a few seconds of importing, about one of them in the write phase
# Ceilings for a slow machine; they bound waits, they are not what is tested.
SETUP_TIMEOUT = 120
IMPORT_TIMEOUT = 120
# The write lock must be held this many polls in a row: a long write, not a passing one.
HELD_POLLS = 3
POLL_SECONDS = 0.05

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the importer runs on its own fresh SQLite folder; once per suite is enough"
)

SETUP = """
from xiaotu.catalogue.models import ItemCategory
from xiaotu.schools.models import Library, Location
library = Library.objects.create(code="kill", name="测试学校")
Location.objects.create(library=library, code="main", name="借阅室")
ItemCategory.objects.create(library=library, code="book", name="普通图书")
"""


def xiaotu_command() -> list[str]:
    """The installed `xiaotu` script beside this interpreter, as a user would type it."""
    script = Path(sys.executable).with_name("xiaotu")
    return [str(script)] if script.exists() else [sys.executable, "-m", "xiaotu.cli"]


def write_lock_held(database: Path) -> bool:
    """Whether another connection holds the write lock: our BEGIN IMMEDIATE is refused at once if it does."""
    probe = sqlite3.connect(database, timeout=0, isolation_level=None)
    try:
        probe.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as error:
        if "locked" not in str(error) and "busy" not in str(error):
            raise
        return True
    else:
        probe.execute("ROLLBACK")
        return False
    finally:
        probe.close()


def counts(database: Path) -> dict[str, int]:
    with sqlite3.connect(database) as db:
        tables = ("intake_batch", "catalogue_record", "catalogue_item", "intake_classcounter", "accounts_auditevent")
        found = {table: db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] for table in tables}
        last = db.execute("SELECT COALESCE(MAX(accession_last), 0) FROM intake_numbering").fetchone()[0]
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    return {**found, "accession_last": last}


def test_killing_an_import_while_it_writes_leaves_no_half_batch(tmp_path):
    data = tmp_path / "data"
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "REDIS_URL")}
    env["XIAOTU_DATA_DIR"] = str(data)
    command = xiaotu_command()
    subprocess.run([*command, "migrate", "-v0"], env=env, check=True, timeout=SETUP_TIMEOUT, capture_output=True)
    subprocess.run([*command, "shell", "-c", SETUP], env=env, check=True, timeout=SETUP_TIMEOUT, capture_output=True)
    delivery = tmp_path / "delivery.mrc"
    delivery.write_bytes(generate_cnmarc(RECORDS))
    database = data / "xiaotu.sqlite3"
    before = counts(database)

    log = tmp_path / "import.log"
    with log.open("wb") as out:
        importer = subprocess.Popen(
            [*command, "import-marc", str(delivery), "--vendor", "新华书店"], env=env, stdout=out, stderr=out
        )
        try:
            held, deadline = 0, time.monotonic() + IMPORT_TIMEOUT
            while held < HELD_POLLS:
                assert importer.poll() is None, "the import ended before it was caught writing:\n" + log.read_text()
                assert time.monotonic() < deadline, "the import never began writing"
                held = held + 1 if write_lock_held(database) else 0
                time.sleep(POLL_SECONDS)
            importer.send_signal(signal.SIGKILL)
            importer.wait(timeout=IMPORT_TIMEOUT)
        finally:
            if importer.poll() is None:
                importer.kill()
    assert importer.returncode == -signal.SIGKILL
    assert "批次" not in log.read_text(), "the import had finished"

    assert (
        counts(database)
        == before
        == {
            "intake_batch": 0,
            "catalogue_record": 0,
            "catalogue_item": 0,
            "intake_classcounter": 0,
            "accounts_auditevent": 0,
            "accession_last": 0,
        }
    )

    assert not write_lock_held(database), "the killed writer's lock is gone with it"
