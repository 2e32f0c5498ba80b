"""When a new copy is the same book as a record already in the catalogue: by ISBN, else by what the title page says."""

from __future__ import annotations

import hashlib
import re
import unicodedata

_NOISE = re.compile(r"[\s\W_]+", re.UNICODE)


def _norm(text: str) -> str:
    return _NOISE.sub("", unicodedata.normalize("NFKC", text or "")).lower()


def match_key(*, title: str, author: str, publisher: str, year: int | None) -> str:
    """A stable key for records without an ISBN: title + first author + publisher + year, punctuation ignored."""
    if not _norm(title):
        return ""
    raw = "\x1f".join([_norm(title), _norm(author), _norm(publisher), str(year or "")])
    return hashlib.sha1(raw.encode(), usedforsecurity=False).hexdigest()
