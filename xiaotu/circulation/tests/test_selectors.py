"""Finding readers and items from what was scanned or typed at the desk."""

from __future__ import annotations

import pytest

from xiaotu.circulation.errors import LoanRefused
from xiaotu.circulation.selectors import item_by_barcode, reader_by_card, reader_search
from xiaotu.testing.factories import ItemFactory, ReaderFactory

pytestmark = pytest.mark.django_db


def test_scanner_whitespace_and_lower_case_are_forgiven(library):
    item = ItemFactory.create(library=library, barcode="T0000123")
    assert item_by_barcode(library=library, barcode=" t0000123\r\n") == item


@pytest.mark.parametrize("junk", ["", "   ", "A" * 33, "\x00R000001", "R00\x0701", "x" * 10_000])
def test_junk_is_not_found_rather_than_an_error(library, junk):
    """Control characters, NUL (which PostgreSQL refuses in text) and huge strings are simply unknown cards."""
    with pytest.raises(LoanRefused) as info:
        reader_by_card(library=library, barcode=junk)
    assert info.value.code == "reader_not_found"
    with pytest.raises(LoanRefused):
        item_by_barcode(library=library, barcode=junk)


def test_reader_search_by_initials_pinyin_name_and_number(library):
    reader = ReaderFactory.create(library=library, name="欧阳娜娜", student_number="20230042")
    for query in ["oynn", "ouyang", "娜娜", "20230042", reader.card_barcode.lower()]:
        assert list(reader_search(library=library, q=query)) == [reader], query


def test_a_card_reported_lost_is_refused_with_the_reason(library):
    from django.utils import timezone

    from xiaotu.readers.models import RetiredCard

    reader = ReaderFactory.create(library=library, name="李华", card_barcode="S000002")
    RetiredCard.objects.create(library=library, barcode="S000001", reader=reader, retired_at=timezone.now())
    with pytest.raises(LoanRefused) as info:
        reader_by_card(library=library, barcode="s000001")
    assert info.value.code == "card_reported_lost" and "李华" in info.value.message
