"""备份与恢复: consistent copies while desks write, restore, rotation, refusing what is not a backup."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
import threading
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from xiaotu.catalogue.models import Item, Record
from xiaotu.ops import backup
from xiaotu.ops.backup import BackupError, backup_check, backup_create, backup_due, backup_prune, backup_restore
from xiaotu.ops.tasks import daily_backup
from xiaotu.readers.models import Reader
from xiaotu.testing.factories import ItemFactory, LibraryFactory, ReaderFactory, RecordFactory

# Backups are read by other connections and processes, so the data must be committed.
pytestmark = pytest.mark.usefixtures("transactional_db")
on_sqlite = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's own backup API")
on_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump and pg_restore")
WRITER_TITLE = "并发写入测试"


@pytest.fixture(autouse=True)
def backup_dir(settings, tmp_path) -> Path:
    folder: Path = tmp_path / "backups"
    settings.XIAOTU_BACKUP_DIR = folder
    return folder


def make_named(folder: Path, stamp: str, suffix: str = ".sqlite3") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"xiaotu-{stamp}{suffix}"
    path.write_bytes(b"old")
    return path


def test_backup_while_a_desk_writes_is_one_consistent_instant():
    """Given a desk committing a record and its copy together, when a backup is made meanwhile,
    then the backup restores to whole pairs only, never a record without its copy."""
    library = LibraryFactory.create()
    written, started, stop, errors = [0], threading.Event(), threading.Event(), []

    def desk() -> None:
        try:
            while not stop.is_set():
                with transaction.atomic():
                    record = RecordFactory.create(library=library, title=WRITER_TITLE)
                    ItemFactory.create(library=library, record=record)
                written[0] += 1
                if written[0] >= 5:
                    started.set()
        except Exception as error:
            errors.append(error)
            started.set()
        finally:
            connections.close_all()

    writer = threading.Thread(target=desk)
    writer.start()
    try:
        assert started.wait(60)
        path = backup_create(path=None)
    finally:
        stop.set()
        writer.join(60)
    assert not errors

    backup_restore(path=path)

    records = Record.objects.filter(title=WRITER_TITLE).count()
    assert 5 <= records <= written[0]
    assert Item.objects.filter(record__title=WRITER_TITLE).count() == records


@on_sqlite
def test_sqlite_backup_is_a_verified_single_file(backup_dir):
    """The copy passes integrity_check and needs no -wal file beside it."""
    ReaderFactory.create()

    path = backup_create(path=None)

    assert path.parent == backup_dir and backup.NAME_PATTERN.match(path.name)
    with sqlite3.connect(path) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert copy.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert copy.execute("SELECT count(*) FROM readers_reader").fetchone()[0] == 1
    assert not list(backup_dir.glob("*.partial"))


def test_backup_into_a_named_file_or_folder(tmp_path):
    """`xiaotu backup PATH` writes that file; a folder gets a timestamped name inside it."""
    ReaderFactory.create()

    call_command("backup", str(tmp_path / "term-end.bak"))
    call_command("backup", str(tmp_path))

    assert (tmp_path / "term-end.bak").is_file()
    assert len(backup.backups_in(tmp_path)) == 1
    assert backup_check(path=tmp_path / "term-end.bak") == ("sqlite" if connection.vendor == "sqlite" else "postgresql")


def test_restore_brings_back_the_data(backup_dir):
    """Given a backup, when readers are changed and added afterwards, then restore brings back the backed-up state,
    and keeps the replaced data aside."""
    pupil = ReaderFactory.create(name="张小明")
    path = backup_create(path=None)
    Reader.objects.filter(pk=pupil.pk).update(name="改过的名字")
    ReaderFactory.create(name="后来的")

    call_command("restore", str(path), yes=True)

    assert list(Reader.objects.values_list("name", flat=True)) == ["张小明"]
    [aside] = backup_dir.glob("before-restore-*")
    assert backup_check(path=aside)
    assert len(backup.backups_in(backup_dir)) == 1, "the copy aside is not part of the rotation"


def test_restore_migrates_a_backup_from_an_older_version():
    """Given a backup made before a migration existed, when restored, then this version's migrations run on it."""
    call_command("migrate", "sessions", "zero", verbosity=0)
    try:
        path = backup_create(path=None)
    finally:
        call_command("migrate", "sessions", verbosity=0)
    ReaderFactory.create()

    backup_restore(path=path)

    assert MigrationRecorder.Migration.objects.filter(app="sessions").exists()
    assert "django_session" in connection.introspection.table_names()
    assert not Reader.objects.exists()


def test_restore_refuses_a_backup_from_a_newer_version(backup_dir):
    """A backup with migrations this code does not know is refused, and nothing changes."""
    MigrationRecorder.Migration.objects.create(app="circulation", name="9999_from_the_future")
    path = backup_create(path=None)
    MigrationRecorder.Migration.objects.filter(name="9999_from_the_future").delete()
    ReaderFactory.create()

    with pytest.raises(CommandError, match="更新版本"):
        call_command("restore", str(path), yes=True)

    assert Reader.objects.count() == 1
    assert not list(backup_dir.glob("before-restore-*"))


def write_foreign_sqlite(path: Path) -> None:
    with sqlite3.connect(path) as other:
        other.execute("CREATE TABLE notes (text TEXT)")
        other.execute("INSERT INTO notes VALUES ('not ours')")
    other.close()


@pytest.mark.parametrize("kind", ["text", "empty", "foreign_sqlite", "truncated", "missing"])
def test_restore_refuses_what_is_not_a_xiaotu_backup_and_changes_nothing(kind, tmp_path, backup_dir):
    """Given a file that is not a valid xiaotu backup, restore says so and the data stays as it was."""
    ReaderFactory.create(name="张小明")
    path = tmp_path / "suspect.sqlite3"
    if kind == "text":
        path.write_text("学号,姓名\n1,张小明\n")
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "foreign_sqlite":
        write_foreign_sqlite(path)
    elif kind == "truncated":
        real = backup_create(path=tmp_path / "real.bak")
        path.write_bytes(real.read_bytes()[:2000])

    with pytest.raises(CommandError) as refusal:
        call_command("restore", str(path), yes=True)

    assert str(path) in str(refusal.value)
    assert list(Reader.objects.values_list("name", flat=True)) == ["张小明"]
    assert not list(backup_dir.glob("before-restore-*"))


def test_restore_refuses_a_backup_of_the_other_kind_of_database(tmp_path):
    """A SQLite backup on PostgreSQL, or a pg_dump archive on SQLite, is refused with the reason."""
    path = tmp_path / "other.bak"
    if connection.vendor == "sqlite":
        path.write_bytes(b"PGDMP\x01\x0e\x00" + b"\x00" * 100)
    else:
        write_foreign_sqlite(path)

    with pytest.raises(BackupError, match="不能直接恢复"):
        backup_check(path=path)


def test_prune_keeps_the_newest_n_and_nothing_else(backup_dir):
    """Given five backups, a copy aside and an unrelated file, keeping three deletes the two oldest backups only."""
    stamps = ["20261120-023000", "20261121-023000", "20261122-023000", "20261122-023000-2", "20261123-023000"]
    paths = [make_named(backup_dir, stamp) for stamp in stamps]
    aside = backup_dir / "before-restore-20261101-100000.sqlite3"
    unrelated = backup_dir / "xiaotu-notes.txt"
    aside.write_bytes(b"keep")
    unrelated.write_text("keep")

    removed = backup_prune(keep=3)

    assert removed == paths[:2]
    assert sorted(backup_dir.iterdir()) == sorted([*paths[2:], aside, unrelated])


def test_daily_task_backs_up_once_a_day_and_rotates(settings, backup_dir):
    """Given old backups beyond the number to keep, the daily task makes today's and keeps the newest two;
    run again the same day, it does nothing."""
    settings.XIAOTU_BACKUP_KEEP = 2
    old = [make_named(backup_dir, stamp) for stamp in ["20200101-023000", "20200102-023000", "20200103-023000"]]
    ReaderFactory.create()

    daily_backup.call_local()
    daily_backup.call_local()

    backups = backup.backups_in(backup_dir)
    assert [b.path for b in backups][:1] == [old[-1]]
    assert len(backups) == 2
    assert backup_check(path=backups[-1].path)


@pytest.mark.parametrize(
    ("newest", "now", "due"),
    [
        ("20261125-023000", "2026-11-25 14:00", False),  # made at 02:30 tonight's slot
        ("20261125-010000", "2026-11-25 02:00", False),  # before today's slot, yesterday's is covered
        ("20261125-010000", "2026-11-25 08:00", True),  # the PC was off at 02:30
        ("20261124-160000", "2026-11-25 07:45", True),  # switched on in the morning
        ("20261124-160000", "2026-11-25 01:00", False),  # still yesterday's slot
    ],
)
def test_backup_is_due_once_after_each_nightly_slot(backup_dir, newest, now, due):
    """A backup is due when none was made since the last 02:30, whenever the PC is on to make it."""
    make_named(backup_dir, newest)
    at = timezone.make_aware(dt.datetime.strptime(now, "%Y-%m-%d %H:%M"))

    assert backup_due(now=at) is due


def test_backup_is_due_with_no_backup_at_all():
    assert backup_due()


pg_dump_installed = pytest.mark.skipif(shutil.which("pg_dump") is None, reason="needs PostgreSQL's client programs")


@pg_dump_installed
def test_pg_client_older_than_the_server_is_named(monkeypatch):
    """When pg_dump is older than the server, the message says which client package to install."""
    monkeypatch.setattr(backup, "_server_major", lambda: 99)

    with pytest.raises(BackupError, match="postgresql-client-99"):
        backup._pg_program("pg_dump")


def test_missing_pg_client_is_named(monkeypatch):
    monkeypatch.setattr(backup, "_server_major", lambda: 15)
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.setattr(Path, "is_file", lambda self: False)

    with pytest.raises(BackupError, match="找不到 pg_dump"):
        backup._pg_program("pg_dump")


@on_postgres
def test_pg_client_matches_the_server():
    """The client programs found here can dump this server (Debian: postgresql-client of the same major)."""
    program = backup._pg_program("pg_dump")
    assert Path(program).is_file()


@on_postgres
def test_pg_restore_removes_tables_added_after_the_backup():
    """Tables that exist now but not in the backup go, so that the migrations after a restore can create them."""
    ReaderFactory.create()
    path = backup_create(path=None)
    assert path.read_bytes().startswith(b"PGDMP")
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE ops_added_later (id integer)")

    backup_restore(path=path)

    assert "ops_added_later" not in connection.introspection.table_names()
    assert Reader.objects.count() == 1


@on_sqlite
def test_sqlite_restore_is_seen_by_a_connection_already_open(settings):
    """A running server's open connection sees the restored data at its next query, not a torn file."""
    ReaderFactory.create(name="张小明")
    path = backup_create(path=None)
    ReaderFactory.create(name="后来的")
    server = sqlite3.connect(connection.settings_dict["NAME"])
    assert server.execute("SELECT count(*) FROM readers_reader").fetchone()[0] == 2

    backup_restore(path=path)

    assert server.execute("SELECT name FROM readers_reader").fetchall() == [("张小明",)]
    assert server.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    server.close()
