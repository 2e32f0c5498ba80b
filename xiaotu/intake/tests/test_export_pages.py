"""导出 MARC from the web: the whole catalogue or one batch, ISO 2709 or MARCXML, streamed as it is written."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from xiaotu.catalogue.models import Record
from xiaotu.intake.importing import BatchInfo, ImportOptions
from xiaotu.intake.models import Batch
from xiaotu.intake.services import marc_import
from xiaotu.intake.tests.page_helpers import ROLES_REFUSED, shelves, staff
from xiaotu.interop.marc import ParsedRecord, open_marc
from xiaotu.testing.factories import ItemFactory, RecordFactory
from xiaotu.testing.paths import MARC

pytestmark = pytest.mark.django_db
URL = reverse("intake:export")


@pytest.fixture
def signed_in(client, librarian):
    client.force_login(librarian)
    return client


@pytest.fixture
def catalogue(library, librarian):
    """The dp2 records imported as one batch, and a record catalogued by hand in none."""
    shelves(library)
    outcome = marc_import(
        library=library,
        source=(MARC / "dp2-cnmarc.utf8.mrc").read_bytes(),
        options=ImportOptions(new_batch=BatchInfo(received_on=dt.date(2026, 9, 1))),
        by=librarian,
    )
    ItemFactory.create(library=library, record=RecordFactory.create(library=library, title="手工编目的书"))
    assert outcome.result is not None
    return outcome.result.batch


def download(client, **params):
    query = {"download": "1", "marc_format": "cnmarc", "encoding": "utf-8", "container": "iso2709", **params}
    response = client.get(URL, query)
    assert response.status_code == 200 and response.streaming
    return response, b"".join(response.streaming_content)


def titles(data: bytes) -> list[str]:
    return [entry.bib.title for entry in open_marc(data) if isinstance(entry, ParsedRecord)]


def test_the_page_offers_the_choices(signed_in, catalogue):
    page = signed_in.get(URL).content.decode()
    assert "本馆共有 10 种书目" in page and "MARCXML" in page and "GB18030" in page and catalogue.number in page


def test_the_whole_catalogue_as_iso2709(signed_in, catalogue):
    response, data = download(signed_in)
    assert response["Content-Type"] == "application/marc"
    assert 'attachment; filename="xiaotu-test-school-all-' in response["Content-Disposition"]
    found = titles(data)
    assert len(found) == Record.objects.count() == 10 and "手工编目的书" in found


def test_one_batch_as_gb18030_marcxml(signed_in, catalogue):
    response, data = download(signed_in, batch=catalogue.pk, encoding="gb18030", container="marcxml")
    assert response["Content-Type"] == "application/marcxml+xml"
    assert data.startswith(b'<?xml version="1.0" encoding="GB18030"?>') and data.count(b"<collection") == 1
    marc_file = open_marc(data)
    assert marc_file.info.container == "marcxml" and marc_file.info.encoding == "gb18030"
    found = titles(data)
    assert len(found) == 9 and "手工编目的书" not in found and any("中国发展报告" in t for t in found)


def test_a_catalogue_in_several_chunks_is_one_well_formed_file(signed_in, catalogue, monkeypatch):
    from xiaotu.intake import selectors

    monkeypatch.setattr(selectors, "EXPORT_CHUNK", 3)
    for container in ("iso2709", "marcxml"):
        _response, data = download(signed_in, container=container, marc_format="marc21")
        assert len(titles(data)) == 10


def test_an_empty_batch_says_so(signed_in, library):
    empty = Batch.objects.create(library=library, number="空", received_on="2026-01-01")
    query = {"download": "1", "marc_format": "cnmarc", "encoding": "utf-8", "container": "iso2709", "batch": empty.pk}
    response = signed_in.get(URL, query)
    assert response.status_code == 400 and "没有可以导出的书目" in response.content.decode()


def test_the_batch_page_link_preselects_its_batch(signed_in, catalogue):
    page = signed_in.get(URL, {"batch": catalogue.pk}).content.decode()
    assert f'<option value="{catalogue.pk}" selected>' in page


@pytest.mark.parametrize("role", ROLES_REFUSED)
def test_only_librarians_export(client, library, role):
    client.force_login(staff(library, role))
    assert client.get(URL, {"download": "1"}).status_code == 403
