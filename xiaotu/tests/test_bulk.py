"""Bulk helpers for imports: rows whose column is one of many values, and pausing the garbage collector."""

from __future__ import annotations

import gc
import weakref

import pytest

from xiaotu.bulk import paused_gc, rows_in
from xiaotu.catalogue.models import Item
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
