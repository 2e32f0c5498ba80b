"""Reads of the holdings: finding copies by barcode, call number, title or ISBN, with the loans of those out."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable

from django.db.models import OuterRef, Q, QuerySet, Subquery
from stdnum import isbn as stdnum_isbn
from stdnum.exceptions import ValidationError as StdnumError

from xiaotu.barcodes import clean_barcode
from xiaotu.catalogue.models import Item, Record
from xiaotu.circulation.models import Loan
from xiaotu.schools.models import Library
from xiaotu.search.query import parse
from xiaotu.search.results import Filters
from xiaotu.search.selectors import ranked_ids

STAFF_SEARCH_RECORDS = 500


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


def _with_loans(items: QuerySet[Item]) -> QuerySet[Item]:
    """Each copy with `due_on` and `holder`, from its open loan (None on the shelf)."""
    open_loan = Loan.objects.filter(item=OuterRef("pk"), returned_at__isnull=True)
    return items.annotate(
        due_on=Subquery(open_loan.values("due_on")[:1]), holder=Subquery(open_loan.values("reader__name")[:1])
    )


def staff_items(
    *,
    library: Library,
    q: str = "",
    status: str = "",
    location_id: int | None = None,
    batch_id: int | None = None,
) -> QuerySet[Item]:
    """书目检索 for staff: copies whose title, ISBN, call number, barcode or accession number contains `q`, and
    copies of the records the catalogue search finds for `q` (its first STAFF_SEARCH_RECORDS).

    A plain filter for the staff pages; newest first without `q`, in call-number order with it.
    """
    items = Item.objects.filter(library=library)
    if q := q.strip():
        match = (
            Q(record__title__icontains=q)
            | Q(call_number__icontains=q)
            | Q(barcode__icontains=clean_barcode(q))
            | Q(accession_number__icontains=q)
            # The catalogue's own search adds what a substring cannot find: 拼音, initials, Traditional characters.
            | Q(record_id__in=ranked_ids(library, parse(q), Filters(), want=STAFF_SEARCH_RECORDS, public=False))
        )
        digits = "".join(ch for ch in q.upper() if ch.isdigit() or ch == "X")
        if len(digits) >= 4 and len(digits) >= len(q.replace("-", "").replace(" ", "")):
            match |= Q(record__isbn__icontains=digits)
            if len(digits) == 10:  # an ISBN-10 finds the ISBN-13 the catalogue keeps
                with contextlib.suppress(StdnumError):
                    match |= Q(record__isbn=stdnum_isbn.to_isbn13(stdnum_isbn.validate(digits)))
        items = items.filter(match)
    if status:
        items = items.filter(status=status)
    if location_id:
        items = items.filter(location_id=location_id)
    if batch_id:
        items = items.filter(batch_id=batch_id)
    order = ("call_number", "barcode") if q else ("-pk",)
    return _with_loans(items.select_related("record", "location", "category", "batch").order_by(*order))


def record_items(record: Record) -> list[Item]:
    """A record's copies for its page, with their loans, in accession order."""
    items = Item.objects.filter(record=record).select_related("location", "category", "batch")
    return list(_with_loans(items).order_by("accession_number", "pk"))


def items_by_ids(*, library: Library, ids: Iterable[int]) -> list[Item]:
    """The copies of this library among `ids` (others are ignored), in call-number order."""
    wanted = sorted({i for i in ids if 0 < i < 2**62})
    found: list[Item] = []
    for start in range(0, len(wanted), 900):
        found += _with_loans(
            Item.objects.filter(library=library, pk__in=wanted[start : start + 900]).select_related(
                "record", "location", "category", "batch"
            )
        )
    return sorted(found, key=lambda item: (item.call_number, item.accession_number, item.pk))


def item_detail(*, library: Library, pk: int) -> Item | None:
    """One copy of this library with its record and its open loan, if any."""
    items = Item.objects.filter(library=library, pk=pk).select_related("record", "location", "category", "batch")
    return _with_loans(items).first()
