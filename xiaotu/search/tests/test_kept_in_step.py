"""The services that change records and copies keep the search table in step, in their own transaction."""

from __future__ import annotations

import pytest

from xiaotu.catalogue.models import Item
from xiaotu.catalogue.services import item_create, item_set_status, items_update, record_update
from xiaotu.intake.importing import ImportOptions
from xiaotu.intake.services import marc_import
from xiaotu.search.selectors import search
from xiaotu.testing.factories import ItemCategoryFactory, LocationFactory, RecordFactory
from xiaotu.testing.paths import TESTDATA


def _titles(library, q: str, **kwargs) -> list[str]:
    return [r.title for r in search(library=library, q=q, **kwargs).records]


@pytest.fixture
def record(library):
    record = RecordFactory.create(library=library, title="小猫钓鱼", call_number="I287.8/1", clc_class="I287.8")
    item_create(
        record=record,
        barcode="B1",
        accession_number="0001",
        location=LocationFactory.create(library=library),
        category=ItemCategoryFactory.create(library=library),
        call_number="I287.8/1",
        by=None,
    )
    return record


@pytest.mark.django_db
def test_a_new_copy_makes_its_record_findable(library, record):
    assert _titles(library, "xmdy") == ["小猫钓鱼"]


@pytest.mark.django_db
def test_editing_a_record_changes_what_finds_it(library, record):
    record_update(record=record, changes={"title": "小狗钓鱼"}, by=None)
    assert _titles(library, "小猫") == []
    assert _titles(library, "小狗") == ["小狗钓鱼"]


@pytest.mark.django_db
def test_withdrawing_the_last_copy_hides_the_record_from_the_public(library, record):
    item_set_status(item=record.items.get(), status=Item.Status.WITHDRAWN, by=None)
    assert _titles(library, "钓鱼") == []
    assert _titles(library, "钓鱼", public=False) == ["小猫钓鱼"]


@pytest.mark.django_db
def test_moving_copies_moves_the_location_facet(library, record):
    room = LocationFactory.create(library=library, code="room", name="阅览室")
    items_update(items=list(record.items.all()), changes={"location": room}, by=None)
    facet = search(library=library, q="钓鱼").facets["location"]
    assert [(f.label, f.count) for f in facet] == [("阅览室", 1)]


@pytest.mark.django_db
def test_imported_records_are_found_at_once(library):
    LocationFactory.create(library=library)
    ItemCategoryFactory.create(library=library)
    marc_import(
        library=library, source=str(TESTDATA / "marc" / "dp2-cnmarc.utf8.mrc"), options=ImportOptions(), by=None
    )
    found = search(library=library, q="中国", public=False)
    assert found.records, "the imported CNMARC records are searchable in the import's own transaction"


@pytest.mark.django_db
def test_a_large_import_is_indexed_right_after_it_commits(library, monkeypatch):
    from xiaotu.intake import importing

    monkeypatch.setattr(importing, "INDEX_INLINE", 0)
    monkeypatch.setattr(importing, "INDEX_CHUNK", 2)
    LocationFactory.create(library=library)
    ItemCategoryFactory.create(library=library)
    phases: list[tuple[str, int, int]] = []
    outcome = marc_import(
        library=library,
        source=str(TESTDATA / "marc" / "dp2-cnmarc.utf8.mrc"),
        options=ImportOptions(),
        by=None,
        progress=lambda phase, done, total: phases.append((phase, done, total)),
    )
    indexed = [p for p in phases if p[0] == "index"]
    assert outcome.result is not None
    assert indexed[0][1] == 0 and indexed[-1][1] == indexed[-1][2] == len(outcome.result.record_ids)
    assert search(library=library, q="中国", public=False).records
