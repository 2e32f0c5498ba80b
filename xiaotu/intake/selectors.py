"""Intake reads: the 总括登记 list with volumes and totals, a batch's copies, recent import jobs, MARC export."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from decimal import Decimal

from django.db.models import Count, DecimalField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from xiaotu.catalogue.marc_export import export_catalogue
from xiaotu.catalogue.models import Item, Record
from xiaotu.intake.models import BarcodeRange, Batch, ImportJob
from xiaotu.interop.marc import MARCXML
from xiaotu.interop.marc.marcxml import COLLECTION_END, collection_start
from xiaotu.schools.models import Library

EXPORT_CHUNK = 500


def batch_list(*, library: Library) -> QuerySet[Batch]:
    """总括登记帐 — every batch with its volume count, total price and count of copies without a price, from its
    copies, in one query."""
    return (
        Batch.objects.filter(library=library)
        .select_related("created_by")
        .annotate(
            volumes=Count("items"),
            total_price=Coalesce(
                Sum("items__price"), Value(Decimal("0.00")), output_field=DecimalField(max_digits=14, decimal_places=2)
            ),
            unpriced=Count("items", filter=Q(items__price__isnull=True)),
        )
        .order_by("-received_on", "-pk")
    )


def batch_totals(*, library: Library) -> dict[str, object]:
    """The whole 总括登记帐's volumes and total price."""
    return Item.objects.filter(library=library, batch__isnull=False).aggregate(
        volumes=Count("pk"),
        total_price=Coalesce(
            Sum("price"), Value(Decimal("0.00")), output_field=DecimalField(max_digits=14, decimal_places=2)
        ),
    )


def batch_with_totals(*, library: Library, pk: int) -> Batch | None:
    return batch_list(library=library).filter(pk=pk).first()


def batch_items(*, batch: Batch) -> QuerySet[Item]:
    """A batch's copies in the order they were numbered, with their titles."""
    return (
        Item.objects.filter(batch=batch)
        .select_related("record", "location")
        .only(
            "barcode",
            "accession_number",
            "call_number",
            "price",
            "status",
            "record__title",
            "record__author",
            "location__name",
        )
        .order_by("pk")
    )


def batch_choices(*, library: Library) -> QuerySet[Batch]:
    """The batches a new import may join, newest first."""
    return Batch.objects.filter(library=library).order_by("-received_on", "-pk")


def recent_jobs(*, library: Library) -> QuerySet[ImportJob]:
    return (
        ImportJob.objects.filter(library=library)
        .select_related("created_by", "batch")
        .defer("options")
        .order_by("-created_at", "-pk")
    )


def barcode_ranges(*, library: Library) -> list[BarcodeRange]:
    return list(BarcodeRange.objects.filter(library=library).order_by("pk"))


def export_records(*, library: Library, batch: Batch | None) -> QuerySet[Record]:
    """The records an export writes: the whole catalogue, or those with a copy in the batch."""
    records = Record.objects.filter(library=library)
    if batch is not None:
        records = records.filter(pk__in=Item.objects.filter(batch=batch).values("record_id"))
    return records


def marc_export_chunks(
    *, library: Library, records: QuerySet[Record], marc_format: str, encoding: str, container: str, entered: dt.date
) -> Iterator[bytes]:
    """The export file a few hundred records at a time, for a streamed download: the first bytes leave at once and
    memory stays flat however large the catalogue."""
    envelope = container == MARCXML
    head = collection_start(encoding).encode(encoding) if envelope else b""
    tail = COLLECTION_END.encode(encoding) if envelope else b""
    yield head
    ids = records.order_by("pk").values_list("pk", flat=True)
    last = 0
    while chunk := list(ids.filter(pk__gt=last)[:EXPORT_CHUNK]):
        buffer = io.BytesIO()
        export_catalogue(
            library=library,
            out=buffer,
            marc_format=marc_format,
            encoding=encoding,
            container=container,
            record_ids=chunk,
            entered=entered,
        )
        data = buffer.getvalue()
        if envelope:  # each chunk is written as a whole collection: keep only its records
            data = data[len(head) : len(data) - len(tail)]
        yield data
        last = chunk[-1]
    yield tail
