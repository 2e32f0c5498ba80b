"""Lending, returning and renewing: the only code that writes loans. The desk, the API and scripts all call it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from xiaotu.accounts.models import User
from xiaotu.accounts.services import audit_record
from xiaotu.catalogue.models import Item
from xiaotu.circulation import desk_sql, holds, owing
from xiaotu.circulation.errors import REFUSAL_BY_READER_STATUS, LoanRefused
from xiaotu.circulation.models import Hold, Loan
from xiaotu.circulation.policy import policy_for
from xiaotu.readers.models import Reader
from xiaotu.schools.calendar import due_date

# The item life cycle as a table: which statuses may be lent, and the refusal for those that may not.
# ON_LOAN is not here: whether a copy is out is decided by its open loan, which the database keeps unique.
REFUSAL_BY_ITEM_STATUS = {
    Item.Status.LOST: "item_lost",
    Item.Status.WITHDRAWN: "item_withdrawn",
    Item.Status.DAMAGED: "item_damaged",
    Item.Status.REPAIR: "item_in_repair",
}


@dataclass(frozen=True)
class Return:
    """What the desk says after a return: the closed loan, how late it was, and the hold it is now kept for."""

    loan: Loan
    days_overdue: int
    hold: Hold | None = None


def _local_date(at: dt.datetime) -> dt.date:
    return timezone.localtime(at).date()


def _open_loan(item: Item) -> Loan | None:
    return desk_sql.open_loan(item.pk)


def _row_locks() -> bool:
    """PostgreSQL locks rows; on SQLite the IMMEDIATE transaction already holds the whole database."""
    return bool(connection.features.has_select_for_update)


def _lock_reader(reader_id: int) -> None:
    if _row_locks():
        list(Reader.objects.select_for_update().filter(pk=reader_id).values_list("pk"))


def _lock_item(item: Item) -> Item:
    """Re-read the copy inside the transaction (its status decides everything), locked where rows lock.

    Rows are always locked in one fixed order — reader, then item — so two desks never deadlock.
    """
    return desk_sql.lock_item(item.pk, for_update=_row_locks())


_HELD = (
    "SELECT i.category_id, l.due_on FROM circulation_loan l JOIN catalogue_item i ON i.id = l.item_id"
    " WHERE l.reader_id = %s AND l.returned_at IS NULL"
)


def _held(reader: Reader) -> list[tuple[int, dt.date]]:
    """The category and due date of each book the reader has out: a prepared statement on every loan at the desk."""
    with connection.cursor() as cursor:
        cursor.execute(_HELD, [reader.pk])
        return [(category, due if isinstance(due, dt.date) else dt.date.fromisoformat(due)) for category, due in cursor]


def _is_second_open_loan(error: IntegrityError) -> bool:
    text = str(error)
    return "loan_one_open_per_item" in text or "circulation_loan.item_id" in text


def checkout(*, reader: Reader, item: Item, by: User | None, at: dt.datetime | None = None) -> Loan:
    """借出 — lend the item to the reader, or raise LoanRefused saying why not."""
    at = at or timezone.now()
    try:
        with transaction.atomic():
            _lock_reader(reader.pk)
            item = _lock_item(item)
            return _checkout_locked(reader=reader, item=item, by=by, at=at)
    except IntegrityError as error:
        if not _is_second_open_loan(error):
            raise
        # Another desk lent it between our read and our insert (another process): the partial unique index said no.
        raise LoanRefused("item_on_loan", title=item.record.title, holder="?", due_on="", same_reader=False) from None


def _checkout_locked(*, reader: Reader, item: Item, by: User | None, at: dt.datetime) -> Loan:
    title = item.record.title
    if reader.library_id != item.library_id:
        raise LoanRefused("item_not_found", barcode=item.barcode)
    if code := REFUSAL_BY_READER_STATUS.get(Reader.Status(reader.status)):
        raise LoanRefused(code, reader=reader.name)
    if reader.school_class is not None and not reader.school_class.active:
        # 毕业未离校: the class graduated but the pupil still has books out; they may only bring them back.
        raise LoanRefused("reader_graduating", reader=reader.name)
    owing.refuse_if_owing(reader=reader, library_id=item.library_id)
    # The status is kept in step with the loans in the same transactions, so only a copy marked on loan can have an
    # open loan; should the two ever disagree, the unique index on open loans still refuses the second loan.
    if item.status == Item.Status.ON_LOAN and (open_loan := _open_loan(item)):
        raise LoanRefused(
            "item_on_loan",
            title=title,
            holder=open_loan.reader.name,
            due_on=open_loan.due_on.isoformat(),
            same_reader=open_loan.reader_id == reader.pk,
        )
    if code := REFUSAL_BY_ITEM_STATUS.get(Item.Status(item.status)):
        raise LoanRefused(code, title=title)
    if item.category.reference_only:
        raise LoanRefused("item_reference_only", title=title, category=item.category.name)
    on_hold = holds.holds_at_checkout(item=item, reader=reader)
    holds.refuse_if_kept_for_another(on_hold, item=item, reader=reader)

    policy = policy_for(reader=reader, item=item)
    today = _local_date(at)
    held = _held(reader)
    overdue = sum(1 for _, due in held if due < today)
    if overdue and policy.rule.overdue_blocks:
        raise LoanRefused("reader_has_overdue", reader=reader.name, count=overdue)
    if policy.max_total is not None and len(held) >= policy.max_total:
        raise LoanRefused("reader_limit_reached", reader=reader.name, count=len(held), limit=policy.max_total)
    in_category = sum(1 for category_id, _ in held if category_id == item.category_id)
    if in_category >= policy.max_loans:
        raise LoanRefused(
            "category_limit_reached",
            reader=reader.name,
            category=item.category.name,
            count=in_category,
            limit=policy.max_loans,
        )

    due_on = due_date(library=item.library, start=today, loan_days=policy.rule.loan_days)
    loan = desk_sql.insert_loan(item=item, reader=reader, at=at, due_on=due_on, by_id=by.pk if by else None)
    desk_sql.set_item_status(item.pk, Item.Status.ON_LOAN)
    item.status = Item.Status.ON_LOAN
    audit_record(
        library=item.library,
        actor=by,
        action="loan.checkout",
        obj=loan,
        data={"item": item.barcode, "reader": reader.card_barcode, "due_on": due_on.isoformat()},
        at=at,
    )
    holds.fulfil_at_checkout(on_hold, item=item, by=by, at=at)
    return loan


def checkin(*, item: Item, by: User | None, at: dt.datetime | None = None) -> Return:
    """归还 — close the item's open loan and put the item back on the shelf."""
    at = at or timezone.now()
    with transaction.atomic():
        holder = None
        if _row_locks():
            # Lock the holder first, to keep the fixed order (reader, then item): the other way round, a return racing
            # the same pupil re-borrowing the book deadlocks on PostgreSQL.
            holder = (
                Loan.objects.filter(item=item, returned_at__isnull=True).values_list("reader_id", flat=True).first()
            )
            if holder is not None:
                _lock_reader(holder)
        item = _lock_item(item)
        loan = _open_loan(item)
        if loan is None:
            raise LoanRefused("item_not_on_loan", title=item.record.title)
        if _row_locks() and loan.reader_id != holder:
            # Returned and lent again between the two reads: lock the new holder as well (out of order, but rare).
            _lock_reader(loan.reader_id)
        desk_sql.close_loan(loan, at=at, by_id=by.pk if by else None)
        loan.item = item
        desk_sql.set_item_status(item.pk, Item.Status.AVAILABLE)
        item.status = Item.Status.AVAILABLE
        late = loan.days_overdue(_local_date(at))
        audit_record(
            library=item.library,
            actor=by,
            action="loan.checkin",
            obj=loan,
            data={"item": item.barcode, "reader": loan.reader.card_barcode, "days_overdue": late},
            at=at,
        )
        if late:
            owing.fine_on_return(loan=loan, item=item, days_overdue=late, by=by, at=at)
        kept_for = holds.trap_on_return(item=item, by=by, at=at)
    return Return(loan=loan, days_overdue=late, hold=kept_for)


def renew(*, item: Item, by: User | None, at: dt.datetime | None = None) -> Loan:
    """续借 — give the open loan a new due date counted from today, if the rules allow one more."""
    at = at or timezone.now()
    with transaction.atomic():
        item = _lock_item(item)
        title = item.record.title
        loan = _open_loan(item)
        if loan is None:
            raise LoanRefused("item_not_on_loan", title=title)
        reader = loan.reader
        if code := REFUSAL_BY_READER_STATUS.get(Reader.Status(reader.status)):
            # A suspended card, or a pupil who left with the book: it comes back, it is not lent longer.
            raise LoanRefused(code, reader=reader.name)
        policy = policy_for(reader=reader, item=item)
        today = _local_date(at)
        if loan.renewals >= policy.rule.max_renewals:
            raise LoanRefused("renewal_limit_reached", title=title, count=loan.renewals)
        if loan.due_on < today:
            raise LoanRefused("renewal_overdue", title=title)
        if Hold.objects.filter(record_id=item.record_id, status=Hold.Status.WAITING).exists():
            # Someone is waiting for this title: the book goes back so that the queue moves.
            raise LoanRefused("renewal_on_hold", title=title)
        new_due = due_date(library=item.library, start=today, loan_days=policy.rule.loan_days)
        if new_due <= loan.due_on:
            # Either the term's end caps the date, or it is too early for a renewal to add a day.
            capped = new_due < today + dt.timedelta(days=policy.rule.loan_days)
            raise LoanRefused(
                "renewal_no_later" if capped else "renewal_too_soon", title=title, due_on=str(loan.due_on)
            )
        old_due = loan.due_on
        loan.due_on = new_due
        loan.renewals += 1
        loan.save(update_fields=["due_on", "renewals"])
        loan.item = item
        audit_record(
            library=item.library,
            actor=by,
            action="loan.renew",
            obj=loan,
            data={
                "item": item.barcode,
                "reader": reader.card_barcode,
                "from": old_due.isoformat(),
                "to": new_due.isoformat(),
            },
            at=at,
        )
    return loan


def loan_declare_lost(*, loan: Loan, by: User | None, at: dt.datetime | None = None) -> Loan:
    """丢失登记 — the reader lost the book: the loan closes as lost and the copy is marked lost.

    What the reader owes for it is a matter for compensation (赔偿); this only records the loss, which is what lets
    a graduating pupil leave and keeps the copy out of the shelf counts.
    """
    at = at or timezone.now()
    with transaction.atomic():
        _lock_reader(loan.reader_id)
        item = _lock_item(loan.item)
        loan = Loan.objects.select_related("reader").get(pk=loan.pk)
        if loan.returned_at is not None:
            raise LoanRefused("loan_not_open", title=item.record.title)
        loan.returned_at, loan.returned_by, loan.lost = at, by, True
        loan.save(update_fields=["returned_at", "returned_by", "lost"])
        Item.objects.filter(pk=item.pk).update(status=Item.Status.LOST)
        item.status = Item.Status.LOST
        loan.item = item
        audit_record(
            library=item.library,
            actor=by,
            action="loan.lost",
            obj=loan,
            data={"item": item.barcode, "reader": loan.reader.card_barcode},
            at=at,
        )
    return loan
