"""预约 over JSON: place by record or by a copy's barcode, list, the hold shelf, cancel; refusals as stable codes."""

from __future__ import annotations

import json

import pytest

from xiaotu.accounts.models import AuditEvent, Role
from xiaotu.accounts.services import api_token_issue
from xiaotu.circulation.models import Hold
from xiaotu.circulation.services import checkin, checkout
from xiaotu.testing.factories import ItemFactory, LibraryFactory, ReaderFactory, RecordFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client, librarian):
    headers = {"authorization": f"Bearer {api_token_issue(user=librarian, name='desk')}"}

    def call(method: str, path: str = "", body: object = None, **extra: str):
        url = f"/api/v1/circulation/holds{path}"
        if method == "post":
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            return client.post(url, data=data, content_type="application/json", headers={**headers, **extra})
        return getattr(client, method)(url, headers={**headers, **extra})

    return call


@pytest.fixture
def lent(rules, librarian):
    """One title with a single copy, out on loan to a first reader."""
    item = ItemFactory.create()
    checkout(reader=ReaderFactory.create(), item=item, by=librarian)
    return item


def test_a_hold_placed_by_the_copys_barcode_queues_the_reader_for_the_title(api, lent):
    first, second = ReaderFactory.create(), ReaderFactory.create()
    assert api("post", body={"reader": first.card_barcode, "record": lent.record_id}).status_code == 201

    response = api("post", body={"reader": second.card_barcode, "item": lent.barcode})

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["record"], body["title"]) == ("waiting", lent.record_id, lent.record.title)
    assert (body["queue_position"], body["reader"]["card"], body["item"]) == (2, second.card_barcode, None)
    assert AuditEvent.objects.filter(action="hold.place", object_id=body["id"]).exists()


def test_a_returned_copy_shows_on_the_shelf_and_in_the_readers_list(api, lent, librarian):
    reader = ReaderFactory.create()
    hold_id = api("post", body={"reader": reader.card_barcode, "record": lent.record_id}).json()["id"]
    checkin(item=lent, by=librarian)

    shelf = api("get", "/shelf").json()
    mine = api("get", f"?reader={reader.card_barcode}").json()

    assert [(h["id"], h["status"], h["item"]) for h in shelf] == [(hold_id, "ready", lent.barcode)]
    assert mine[0]["pickup_by"] == shelf[0]["pickup_by"] and mine[0]["queue_position"] is None


def test_cancelling_closes_the_hold_and_a_second_cancel_is_refused(api, lent):
    reader = ReaderFactory.create()
    hold_id = api("post", body={"reader": reader.card_barcode, "record": lent.record_id}).json()["id"]

    response = api("delete", f"/{hold_id}")
    again = api("delete", f"/{hold_id}")

    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    assert again.status_code == 409 and again.json()["code"] == "hold_not_active"
    assert api("get", f"?reader={reader.card_barcode}").json() == []


def test_refusals_are_the_services_codes_and_change_nothing(api, lent):
    reader = ReaderFactory.create()
    ItemFactory.create(record=RecordFactory.create(), barcode="ONSHELF")
    api("post", body={"reader": reader.card_barcode, "record": lent.record_id})

    duplicate = api("post", body={"reader": reader.card_barcode, "item": lent.barcode})
    on_shelf = api("post", body={"reader": reader.card_barcode, "item": "ONSHELF"})

    assert (duplicate.status_code, duplicate.json()["code"]) == (409, "hold_duplicate")
    assert on_shelf.json()["code"] == "hold_copy_on_shelf"
    assert Hold.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"reader": "NOPE", "record": 1}, 404, "reader_not_found"),
        ({"reader": "{card}", "record": 999999}, 404, "record_not_found"),
        ({"reader": "{card}", "item": "NOPE"}, 404, "item_not_found"),
        ({"reader": "{card}"}, 422, "invalid_input"),
        ({"reader": "{card}", "record": "{record}", "item": "X"}, 422, "invalid_input"),
        ({"reader": "{card}", "record": -1}, 422, "invalid_input"),
        ({"reader": "{card}", "record": "{record}", "pickup": "x"}, 422, "invalid_input"),
        (b"{not json", 400, "malformed_json"),
    ],
)
def test_bad_input_is_a_clear_error_not_a_500(api, lent, body, status, code):
    reader = ReaderFactory.create()
    if isinstance(body, dict):
        fill = {"{card}": reader.card_barcode, "{record}": lent.record_id}
        body = {key: fill.get(value, value) if isinstance(value, str) else value for key, value in body.items()}
    response = api("post", body=body)
    assert (response.status_code, response.json()["code"]) == (status, code), response.content
    assert not Hold.objects.exists()


def test_a_missing_title_is_explained_in_chinese_and_in_english(api, lent):
    reader = ReaderFactory.create()
    chinese = api("post", body={"reader": reader.card_barcode})
    english = api("post", body={"reader": reader.card_barcode}, **{"accept-language": "en"})
    assert "二者选一" in chinese.json()["errors"][0]["message"]
    assert "record" in english.json()["errors"][0]["message"] and "选" not in english.json()["errors"][0]["message"]


def test_another_librarys_hold_and_readers_are_not_found(api, lent):
    other = LibraryFactory.create(code="other")
    stranger = ReaderFactory.create(library=other)
    theirs = Hold.objects.create(
        library=other, record=RecordFactory.create(library=other), reader=stranger, placed_at=lent.loans.get().issued_at
    )
    assert api("delete", f"/{theirs.pk}").json()["code"] == "hold_not_found"
    assert api("get", f"?reader={stranger.card_barcode}").json()["code"] == "reader_not_found"


def test_a_teacher_may_not_place_holds_through_the_api(client, lent, library):
    teacher = UserFactory.create(library=library, username="t", role=Role.TEACHER)
    token = api_token_issue(user=teacher, name="t")
    response = client.get("/api/v1/circulation/holds/shelf", headers={"authorization": f"Bearer {token}"})
    assert response.status_code == 403
