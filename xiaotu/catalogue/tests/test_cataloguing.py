"""Cataloguing by hand: ISBNs checked with clear reasons, and books saved through the import's plan/apply, so they are
numbered, batched, matched and audited exactly as imported ones."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from xiaotu.accounts.models import AuditEvent
from xiaotu.catalogue.models import Item, Record
from xiaotu.intake.cataloguing import (
    HAND_BATCH_NOTE,
    BatchChoice,
    CatalogueRefused,
    catalogue_record,
    check_isbn,
    copies_add,
    local_records,
)
from xiaotu.intake.incoming import IncomingRecord
from xiaotu.intake.models import Batch, Numbering
from xiaotu.testing.factories import ItemCategoryFactory, ItemFactory, LocationFactory, RecordFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def shelves(library):
    return LocationFactory.create(library=library), ItemCategoryFactory.create(library=library)


def book(**fields) -> IncomingRecord:
    values = {
        "position": 1,
        "title": "草房子",
        "author": "曹文轩",
        "publisher": "江苏少年儿童出版社",
        "clc_class": "I287.45",
    }
    return IncomingRecord(**{**values, **fields})


def save(library, shelves, librarian, incoming=None, **options):
    location, category = shelves
    options.setdefault("copies", 1)
    options.setdefault("batch", BatchChoice())
    return catalogue_record(
        library=library, incoming=incoming or book(), location=location, category=category, by=librarian, **options
    )


# -- ISBN -------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scanned", "isbn13", "isbn10"),
    [
        ("9787020002207", "9787020002207", "702000220X"),
        ("978-7-02-000220-7", "9787020002207", "702000220X"),
        ("7-02-000220-x", "9787020002207", "702000220X"),
        (" 702000220X\n", "9787020002207", "702000220X"),
        ("978702000220759000", "9787020002207", "702000220X"),  # the price add-on a scanner also reads
        ("9791034304035", "9791034304035", ""),  # 979: no ISBN-10
    ],
)
def test_an_isbn_is_checked_and_given_in_both_forms(scanned, isbn13, isbn10):
    isbn = check_isbn(scanned)
    assert (isbn.isbn13, isbn.isbn10) == (isbn13, isbn10)


@pytest.mark.parametrize(
    ("scanned", "code", "words"),
    [
        ("", "isbn_empty", "请扫描或输入 ISBN"),
        ("9787020002208", "isbn_checksum", "最后一位应是 7"),
        ("7020002208", "isbn_checksum", "最后一位应是 X"),
        ("12345", "isbn_length", "有 5 位数字"),
        ("西游记", "isbn_format", "不是 ISBN"),
        ("6901234567892", "isbn_prefix", "商品条码"),
        ("9771671216014", "isbn_issn", "ISSN"),
        ("x" * 10_000, "isbn_format", "不是 ISBN"),
    ],
)
def test_a_bad_isbn_is_refused_saying_what_is_wrong(scanned, code, words):
    with pytest.raises(CatalogueRefused) as refused:
        check_isbn(scanned)
    assert refused.value.code == code
    assert words in refused.value.message
    assert len(refused.value.message) < 200


def test_local_records_are_found_by_either_form_of_the_isbn(library):
    record = RecordFactory.create(library=library, isbn="9787020002207")
    assert local_records(library=library, isbn=check_isbn("702000220X")) == [record]


# -- saving a new book ------------------------------------------------------------------------------------------------


def test_a_short_form_becomes_a_record_with_numbered_copies_in_todays_hand_batch(library, shelves, librarian):
    Numbering.objects.create(library=library, accession_prefix="T", accession_width=6, accession_last=41)

    result = save(library, shelves, librarian, copies=2)

    record = result.record
    assert result.created
    assert record.title == "草房子" and record.author_pinyin  # 拼音 worked out as in an import
    assert record.call_number == "I287.45/1"  # 种次号: the first book of the class
    assert [i.accession_number for i in result.items] == ["T000042", "T000043"]
    assert [i.barcode for i in result.items] == ["T000042", "T000043"]  # barcodes are the accession numbers
    assert {i.call_number for i in result.items} == {"I287.45/1"}
    assert result.batch is not None and result.batch.note == HAND_BATCH_NOTE
    assert result.batch.received_on == timezone.localdate()
    assert {i.batch_id for i in result.items} == {result.batch.pk}
    actions = list(AuditEvent.objects.order_by("pk").values_list("action", flat=True))
    assert actions == ["intake.import", "record.create", "item.create", "item.create"]


def test_the_next_book_of_the_day_goes_into_the_same_batch_with_the_next_numbers(library, shelves, librarian):
    first = save(library, shelves, librarian)
    second = save(library, shelves, librarian, incoming=book(title="青铜葵花", isbn="9787534657139"))
    assert second.batch == first.batch
    assert Batch.objects.count() == 1
    assert second.record.call_number == "I287.45/2"
    assert int(second.items[0].accession_number) == int(first.items[0].accession_number) + 1


def test_call_numbers_follow_the_librarys_author_scheme(library, shelves, librarian):
    Numbering.objects.create(library=library, call_number_scheme=Numbering.CallNumberScheme.AUTHOR)
    assert save(library, shelves, librarian).record.call_number == "I287.45/Cwx"


def test_a_donation_gets_a_batch_of_its_own_with_the_donor(library, shelves, librarian):
    result = save(library, shelves, librarian, batch=BatchChoice(donor="三年级二班家委会"))
    assert result.batch is not None
    assert result.batch.source == Batch.Source.DONATION and result.batch.vendor == "三年级二班家委会"


def test_copies_can_go_into_an_open_batch(library, shelves, librarian):
    batch = Batch.objects.create(library=library, number="2026-0007", received_on=dt.date(2026, 3, 2))
    result = save(library, shelves, librarian, batch=BatchChoice(batch=batch))
    assert result.batch == batch and result.items[0].batch == batch
    assert result.items[0].acquired_on == dt.date(2026, 3, 2)


def test_a_call_number_typed_over_the_schemes_is_kept(library, shelves, librarian):
    result = save(library, shelves, librarian, call_number="I287.45/100")
    assert result.record.call_number == "I287.45/100"
    assert result.items[0].call_number == "I287.45/100"


def test_a_call_number_another_book_has_is_refused_and_nothing_is_written(library, shelves, librarian):
    RecordFactory.create(library=library, call_number="I287.45/7")
    records, items, batches, audits = (
        Record.objects.count(),
        Item.objects.count(),
        Batch.objects.count(),
        AuditEvent.objects.count(),
    )

    with pytest.raises(CatalogueRefused) as refused:
        save(library, shelves, librarian, call_number="I287.45/7")

    assert refused.value.code == "call_number_taken"
    assert "I287.45/7 已被本馆另一种书使用" in refused.value.message
    assert (Record.objects.count(), Item.objects.count(), Batch.objects.count(), AuditEvent.objects.count()) == (
        records,
        items,
        batches,
        audits,
    )


def test_a_book_already_catalogued_gets_copies_not_a_duplicate_record(library, shelves, librarian):
    """Matching is the import's: the same title, author, publisher and year without an ISBN is the same book."""
    first = save(library, shelves, librarian)
    again = save(library, shelves, librarian, copies=2)
    assert not again.created
    assert again.record == first.record
    assert Record.objects.count() == 1 and Item.objects.filter(record=first.record).count() == 3


def test_a_book_without_a_class_is_saved_without_a_call_number(library, shelves, librarian):
    result = save(library, shelves, librarian, incoming=book(clc_class=""))
    assert result.record.call_number == "" and result.items[0].call_number == ""


@pytest.mark.parametrize("copies", [0, 201])
def test_the_number_of_copies_is_bounded(library, shelves, librarian, copies):
    with pytest.raises(CatalogueRefused):
        save(library, shelves, librarian, copies=copies)
    assert not Record.objects.exists()


def test_a_location_of_another_library_is_refused(library, shelves, librarian):
    from xiaotu.testing.factories import LibraryFactory

    other = LocationFactory.create(library=LibraryFactory.create(code="other", name="别的学校"))
    with pytest.raises(CatalogueRefused):
        catalogue_record(
            library=library,
            incoming=book(),
            copies=1,
            location=other,
            category=shelves[1],
            batch=BatchChoice(),
            by=None,
        )


# -- more copies of a record ------------------------------------------------------------------------------------------


def test_copies_added_to_a_record_take_its_call_number_and_the_next_accession_numbers(library, shelves, librarian):
    record = RecordFactory.create(library=library, isbn="9787020002207", call_number="I242.4/3")
    ItemFactory.create(library=library, record=record, accession_number="00000009", barcode="00000009")
    Numbering.objects.create(library=library, accession_last=9)
    # Another record with the same ISBN (catalogued twice long ago) must not get these copies.
    RecordFactory.create(library=library, isbn="9787020002207", call_number="I242.4/4")

    result = copies_add(
        record=record, copies=2, location=shelves[0], category=shelves[1], batch=BatchChoice(), by=librarian
    )

    assert [i.record_id for i in result.items] == [record.pk, record.pk]
    assert [i.accession_number for i in result.items] == ["00000010", "00000011"]
    assert {i.call_number for i in result.items} == {"I242.4/3"}
    assert AuditEvent.objects.filter(action="item.create").count() == 2
