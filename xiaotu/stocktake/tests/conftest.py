"""A small library for stocktakes: the 借阅室 holds I-class books, the 阅览室 holds K-class ones."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from xiaotu.accounts.models import User
from xiaotu.catalogue.models import Item
from xiaotu.schools.models import Library, Location
from xiaotu.stocktake.models import Run, Stocktake
from xiaotu.stocktake.services import run_start, stocktake_create
from xiaotu.testing.factories import ItemFactory, LocationFactory, RecordFactory


@dataclass
class Shelves:
    library: Library
    loan_room: Location
    reading_room: Location
    # 借阅室 I247.5/1 … /5, barcodes I1…I5; 阅览室 K825/1 … /3, barcodes K1…K3.
    fiction: list[Item]
    history: list[Item]


def make_item(library: Library, location: Location, barcode: str, call_number: str, title: str) -> Item:
    record = RecordFactory.create(library=library, title=title, clc_class=call_number.split("/")[0])
    return ItemFactory.create(
        library=library, record=record, barcode=barcode, call_number=call_number, location=location
    )


@pytest.fixture
def shelves(library: Library) -> Shelves:
    loan_room = LocationFactory.create(library=library, code="loan", name="借阅室")
    reading_room = LocationFactory.create(library=library, code="read", name="阅览室")
    fiction = [make_item(library, loan_room, f"I{n}", f"I247.5/{n}", f"小说{n}") for n in range(1, 6)]
    history = [make_item(library, reading_room, f"K{n}", f"K825/{n}", f"传记{n}") for n in range(1, 4)]
    return Shelves(library, loan_room, reading_room, fiction, history)


@pytest.fixture
def loan_room_count(shelves: Shelves, librarian: User) -> Stocktake:
    """A partial stocktake: the 借阅室 only."""
    return stocktake_create(library=shelves.library, name="借阅室期末清点", locations=[shelves.loan_room], by=librarian)


@pytest.fixture
def run(loan_room_count: Stocktake, librarian: User) -> Run:
    return run_start(stocktake=loan_room_count, by=librarian)
