"""预约 — holds on a title: placing and cancelling them, trapping a returned copy, the hold shelf and its expiry.

The desk's return and check-out each ask one indexed question of the hold table (prepared statements, like the rest
of the scan's transaction in desk_sql); everything else here runs off the desk's hot path.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaotu.accounts.models import User
from xiaotu.accounts.services import audit_record
from xiaotu.catalogue.models import Item, Record
from xiaotu.circulation.errors import REFUSAL_BY_READER_STATUS, HoldRefused, LoanRefused
from xiaotu.circulation.library_settings import settings_for
from xiaotu.circulation.models import Hold, Loan, ReaderNotice
from xiaotu.readers.models import Reader
from xiaotu.schools.calendar import due_date
from xiaotu.schools.models import Library

ACTIVE = (Hold.Status.WAITING, Hold.Status.READY)
# Copies that will never come back to the shelf cannot satisfy a hold.
GONE = (Item.Status.LOST, Item.Status.WITHDRAWN)


def _local_date(at: dt.datetime) -> dt.date:
    return timezone.localtime(at).date()


def _lock_reader(reader_id: int) -> None:
    if connection.features.has_select_for_update:
        list(Reader.objects.select_for_update().filter(pk=reader_id).values_list("pk"))


# Placing and cancelling (the OPAC and the staff pages call these).


def hold_place(*, reader: Reader, record: Record, by: User | None, at: dt.datetime | None = None) -> Hold:
    """预约 — put the reader in the queue for any copy of the title, or raise HoldRefused saying why not."""
    at = at or timezone.now()
    try:
        with transaction.atomic():
            _lock_reader(reader.pk)
            _check_may_hold(reader=reader, record=record)
            hold = Hold.objects.create(
                library_id=record.library_id, record=record, reader=reader, placed_at=at, placed_by=by
            )
            audit_record(
                library=record.library,
                actor=by,
                action="hold.place",
                obj=hold,
                data={"record": record.pk, "title": record.title, "reader": reader.card_barcode},
                at=at,
            )
    except IntegrityError:
        # A second request for the same reader and title got in between our check and our insert.
        raise HoldRefused("hold_duplicate", reader=reader.name, title=record.title) from None
    return hold


def _check_may_hold(*, reader: Reader, record: Record) -> None:
    title = record.title
    if reader.library_id != record.library_id:
        raise HoldRefused("hold_not_holdable", title=title)
    if code := REFUSAL_BY_READER_STATUS.get(Reader.Status(reader.status)):
        raise HoldRefused(code, reader=reader.name)
    if Loan.objects.filter(reader=reader, returned_at__isnull=True, item__record=record).exists():
        raise HoldRefused("hold_already_on_loan", reader=reader.name, title=title)
    active = list(Hold.objects.filter(reader=reader, status__in=ACTIVE).values_list("record_id", flat=True))
    if record.pk in active:
        raise HoldRefused("hold_duplicate", reader=reader.name, title=title)
    limit = settings_for(record.library_id).hold_limit
    if len(active) >= limit:
        raise HoldRefused("hold_limit_reached", reader=reader.name, count=len(active), limit=limit)
    copies = Item.objects.filter(record=record, category__reference_only=False).exclude(status__in=GONE)
    if not copies.exists():
        raise HoldRefused("hold_not_holdable", title=title)
    kept = Hold.objects.filter(status=Hold.Status.READY, item=OuterRef("pk"))
    if copies.filter(status=Item.Status.AVAILABLE).exclude(pk__in=Subquery(kept.values("item_id"))).exists():
        raise HoldRefused("hold_copy_on_shelf", title=title)


def hold_cancel(*, hold: Hold, by: User | None, at: dt.datetime | None = None) -> Hold:
    """取消预约 — by the reader or the library; a copy kept for this hold passes to the next in line.

    The reader is told when the library cancels (`by` is staff), not when they cancel themselves (`by` None).
    """
    at = at or timezone.now()
    with transaction.atomic():
        _lock_reader(hold.reader_id)
        hold = Hold.objects.select_for_update().select_related("record", "reader", "library").get(pk=hold.pk)
        if not hold.is_active:
            raise HoldRefused("hold_not_active", status=hold.get_status_display())
        kept_item_id = hold.item_id if hold.status == Hold.Status.READY else None
        hold.status, hold.closed_at = Hold.Status.CANCELLED, at
        hold.save(update_fields=["status", "closed_at"])
        audit_record(
            library=hold.library,
            actor=by,
            action="hold.cancel",
            obj=hold,
            data={"record": hold.record_id, "reader": hold.reader.card_barcode, "item": kept_item_id},
            at=at,
        )
        if by is not None:
            _notify(hold, ReaderNotice.Kind.HOLD_CANCELLED, _("图书馆取消了你对《%(title)s》的预约"), at=at)
        if kept_item_id is not None:
            _pass_on(item_id=kept_item_id, library=hold.library, by=by, at=at)
    return hold


# The desk's hot path: one prepared statement each on return and check-out.

_FIRST_WAITING = (
    "SELECT h.id FROM circulation_hold h JOIN readers_reader r ON r.id = h.reader_id"
    " WHERE h.record_id = %s AND h.status = 'waiting' AND r.status = 'active'"
    " ORDER BY h.placed_at, h.id LIMIT 1"
)
_MAKE_READY = (
    "UPDATE circulation_hold SET status = 'ready', item_id = %s, ready_at = %s, pickup_by = %s"
    " WHERE id = %s AND status = 'waiting'"
)


def trap_on_return(*, item: Item, by: User | None, at: dt.datetime) -> Hold | None:
    """A copy came back: keep it for the first reader waiting for its title, if anyone is (预约到书).

    `item` must carry its library (desk_sql.lock_item loads it). With no hold waiting this is one indexed query.
    """
    for _attempt in range(5):
        with connection.cursor() as cursor:
            cursor.execute(_FIRST_WAITING, [item.record_id])
            row = cursor.fetchone()
            if row is None:
                return None
            pickup_by = _pickup_by(item.library, _local_date(at))
            cursor.execute(
                _MAKE_READY,
                [
                    item.pk,
                    connection.ops.adapt_datetimefield_value(at),
                    connection.ops.adapt_datefield_value(pickup_by),
                    row[0],
                ],
            )
            if cursor.rowcount != 1:
                # Another desk trapped a copy for this reader a moment ago (PostgreSQL): ask for the next one.
                continue
        hold = Hold.objects.select_related("reader__school_class", "record").get(pk=row[0])
        audit_record(
            library=item.library,
            actor=by,
            action="hold.ready",
            obj=hold,
            data={"item": item.barcode, "reader": hold.reader.card_barcode, "pickup_by": pickup_by.isoformat()},
            at=at,
        )
        _notify(
            hold,
            ReaderNotice.Kind.HOLD_READY,
            _("你预约的《%(title)s》已到馆，请在 %(date)s 前到图书馆借阅"),
            at=at,
            date=pickup_by.isoformat(),
        )
        return hold
    return None


def _pickup_by(library: Library, today: dt.date) -> dt.date:
    """The last day to fetch a held copy: the library's number of days, moved off closed days like a due date."""
    return due_date(library=library, start=today, loan_days=settings_for(library.pk).hold_pickup_days)


_CHECKOUT_HOLDS = (
    "SELECT id, reader_id, item_id, status, pickup_by FROM circulation_hold WHERE item_id = %s AND status = 'ready'"
    " UNION ALL"
    " SELECT id, reader_id, item_id, status, pickup_by FROM circulation_hold"
    " WHERE reader_id = %s AND record_id = %s AND status IN ('waiting', 'ready')"
)


@dataclass(frozen=True)
class HoldRow:
    id: int
    reader_id: int
    item_id: int | None
    status: str
    pickup_by: Any


@dataclass(frozen=True)
class CheckoutHolds:
    """What the hold table says about one check-out: whom the copy is kept for, and the borrower's own hold."""

    kept_for: HoldRow | None
    own: HoldRow | None


def holds_at_checkout(*, item: Item, reader: Reader) -> CheckoutHolds:
    """One prepared statement on every check-out; both answers are None unless someone holds this title."""
    with connection.cursor() as cursor:
        cursor.execute(_CHECKOUT_HOLDS, [item.pk, reader.pk, item.record_id])
        rows = [HoldRow(*row) for row in cursor.fetchall()]
    kept_for = next((row for row in rows if row.item_id == item.pk and row.status == Hold.Status.READY), None)
    own = next((row for row in rows if row.reader_id == reader.pk), None)
    return CheckoutHolds(kept_for=kept_for, own=own)


def refuse_if_kept_for_another(holds: CheckoutHolds, *, item: Item, reader: Reader) -> None:
    kept = holds.kept_for
    if kept is not None and kept.reader_id != reader.pk:
        holder = Reader.objects.filter(pk=kept.reader_id).values_list("name", flat=True).first() or "?"
        raise LoanRefused("item_on_hold_shelf", title=item.record.title, holder=holder, pickup_by=str(kept.pickup_by))


def fulfil_at_checkout(holds: CheckoutHolds, *, item: Item, by: User | None, at: dt.datetime) -> None:
    """The reader borrowed a copy of a title they were waiting for: their hold is done.

    If a different copy was on the hold shelf for them, that copy passes to the next reader in line.
    """
    own = holds.own
    if own is None:
        return
    Hold.objects.filter(pk=own.id).update(status=Hold.Status.FULFILLED, closed_at=at, item_id=item.pk)
    hold = Hold(pk=own.id, library_id=item.library_id)
    audit_record(library=item.library, actor=by, action="hold.fulfil", obj=hold, data={"item": item.barcode}, at=at)
    if own.status == Hold.Status.READY and own.item_id is not None and own.item_id != item.pk:
        _pass_on(item_id=own.item_id, library=item.library, by=by, at=at)


def _pass_on(*, item_id: int, library: Library, by: User | None, at: dt.datetime) -> Hold | None:
    """A copy on the hold shelf was not taken: keep it for the next reader in line, if there is one."""
    item = Item.objects.select_related("record").get(pk=item_id)
    item.library = library
    if item.status != Item.Status.AVAILABLE:
        return None
    return trap_on_return(item=item, by=by, at=at)


def _notify(hold: Hold, kind: str, text: str, *, at: dt.datetime, **params: str) -> None:
    ReaderNotice.objects.create(
        library_id=hold.library_id,
        reader_id=hold.reader_id,
        kind=kind,
        hold=hold,
        text=(text % {"title": hold.record.title, **params})[:500],
        created_at=at,
    )


# The daily job.


def holds_expire(*, library: Library, today: dt.date, by: User | None = None) -> int:
    """过期未取 — ready holds whose last pickup day has passed end; each copy goes to the next in line."""
    at = timezone.now()
    expired = 0
    for hold_id in Hold.objects.filter(library=library, status=Hold.Status.READY, pickup_by__lt=today).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            hold = (
                Hold.objects.select_for_update()
                .select_related("record", "reader")
                .filter(pk=hold_id, status=Hold.Status.READY)
                .first()
            )
            if hold is None:
                continue
            hold.status, hold.closed_at = Hold.Status.EXPIRED, at
            hold.save(update_fields=["status", "closed_at"])
            audit_record(
                library=library,
                actor=by,
                action="hold.expire",
                obj=hold,
                data={"item": hold.item_id, "reader": hold.reader.card_barcode},
                at=at,
            )
            _notify(hold, ReaderNotice.Kind.HOLD_EXPIRED, _("你预约的《%(title)s》超过保留期限未取，预约已取消"), at=at)
            assert hold.item_id is not None  # a ready hold always has its copy (a check constraint)
            _pass_on(item_id=hold.item_id, library=library, by=by, at=at)
            expired += 1
    return expired


# Reads.


def _queue_position() -> CombinedExpression:
    ahead = (
        Hold.objects.filter(record=OuterRef("record"), status=Hold.Status.WAITING, placed_at__lt=OuterRef("placed_at"))
        .order_by()
        .values("record")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(ahead, output_field=IntegerField()), Value(0)) + 1


def reader_holds(reader: Reader) -> QuerySet[Hold]:
    """The reader's open holds, ready ones first; each has `queue_position` (1 = next in line) for waiting ones."""
    return (
        Hold.objects.filter(reader=reader, status__in=ACTIVE)
        .select_related("record", "item", "reader__school_class")
        .annotate(queue_position=_queue_position())
        .order_by("status", "placed_at")  # "ready" sorts before "waiting"
    )


def reader_notices(reader: Reader, *, limit: int = 20) -> QuerySet[ReaderNotice]:
    """What the reader has been told, newest first."""
    return ReaderNotice.objects.filter(reader=reader).order_by("-created_at", "-pk")[:limit]


def hold_shelf(library: Library) -> QuerySet[Hold]:
    """预约书架 — copies kept for readers, the soonest deadline first."""
    return (
        Hold.objects.filter(library=library, status=Hold.Status.READY)
        .select_related("record", "item", "reader__school_class")
        .order_by("pickup_by", "pk")
    )


def hold_shelf_for(reader: Reader) -> QuerySet[Hold]:
    """The copies on the hold shelf for this reader: the desk says so when their card is scanned."""
    return Hold.objects.filter(reader=reader, status=Hold.Status.READY).select_related("record").order_by("pickup_by")


def holds_waiting(library: Library) -> QuerySet[Hold]:
    """Readers in the queues, title by title, in the order they will be served."""
    return (
        Hold.objects.filter(library=library, status=Hold.Status.WAITING)
        .select_related("record", "reader__school_class")
        .annotate(queue_position=_queue_position())
        .order_by("record__title", "record_id", "placed_at", "pk")
    )


def hold_kept_on(item: Item) -> Hold | None:
    """The ready hold this copy sits on the hold shelf for, if any."""
    return (
        Hold.objects.filter(item=item, status=Hold.Status.READY)
        .select_related("reader__school_class", "record")
        .first()
    )
