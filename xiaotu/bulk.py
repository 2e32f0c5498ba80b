"""Fast reads and inserts of many rows for imports and generated data: one prepared statement, ids reserved.

Django's bulk_create spends most of its time preparing each value through the field machinery (about 15 µs a
row for a catalogue record); here each column's converter is chosen once and the driver does the loop.
Callers run this inside a transaction; on SQLite that transaction holds the write lock, which is what makes
reading MAX(id) and using the ids after it safe. Likewise a `column__in` filter prepares every value through
the field (about 2 µs each); `rows_in` passes plain strings to the driver.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import connection, models

CHUNK = 2000


def _converter(field: models.Field[Any, Any], *, remember: bool = True) -> Callable[[Any], Any] | None:
    ops = connection.ops
    kind = field.get_internal_type()
    if kind == "JSONField":
        encoder = getattr(field, "encoder", None)
        empty_list = ops.adapt_json_value([], encoder)
        # Most JSON columns of an import are empty lists: encode that once.
        return lambda value: empty_list if value == [] else ops.adapt_json_value(value, encoder)
    if kind == "DecimalField":
        digits, places = getattr(field, "max_digits", None), getattr(field, "decimal_places", None)
        return lambda value: None if value is None else ops.adapt_decimalfield_value(value, digits, places)
    if kind == "DateTimeField":
        return _remember_last(ops.adapt_datetimefield_value) if remember else ops.adapt_datetimefield_value
    if kind == "DateField":
        return _remember_last(ops.adapt_datefield_value) if remember else ops.adapt_datefield_value
    return None


def _remember_last(convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """Imports stamp every row with the same moment: convert it once, not once a row (time-zone maths is slow)."""
    last: list[Any] = [object(), None]

    def converter(value: Any) -> Any:
        if value is not last[0]:
            last[0], last[1] = value, convert(value)
        return last[1]

    return converter


def rows_in(
    model: type[models.Model],
    select: Sequence[str],
    column: str,
    values: Iterable[str],
    *,
    where: dict[str, Any],
    chunk: int = 900,
) -> list[tuple[Any, ...]]:
    """Rows (`select` columns) of `model` whose `column` is one of the `values`, and whose `where` columns equal
    the values given, e.g. ``rows_in(Item, ["barcode"], "barcode", codes, where={"library_id": 3})``.

    Columns are database column names; the values are strings compared as they are. The IN list goes in chunks
    of `chunk` values, under SQLite's and PostgreSQL's limits on parameters in one statement.
    """
    quoted = connection.ops.quote_name
    table = quoted(model._meta.db_table)
    conditions = "".join(f"{quoted(name)} = %s AND " for name in where)
    fixed = list(where.values())
    wanted = sorted(set(values))
    head = f"SELECT {', '.join(map(quoted, select))} FROM {table} WHERE {conditions}{quoted(column)} IN "
    found: list[tuple[Any, ...]] = []
    with connection.cursor() as cursor:
        for start in range(0, len(wanted), chunk):
            part = wanted[start : start + chunk]
            cursor.execute(f"{head}({', '.join(['%s'] * len(part))})", [*fixed, *part])
            found.extend(cursor.fetchall())
    return found


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """`count` fresh primary keys for `model`, taken from its sequence (PostgreSQL) or after MAX(id) (SQLite)."""
    if count <= 0:
        return []
    table = model._meta.db_table
    pk = model._meta.pk
    assert pk is not None
    column = str(pk.column)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)", [table, column, count]
            )
            return [row[0] for row in cursor.fetchall()]
        quoted = connection.ops.quote_name
        cursor.execute(f"SELECT COALESCE(MAX({quoted(column)}), 0) FROM {quoted(table)}")
        (last,) = cursor.fetchone() or (0,)
        return list(range(int(last) + 1, int(last) + 1 + count))


# One INSERT … RETURNING and its converters per database, model and columns, prepared on first use.
_PREPARED_ONE: dict[tuple[str, type[models.Model], tuple[str, ...]], tuple[str, list[Any]]] = {}


def insert_one(model: type[models.Model], columns: Sequence[str], values: Sequence[Any]) -> int:
    """INSERT one row (values in the order of `columns`, as for insert_rows) and return its new primary key.

    For the desk's loan and audit rows: one statement, where reserving an id first took a second, and the
    statement is built once rather than on every scan.
    """
    key = (connection.vendor, model, tuple(columns))
    if (prepared := _PREPARED_ONE.get(key)) is None:
        prepared = _PREPARED_ONE[key] = _prepare_one(model, columns)
    sql, converters = prepared
    row = [value if convert is None else convert(value) for convert, value in zip(converters, values, strict=True)]
    with connection.cursor() as cursor:
        cursor.execute(sql, row)
        (pk,) = cursor.fetchone()
    return int(pk)


def _prepare_one(model: type[models.Model], columns: Sequence[str]) -> tuple[str, list[Any]]:
    fields, table, column_sql = _insert_target(model, columns)
    pk = model._meta.pk
    assert pk is not None
    placeholders = ", ".join(["%s"] * len(fields))
    returning = connection.ops.quote_name(str(pk.column))
    sql = f"INSERT INTO {table} ({column_sql}) VALUES ({placeholders}) RETURNING {returning}"
    # No remembered last value: the server's threads share these converters.
    return sql, [_converter(field, remember=False) for field in fields]


def _insert_target(model: type[models.Model], columns: Sequence[str]) -> tuple[list[Any], str, str]:
    """The fields that `columns` name, and the quoted table and column list an INSERT or COPY writes to."""
    meta = model._meta
    # get_field knows a foreign key by its attname (library_id) too; a field of its own called so (student_id) wins.
    fields = [meta.get_field(name) for name in columns]
    quoted = connection.ops.quote_name
    column_sql = ", ".join(quoted(str(getattr(field, "column", ""))) for field in fields)
    return fields, quoted(meta.db_table), column_sql


def insert_rows(model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """INSERT the rows (values in the order of `columns`, which name model fields; FKs by `<name>_id`).

    Returns how many rows were written. Values go through each field's database adapter, nothing else: no
    defaults, no auto_now, no signals — the caller supplies every NOT NULL column.
    """
    fields, table, column_sql = _insert_target(model, columns)
    converters = [_converter(field) for field in fields]
    placeholders = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {table} ({column_sql}) VALUES ({placeholders})"
    convert = [(i, c) for i, c in enumerate(converters) if c is not None]

    def converted() -> Iterator[Sequence[Any]]:
        for row in rows:
            if convert:
                values = list(row)
                for index, converter in convert:
                    values[index] = converter(values[index])
                row = values
            yield row

    written = 0
    with connection.cursor() as cursor:
        small = isinstance(rows, list | tuple) and len(rows) <= 16
        if connection.vendor == "postgresql" and not small:
            # A few rows (an audit entry, a loan) go as plain INSERTs: COPY costs extra round trips to set up.
            # COPY: executemany sends one INSERT a row (pipelined, but each row's values quoted into the SQL
            # by Django's client-side cursor), about four times slower for an import's copies.
            # Errors as Django's own (IntegrityError…), as executemany would raise them.
            copy_sql = f"COPY {table} ({column_sql}) FROM STDIN"
            with connection.wrap_database_errors, cursor.cursor.copy(copy_sql) as copy:
                for row in converted():
                    copy.write_row(row)
                    written += 1
            return written
        batch: list[Sequence[Any]] = []
        for row in converted():
            batch.append(row)
            if len(batch) >= CHUNK:
                cursor.executemany(sql, batch)
                written += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            written += len(batch)
    return written


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while an import builds hundreds of thousands of small objects.

    Nothing made there forms cycles that must be freed early, and each full collection walks every object
    alive: measured, about a tenth of an import's time.

    On the way out, everything made meanwhile is moved to the oldest generation (freeze, then unfreeze) before
    collecting resumes. Left young, it was all walked by the first collection after the pause, only to be found
    alive: 0.5-0.7 s for each of an import's two pauses at 100,000 records. In the oldest generation it is
    walked only by a full collection, as any long-lived object is, and usually freed by reference counting
    before that.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.freeze()
            gc.unfreeze()
            gc.enable()
