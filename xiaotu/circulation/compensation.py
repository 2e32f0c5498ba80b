"""赔偿 — recording what a reader owes for a lost or damaged book, and how it was settled."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from xiaotu.accounts.models import User
from xiaotu.accounts.services import audit_record
from xiaotu.catalogue.models import Item
from xiaotu.circulation.errors import LoanRefused
from xiaotu.circulation.library_settings import settings_for
from xiaotu.circulation.models import Compensation, Loan
from xiaotu.circulation.services import loan_declare_lost
from xiaotu.schools.models import Library

CENT = Decimal("0.01")
# Which way a compensation may end; `replaced` means the reader brought a copy of the same book.
SETTLED = (Compensation.Status.PAID, Compensation.Status.WAIVED, Compensation.Status.REPLACED)


def compensation_amount(*, item: Item, price: Decimal | None = None) -> tuple[Decimal, str]:
    """The copy's price (or the record's, or the one typed in) times the library's factor, and how it was reached."""
    price = price if price is not None else item.price if item.price is not None else item.record.price
    if price is None:
        raise LoanRefused("compensation_no_price", title=item.record.title)
    factor = settings_for(item.library_id).compensation_factor
    return (price * factor).quantize(CENT), f"{price:.2f} × {factor:.2f}"


def compensation_for_loss(
    *, loan: Loan, by: User | None, price: Decimal | None = None, at: dt.datetime | None = None
) -> Compensation:
    """丢失赔偿 — close the open loan as lost (the copy becomes 丢失) and record what the reader owes for it."""
    at = at or timezone.now()
    with transaction.atomic():
        amount, basis = compensation_amount(item=loan.item, price=price)
        loan = loan_declare_lost(loan=loan, by=by, at=at)
        return _record(loan.item, loan=loan, kind=Compensation.Kind.LOST, amount=amount, basis=basis, by=by, at=at)


def compensation_for_damage(
    *, item: Item, by: User | None, price: Decimal | None = None, at: dt.datetime | None = None
) -> Compensation:
    """损坏赔偿 — the copy came back damaged: it goes to 破损待修, and its last borrower owes for it."""
    at = at or timezone.now()
    with transaction.atomic():
        item = Item.objects.select_for_update().select_related("record", "library").get(pk=item.pk)
        if item.status in (Item.Status.LOST, Item.Status.WITHDRAWN):
            raise LoanRefused("compensation_item_gone", title=item.record.title, status=item.get_status_display())
        loan = Loan.objects.filter(item=item).select_related("reader").order_by("-issued_at", "-pk").first()
        if loan is None:
            raise LoanRefused("compensation_no_reader", title=item.record.title)
        amount, basis = compensation_amount(item=item, price=price)
        old_status = item.status
        if old_status != Item.Status.ON_LOAN:
            # A copy still out stays on loan until it is brought back; the loan decides that status.
            item.status = Item.Status.DAMAGED
            item.save(update_fields=["status"])
            audit_record(
                library=item.library,
                actor=by,
                action="item.damaged",
                obj=item,
                data={"item": item.barcode, "from": old_status},
                at=at,
            )
        return _record(item, loan=loan, kind=Compensation.Kind.DAMAGED, amount=amount, basis=basis, by=by, at=at)


def _record(
    item: Item, *, loan: Loan, kind: str, amount: Decimal, basis: str, by: User | None, at: dt.datetime
) -> Compensation:
    compensation = Compensation.objects.create(
        library_id=item.library_id,
        reader_id=loan.reader_id,
        item=item,
        loan=loan,
        kind=kind,
        amount=amount,
        basis=basis,
        created_at=at,
        created_by=by,
    )
    audit_record(
        library=item.library,
        actor=by,
        action=f"compensation.{kind}",
        obj=compensation,
        data={"item": item.barcode, "reader": loan.reader.card_barcode, "amount": f"{amount:.2f}"},
        at=at,
    )
    return compensation


def compensation_settle(
    *, compensation: Compensation, status: str, by: User | None, note: str = "", at: dt.datetime | None = None
) -> Compensation:
    """已付 / 已减免 / 已赔书 — once; a settled compensation is never reopened (record a new one instead)."""
    at = at or timezone.now()
    if status not in SETTLED:
        raise ValueError(status)
    with transaction.atomic():
        compensation = (
            Compensation.objects.select_for_update().select_related("library", "reader").get(pk=compensation.pk)
        )
        if compensation.status != Compensation.Status.OWED:
            raise LoanRefused("compensation_settled", status=compensation.get_status_display())
        compensation.status, compensation.settled_at, compensation.settled_by = status, at, by
        compensation.note = note[:200]
        compensation.save(update_fields=["status", "settled_at", "settled_by", "note"])
        audit_record(
            library=compensation.library,
            actor=by,
            action=f"compensation.{status}",
            obj=compensation,
            data={"reader": compensation.reader.card_barcode, "amount": f"{compensation.amount:.2f}", "note": note},
            at=at,
        )
    return compensation


def compensations(library: Library, *, owed_only: bool = False) -> QuerySet[Compensation]:
    found = Compensation.objects.filter(library=library)
    if owed_only:
        found = found.filter(status=Compensation.Status.OWED)
    return found.select_related("reader__school_class", "item__record").order_by("-created_at", "-pk")
