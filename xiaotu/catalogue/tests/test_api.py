"""Items over JSON: found by barcode, call number or title, filtered by status, limited to the caller's library."""

from __future__ import annotations

import pytest

from xiaotu.accounts.services import api_token_issue
from xiaotu.catalogue.models import Item
from xiaotu.circulation.services import checkout
from xiaotu.testing.factories import ItemFactory, LibraryFactory, ReaderFactory, RecordFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def get(client, librarian):
    headers = {"authorization": f"Bearer {api_token_issue(user=librarian)}"}

    def get(**params: object):
        return client.get("/api/v1/items", params, headers=headers)

    return get


@pytest.fixture
def shelf(library):
    """西游记 at I242.4/1 and 昆虫记 at Q96/2."""
    journey = ItemFactory.create(record=RecordFactory.create(title="西游记"), call_number="I242.4/1")
    insects = ItemFactory.create(record=RecordFactory.create(title="昆虫记"), call_number="Q96/2")
    return journey, insects


def barcodes(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["barcode"] for item in response.json()]


def test_an_item_as_json(get, shelf):
    journey, _ = shelf
    (body,) = get(q=journey.barcode).json()
    assert body == {
        "barcode": journey.barcode,
        "accession_number": journey.accession_number,
        "call_number": "I242.4/1",
        "title": "西游记",
        "author": journey.record.author,
        "status": "available",
        "location": "借阅室",
        "category": "普通图书",
        "due_on": None,
    }


def test_search_by_barcode_call_number_or_title(get, shelf):
    journey, insects = shelf
    assert barcodes(get(q=journey.barcode.lower())) == [journey.barcode]
    assert barcodes(get(q=journey.accession_number)) == [journey.barcode]
    assert barcodes(get(q="i242")) == [journey.barcode]
    assert barcodes(get(q="昆虫")) == [insects.barcode]
    assert barcodes(get(q="记")) == [journey.barcode, insects.barcode]


def test_an_empty_search_lists_by_call_number(get, shelf):
    journey, insects = shelf
    assert barcodes(get(q="", status="", limit="")) == [journey.barcode, insects.barcode]


def test_filter_by_status_and_show_the_due_date(rules, get, shelf, librarian):
    journey, insects = shelf
    loan = checkout(reader=ReaderFactory.create(), item=insects, by=librarian)
    response = get(status=Item.Status.ON_LOAN)
    assert barcodes(response) == [insects.barcode]
    assert response.json()[0]["due_on"] == loan.due_on.isoformat()
    assert barcodes(get(status="available")) == [journey.barcode]


def test_the_limit(get, shelf):
    assert len(get(limit=1).json()) == 1


def test_another_librarys_items_are_never_listed(get, shelf):
    other = LibraryFactory.create(code="other", name="另一所学校")
    stranger = ItemFactory.create(library=other, record=RecordFactory.create(library=other, title="西游记"))
    assert stranger.barcode not in barcodes(get(q="西游"))
    assert barcodes(get(q=stranger.barcode)) == []


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "borrowed"}, "status"),
        ({"limit": 0}, "limit"),
        ({"limit": 1000}, "limit"),
        ({"limit": "-1"}, "limit"),
        ({"q": "西" * 10_000}, "q"),
        ({"q": "\x00"}, "q"),
    ],
)
def test_bad_parameters_are_422(get, params, field):
    response = get(**params)
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["code"] == "invalid_input" and [e["field"] for e in body["errors"]] == [field]


def test_the_list_costs_one_query_however_many_items(rules, get, librarian, django_assert_max_num_queries):
    """Record, location, category and the open loan's due date all come in the one query (plus the token's)."""
    for _ in range(10):
        ItemFactory.create()
    for item in ItemFactory.create_batch(5):
        checkout(reader=ReaderFactory.create(), item=item, by=librarian)
    get()
    with django_assert_max_num_queries(2):
        assert len(get(limit=100).json()) == 15
