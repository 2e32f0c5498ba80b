"""Reads of the holdings: finding copies by barcode, call number or title, with the due date of those out."""

from __future__ import annotations

from django.db.models import OuterRef, Q, Subquery

from xiaotu.barcodes import clean_barcode
from xiaotu.catalogue.models import Item
from xiaotu.circulation.models import Loan
from xiaotu.schools.models import Library


def item_search(*, library: Library, q: str = "", status: str | None = None, limit: int = 20) -> list[Item]:
    """By barcode or accession number (exact), call number (prefix) or title (contains), optionally by status.

    Each item carries `due_on`, the due date of its open loan (None on the shelf). Title search is a plain
    LIKE: good for a desk and a school's holdings; the catalogue's own search (拼音, 1-character words) is OPAC's job.
    """
    items = Item.objects.filter(library=library)
    if q := q.strip():
        items = items.filter(
            Q(barcode=clean_barcode(q))
            | Q(accession_number=q)
            | Q(call_number__istartswith=q)
            | Q(record__title__icontains=q)
        )
    if status:
        items = items.filter(status=status)
    open_loan = Loan.objects.filter(item=OuterRef("pk"), returned_at__isnull=True)
    return list(
        items.select_related("record", "location", "category")
        .annotate(due_on=Subquery(open_loan.values("due_on")[:1]))
        .order_by("call_number", "barcode")[:limit]
    )
