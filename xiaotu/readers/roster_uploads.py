"""A roster file between the steps of the import pages: upload, columns, preview, confirm, result.

Kept under DATA_DIR/uploads/roster/<token>/: the file as uploaded and state.json with the librarian's choices.
Confirming creates a `confirmed` marker with O_EXCL, so of two confirms of one upload (a double click, two tabs)
only the first imports. Once imported the file is deleted and the result stays in state.json for its page; an
upload left alone is swept a day later: rosters often carry parents' phone numbers, which are never imported
and should not linger either. The token is random and the upload belongs to one library.
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path, PureWindowsPath
from typing import Any

from django.conf import settings

from xiaotu.accounts.models import User
from xiaotu.interop.tables import Table, TableError, read_table
from xiaotu.readers.roster import ROSTER_FIELDS
from xiaotu.schools.models import Library

TOKEN = re.compile(r"[0-9a-f]{32}")
KEEP_SECONDS = 24 * 60 * 60
_SUFFIX = re.compile(r"\.[A-Za-z0-9]{1,8}$")


@dataclass(slots=True)
class RosterUpload:
    """One uploaded roster and what the librarian chose for it so far."""

    token: str
    library_id: int
    filename: str
    suffix: str
    created_at: float
    created_by: int | None = None
    sheet: str | None = None
    header_line: int | None = None
    mapping: dict[str, int | None] | None = None
    reader_type_id: int | None = None
    create_classes: bool = False
    result: dict[str, Any] | None = field(default=None)

    @property
    def folder(self) -> Path:
        return _root() / self.token

    @property
    def data_path(self) -> Path:
        return self.folder / f"roster{self.suffix}"

    @property
    def done(self) -> bool:
        return self.result is not None


def _root() -> Path:
    return Path(settings.DATA_DIR) / "uploads" / "roster"


def upload_create(*, library: Library, filename: str, data: bytes, by: User | None, max_bytes: int) -> RosterUpload:
    """Keep a file that reads as a table; TableError (and nothing kept) when it does not."""
    name = PureWindowsPath(filename or "roster").name[:255] or "roster"
    table = read_table(data, filename=name, fields=ROSTER_FIELDS, max_bytes=max_bytes)
    _sweep()
    match = _SUFFIX.search(name)
    upload = RosterUpload(
        token=secrets.token_hex(16),
        library_id=library.pk,
        filename=name,
        suffix=match.group(0).lower() if match else "",
        created_at=time.time(),
        created_by=by.pk if by else None,
        sheet=table.sheet or None,
        header_line=table.header_line,
    )
    upload.folder.mkdir(parents=True)
    upload.data_path.write_bytes(data)
    upload_save(upload)
    return upload


def upload_get(*, library: Library, token: str) -> RosterUpload | None:
    """The library's upload under this token, or None (unknown, swept, or another library's)."""
    if not TOKEN.fullmatch(token):
        return None
    try:
        state = json.loads((_root() / token / "state.json").read_text(encoding="utf-8"))
        upload = RosterUpload(**state)
    except (OSError, ValueError, TypeError):
        return None
    return upload if upload.library_id == library.pk else None


def upload_save(upload: RosterUpload) -> None:
    path = upload.folder / "state.json"
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(asdict(upload), ensure_ascii=False), encoding="utf-8")
    temporary.replace(path)


def upload_table(
    upload: RosterUpload, *, sheet: str | None = None, header_line: int | None = None, max_bytes: int
) -> Table:
    """The file read again, from the sheet and header line asked for, else those chosen before."""
    try:
        data = upload.data_path.read_bytes()
    except OSError:
        raise TableError("corrupt") from None
    return read_table(
        data,
        filename=upload.filename,
        sheet=sheet if sheet is not None else upload.sheet,
        header_line=header_line if header_line is not None else upload.header_line,
        fields=ROSTER_FIELDS,
        max_bytes=max_bytes,
    )


def upload_claim(upload: RosterUpload) -> bool:
    """True for the one confirm that may import this upload; False for any other."""
    try:
        with (upload.folder / "confirmed").open("x", encoding="utf-8") as marker:
            marker.write(str(time.time()))
    except FileExistsError:
        return False
    return True


def upload_release(upload: RosterUpload) -> None:
    """The import failed and wrote nothing: the upload may be confirmed again."""
    (upload.folder / "confirmed").unlink(missing_ok=True)


def upload_finish(upload: RosterUpload, result: dict[str, Any]) -> None:
    """Keep the result for its page; the file itself is not needed again."""
    upload.result = result
    upload_save(upload)
    upload.data_path.unlink(missing_ok=True)


def _sweep() -> None:
    """Forget uploads older than KEEP_SECONDS."""
    root = _root()
    if not root.is_dir():
        return
    cutoff = time.time() - KEEP_SECONDS
    for folder in root.iterdir():
        try:
            if folder.is_dir() and TOKEN.fullmatch(folder.name) and folder.stat().st_mtime < cutoff:
                shutil.rmtree(folder, ignore_errors=True)
        except OSError:
            continue
