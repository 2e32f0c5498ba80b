"""The JSON shapes of 借出, 归还 and 续借: what a desk client sends and the loan it gets back."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from ninja import Field, Schema
from pydantic import ConfigDict

from xiaotu.accounts.schemas import Barcode
from xiaotu.catalogue.models import Item
from xiaotu.circulation.models import Loan
from xiaotu.readers.models import Reader


class CheckoutIn(Schema):
    """借出: the reader's card and the book's barcode, as scanned."""

    model_config = ConfigDict(extra="forbid")

    reader: Barcode = Field(description="The reader's card barcode (借书证号)")
    item: Barcode = Field(description="The book's barcode (条码)")


class ItemIn(Schema):
    """归还 or 续借: the book's barcode; whoever holds it is found from its open loan."""

    model_config = ConfigDict(extra="forbid")

    item: Barcode = Field(description="The book's barcode (条码)")


class LoanItemOut(Schema):
    barcode: str
    title: str
    call_number: str


class LoanReaderOut(Schema):
    card: str
    name: str
    class_: str | None = Field(serialization_alias="class", description="班级; null for staff")


class HoldShelfOut(Schema):
    """预约到书 — the returned copy goes on the hold shelf for this reader, to be fetched by `pickup_by`."""

    reader: LoanReaderOut
    pickup_by: dt.date


class LoanOut(Schema):
    """借阅 — one loan; `days_overdue` counts to its return, or to today while it is open."""

    id: int
    item: LoanItemOut
    reader: LoanReaderOut
    issued_at: dt.datetime
    due_on: dt.date
    returned_at: dt.datetime | None
    renewals: int
    days_overdue: int
    hold_shelf: HoldShelfOut | None = Field(
        None, description="归还时：这册书需放到预约书架，留给这位读者；没有人预约时为 null"
    )


def loan_reader_out(reader: Reader) -> LoanReaderOut:
    school_class = reader.school_class
    return LoanReaderOut(card=reader.card_barcode, name=reader.name, class_=school_class.name if school_class else None)


def loan_out(loan: Loan, *, item: Item, reader: LoanReaderOut, days_overdue: int) -> LoanOut:
    """The loan as JSON; item and reader are passed in, already loaded, so that a list costs no extra query."""
    return LoanOut(
        id=loan.pk,
        item=LoanItemOut(barcode=item.barcode, title=item.record.title, call_number=item.call_number),
        reader=reader,
        issued_at=timezone.localtime(loan.issued_at),
        due_on=loan.due_on,
        returned_at=timezone.localtime(loan.returned_at) if loan.returned_at else None,
        renewals=loan.renewals,
        days_overdue=days_overdue,
        hold_shelf=None,
    )
