"""The JSON shapes of readers: a list entry, and one reader with the books they have out."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from ninja import Field, Schema
from pydantic import WithJsonSchema

from xiaotu.accounts.schemas import Limit, SearchText
from xiaotu.circulation.models import Loan
from xiaotu.circulation.schemas import LoanOut, loan_out, loan_reader_out
from xiaotu.readers.models import Reader
from xiaotu.readers.selectors import LoanCounts

# Inlined in the OpenAPI document: both Item.Status and Reader.Status are called "Status" there otherwise.
ReaderStatus = Annotated[Reader.Status, WithJsonSchema({"type": "string", "enum": list(Reader.Status.values)})]


class ReaderQuery(Schema):
    q: SearchText = Field("", description="Card or student number, 拼音 or its initials, or part of the name")
    limit: Limit = 20


class ReaderSummaryOut(Schema):
    card: str
    name: str
    class_: str | None = Field(serialization_alias="class", description="班级; null for staff")
    type: str = Field(description="读者类型, e.g. 学生")
    status: ReaderStatus
    student_number: str
    open_loan_count: int
    overdue_count: int


class ReaderOut(Schema):
    """读者 — with every book they have out, soonest due first."""

    card: str
    name: str
    class_: str | None = Field(serialization_alias="class", description="班级; null for staff")
    type: str = Field(description="读者类型, e.g. 学生")
    status: ReaderStatus
    student_number: str
    open_loans: list[LoanOut]
    overdue_count: int


def reader_summary_out(reader: Reader, counts: LoanCounts) -> ReaderSummaryOut:
    return ReaderSummaryOut(
        card=reader.card_barcode,
        name=reader.name,
        class_=reader.school_class.name if reader.school_class else None,
        type=reader.reader_type.name,
        status=Reader.Status(reader.status),
        student_number=reader.student_number,
        open_loan_count=counts.open,
        overdue_count=counts.overdue,
    )


def reader_out(reader: Reader, loans: list[Loan], today: dt.date) -> ReaderOut:
    brief = loan_reader_out(reader)
    return ReaderOut(
        card=reader.card_barcode,
        name=reader.name,
        class_=brief.class_,
        type=reader.reader_type.name,
        status=Reader.Status(reader.status),
        student_number=reader.student_number,
        open_loans=[
            loan_out(loan, item=loan.item, reader=brief, days_overdue=loan.days_overdue(today)) for loan in loans
        ],
        overdue_count=sum(1 for loan in loans if loan.due_on < today),
    )
