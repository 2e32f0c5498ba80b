"""The search table of each library, on SQLite (FTS5) or PostgreSQL (tsvector with a GIN index).

One table per library (`search_<library id>`), one row per record, keyed by the record's id. The columns — title,
author, rest, filt — are FTS5 columns on SQLite; on PostgreSQL each lexeme carries its column as a prefix
("t:西游"), so a clause "in the title" means the same on both. (Not tsvector weights: the planner estimates a
lexeme's frequency over all weights, and a word common in summaries but rare in titles then sent it scanning the
whole table in id order.) Matches come newest record first; the caller asks for only as many as it shows, so a
word in half the catalogue costs no more than a rare one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import connection, transaction

from xiaotu.search.query import All, Clause, Node, Term
from xiaotu.short_cache import ShortCache

PREFIXES = {"title": "t:", "author": "a:", "rest": "r:", "filt": "f:"}
# Lexeme statistics for the planner: the default (100) keeps the 1,000 commonest lexemes and guesses every other one
# at half the rarest of those — far too common for a rare pair of characters, which then scanned the whole table.
STATISTICS = 2000
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


def create(library_id: int, *, indexed: bool = True) -> None:
    """The library's table; on PostgreSQL a rebuild fills it first and builds the GIN index afterwards (far faster)."""
    name = table(library_id)
    with connection.cursor() as cursor:
        if _postgres():
            cursor.execute(f"CREATE TABLE IF NOT EXISTS {name} (id bigint PRIMARY KEY, tsv tsvector NOT NULL)")
            cursor.execute(f"ALTER TABLE {name} ALTER COLUMN tsv SET STATISTICS {STATISTICS}")
        else:
            # detail=column: the tiers need column filters, nothing needs positions.
            cursor.execute(
                f"CREATE VIRTUAL TABLE IF NOT EXISTS {name} USING fts5("
                "title, author, rest, filt, tokenize='unicode61 remove_diacritics 0', detail=column)"
            )
    if indexed:
        create_index(library_id)


def create_index(library_id: int) -> None:
    if _postgres():
        name = table(library_id)
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE INDEX IF NOT EXISTS {name}_tsv ON {name} USING gin (tsv)")


def drop(library_id: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {table(library_id)}")


def _tsvector(doc: Document) -> str:
    """The document as tsvector input text: every token a quoted lexeme with its column's prefix."""
    return " ".join(
        f"'{PREFIXES[column]}{token}'" for column in COLUMNS for token in dict.fromkeys(getattr(doc, column).split())
    )


def analyze(library_id: int) -> None:
    """Fresh planner statistics after a rebuild (PostgreSQL; SQLite's FTS5 needs none)."""
    if _postgres():
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {table(library_id)}")


def write(library_id: int, docs: Sequence[Document], removed: Iterable[int] = (), *, fresh: bool = False) -> None:
    """Replace these records' rows and remove others' rows; the caller's transaction makes it all or nothing.

    `fresh`: the table is being rebuilt and holds none of these records yet.
    """
    name = table(library_id)
    gone = [] if fresh else [doc.record_id for doc in docs] + list(removed)
    with connection.cursor() as cursor:
        for start in range(0, len(gone), 500):
            chunk = gone[start : start + 500]
            marks = ",".join(["%s"] * len(chunk))
            key = "id" if _postgres() else "rowid"
            cursor.execute(f"DELETE FROM {name} WHERE {key} IN ({marks})", chunk)
        if not docs:
            return
        if _postgres() and len(docs) > 16:
            # COPY parses each value as tsvector input, like the cast below; one round trip for the lot.
            with connection.wrap_database_errors, cursor.cursor.copy(f"COPY {name} (id, tsv) FROM STDIN") as copy:
                for doc in docs:
                    copy.write_row((doc.record_id, _tsvector(doc)))
        elif _postgres():
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


def _tsquery(node: Node, columns: Sequence[str]) -> str:
    if isinstance(node, Term):
        star = ":*" if node.prefix else ""
        return "(" + " | ".join(f"'{PREFIXES[column]}{node.token}'{star}" for column in columns) + ")"
    glue = " & " if isinstance(node, All) else " | "
    return "(" + glue.join(_tsquery(part, columns) for part in node.parts) + ")"


def _match_text(include: Sequence[Clause], exclude: Sequence[Clause]) -> str:
    if _postgres():
        parts = [_tsquery(c.node, c.columns) for c in include]
        parts += ["!" + _tsquery(c.node, c.columns) for c in exclude]
        return " & ".join(parts)
    text = " AND ".join(f"{{{' '.join(c.columns)}}}: {_fts(c.node)}" for c in include)
    return "(" + text + ")" + "".join(f" NOT {{{' '.join(c.columns)}}}: {_fts(c.node)}" for c in exclude)


# PostgreSQL estimates an AND of lexemes as if they were independent; the pairs of one word (的故, 故事) are not, so
# a phrase in 4% of titles was guessed at 0.3% and fetched through the GIN index, 45,000 rows for a page of 20.
# Where the lexemes' own frequencies (the planner's statistics, read back) say the match is dense, reading the
# table newest first and stopping at the limit is far cheaper, and that is what we ask for.
DENSE = 0.03
_lexeme_stats: ShortCache[str, dict[str, float]] = ShortCache(seconds=600)


def _load_lexeme_stats(name: str) -> dict[str, float]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT most_common_elems::text::text[], most_common_elem_freqs FROM pg_stats "
            "WHERE tablename = %s AND attname = 'tsv'",
            [name],
        )
        row = cursor.fetchone()
    if not row or not row[0]:
        return {}
    return dict(zip(row[0], row[1], strict=False))  # the frequencies end with three summary figures


def _frequency(node: Node, columns: Sequence[str], stats: dict[str, float]) -> float:
    """At most how often the node matches, taking a word's pairs to come together (min), not independently."""
    if isinstance(node, Term):
        return 0.0 if node.prefix else sum(stats.get(PREFIXES[c] + node.token, 0.0) for c in columns)
    parts = [_frequency(part, columns, stats) for part in node.parts]
    return min(parts) if isinstance(node, All) else min(1.0, sum(parts))


def _dense(library_id: int, include: Sequence[Clause]) -> bool:
    stats = _lexeme_stats.get(table(library_id), lambda: _load_lexeme_stats(table(library_id)))
    return bool(stats) and min(_frequency(c.node, c.columns, stats) for c in include) >= DENSE


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
    params: list[str | int] = [_match_text(include, exclude), limit]
    if _postgres() and _dense(library_id, include):
        # SET LOCAL needs a transaction of its own. Only here: on SQLite every transaction begins IMMEDIATE, and a
        # search would then queue for the write lock behind the desk.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_bitmapscan = off")
            cursor.execute(sql, params)
            return [row[0] for row in cursor.fetchall()]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]
