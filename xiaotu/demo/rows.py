"""Plain multi-row INSERTs for the demo's hundreds of thousands of rows, with primary keys handed out in advance.

bulk_create spends about ten times longer preparing each value than the database takes to store it, and SQLite's
999-variable limit cuts its statements to a hundred rows. Here each column gets one adapter, chosen once, and the
rows go to executemany (COPY on PostgreSQL). Primary keys are allocated above the table's highest, as loaddata
does, and the sequences are reset afterwards; build the demo when no one else is adding records.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.core.management.color import no_style
from django.db import connection, models
from django.db.models import Max

Adapter = Callable[[Any], Any]


def next_id(model: type[models.Model]) -> int:
    """The first free primary key above every row the table has."""
    return int(model._default_manager.aggregate(top=Max("pk"))["top"] or 0) + 1


def reset_sequences(*tables: type[models.Model]) -> None:
    """Move PostgreSQL's sequences past the keys inserted by hand (SQLite's AUTOINCREMENT follows by itself)."""
    statements = connection.ops.sequence_reset_sql(no_style(), list(tables))
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def utc_datetime_adapter() -> Adapter:
    """For aware datetimes already in UTC: what the backend stores, without converting each one again."""
    if connection.vendor == "sqlite":
        return lambda value: None if value is None else str(value.replace(tzinfo=None))
    return connection.ops.adapt_datetimefield_value


class Inserter:
    """INSERT rows given as tuples in `columns` order; every other column gets its field's default."""

    def __init__(self, model: type[models.Model], columns: Sequence[str]) -> None:
        self.model = model
        fields = {f.name: f for f in model._meta.concrete_fields}
        self.fields = [fields[name] for name in columns]
        # A column left out keeps its default, so a field added later with a default does not break the demo.
        self.defaults = [
            (f, f.get_db_prep_save(f.get_default(), connection))
            for f in model._meta.concrete_fields
            if f.name not in columns and not f.primary_key
        ]
        self.adapters = [(i, a) for i, f in enumerate(self.fields) if (a := self._adapter(f)) is not None]
        names = [str(f.column) for f in self.fields] + [str(f.column) for f, _ in self.defaults]
        quote = connection.ops.quote_name
        table, columns = quote(model._meta.db_table), ", ".join(quote(n) for n in names)
        self.sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(names))})"
        self.copy_sql = f"COPY {table} ({columns}) FROM STDIN"

    @staticmethod
    def _adapter(field: models.Field[Any, Any]) -> Adapter | None:
        if isinstance(field, models.DateTimeField):
            return utc_datetime_adapter()
        if isinstance(field, models.DateField):
            return connection.ops.adapt_datefield_value
        if isinstance(field, models.DecimalField | models.JSONField):
            return lambda value: field.get_db_prep_save(value, connection)
        return None  # integers, keys, text and booleans go to the driver as they are

    def insert(self, rows: Iterable[Sequence[Any]]) -> None:
        constants = [value for _, value in self.defaults]
        prepared = []
        for row in rows:
            values = list(row)
            for index, adapt in self.adapters:
                values[index] = adapt(values[index])
            prepared.append((*values, *constants))
        if not prepared:
            return
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # COPY is several times faster than even pipelined INSERTs; psycopg adapts the values the same way.
                with cursor.cursor.copy(self.copy_sql) as copy:
                    for line in prepared:
                        copy.write_row(line)
            else:
                cursor.executemany(self.sql, prepared)
