"""A small school for the OPAC's tests: two rooms, a few books with copies, pupils with OPAC passwords."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from xiaotu.catalogue.models import Item, Record
from xiaotu.circulation.models import Loan
from xiaotu.readers.models import Reader
from xiaotu.schools.models import Library, Location
from xiaotu.search.services import index_records
from xiaotu.testing.factories import (
    ItemCategoryFactory,
    ItemFactory,
    LibraryFactory,
    LoanCapFactory,
    LoanRuleFactory,
    LocationFactory,
    ReaderFactory,
    ReaderTypeFactory,
    RecordFactory,
)

PASSWORD = "246810"


@dataclass
class School:
    library: Library
    lending: Location
    reading: Location
    xyj: Record  # 西游记: two copies in the lending room, one in the reading room
    cfz: Record  # 草房子: one copy, out on loan to the pupil
    pupil: Reader
    other: Reader
    loan: Loan


def book(library: Library, location: Location, *, copies: int = 1, **fields: object) -> Record:
    record = RecordFactory.create(library=library, **fields)
    for _ in range(copies):
        ItemFactory.create(library=library, record=record, location=location, call_number=record.call_number)
    index_records(record_ids=[record.pk])
    return record


def lend(reader: Reader, item: Item, *, days_ago: int = 1, due_in: int = 13) -> Loan:
    """A loan as the desk leaves it: the copy marked out, the loan open."""
    issued = timezone.now() - dt.timedelta(days=days_ago)
    Item.objects.filter(pk=item.pk).update(status=Item.Status.ON_LOAN)
    return Loan.objects.create(
        library=reader.library,
        item=item,
        reader=reader,
        issued_at=issued,
        due_on=timezone.localdate() + dt.timedelta(days=due_in),
    )


def build_school(library: Library | None = None) -> School:
    library = library or LibraryFactory.create()
    student = ReaderTypeFactory.create(library=library)
    category = ItemCategoryFactory.create(library=library)
    LoanRuleFactory.create(library=library, reader_type=student, item_category=category, loan_days=14)
    LoanCapFactory.create(library=library, reader_type=student, max_total=5)
    lending = LocationFactory.create(library=library, code="lend", name="借阅室")
    reading = LocationFactory.create(library=library, code="read", name="阅览室")
    xyj = book(
        library,
        lending,
        copies=2,
        title="西游记",
        author="吴承恩",
        publisher="人民文学出版社",
        pub_year=2010,
        call_number="I242.4/1",
        isbn="9787020008735",
        summary="唐僧师徒西天取经的故事。",
    )
    ItemFactory.create(library=library, record=xyj, location=reading, call_number="I242.4/1")
    cfz = book(library, lending, title="草房子", author="曹文轩", call_number="I287.45/7", pub_year=2016)
    pupil = ReaderFactory.create(library=library, name="张小明", card_barcode="S0001", reader_type=student)
    other = ReaderFactory.create(library=library, name="李秘密", card_barcode="S0002", reader_type=student)
    Reader.objects.filter(pk__in=[pupil.pk, other.pk]).update(password=make_password(PASSWORD))
    pupil.refresh_from_db()
    other.refresh_from_db()
    loan = lend(pupil, cfz.items.get())
    index_records(record_ids=[xyj.pk, cfz.pk])
    return School(
        library=library, lending=lending, reading=reading, xyj=xyj, cfz=cfz, pupil=pupil, other=other, loan=loan
    )
