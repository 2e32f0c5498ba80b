"""登录号, 条码 and 索书号 for new copies."""

from __future__ import annotations

import pytest

from xiaotu.intake.callnumbers import assign_call_number, author_mark, call_number_taken, next_sequence_number
from xiaotu.intake.models import BarcodeRange, Numbering
from xiaotu.intake.numbering import NumberingError, numbering_for, take_accession_numbers, take_barcodes
from xiaotu.testing.factories import ItemFactory, RecordFactory

pytestmark = pytest.mark.django_db


def test_accession_numbers_run_on_with_prefix_and_width(library):
    numbering = numbering_for(library)
    numbering.accession_prefix, numbering.accession_width = "A", 6
    numbering.save()
    assert take_accession_numbers(library=library, count=3) == ["A000001", "A000002", "A000003"]
    assert take_accession_numbers(library=library, count=1) == ["A000004"]


def test_accession_numbers_skip_numbers_already_on_copies(library):
    ItemFactory.create(library=library, accession_number="00000002")
    assert take_accession_numbers(library=library, count=3) == ["00000001", "00000003", "00000004"]


def test_barcodes_equal_accession_numbers_by_default(library):
    assert take_barcodes(library=library, accession_numbers=["00000007"]) == ["00000007"]


def test_barcodes_come_from_preprinted_ranges_in_order(library):
    numbering = numbering_for(library)
    numbering.barcode_mode = Numbering.BarcodeMode.RANGE
    numbering.save()
    BarcodeRange.objects.create(library=library, prefix="T", width=4, first=1, last=2, next=1)
    BarcodeRange.objects.create(library=library, prefix="T", width=4, first=100, last=199, next=100)
    assert take_barcodes(library=library, accession_numbers=["a", "b", "c"]) == ["T0001", "T0002", "T0100"]
    assert take_barcodes(library=library, accession_numbers=["d"]) == ["T0101"]


def test_running_out_of_preprinted_barcodes_takes_none(library):
    numbering = numbering_for(library)
    numbering.barcode_mode = Numbering.BarcodeMode.RANGE
    numbering.save()
    barcode_range = BarcodeRange.objects.create(library=library, first=1, last=2, next=1)
    with pytest.raises(NumberingError) as info:
        take_barcodes(library=library, accession_numbers=["a", "b", "c"])
    assert "还剩 2 个" in info.value.message
    barcode_range.refresh_from_db()
    assert barcode_range.next == 1


def test_sequence_number_continues_after_the_highest_in_use(library):
    """Given copies up to I247.5/41 from an old system, the next record in the class gets 42."""
    ItemFactory.create(library=library, call_number="I247.5/41")
    ItemFactory.create(library=library, call_number="I247.5/9:2")
    ItemFactory.create(library=library, call_number="I247.51/700")
    assert next_sequence_number(library=library, clc_class="I247.5") == "I247.5/42"
    assert next_sequence_number(library=library, clc_class="I247.5") == "I247.5/43"
    assert next_sequence_number(library=library, clc_class="K825") == "K825/1"


def test_author_scheme(library):
    numbering = numbering_for(library)
    numbering.call_number_scheme = Numbering.CallNumberScheme.AUTHOR
    numbering.save()
    assert author_mark("吴承恩") == "Wce"
    first = assign_call_number(library=library, clc_class="I242.4", author="吴承恩")
    RecordFactory.create(library=library, call_number=first)
    assert first == "I242.4/Wce"
    assert assign_call_number(library=library, clc_class="I242.4", author="王成恩") == "I242.4/Wce-2"


def test_duplicate_call_numbers_are_caught(library):
    record = RecordFactory.create(library=library, call_number="I287/5")
    assert call_number_taken(library=library, call_number="I287/5")
    assert not call_number_taken(library=library, call_number="I287/5", record=record)


def test_bulk_allocation_continues_after_kept_and_existing_numbers(library):
    from xiaotu.intake.callnumbers import allocate_call_numbers

    ItemFactory.create(library=library, call_number="K825/3")
    got = allocate_call_numbers(
        library=library, wanted=[("K825", "a"), ("K825", "b"), ("I287", "c")], reserved={"K825/9"}
    )
    assert got == ["K825/10", "K825/11", "I287/1"]
    assert next_sequence_number(library=library, clc_class="K825") == "K825/12"
