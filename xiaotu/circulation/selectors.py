"""Reads for the desk and the API: finding readers and items by what is typed or scanned, a reader's panel."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.db.models import QuerySet

from xiaotu.barcodes import MAX_BARCODE, clean_barcode, is_scannable
from xiaotu.catalogue.models import Item
from xiaotu.circulation import desk_sql
from xiaotu.circulation.errors import LoanRefused
from xiaotu.circulation.models import Loan
from xiaotu.readers.models import Reader, RetiredCard
from xiaotu.readers.selectors import reader_match
from xiaotu.schools.models import Library


def reader_by_card(*, library: Library, barcode: str) -> Reader:
    code = clean_barcode(barcode)
    reader = None
    if is_scannable(code):
        reader = desk_sql.reader_by_card(library.pk, code)
    if reader is None:
        retired = (
            RetiredCard.objects.filter(library=library, barcode=code).select_related("reader").first()
            if is_scannable(code)
            else None
        )
        if retired is not None:
            raise LoanRefused("card_reported_lost", barcode=code, reader=retired.reader.name)
        raise LoanRefused("reader_not_found", barcode=code[:MAX_BARCODE])
    return reader


def item_ref_by_barcode(*, library: Library, barcode: str) -> Item:
    """Just enough of the copy to hand to a service, which reads it again inside its transaction.

    One indexed look-up by a prepared statement: every desk scan makes it, and the ORM's query building cost
    twenty times the look-up itself.
    """
    code = clean_barcode(barcode)
    row = None
    if is_scannable(code):
        with connection.cursor() as cursor:
            cursor.execute(_ITEM_BY_BARCODE, [library.pk, code])
            row = cursor.fetchone()
    if row is None:
        raise LoanRefused("item_not_found", barcode=code[:MAX_BARCODE])
    return Item.from_db(connection.alias, ["id", "library_id", "barcode"], [row[0], library.pk, code])


_ITEM_BY_BARCODE = "SELECT id FROM catalogue_item WHERE library_id = %s AND barcode = %s"


def item_by_barcode(*, library: Library, barcode: str) -> Item:
    code = clean_barcode(barcode)
    item = None
    if is_scannable(code):
        item = (
            Item.objects.select_related("record", "category", "location").filter(library=library, barcode=code).first()
        )
    if item is None:
        raise LoanRefused("item_not_found", barcode=code[:MAX_BARCODE])
    return item


def open_loans(reader: Reader) -> QuerySet[Loan]:
    return (
        Loan.objects.filter(reader=reader, returned_at__isnull=True)
        .select_related("item__record", "item__category")
        .order_by("due_on", "issued_at")
    )


def overdue_count(reader: Reader, today: dt.date) -> int:
    return Loan.objects.filter(reader=reader, returned_at__isnull=True, due_on__lt=today).count()


def reader_search(*, library: Library, q: str, limit: int = 20) -> QuerySet[Reader]:
    """By card, 学号 or 学籍号 (exact), 拼音 initials or full 拼音 (prefix), or part of the name (reader_match)."""
    if not q.strip():
        return Reader.objects.none()
    return (
        Reader.objects.filter(library=library)
        .filter(reader_match(q))
        .select_related("reader_type", "school_class")
        .order_by("name_pinyin", "pk")[:limit]
    )
