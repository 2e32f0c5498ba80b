"""What the reports should say, worked out in plain Python from the fixture's own list of loans and items."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from xiaotu.catalogue.models import Item
from xiaotu.circulation.models import Loan
from xiaotu.readers.models import Reader

from .conftest import TZ


def local_day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(TZ).date()


def issued_in(loans: list[Loan], first: dt.date, last: dt.date) -> list[Loan]:
    return [loan for loan in loans if first <= local_day(loan.issued_at) <= last]


def returned_in(loans: list[Loan], first: dt.date, last: dt.date) -> list[Loan]:
    return [
        loan
        for loan in loans
        if loan.returned_at is not None and not loan.lost and first <= local_day(loan.returned_at) <= last
    ]


def count_by(loans: list[Loan], key: Callable[[Loan], Any]) -> Counter[Any]:
    return Counter(key(loan) for loan in loans)


def reader_of(loan: Loan) -> Reader:
    return Reader.objects.get(pk=loan.reader_id)


def letter(item: Item) -> str:
    first = (item.record.clc_class or "?")[0].upper()
    return first if first.isalpha() else "?"


def pupils_in_school(readers: list[Reader]) -> list[Reader]:
    fresh = [Reader.objects.select_related("reader_type").get(pk=r.pk) for r in readers]
    return [r for r in fresh if r.status == Reader.Status.ACTIVE and r.reader_type.kind == "student"]


def price(item: Item) -> Decimal:
    if item.price is not None:
        return item.price
    return item.record.price or Decimal("0")
