"""The JSON shapes of items (册) as the desk lists them."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from ninja import Field, Schema
from pydantic import WithJsonSchema

from xiaotu.accounts.schemas import Limit, SearchText, blank_is
from xiaotu.catalogue.models import Item

# Inlined in the OpenAPI document: both Item.Status and Reader.Status are called "Status" there otherwise.
ItemStatus = Annotated[Item.Status, WithJsonSchema({"type": "string", "enum": list(Item.Status.values)})]


class ItemQuery(Schema):
    q: SearchText = Field("", description="Barcode or accession number, the start of a call number, or part of a title")
    status: Annotated[ItemStatus | None, blank_is(None)] = None
    limit: Limit = 20


class ItemOut(Schema):
    """册 — one copy; `due_on` is set while it is on loan."""

    barcode: str
    accession_number: str
    call_number: str
    title: str
    author: str
    status: ItemStatus
    location: str
    category: str
    due_on: dt.date | None


def item_out(item: Item) -> ItemOut:
    """An item from item_search (record, location and category loaded, `due_on` annotated)."""
    return ItemOut(
        barcode=item.barcode,
        accession_number=item.accession_number,
        call_number=item.call_number,
        title=item.record.title,
        author=item.record.author,
        status=Item.Status(item.status),
        location=item.location.name,
        category=item.category.name,
        due_on=getattr(item, "due_on", None),
    )
