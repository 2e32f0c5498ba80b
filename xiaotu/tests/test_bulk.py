"""Bulk helpers for imports: inserting rows, rows whose column is one of many values, pausing the collector."""

from __future__ import annotations

import gc
import weakref
from decimal import Decimal
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from xiaotu.accounts.models import AuditEvent
from xiaotu.bulk import insert_one, insert_rows, paused_gc, rows_in
from xiaotu.catalogue.models import Item, Record
from xiaotu.testing.factories import ItemFactory, LibraryFactory

pytestmark = pytest.mark.django_db


def test_rows_in_finds_the_library_rows_whose_column_is_one_of_the_values():
    """Values go in chunks; another library's rows with the same values are not returned."""
    ours, theirs = LibraryFactory.create(code="ours"), LibraryFactory.create(code="theirs")
    for code in ("A1", "A2", "A3", "A4", "A5"):
        ItemFactory.create(library=ours, barcode=code, accession_number=code)
    ItemFactory.create(library=theirs, barcode="A6", accession_number="A6")

    found = rows_in(
        Item, ["barcode"], "barcode", ["A1", "A3", "A5", "A6", "A7", "A3"], where={"library_id": ours.pk}, chunk=2
    )

    assert sorted(found) == [("A1",), ("A3",), ("A5",)]
    assert rows_in(Item, ["barcode"], "barcode", [], where={"library_id": ours.pk}) == []


def test_objects_made_while_collection_was_paused_are_not_walked_by_young_collections():
    """After the pause the collector runs again; what was made meanwhile waits for a full collection."""
    with paused_gc():
        assert not gc.isenabled()
        made = [[index] for index in range(1000)]

    assert gc.isenabled()
    young = {id(obj) for generation in (0, 1) for obj in gc.get_objects(generation=generation)}
    assert not any(id(obj) in young for obj in made)


def test_a_cycle_made_while_collection_was_paused_is_still_freed():
    class Node:
        other: Node | None = None

    with paused_gc():
        first, second = Node(), Node()
        first.other, second.other = second, first
        watch = weakref.ref(first)
    del first, second

    gc.collect()

    assert watch() is None


def test_insert_rows_writes_every_value_and_a_clash_is_an_integrity_error():
    """The rows arrive as given (JSON, decimals, dates); a taken barcode fails as Django's IntegrityError."""
    library = LibraryFactory.create()
    item = ItemFactory.create(library=library)
    now = timezone.now()
    record: dict[str, Any] = {field.attname: "" for field in Record._meta.concrete_fields}
    record.update(id=item.record_id + 1, library_id=library.pk, title="草房子", pub_year=None, price=Decimal("25.80"))
    record.update(authors=[{"name": "曹文轩", "role": "著"}], other_titles=[], other_isbns=[], subjects=["儿童小说"])
    record.update(created_at=now, updated_at=now)

    assert insert_rows(Record, list(record), [list(record.values())]) == 1

    written = Record.objects.get(pk=item.record_id + 1)
    assert (written.title, written.price, written.subjects) == ("草房子", Decimal("25.80"), ["儿童小说"])
    assert written.authors == [{"name": "曹文轩", "role": "著"}] and written.created_at == now
    copy = {field.attname: getattr(item, field.attname) for field in Item._meta.concrete_fields}
    copy.update(id=item.pk + 1, accession_number="other", acquired_on=now.date())
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_rows(Item, list(copy), [list(copy.values())])


def test_insert_one_returns_the_new_key_and_stores_json_and_times_as_the_orm_would():
    library = LibraryFactory.create()
    at = timezone.now()
    columns = ("library_id", "at", "actor_id", "action", "object_type", "object_id", "data")
    first = insert_one(AuditEvent, columns, (library.pk, at, None, "test.one", "item", 7, {"到": "书架", "n": [1]}))
    second = insert_one(AuditEvent, columns, (library.pk, at, None, "test.two", "item", 8, {}))

    assert second > first
    event = AuditEvent.objects.get(pk=first)
    assert (event.at, event.action, event.object_id, event.data) == (at, "test.one", 7, {"到": "书架", "n": [1]})
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_one(AuditEvent, columns, (None, at, None, "test.bad", "item", 9, {}))
