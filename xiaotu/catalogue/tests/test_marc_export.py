"""Export: import → export → import gives the same catalogue, in every format and encoding we write."""

from __future__ import annotations

import io

import pytest

from xiaotu.catalogue.marc_export import export_catalogue
from xiaotu.catalogue.models import Item, Record
from xiaotu.intake.importing import ImportOptions
from xiaotu.intake.services import marc_import
from xiaotu.interop.marc import ISO2709, MARCXML, ParsedRecord, open_marc, read_kept
from xiaotu.testing.factories import ItemCategoryFactory, LibraryFactory, LocationFactory, RecordFactory
from xiaotu.testing.paths import MARC

pytestmark = pytest.mark.django_db

FIELDS = ("title", "author", "authors", "isbn", "publisher", "pub_place", "pub_year", "price", "clc_class", "pages")


def _library(code: str):
    library = LibraryFactory.create(code=code, name=code)
    LocationFactory.create(library=library)
    ItemCategoryFactory.create(library=library)
    return library


def _catalogue(library) -> list[tuple[object, ...]]:
    return sorted(Record.objects.filter(library=library).values_list(*FIELDS))


def _copies(library) -> list[tuple[object, ...]]:
    return sorted(Item.objects.filter(library=library).values_list("barcode", "accession_number", "call_number"))


@pytest.mark.parametrize(
    ("marc_format", "encoding", "container"),
    [
        ("cnmarc", "utf-8", ISO2709),
        ("cnmarc", "gb18030", ISO2709),
        ("cnmarc", "utf-8", MARCXML),
        ("marc21", "utf-8", ISO2709),
    ],
)
def test_import_export_import_gives_the_same_catalogue(marc_format, encoding, container):
    first = _library("first")
    marc_import(library=first, source=(MARC / "dp2-cnmarc.utf8.mrc").read_bytes(), options=ImportOptions(), by=None)
    out = io.BytesIO()
    summary = export_catalogue(library=first, out=out, marc_format=marc_format, encoding=encoding, container=container)
    assert summary.written == Record.objects.filter(library=first).count() and not summary.problems

    second = _library("second")
    outcome = marc_import(library=second, source=out.getvalue(), options=ImportOptions(), by=None)
    assert outcome.file["encoding"] == encoding
    assert _catalogue(second) == _catalogue(first)
    assert _copies(second) == _copies(first)


def test_a_record_kept_as_marc_in_json_exports_as_one_kept_as_iso2709_text(library):
    """Records imported before the original was kept as ISO 2709 text hold MARC-in-JSON: they export the same."""
    LocationFactory.create(library=library)
    ItemCategoryFactory.create(library=library)
    marc_import(library=library, source=(MARC / "dp2-cnmarc.utf8.mrc").read_bytes(), options=ImportOptions(), by=None)
    records = list(Record.objects.filter(library=library))
    assert all(record.marc.startswith("iso2709:") for record in records)
    as_text = io.BytesIO()
    export_catalogue(library=library, out=as_text, marc_format="cnmarc", encoding="gb18030", container=ISO2709)

    for record in records:
        record.marc = read_kept(record.marc).to_json()
    Record.objects.bulk_update(records, ["marc"])
    as_json = io.BytesIO()
    export_catalogue(library=library, out=as_json, marc_format="cnmarc", encoding="gb18030", container=ISO2709)

    assert as_json.getvalue() == as_text.getvalue()


def test_cnmarc_leader_has_no_utf8_flag_and_100_says_the_charset(library):
    LocationFactory.create(library=library)
    ItemCategoryFactory.create(library=library)
    marc_import(library=library, source=(MARC / "dp2-cnmarc.utf8.mrc").read_bytes(), options=ImportOptions(), by=None)
    out = io.BytesIO()
    export_catalogue(library=library, out=out, marc_format="cnmarc", encoding="utf-8", container=ISO2709)
    for entry in open_marc(out.getvalue()):
        assert isinstance(entry, ParsedRecord)
        assert entry.marc.leader[9] == " "
        field_100 = next(f for f in entry.marc.fields if f.tag == "100")
        assert dict(field_100.subfields)["a"][26:28] == "50"


def test_a_record_catalogued_by_hand_exports_too(library):
    RecordFactory.create(library=library, title="草房子", author="曹文轩", isbn="9787532131280", clc_class="I287.45")
    out = io.BytesIO()
    export_catalogue(library=library, out=out, marc_format="cnmarc", encoding="utf-8", container=ISO2709)
    (entry,) = list(open_marc(out.getvalue()))
    assert isinstance(entry, ParsedRecord)
    assert entry.bib.title == "草房子" and entry.bib.isbn == "9787532131280" and entry.bib.clc_class == "I287.45"


def test_an_edited_title_is_exported(library):
    LocationFactory.create(library=library)
    ItemCategoryFactory.create(library=library)
    marc_import(library=library, source=(MARC / "dp2-cnmarc.utf8.mrc").read_bytes(), options=ImportOptions(), by=None)
    record = Record.objects.filter(library=library).order_by("pk").first()
    assert record is not None
    record.title = "改过的题名"
    record.save()
    out = io.BytesIO()
    export_catalogue(
        library=library, out=out, marc_format="cnmarc", encoding="utf-8", container=ISO2709, record_ids=[record.pk]
    )
    (entry,) = list(open_marc(out.getvalue()))
    assert isinstance(entry, ParsedRecord)
    assert entry.bib.title == "改过的题名"
