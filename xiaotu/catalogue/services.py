"""Writes for records and items; item changes are audited in the same transaction."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from xiaotu.accounts.models import User
from xiaotu.accounts.services import audit_record
from xiaotu.barcodes import clean_barcode
from xiaotu.catalogue.models import Item, ItemCategory, Record
from xiaotu.schools.models import Location


def item_create(
    *,
    record: Record,
    barcode: str,
    accession_number: str,
    location: Location,
    category: ItemCategory,
    call_number: str = "",
    price: Decimal | None = None,
    by: User | None,
    at: dt.datetime | None = None,
) -> Item:
    at = at or timezone.now()
    with transaction.atomic():
        item = Item.objects.create(
            library_id=record.library_id,
            record=record,
            barcode=clean_barcode(barcode),
            accession_number=accession_number.strip(),
            call_number=call_number.strip(),
            location=location,
            category=category,
            price=price,
            acquired_on=timezone.localtime(at).date(),
        )
        audit_record(
            library=record.library, actor=by, action="item.create", obj=item, data={"barcode": item.barcode}, at=at
        )
    return item


def item_set_status(*, item: Item, status: str, by: User | None, at: dt.datetime | None = None) -> Item:
    """Mark a copy lost, damaged, withdrawn or back on the shelf; lending and returning go through circulation."""
    at = at or timezone.now()
    new = Item.Status(status)
    with transaction.atomic():
        old = item.status
        Item.objects.filter(pk=item.pk).update(status=new)
        item.status = new
        audit_record(
            library=item.library, actor=by, action="item.status", obj=item, data={"from": old, "to": new}, at=at
        )
    return item
