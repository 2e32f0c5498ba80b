"""班级图书角 — a class borrowing 50–100 books at once, passing the set to another class (图书漂流), returning it.

Every book of a corner is an ordinary loan to the corner's own reader row, so the desk needs nothing special: a
pupil who brings a corner book back closes the corner's loan, and a pupil who tries to borrow one is told it is out
to the class corner.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from xiaotu.accounts.models import User
from xiaotu.accounts.services import audit_record
from xiaotu.barcodes import clean_barcode
from xiaotu.catalogue.models import Item
from xiaotu.circulation import desk_sql
from xiaotu.circulation.errors import LoanRefused
from xiaotu.circulation.models import Corner, CornerTransfer, Hold, Loan
from xiaotu.circulation.services import REFUSAL_BY_ITEM_STATUS, checkin
from xiaotu.readers.models import Reader, ReaderType, SchoolClass
from xiaotu.readers.services import reader_create
from xiaotu.schools.calendar import due_date
from xiaotu.schools.models import Library

CORNER_TYPE_CODE = "corner"
CARD_PREFIX = "CORNER"
MAX_BATCH = 300


def corner_card(school_class: SchoolClass) -> str:
    """The corner's card number: never printed or scanned, it only has to be unique in the library."""
    return f"{CARD_PREFIX}{school_class.pk:06d}"


def is_corner_reader(reader: Reader) -> bool:
    return reader.card_barcode.startswith(CARD_PREFIX)


def barcodes_from(text: str) -> list[str]:
    """The barcodes of a pasted or scanned list, one a line (or separated by spaces or commas), each once."""
    seen: dict[str, None] = {}
    for part in re.split(r"[\s,，;；]+", text):
        if code := clean_barcode(part):
            seen.setdefault(code, None)
    return list(seen)


def corner_open(*, school_class: SchoolClass, by: User | None, loan_days: int = 60) -> Corner:
    """建立班级图书角 — the class's corner and the reader row it borrows as (its class teacher is responsible)."""
    at = timezone.now()
    existing = Corner.objects.filter(school_class=school_class).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        library = school_class.library
        corner_type, _created = ReaderType.objects.get_or_create(
            library=library,
            code=CORNER_TYPE_CODE,
            defaults={"name": "班级图书角", "kind": ReaderType.Kind.STAFF},
        )
        reader = reader_create(
            library=library,
            card_barcode=corner_card(school_class),
            name=f"{school_class.name}图书角",
            reader_type=corner_type,
            school_class=school_class,
            by=by,
            at=at,
        )
        return Corner.objects.create(
            library=library, school_class=school_class, reader=reader, loan_days=loan_days, created_at=at
        )


@dataclass
class BatchResult:
    """What a batch did, book by book: done, refused (with the reason), or not found."""

    done: list[Item] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (barcode, message)
    held: list[tuple[Item, Hold]] = field(default_factory=list)  # returned copies to put on the hold shelf
    other: list[Item] = field(default_factory=list)  # scanned back but not this corner's
    missing: list[Loan] = field(default_factory=list)  # the corner's books not brought back


def _items(library: Library, codes: list[str]) -> dict[str, Item]:
    found = Item.objects.filter(library=library, barcode__in=codes).select_related("record", "category")
    return {item.barcode: item for item in found}


def corner_lend(*, corner: Corner, barcodes: list[str], by: User | None, at: dt.datetime | None = None) -> BatchResult:
    """图书角借书 — lend the scanned books to the class corner, for the corner's period (capped at the term's end).

    Books that cannot go (out already, kept for a hold, reference only, lost…) are listed with the reason; the rest
    go out in one transaction.
    """
    at = at or timezone.now()
    result = BatchResult()
    library = corner.library
    with transaction.atomic():
        items = _items(library, barcodes[:MAX_BATCH])
        ids = [item.pk for item in items.values()]
        if connection.features.has_select_for_update:
            list(Item.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk"))
        kept = set(Hold.objects.filter(item_id__in=ids, status=Hold.Status.READY).values_list("item_id", flat=True))
        due_on = due_date(library=library, start=timezone.localtime(at).date(), loan_days=corner.loan_days)
        reader = corner.reader
        for code in barcodes[:MAX_BATCH]:
            item = items.get(code)
            if item is None:
                result.refused.append((code, LoanRefused("item_not_found", barcode=code).message))
                continue
            item.refresh_from_db(fields=["status"])
            if refusal := _why_not(item, kept=kept):
                result.refused.append((code, refusal.message))
                continue
            item.library = library
            loan = desk_sql.insert_loan(item=item, reader=reader, at=at, due_on=due_on, by_id=by.pk if by else None)
            desk_sql.set_item_status(item.pk, Item.Status.ON_LOAN)
            audit_record(
                library=library,
                actor=by,
                action="loan.checkout",
                obj=loan,
                data={
                    "item": item.barcode,
                    "reader": reader.card_barcode,
                    "due_on": due_on.isoformat(),
                    "corner": True,
                },
                at=at,
            )
            result.done.append(item)
    return result


def _why_not(item: Item, *, kept: set[int]) -> LoanRefused | None:
    title = item.record.title
    if item.status == Item.Status.ON_LOAN:
        loan = desk_sql.open_loan(item.pk)
        holder = loan.reader.name if loan else "?"
        return LoanRefused("item_on_loan", title=title, holder=holder, due_on=str(loan.due_on) if loan else "")
    if code := REFUSAL_BY_ITEM_STATUS.get(Item.Status(item.status)):
        return LoanRefused(code, title=title)
    if item.category.reference_only:
        return LoanRefused("item_reference_only", title=title, category=item.category.name)
    if item.pk in kept:
        hold = Hold.objects.filter(item=item, status=Hold.Status.READY).select_related("reader").first()
        holder = hold.reader.name if hold else "?"
        pickup_by = str(hold.pickup_by) if hold else ""
        return LoanRefused("item_on_hold_shelf", title=title, holder=holder, pickup_by=pickup_by)
    return None


def corner_loans(corner: Corner) -> QuerySet[Loan]:
    return (
        Loan.objects.filter(reader=corner.reader, returned_at__isnull=True)
        .select_related("item__record")
        .order_by("item__call_number", "item__barcode")
    )


def corner_pass_on(
    *, from_corner: Corner, to_corner: Corner, by: User | None, at: dt.datetime | None = None
) -> CornerTransfer:
    """图书漂流 — the whole set moves to another class: each loan closes and a new one opens for the next class,
    so every class's time with each book stays in the history."""
    at = at or timezone.now()
    if from_corner.pk == to_corner.pk or from_corner.library_id != to_corner.library_id:
        raise LoanRefused("corner_same")
    with transaction.atomic():
        loans = list(corner_loans(from_corner))
        if not loans:
            raise LoanRefused("corner_empty", corner=from_corner.reader.name)
        library = from_corner.library
        due_on = due_date(library=library, start=timezone.localtime(at).date(), loan_days=to_corner.loan_days)
        by_id = by.pk if by else None
        for loan in loans:
            item = loan.item
            item.library = library
            desk_sql.close_loan(loan, at=at, by_id=by_id)
            new = desk_sql.insert_loan(item=item, reader=to_corner.reader, at=at, due_on=due_on, by_id=by_id)
            audit_record(
                library=library,
                actor=by,
                action="loan.corner_pass",
                obj=new,
                data={
                    "item": item.barcode,
                    "from": from_corner.reader.card_barcode,
                    "to": to_corner.reader.card_barcode,
                    "closed": loan.pk,
                    "due_on": due_on.isoformat(),
                },
                at=at,
            )
        return CornerTransfer.objects.create(
            library=library, from_corner=from_corner, to_corner=to_corner, books=len(loans), at=at, by=by
        )


def corner_return(
    *, corner: Corner, barcodes: list[str], by: User | None, at: dt.datetime | None = None
) -> BatchResult:
    """图书角还书 — the scanned books come back; the corner's books not scanned are listed as missing.

    Books of someone else scanned by mistake are left alone and listed; a copy a reader waits for is listed for
    the hold shelf, as at the desk.
    """
    result = BatchResult()
    open_ids = set(corner_loans(corner).values_list("item_id", flat=True))
    items = _items(corner.library, barcodes[:MAX_BATCH])
    with transaction.atomic():
        for code in barcodes[:MAX_BATCH]:
            item = items.get(code)
            if item is None:
                result.refused.append((code, LoanRefused("item_not_found", barcode=code).message))
                continue
            if item.pk not in open_ids:
                result.other.append(item)
                continue
            returned = checkin(item=item, by=by, at=at)
            result.done.append(item)
            if returned.hold is not None:
                result.held.append((item, returned.hold))
    result.missing = list(corner_loans(corner))
    return result


def corners(library: Library) -> list[tuple[Corner, int]]:
    """Every class corner with how many books it has out now."""
    found = list(Corner.objects.filter(library=library).select_related("reader", "school_class__teacher"))
    counts = dict(
        Loan.objects.filter(reader__in=[c.reader for c in found], returned_at__isnull=True)
        .values("reader_id")
        .annotate(n=Count("pk"))
        .values_list("reader_id", "n")
    )
    return [(corner, counts.get(corner.reader_id, 0)) for corner in found]


def corner_history(corner: Corner) -> QuerySet[CornerTransfer]:
    """图书漂流 to and from this corner, newest first."""
    return CornerTransfer.objects.filter(Q(from_corner=corner) | Q(to_corner=corner)).select_related(
        "from_corner__reader", "to_corner__reader"
    )
