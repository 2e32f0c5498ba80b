"""Importing MARC files end to end: records, copies, numbers, batches; broken files and repeated imports."""

from __future__ import annotations

import datetime as dt

import pytest

from xiaotu.accounts.models import AuditEvent
from xiaotu.catalogue.models import Item, Record
from xiaotu.intake.importing import BatchInfo, ImportOptions, ImportRefused
from xiaotu.intake.models import Batch
from xiaotu.intake.services import marc_import
from xiaotu.interop.marc import MarcFileError
from xiaotu.testing.factories import ItemCategoryFactory, LocationFactory, RecordFactory
from xiaotu.testing.paths import MARC

pytestmark = pytest.mark.django_db

if not MARC.is_dir():  # pragma: no cover - the shared folder is always beside the repository in CI
    pytest.skip(f"{MARC} is missing", allow_module_level=True)


@pytest.fixture
def shelves(library):
    LocationFactory.create(library=library)
    ItemCategoryFactory.create(library=library)
    return library


def run(library, name, librarian=None, **options):
    return marc_import(
        library=library,
        source=(MARC / name).read_bytes(),
        options=ImportOptions(new_batch=BatchInfo(received_on=dt.date(2026, 9, 1), vendor="新华书店"), **options),
        by=librarian,
    )


def test_dp2_records_come_in_with_title_isbn_and_class(shelves, librarian):
    outcome = run(shelves, "dp2-cnmarc.utf8.mrc", librarian)
    assert outcome.file["format"] == "cnmarc" and outcome.file["encoding"] == "utf-8"
    records = Record.objects.filter(library=shelves)
    # Records 4 and 5 of the file are the same book (one ISBN): the second comes in as copies of the first.
    assert records.count() == 9
    assert [p.position for p in outcome.problems if p.code == "merged_in_file"] == [5]
    first = records.get(title__contains="94中国发展报告")
    assert first.isbn == "9787503717444"
    assert first.clc_class == "F124"
    assert first.publisher == "中国统计出版社"
    assert first.marc and first.marc_format == "cnmarc"
    assert Item.objects.filter(record=first).exists()
    batch = Batch.objects.get()
    assert batch.vendor == "新华书店" and batch.items.count() == Item.objects.count()
    assert AuditEvent.objects.filter(action="intake.import", object_id=batch.pk).exists()


def test_gb18030_copy_gives_the_same_chinese_text(shelves, librarian):
    run(shelves, "dp2-cnmarc.utf8.mrc", librarian, copies_without_holdings=0)
    utf8 = sorted(Record.objects.values_list("title", "author", "publisher"))
    Item.objects.all().delete()
    Record.objects.all().delete()
    outcome = run(shelves, "dp2-cnmarc.gb18030.mrc", librarian, copies_without_holdings=0)
    assert outcome.file["encoding"] == "gb18030"
    assert sorted(Record.objects.values_list("title", "author", "publisher")) == utf8


def test_sru_response_imports_the_same_records(shelves, librarian):
    outcome = run(shelves, "dp2-cnmarc-sru.xml", librarian)
    assert outcome.file["container"] == "sru"
    assert Record.objects.count() == 9


def test_importing_the_same_file_again_adds_copies_not_records(shelves, librarian):
    run(shelves, "dp2-cnmarc.utf8.mrc", librarian)
    items_before = Item.objects.count()
    outcome = run(shelves, "dp2-cnmarc.gb18030.mrc", librarian)
    assert Record.objects.count() == 9
    assert outcome.counts["records_matched"] == 9 and outcome.counts["records_new"] == 0
    # The file's own barcodes are taken now: those copies are refused and said so; the rest come in.
    assert Item.objects.count() >= items_before
    assert Batch.objects.count() == 2


def test_a_record_without_isbn_matches_on_title_author_publisher_year(shelves, librarian):
    outcome = run(shelves, "marc4j-pride-and-prejudice.mrc", librarian, copies_without_holdings=1)
    assert outcome.counts["records_new"] == Record.objects.count() > 300
    again = run(shelves, "marc4j-pride-and-prejudice.mrc", librarian, copies_without_holdings=1)
    assert again.counts["records_new"] == 0


def test_broken_records_are_reported_and_the_rest_comes_in(shelves, librarian):
    outcome = run(shelves, "marc4j-pride-and-prejudice-with-errors.mrc", librarian)
    errors = [p for p in outcome.problems if p.severity == "error"]
    assert errors and all(p.position >= 1 for p in errors)
    assert Record.objects.count() > 0


def test_all_or_nothing_brings_in_nothing_when_a_record_is_broken(shelves, librarian):
    with pytest.raises(ImportRefused):
        run(shelves, "pymarc-bad_records.mrc", librarian, all_or_nothing=True)
    assert not Record.objects.exists() and not Item.objects.exists() and not Batch.objects.exists()


def test_dry_run_writes_nothing(shelves, librarian):
    outcome = marc_import(
        library=shelves,
        source=(MARC / "dp2-cnmarc.utf8.mrc").read_bytes(),
        options=ImportOptions(),
        by=librarian,
        dry_run=True,
    )
    assert outcome.counts["records_new"] == 9 and outcome.result is None
    assert not Record.objects.exists() and not Batch.objects.exists()


@pytest.mark.parametrize("data", [b"", b"hello, this is not MARC at all", b"00714cam  2200205 a 4500"])
def test_a_file_that_is_not_marc_changes_nothing(shelves, librarian, data):
    with pytest.raises(MarcFileError) as info:
        marc_import(library=shelves, source=data, options=ImportOptions(), by=librarian)
    assert str(info.value)
    assert not Record.objects.exists()


def test_new_copies_get_accession_numbers_barcodes_and_call_numbers(shelves, librarian):
    RecordFactory.create(library=shelves, call_number="I247.5/7")
    run(shelves, "dp2-cnmarc.utf8.mrc", librarian, keep_call_numbers=False)
    items = Item.objects.exclude(record__call_number="I247.5/7")
    assert all(i.accession_number and i.barcode for i in items)
    assert len({i.barcode for i in items}) == items.count()
    call_numbers = list(Record.objects.exclude(call_number="I247.5/7").values_list("call_number", flat=True))
    assert all("/" in c for c in call_numbers) and len(set(call_numbers)) == len(call_numbers)


def test_a_call_number_used_twice_in_the_file_is_kept_by_the_first_record_only(shelves, librarian):
    outcome = run(shelves, "dp2-cnmarc.utf8.mrc", librarian)
    assert Record.objects.filter(call_number="F124/26").count() == 1
    assert {p.code for p in outcome.problems if p.position == 2} == {"call_number_taken"}
