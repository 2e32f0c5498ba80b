"""Bulk reads for imports: rows whose column is one of many values, without the ORM's per-value preparation."""

from __future__ import annotations

import pytest

from xiaotu.bulk import rows_in
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
