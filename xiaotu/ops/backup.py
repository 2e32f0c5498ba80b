"""备份与恢复 — consistent copies of the database while the server runs, kept for N days, and restored in one step.

SQLite is copied with its online backup API (a consistent snapshot that never blocks the desk, even in WAL mode) and
restored the same way into the live file, so a running server simply sees the old data come back. PostgreSQL is
dumped with pg_dump's custom format and restored by psql in one transaction.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.db import connections
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

SQLITE_SUFFIX = ".sqlite3"
PG_SUFFIX = ".pgdump"
# xiaotu-20261125-023000.sqlite3, with -2, -3 … when two are made within one second.
NAME_PATTERN = re.compile(r"^xiaotu-(\d{8})-(\d{6})(?:-(\d+))?\.(sqlite3|pgdump)$")
SQLITE_MAGIC = b"SQLite format 3\x00"
PG_MAGIC = b"PGDMP"
# The automatic backup belongs to the night: the first chance after this local time each day.
DAILY_AT = dt.time(2, 30)


class BackupError(Exception):
    """A backup or restore that could not be done; the message says why, in the user's language."""


@dataclass(frozen=True)
class BackupFile:
    """One automatic backup in the backup folder, named by the local time it was made."""

    path: Path
    made_at: dt.datetime
    sequence: int


def _database() -> dict[str, Any]:
    return connections["default"].settings_dict


def _is_sqlite() -> bool:
    return connections["default"].vendor == "sqlite"


def _is_postgres() -> bool:
    return connections["default"].vendor == "postgresql"


# ---------------------------------------------------------------------------------------------------------- create


def backup_create(*, path: Path | None = None) -> Path:
    """备份 — write a consistent, verified copy of the database and return its path.

    With no path the copy goes into the backup folder under a timestamped name; a path that is a folder gets the
    timestamped name inside it. The copy is written beside its final name and renamed only once verified, so a
    half-written backup never looks like a real one.
    """
    suffix = SQLITE_SUFFIX if _is_sqlite() else PG_SUFFIX
    if not (_is_sqlite() or _is_postgres()):
        raise BackupError(_("不支持备份这种数据库：%(engine)s") % {"engine": _database()["ENGINE"]})
    folder = Path(settings.XIAOTU_BACKUP_DIR) if path is None else path
    if path is None or path.is_dir():
        folder.mkdir(parents=True, exist_ok=True)
        target = _timestamped(folder, suffix)
    else:
        target = path
        target.parent.mkdir(parents=True, exist_ok=True)
    with _partial_file(target) as partial:
        if _is_sqlite():
            _sqlite_backup(partial)
        else:
            _pg_dump(partial)
    logger.info("backup written to %s", target)
    return target


def _timestamped(folder: Path, suffix: str) -> Path:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    target = folder / f"xiaotu-{stamp}{suffix}"
    sequence = 2
    while target.exists():
        target = folder / f"xiaotu-{stamp}-{sequence}{suffix}"
        sequence += 1
    return target


@contextmanager
def _partial_file(target: Path) -> Iterator[Path]:
    """A temporary file beside the target, renamed onto it when the block succeeds and removed when it fails."""
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)
    os.close(fd)
    partial = Path(name)
    try:
        yield partial
        with partial.open("rb") as written:
            os.fsync(written.fileno())
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    if hasattr(os, "O_DIRECTORY"):
        # Make the rename itself durable; Windows has no way to open a folder for this and needs none.
        dir_fd = os.open(target.parent, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def _sqlite_backup(target: Path) -> None:
    source_path = Path(_database()["NAME"])
    if not source_path.is_file():
        raise BackupError(_("数据库文件不存在：%(path)s") % {"path": source_path})
    source = sqlite3.connect(source_path, timeout=30)
    destination = sqlite3.connect(target)
    try:
        # All pages in one step: one read transaction, so the copy is one instant of the database while desks write.
        source.backup(destination, pages=-1)
        # A backup is one self-contained file, not a WAL database with side files.
        destination.execute("PRAGMA journal_mode=DELETE")
        problems = [row[0] for row in destination.execute("PRAGMA integrity_check")]
    finally:
        destination.close()
        source.close()
    if problems != ["ok"]:
        raise BackupError(_("备份文件校验失败：%(problems)s") % {"problems": "; ".join(problems[:5])})


# ------------------------------------------------------------------------------------------------------------ prune


def backups_in(folder: Path) -> list[BackupFile]:
    """The automatic backups in a folder, oldest first; other files are not ours and are left alone."""
    found = []
    for path in folder.glob("xiaotu-*") if folder.is_dir() else []:
        if not (match := NAME_PATTERN.match(path.name)) or not path.is_file():
            continue
        try:
            naive = dt.datetime.strptime(match[1] + match[2], "%Y%m%d%H%M%S")
        except ValueError:
            continue
        made_at = timezone.make_aware(naive, timezone.get_current_timezone())
        found.append(BackupFile(path=path, made_at=made_at, sequence=int(match[3] or 1)))
    return sorted(found, key=lambda b: (b.made_at, b.sequence))


def backup_prune(*, keep: int) -> list[Path]:
    """Delete all but the `keep` newest backups in the backup folder; return what was deleted."""
    backups = backups_in(Path(settings.XIAOTU_BACKUP_DIR))
    doomed = backups[: max(0, len(backups) - max(keep, 1))]
    for backup in doomed:
        backup.path.unlink(missing_ok=True)
        logger.info("old backup removed: %s", backup.path)
    return [backup.path for backup in doomed]


def backup_due(*, now: dt.datetime | None = None) -> bool:
    """Whether no backup has been made since the last nightly slot (02:30) — the PC may have been off at that hour."""
    now = timezone.localtime(now or timezone.now())
    slot = now.replace(hour=DAILY_AT.hour, minute=DAILY_AT.minute, second=0, microsecond=0)
    if now < slot:
        slot -= dt.timedelta(days=1)
    backups = backups_in(Path(settings.XIAOTU_BACKUP_DIR))
    return not backups or backups[-1].made_at < slot


def backup_daily(*, now: dt.datetime | None = None) -> Path | None:
    """The automatic backup: make one if due, then keep only the newest XIAOTU_BACKUP_KEEP."""
    if not backup_due(now=now):
        return None
    path = backup_create(path=None)
    backup_prune(keep=settings.XIAOTU_BACKUP_KEEP)
    return path


# ---------------------------------------------------------------------------------------------------------- restore


def backup_check(*, path: Path) -> str:
    """Refuse anything but a xiaotu backup for this kind of database; return its kind ("sqlite" or "postgresql")."""
    if not path.is_file():
        raise BackupError(_("找不到备份文件：%(path)s") % {"path": path})
    with path.open("rb") as file:
        head = file.read(len(SQLITE_MAGIC))
    if head.startswith(SQLITE_MAGIC):
        kind = "sqlite"
    elif head.startswith(PG_MAGIC):
        kind = "postgresql"
    else:
        raise BackupError(_("%(path)s 不是校图的备份文件") % {"path": path})
    if kind == "sqlite" and not _is_sqlite():
        raise BackupError(_("%(path)s 是 SQLite 数据库的备份，当前使用的是 PostgreSQL，不能直接恢复") % {"path": path})
    if kind == "postgresql" and not _is_postgres():
        raise BackupError(_("%(path)s 是 PostgreSQL 数据库的备份，当前使用的是 SQLite，不能直接恢复") % {"path": path})
    applied = _sqlite_applied_migrations(path) if kind == "sqlite" else _pg_applied_migrations(path)
    loader = MigrationLoader(None, ignore_no_migrations=True)
    unknown = sorted(
        f"{app}.{name}"
        for app, name in applied
        if app in loader.migrated_apps and (app, name) not in loader.disk_migrations
    )
    if unknown:
        raise BackupError(
            _("这个备份来自更新版本的校图（包含本版本没有的数据库升级 %(names)s），请先升级校图再恢复")
            % {"names": ", ".join(unknown[:3])}
        )
    return kind


def backup_restore(*, path: Path) -> Path | None:
    """恢复 — replace the database's contents with a backup's, then bring its tables up to this version.

    The current data is first copied aside (before-restore-….), so a wrong restore can be undone; its path is
    returned (None when there was nothing to keep). Nothing is changed if the file is not a valid xiaotu backup.
    """
    kind = backup_check(path=path)
    safety = _copy_aside()
    connections.close_all()
    if kind == "sqlite":
        _sqlite_restore(path)
    else:
        _pg_restore(path)
    connections.close_all()
    # A backup from an older version gets this version's tables; a no-op for one from this version.
    call_command("migrate", interactive=False, verbosity=0)
    logger.info("restored from %s", path)
    return safety


def _copy_aside() -> Path | None:
    """Keep the data about to be replaced, outside the automatic rotation so pruning never removes it."""
    with connections["default"].cursor() as cursor:
        if "django_migrations" not in connections["default"].introspection.table_names(cursor):
            return None
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    suffix = SQLITE_SUFFIX if _is_sqlite() else PG_SUFFIX
    folder = Path(settings.XIAOTU_BACKUP_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"before-restore-{stamp}{suffix}"
    sequence = 2
    while target.exists():
        target = folder / f"before-restore-{stamp}-{sequence}{suffix}"
        sequence += 1
    return backup_create(path=target)


def _sqlite_applied_migrations(path: Path) -> list[tuple[str, str]]:
    try:
        backup = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            if [row[0] for row in backup.execute("PRAGMA quick_check")] != ["ok"]:
                raise BackupError(_("备份文件 %(path)s 已损坏") % {"path": path})
            rows = backup.execute("SELECT app, name FROM django_migrations").fetchall()
        finally:
            backup.close()
    except sqlite3.DatabaseError:
        raise BackupError(_("%(path)s 不是校图的备份文件") % {"path": path}) from None
    applied = [(str(app), str(name)) for app, name in rows]
    if not any(app == "circulation" for app, _name in applied):
        raise BackupError(_("%(path)s 不是校图的备份文件") % {"path": path})
    return applied


def _sqlite_restore(path: Path) -> None:
    """Copy the backup into the live file page by page under SQLite's write lock; readers see before or after."""
    source = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    destination = sqlite3.connect(_database()["NAME"], timeout=30)
    try:
        # SQLite keeps the live file in WAL mode and makes every other connection reload its schema.
        source.backup(destination, pages=-1)
        problems = [row[0] for row in destination.execute("PRAGMA quick_check")]
    finally:
        destination.close()
        source.close()
    if problems != ["ok"]:
        raise BackupError(_("恢复后的数据库校验失败：%(problems)s") % {"problems": "; ".join(problems[:5])})


# ------------------------------------------------------------------------------------------------------- PostgreSQL


def _pg_environment() -> dict[str, str]:
    """Connection settings for the client programs, from Django's; the password travels in PGPASSWORD, never argv."""
    database = _database()
    env = dict(os.environ)
    for key, variable in [("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")]:
        if database.get(key):
            env[variable] = str(database[key])
    env["PGDATABASE"] = str(database["NAME"])
    if sslmode := (database.get("OPTIONS") or {}).get("sslmode"):
        env["PGSSLMODE"] = str(sslmode)
    return env


def _server_major() -> int:
    connection = connections["default"]
    connection.ensure_connection()
    return int(getattr(connection, "pg_version", 0)) // 10000


def _pg_program(name: str) -> str:
    """The client program for this server's major version: Debian keeps each one under /usr/lib/postgresql/N/bin."""
    major = _server_major()
    versioned = Path(f"/usr/lib/postgresql/{major}/bin/{name}")
    program = str(versioned) if versioned.is_file() else shutil.which(name)
    if program is None:
        raise BackupError(
            _("找不到 %(program)s：请安装 PostgreSQL %(major)s 的客户端程序（postgresql-client-%(major)s）")
            % {"program": name, "major": major}
        )
    found = subprocess.run([program, "--version"], capture_output=True, text=True, check=False).stdout
    if (match := re.search(r"(\d+)(?:\.\d+)?", found)) and int(match[1]) < major:
        raise BackupError(
            _("%(program)s 的版本（%(client)s）低于数据库服务器（%(major)s），请安装 postgresql-client-%(major)s")
            % {"program": name, "client": match[1], "major": major}
        )
    return program


def _run(command: list[str], *, what: str, **kwargs: Any) -> subprocess.CompletedProcess[bytes]:
    result = subprocess.run(command, env=_pg_environment(), capture_output=True, check=False, **kwargs)
    if result.returncode != 0:
        detail = result.stderr.decode(errors="replace").strip()
        if "version mismatch" in detail:
            raise BackupError(
                _("%(what)s失败：客户端程序与数据库服务器版本不一致。%(detail)s") % {"what": what, "detail": detail}
            )
        raise BackupError(_("%(what)s失败：%(detail)s") % {"what": what, "detail": detail})
    return result


def _pg_dump(target: Path) -> None:
    _run([_pg_program("pg_dump"), "--format=custom", "--file", str(target)], what=_("备份"))
    _pg_applied_migrations(target)


def _pg_applied_migrations(path: Path) -> list[tuple[str, str]]:
    """Read django_migrations out of a pg_dump archive; refuse an archive that is not a xiaotu database."""
    program = _pg_program("pg_restore")
    try:
        listing = _run([program, "--list", str(path)], what=_("读取备份")).stdout
        if b"TABLE DATA public django_migrations" in listing:
            data = _run(
                [program, "--data-only", "--table=django_migrations", "--file=-", str(path)], what=_("读取备份")
            ).stdout.decode()
    except BackupError as error:
        raise BackupError(_("备份文件 %(path)s 无法使用：%(error)s") % {"path": path, "error": error}) from None
    if b"TABLE DATA public django_migrations" not in listing:
        raise BackupError(_("%(path)s 不是校图的备份文件") % {"path": path})
    rows, copying = [], False
    for line in data.splitlines():
        if line.startswith("COPY ") and "django_migrations" in line:
            copying = True
        elif copying and line == "\\.":
            break
        elif copying:
            _id, app, name, *_rest = line.split("\t")
            rows.append((app, name))
    if not any(app == "circulation" for app, _name in rows):
        raise BackupError(_("%(path)s 不是校图的备份文件") % {"path": path})
    return rows


def _pg_restore(path: Path) -> None:
    """Replace the whole public schema in one transaction, streaming pg_restore's script into psql.

    The schema is dropped rather than each table, because tables added since the backup must go too, or the
    migrations that follow would find them already there. COMMIT is sent only once pg_restore has finished well;
    any error before it ends psql with the transaction rolled back.
    """
    env = _pg_environment()
    with tempfile.TemporaryFile() as dump_errors, tempfile.TemporaryFile() as load_errors:
        dump = subprocess.Popen(
            [_pg_program("pg_restore"), "--no-owner", "--no-privileges", "--file=-", str(path)],
            stdout=subprocess.PIPE,
            stderr=dump_errors,
            env=env,
        )
        load = subprocess.Popen(
            [_pg_program("psql"), "--no-psqlrc", "--quiet", "--set=ON_ERROR_STOP=1", "--file=-"],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=load_errors,
            env=env,
        )
        assert dump.stdout is not None and load.stdin is not None
        try:
            load.stdin.write(b"BEGIN;\nDROP SCHEMA IF EXISTS public CASCADE;\nCREATE SCHEMA public;\n")
            shutil.copyfileobj(dump.stdout, load.stdin, 1 << 20)
            dumped = dump.wait()
            load.stdin.write(b"COMMIT;\n" if dumped == 0 else b"ROLLBACK;\n")
            load.stdin.close()
        except BrokenPipeError:
            # psql stopped at an error (ON_ERROR_STOP); its own message says which.
            dump.kill()
            dumped = dump.wait()
        loaded = load.wait()
        if dumped != 0 or loaded != 0:
            dump_errors.seek(0)
            load_errors.seek(0)
            detail = (load_errors.read() or dump_errors.read()).decode(errors="replace").strip()
            raise BackupError(_("恢复失败，数据库没有改变：%(detail)s") % {"detail": detail})
