"""登记帐: the four registers' lines and totals, in the PDF (read back as text) and in Excel."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from django.db.models import Sum

from xiaotu.catalogue.models import Item
from xiaotu.reports.excel import register_sheet, workbook
from xiaotu.reports.pdf import register_pdf
from xiaotu.reports.registers import REGISTERS
from xiaotu.testing.factories import ItemFactory

from .expected import letter, price

pytestmark = pytest.mark.django_db


@pytest.fixture
def pdf_text(tmp_path):
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")

    def extract(pdf: bytes) -> list[str]:
        source = tmp_path / "register.pdf"
        source.write_bytes(pdf)
        done = subprocess.run(["pdftotext", "-layout", str(source), "-"], check=True, capture_output=True, text=True)
        return done.stdout.split("\f")

    return extract


def money(value: Decimal) -> str:
    return f"{value:,.2f}"


def test_summary_register_has_one_line_a_batch_with_its_copies_and_amount(school):
    rows: list[Any] = list(REGISTERS["summary"](school.library).rows())
    assert [r[1] for r in rows] == [b.number for b in school.batches]
    for row, batch in zip(rows, school.batches, strict=True):
        copies = [i for i in school.items if i.batch_id == batch.pk]
        assert row[6] == len(copies)
        assert row[7] == sum((price(i) for i in copies), Decimal("0"))
        assert sum(row[8:13]) == sum(1 for i in copies if letter(i) != "?")
        assert row[13] == sum(1 for i in copies if i.status == "withdrawn")


def test_item_register_is_in_accession_order_and_marks_withdrawn_copies(school):
    rows: list[Any] = list(REGISTERS["items"](school.library).rows())
    assert [r[0] for r in rows] == sorted(i.accession_number for i in school.items)
    marked = {r[0] for r in rows if r[-1]}
    assert marked == {i.accession_number for i in school.withdrawn}


def test_class_register_totals_are_the_collection_ever_registered(school):
    rows: list[Any] = list(REGISTERS["classes"](school.library).rows())
    assert sum(r[3] for r in rows) == len(school.items)
    assert sum(r[4] for r in rows) == sum((price(i) for i in school.items), Decimal("0"))
    assert sum(r[5] for r in rows) == len(school.withdrawn)
    assert sum(r[7] for r in rows) == len(school.items) - len(school.withdrawn)


def test_withdrawal_register_dates_each_copy_from_its_audit_event(school):
    rows: list[Any] = list(REGISTERS["withdrawals"](school.library).rows())
    assert sorted(r[2] for r in rows) == sorted(i.accession_number for i in school.withdrawn)
    assert {r[0] for r in rows} == {dt.date(2026, 10, 8)}


def test_the_pdf_item_register_carries_page_totals_forward_to_the_grand_total(school, pdf_text):
    """Given 150 copies (several pages), each page ends with its own total and the running total, and the last
    running total is the sum of every copy's price."""
    for n in range(110):
        ItemFactory.create(library=school.library, accession_number=f"9{n:06d}", price=Decimal("12.30"))
    register = REGISTERS["items"](school.library)
    pages = [
        p
        for p in pdf_text(register_pdf(register, library_name="测试馆", printed_on=dt.date(2026, 10, 20)))
        if p.strip()
    ]
    assert len(pages) >= 3
    grand = sum((price(i) for i in Item.objects.filter(library=school.library)), Decimal("0"))
    running = Decimal("0")
    for page in pages:
        assert "个别登记帐" in page and "登录号" in page
        page_line = next(line for line in page.splitlines() if "本页合计" in line)
        total_line = next(line for line in page.splitlines() if "累计" in line)
        running += Decimal(re.findall(r"[\d,]+\.\d\d", page_line)[-1].replace(",", ""))
        assert Decimal(re.findall(r"[\d,]+\.\d\d", total_line)[-1].replace(",", "")) == running
    assert running == grand
    assert f"{Item.objects.filter(library=school.library).count()} 册" in pages[-1]


def test_the_pdf_summary_register_totals_the_batches(school, pdf_text):
    register = REGISTERS["summary"](school.library)
    (page,) = [
        p
        for p in pdf_text(register_pdf(register, library_name="测试馆", printed_on=dt.date(2026, 10, 20)))
        if p.strip()
    ]
    amount = Item.objects.filter(library=school.library, batch__isnull=False).count()
    total = next(line for line in page.splitlines() if "累计" in line)
    assert str(amount) in total.split()
    assert money(sum((price(i) for i in school.items if i.batch_id), Decimal("0"))) in total


def test_excel_registers_end_with_a_total_line(school):
    register = REGISTERS["classes"](school.library)
    book = openpyxl.load_workbook(io.BytesIO(workbook([register_sheet(register)])))
    sheet = book.active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "分类号" and rows[-1][0] == "合计"
    assert rows[-1][3] == len(school.items)
    assert Decimal(str(rows[-1][4])) == Item.objects.filter(library=school.library).aggregate(s=Sum("price"))[
        "s"
    ] + sum((i.record.price or 0 for i in school.items if i.price is None), Decimal("0"))


def test_withdrawal_register_takes_number_reason_and_date_from_an_approved_withdrawal(school):
    """When the stocktake app approved a withdrawal batch, the 注销帐 prints its number, reason and approval day."""
    from xiaotu.stocktake.models import WithdrawalBatch, WithdrawalLine

    batch = WithdrawalBatch.objects.create(
        library=school.library,
        number="ZX-2026-01",
        reason=WithdrawalBatch.Reason.WORN,
        status=WithdrawalBatch.Status.APPROVED,
        created_at=dt.datetime(2026, 10, 9, 8, tzinfo=dt.UTC),
        decided_at=dt.datetime(2026, 10, 10, 8, tzinfo=dt.UTC),
    )
    first = school.withdrawn[0]
    WithdrawalLine.objects.create(batch=batch, item=first, status_before="available")
    rows: list[Any] = list(REGISTERS["withdrawals"](school.library).rows())
    line = next(r for r in rows if r[2] == first.accession_number)
    assert (line[0], line[1], line[7]) == (dt.date(2026, 10, 10), "ZX-2026-01", "破损无法修补")
    others = [r for r in rows if r[2] != first.accession_number]
    assert all(r[1] == "" and r[0] == dt.date(2026, 10, 8) for r in others)
