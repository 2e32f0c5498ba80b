"""The statements of a desk scan's transaction, written out by hand.

On SQLite only one transaction writes at a time, so everything done between BEGIN and COMMIT holds up every other
desk. Building these few statements through the ORM took three quarters of that time (1.8 ms a scan; the SQL itself
runs in microseconds), so the transaction's reads and writes are prepared statements here. They return ordinary
model instances carrying the columns the desk, the API and the audit log use; anything else loads on access.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar

from django.db import connection, models
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from xiaotu.bulk import insert_one
from xiaotu.catalogue.models import Item, ItemCategory, Record
from xiaotu.circulation.models import Loan
from xiaotu.readers.models import Reader, ReaderType, SchoolClass
from xiaotu.schools.models import Library

_ITEM = """
SELECT i.id, i.library_id, i.record_id, i.category_id, i.status, i.barcode, i.accession_number, i.call_number,
       r.title, r.call_number, c.name, c.reference_only, l.name, l.closed_weekdays
  FROM catalogue_item i
  JOIN catalogue_record r ON r.id = i.record_id
  JOIN catalogue_itemcategory c ON c.id = i.category_id
  JOIN schools_library l ON l.id = i.library_id
 WHERE i.id = %s
"""
_READER_COLUMNS = """
       r.id, r.library_id, r.card_barcode, r.name, r.gender, r.student_number, r.status, r.reader_type_id,
       r.school_class_id, t.code, t.name, t.kind, c.name, c.number, c.grade_id, c.active"""
_READER_JOINS = """
  JOIN readers_readertype t ON t.id = r.reader_type_id
  LEFT JOIN readers_schoolclass c ON c.id = r.school_class_id"""
_READER = f"""
SELECT {_READER_COLUMNS}
  FROM readers_reader r {_READER_JOINS}
 WHERE r.library_id = %s AND r.card_barcode = %s
"""
# The holder comes whole (type and class too): the return's answer names the class, and a renewal's rules need both.
_OPEN_LOAN = f"""
SELECT l.id, l.library_id, l.item_id, l.reader_id, l.issued_at, l.due_on, l.renewals, l.issued_by_id,
       {_READER_COLUMNS}
  FROM circulation_loan l
  JOIN readers_reader r ON r.id = l.reader_id {_READER_JOINS}
 WHERE l.item_id = %s AND l.returned_at IS NULL
"""
LOAN_COLUMNS = ("library_id", "item_id", "reader_id", "issued_at", "due_on", "renewals", "lost", "issued_by_id")


M = TypeVar("M", bound=models.Model)


def _instance(model: type[M], values: dict[str, Any]) -> M:
    """A model instance from some of its columns (by attname); the others load if asked for. from_db wants the
    values in the model's own field order, whatever order the SELECT had them in."""
    fields = model._meta.concrete_fields
    ordered = [values[f.attname] for f in fields if f.attname in values]
    return model.from_db(connection.alias, list(values), ordered)


def _when(value: Any) -> dt.datetime:
    """A datetime as the driver gives it: PostgreSQL an aware datetime, SQLite text in UTC."""
    if isinstance(value, dt.datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value, dt.UTC)
    parsed = parse_datetime(str(value))
    assert parsed is not None
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed, dt.UTC)


def _day(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def lock_item(item_id: int, *, for_update: bool) -> Item:
    """The copy with its record's title, its category and its library, locked FOR UPDATE where rows lock."""
    with connection.cursor() as cursor:
        cursor.execute(_ITEM + (" FOR UPDATE OF i" if for_update else ""), [item_id])
        row = cursor.fetchone()
    if row is None:
        raise Item.DoesNotExist(item_id)
    columns = ("id", "library_id", "record_id", "category_id", "status", "barcode", "accession_number", "call_number")
    item = _instance(Item, dict(zip(columns, row[:8], strict=True)))
    item.record = _instance(Record, {"id": row[2], "title": row[8], "call_number": row[9]})
    item.category = _instance(ItemCategory, {"id": row[3], "name": row[10], "reference_only": bool(row[11])})
    item.library = _instance(Library, {"id": row[1], "name": row[12], "closed_weekdays": row[13]})
    return item


def reader_by_card(library_id: int, card: str) -> Reader | None:
    """The reader with this card in the library, with their type and class, or None (every desk scan of a card)."""
    with connection.cursor() as cursor:
        cursor.execute(_READER, [library_id, card])
        return _reader(cursor.fetchone())


_READER_BY_ID = _READER.replace("r.card_barcode = %s", "r.id = %s")


def reader_by_id(library_id: int, reader_id: int) -> Reader | None:
    """The same by the reader's id: the reader a class session is serving, sent back with each scan."""
    with connection.cursor() as cursor:
        cursor.execute(_READER_BY_ID, [library_id, reader_id])
        return _reader(cursor.fetchone())


def _reader(row: tuple[Any, ...] | None) -> Reader | None:
    if row is None:
        return None
    columns = ("id", "library_id", "card_barcode", "name", "gender", "student_number", "status", "reader_type_id")
    reader = _instance(Reader, {**dict(zip(columns, row[:8], strict=True)), "school_class_id": row[8]})
    reader.reader_type = _instance(ReaderType, {"id": row[7], "code": row[9], "name": row[10], "kind": row[11]})
    if row[8] is not None:
        fields = {"id": row[8], "name": row[12], "number": row[13], "grade_id": row[14], "active": bool(row[15])}
        reader.school_class = _instance(SchoolClass, fields)
    else:
        reader.school_class = None
    return reader


def open_loan(item_id: int) -> Loan | None:
    """The copy's open loan with its reader, the reader's type and class, or None."""
    with connection.cursor() as cursor:
        cursor.execute(_OPEN_LOAN, [item_id])
        row = cursor.fetchone()
    if row is None:
        return None
    loan = _instance(
        Loan,
        {
            "id": row[0],
            "library_id": row[1],
            "item_id": row[2],
            "reader_id": row[3],
            "issued_at": _when(row[4]),
            "due_on": _day(row[5]),
            "renewals": row[6],
            "issued_by_id": row[7],
        },
    )
    reader = _reader(row[8:])
    assert reader is not None  # the join found the row
    loan.reader = reader
    return loan


def insert_loan(*, item: Item, reader: Reader, at: dt.datetime, due_on: dt.date, by_id: int | None) -> Loan:
    pk = insert_one(Loan, LOAN_COLUMNS, (item.library_id, item.pk, reader.pk, at, due_on, 0, False, by_id))
    loan = Loan(library_id=item.library_id, item=item, reader=reader, issued_at=at, due_on=due_on, issued_by_id=by_id)
    loan.pk = pk
    loan._state.adding = False
    return loan


def set_item_status(item_id: int, status: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute("UPDATE catalogue_item SET status = %s WHERE id = %s", [status, item_id])


def close_loan(loan: Loan, *, at: dt.datetime, by_id: int | None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE circulation_loan SET returned_at = %s, returned_by_id = %s WHERE id = %s",
            [connection.ops.adapt_datetimefield_value(at), by_id, loan.pk],
        )
    loan.returned_at, loan.returned_by_id = at, by_id
