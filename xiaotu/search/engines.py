"""The search table of each library, on SQLite (FTS5) or PostgreSQL (tsvector with a GIN index).

One table per library (`search_<library id>`), one row per record, keyed by the record's id. The columns — title,
author, rest, filt — are FTS5 columns on SQLite and tsvector weights on PostgreSQL (A, B, D and C), so a clause
"in the title" means the same on both. Matches come newest record first; the caller asks for only as many as it
shows, so a word in half the catalogue costs no more than a rare one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import connection

from xiaotu.search.query import All, Clause, Node, Term

WEIGHTS = {"title": "A", "author": "B", "filt": "C", "rest": "D"}
COLUMNS = ("title", "author", "rest", "filt")


@dataclass(frozen=True)
class Document:
    record_id: int
    title: str
    author: str
    rest: str
    filt: str


def table(library_id: int) -> str:
    return f"search_{int(library_id)}"


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def exists(library_id: int) -> bool:
    with connection.cursor() as cursor:
        if _postgres():
            cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [table(library_id)])
        else:
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE name = %s", [table(library_id)])
        return bool(cursor.fetchone()[0])


def create(library_id: int) -> None:
    name = table(library_id)
    with connection.cursor() as cursor:
        if _postgres():
            cursor.execute(f"CREATE TABLE IF NOT EXISTS {name} (id bigint PRIMARY KEY, tsv tsvector NOT NULL)")
            cursor.execute(f"CREATE INDEX IF NOT EXISTS {name}_tsv ON {name} USING gin (tsv)")
        else:
            # detail=column: the tiers need column filters, nothing needs positions.
            cursor.execute(
                f"CREATE VIRTUAL TABLE IF NOT EXISTS {name} USING fts5("
                "title, author, rest, filt, tokenize='unicode61 remove_diacritics 0', detail=column)"
            )


def drop(library_id: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {table(library_id)}")


def _tsvector(doc: Document) -> str:
    """The document as tsvector input text: every token a quoted lexeme, its column as a weight."""
    weighted: dict[str, list[str]] = {}
    for position, column in enumerate(COLUMNS, start=1):
        for token in getattr(doc, column).split():
            weighted.setdefault(token, []).append(f"{position}{WEIGHTS[column]}")
    return " ".join(f"'{token}':{','.join(marks)}" for token, marks in weighted.items())


def write(library_id: int, docs: Sequence[Document], removed: Iterable[int] = ()) -> None:
    """Replace these records' rows and remove others' rows; the caller's transaction makes it all or nothing."""
    name = table(library_id)
    gone = [doc.record_id for doc in docs] + list(removed)
    with connection.cursor() as cursor:
        for start in range(0, len(gone), 500):
            chunk = gone[start : start + 500]
            marks = ",".join(["%s"] * len(chunk))
            key = "id" if _postgres() else "rowid"
            cursor.execute(f"DELETE FROM {name} WHERE {key} IN ({marks})", chunk)
        if not docs:
            return
        if _postgres():
            cursor.executemany(
                f"INSERT INTO {name} (id, tsv) VALUES (%s, %s::tsvector)",
                [(doc.record_id, _tsvector(doc)) for doc in docs],
            )
        else:
            cursor.executemany(
                f"INSERT INTO {name} (rowid, title, author, rest, filt) VALUES (%s, %s, %s, %s, %s)",
                [(doc.record_id, doc.title, doc.author, doc.rest, doc.filt) for doc in docs],
            )


def _fts(node: Node) -> str:
    if isinstance(node, Term):
        return f'"{node.token}"' + ("*" if node.prefix else "")
    glue = " AND " if isinstance(node, All) else " OR "
    return "(" + glue.join(_fts(part) for part in node.parts) + ")"


def _tsquery(node: Node, weights: str) -> str:
    if isinstance(node, Term):
        return f"'{node.token}':" + ("*" if node.prefix else "") + weights
    glue = " & " if isinstance(node, All) else " | "
    return "(" + glue.join(_tsquery(part, weights) for part in node.parts) + ")"


def _match_text(include: Sequence[Clause], exclude: Sequence[Clause]) -> str:
    if _postgres():
        parts = [_tsquery(c.node, "".join(WEIGHTS[col] for col in c.columns)) for c in include]
        parts += ["!" + _tsquery(c.node, "".join(WEIGHTS[col] for col in c.columns)) for c in exclude]
        return " & ".join(parts)
    text = " AND ".join(f"{{{' '.join(c.columns)}}}: {_fts(c.node)}" for c in include)
    return "(" + text + ")" + "".join(f" NOT {{{' '.join(c.columns)}}}: {_fts(c.node)}" for c in exclude)


AVAILABLE = "EXISTS (SELECT 1 FROM catalogue_item i WHERE i.record_id = {id} AND i.status = 'available')"


def match(
    library_id: int,
    include: Sequence[Clause],
    exclude: Sequence[Clause] = (),
    *,
    limit: int,
    available: bool = False,
) -> list[int]:
    """Ids of the records matching every included clause and none of the excluded ones, newest first."""
    if not include or limit <= 0:
        return []
    name = table(library_id)
    if _postgres():
        key, where = f"{name}.id", f"{name}.tsv @@ %s::tsquery"
    else:
        key, where = f"{name}.rowid", f"{name} MATCH %s"
    if available:
        where += " AND " + AVAILABLE.format(id=key)
    sql = f"SELECT {key} FROM {name} WHERE {where} ORDER BY {key} DESC LIMIT %s"
    with connection.cursor() as cursor:
        cursor.execute(sql, [_match_text(include, exclude), limit])
        return [row[0] for row in cursor.fetchall()]
