"""借出, 归还 and 续借 over JSON: the loan comes back, each refusal is a stable code, bad input changes nothing."""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

import pytest
from django.db import OperationalError
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xiaotu.accounts.models import AuditEvent, Role
from xiaotu.accounts.services import api_token_issue
from xiaotu.catalogue.models import Item
from xiaotu.circulation import services
from xiaotu.circulation.errors import MESSAGES, REFUSAL_BY_READER_STATUS
from xiaotu.circulation.holds import hold_place
from xiaotu.circulation.models import Loan
from xiaotu.circulation.services import REFUSAL_BY_ITEM_STATUS
from xiaotu.readers.models import Reader
from xiaotu.testing.factories import (
    ItemCategoryFactory,
    ItemFactory,
    LibraryFactory,
    LoanRuleFactory,
    ReaderFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
ENDPOINTS = ["checkout", "checkin", "renew"]


class Api:
    """The test client with a bearer token; bodies that are not bytes are sent as JSON."""

    def __init__(self, client, token: str) -> None:
        self.client = client
        self.headers = {"authorization": f"Bearer {token}"}

    def post(self, endpoint: str, body: object):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        return self.client.post(
            f"/api/v1/circulation/{endpoint}", data=data, content_type="application/json", headers=self.headers
        )

    def get(self, path: str):
        return self.client.get(f"/api/v1/{path}", headers=self.headers)


@pytest.fixture
def api(client, librarian) -> Api:
    return Api(client, api_token_issue(user=librarian, name="desk"))


def ago(days: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days)


def state() -> tuple[object, ...]:
    """Everything a circulation request could change."""
    return (
        list(Loan.objects.order_by("pk").values_list("pk", "due_on", "renewals", "returned_at")),
        list(Item.objects.order_by("pk").values_list("pk", "status")),
        AuditEvent.objects.count(),
    )


def assert_error(response, status: int, code: str) -> Any:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code, body
    assert isinstance(body["message"], str) and body["message"]
    return body


# --- happy paths -------------------------------------------------------------------------------------------------


def test_checkout_answers_201_with_the_loan(rules, api, librarian):
    """Given a pupil and a book, when the desk posts both barcodes, then the loan comes back and the book is out."""
    reader, item = ReaderFactory.create(), ItemFactory.create()
    response = api.post("checkout", {"reader": reader.card_barcode, "item": item.barcode})
    assert response.status_code == 201, response.content
    body = response.json()
    loan = Loan.objects.get()
    assert body["id"] == loan.pk
    assert body["item"] == {"barcode": item.barcode, "title": item.record.title, "call_number": item.call_number}
    assert body["reader"] == {"card": reader.card_barcode, "name": reader.name, "class": "三年级(2)班"}
    assert body["due_on"] == loan.due_on.isoformat()
    assert (body["returned_at"], body["renewals"], body["days_overdue"]) == (None, 0, 0)
    assert loan.issued_by == librarian
    assert Item.objects.get(pk=item.pk).status == Item.Status.ON_LOAN


def test_checkout_cleans_scanned_barcodes(rules, api):
    """Given a scanner that adds a line end and a person typing lower case, the barcodes are still found."""
    reader, item = ReaderFactory.create(), ItemFactory.create()
    response = api.post("checkout", {"reader": f" {reader.card_barcode.lower()}\r\n", "item": f"{item.barcode}\t"})
    assert response.status_code == 201, response.content


def test_checkin_answers_with_the_returned_loan_and_days_overdue(rules, api, librarian):
    """Given a book borrowed a month ago, when it comes back, then the loan is closed and its lateness counted."""
    item = ItemFactory.create()
    loan = services.checkout(reader=ReaderFactory.create(), item=item, by=librarian, at=ago(30))
    response = api.post("checkin", {"item": item.barcode})
    assert response.status_code == 200, response.content
    body = response.json()
    loan.refresh_from_db()
    assert body["id"] == loan.pk and body["returned_at"] is not None and loan.returned_at is not None
    assert body["days_overdue"] == loan.days_overdue(timezone.localdate()) > 0
    assert Item.objects.get(pk=item.pk).status == Item.Status.AVAILABLE


def test_checkin_says_which_reader_the_copy_is_kept_for(rules, api, librarian):
    """Given a reader waiting for the title, when a copy comes back, then the answer names them and the deadline."""
    item = ItemFactory.create()
    services.checkout(reader=ReaderFactory.create(), item=item, by=librarian, at=ago(3))
    waiting = ReaderFactory.create()
    hold_place(reader=waiting, record=item.record, by=librarian, at=ago(2))
    body = api.post("checkin", {"item": item.barcode}).json()
    assert body["hold_shelf"]["reader"]["card"] == waiting.card_barcode
    assert body["hold_shelf"]["pickup_by"] > timezone.localdate().isoformat()


def test_checkin_with_no_one_waiting_has_no_hold_shelf(rules, api, librarian):
    item = ItemFactory.create()
    services.checkout(reader=ReaderFactory.create(), item=item, by=librarian, at=ago(3))
    assert api.post("checkin", {"item": item.barcode}).json()["hold_shelf"] is None


def test_renew_answers_with_the_new_due_date(rules, api, librarian):
    item = ItemFactory.create()
    loan = services.checkout(reader=ReaderFactory.create(), item=item, by=librarian, at=ago(10))
    response = api.post("renew", {"item": item.barcode})
    assert response.status_code == 200, response.content
    body = response.json()
    renewed = Loan.objects.get(pk=loan.pk)
    assert renewed.renewals == body["renewals"] == 1
    assert body["due_on"] == renewed.due_on.isoformat() and renewed.due_on > loan.due_on


def test_student_librarian_may_lend(rules, client, student_librarian):
    api = Api(client, api_token_issue(user=student_librarian))
    response = api.post(
        "checkout", {"reader": ReaderFactory.create().card_barcode, "item": ItemFactory.create().barcode}
    )
    assert response.status_code == 201, response.content


def test_a_checkout_costs_a_bounded_number_of_queries(rules, api, django_assert_max_num_queries):
    """The benchmark drives the desk through this endpoint: keep it to the service's own queries and two lookups."""
    api.get("me")  # the token's hourly last_used_at touch, out of the way
    reader, item = ReaderFactory.create(), ItemFactory.create()
    with django_assert_max_num_queries(19):
        assert api.post("checkout", {"reader": reader.card_barcode, "item": item.barcode}).status_code == 201
    with django_assert_max_num_queries(13):
        assert api.post("checkin", {"item": item.barcode}).status_code == 200


# --- refusals: 409 with the service's code, 404 for what this library does not have -----------------------------


def refused(api, endpoint: str, body: dict[str, str], status: int, code: str) -> None:
    before = state()
    assert_error(api.post(endpoint, body), status, code)
    assert state() == before


@pytest.mark.parametrize("status", list(REFUSAL_BY_READER_STATUS))
def test_inactive_readers_are_refused(rules, api, status):
    reader = ReaderFactory.create(status=status)
    body = {"reader": reader.card_barcode, "item": ItemFactory.create().barcode}
    refused(api, "checkout", body, 409, REFUSAL_BY_READER_STATUS[status])


@pytest.mark.parametrize("status", list(REFUSAL_BY_ITEM_STATUS))
def test_items_off_the_shelf_are_refused(rules, api, status):
    body = {"reader": ReaderFactory.create().card_barcode, "item": ItemFactory.create(status=status).barcode}
    refused(api, "checkout", body, 409, REFUSAL_BY_ITEM_STATUS[status])


def test_a_book_already_out_is_refused(rules, api, librarian):
    item = ItemFactory.create()
    services.checkout(reader=ReaderFactory.create(), item=item, by=librarian)
    refused(api, "checkout", {"reader": ReaderFactory.create().card_barcode, "item": item.barcode}, 409, "item_on_loan")


def test_reference_books_stay_in_the_room(rules, api, library):
    reference = ItemCategoryFactory.create(library=library, code="ref")
    body = {"reader": ReaderFactory.create().card_barcode, "item": ItemFactory.create(category=reference).barcode}
    refused(api, "checkout", body, 409, "item_reference_only")


def test_category_limit(rules, api, librarian):
    reader = ReaderFactory.create()
    for _ in range(2):
        services.checkout(reader=reader, item=ItemFactory.create(), by=librarian)
    body = {"reader": reader.card_barcode, "item": ItemFactory.create().barcode}
    refused(api, "checkout", body, 409, "category_limit_reached")


def test_total_cap(rules, api, librarian, library):
    picture = ItemCategoryFactory.create(library=library, code="picture", name="绘本")
    LoanRuleFactory.create(library=library, reader_type=rules.reader_type, item_category=picture, max_loans=5)
    reader = ReaderFactory.create()
    for _ in range(3):
        services.checkout(reader=reader, item=ItemFactory.create(category=picture), by=librarian)
    body = {"reader": reader.card_barcode, "item": ItemFactory.create(category=picture).barcode}
    refused(api, "checkout", body, 409, "reader_limit_reached")


def test_overdue_books_block_borrowing(rules, api, librarian):
    reader = ReaderFactory.create()
    services.checkout(reader=reader, item=ItemFactory.create(), by=librarian, at=ago(30))
    body = {"reader": reader.card_barcode, "item": ItemFactory.create().barcode}
    refused(api, "checkout", body, 409, "reader_has_overdue")


def test_no_loan_rule(rules, api, library):
    journal = ItemCategoryFactory.create(library=library, code="journal", name="期刊")
    body = {"reader": ReaderFactory.create().card_barcode, "item": ItemFactory.create(category=journal).barcode}
    refused(api, "checkout", body, 409, "no_loan_rule")


@pytest.mark.parametrize("endpoint", ["checkin", "renew"])
def test_a_book_on_the_shelf_cannot_be_returned_or_renewed(rules, api, endpoint):
    refused(api, endpoint, {"item": ItemFactory.create().barcode}, 409, "item_not_on_loan")


def test_renewal_limit(rules, api, librarian):
    item = ItemFactory.create()
    services.checkout(reader=ReaderFactory.create(), item=item, by=librarian, at=ago(10))
    services.renew(item=item, by=librarian, at=ago(1))
    refused(api, "renew", {"item": item.barcode}, 409, "renewal_limit_reached")


def test_overdue_books_are_not_renewed(rules, api, librarian):
    item = ItemFactory.create()
    services.checkout(reader=ReaderFactory.create(), item=item, by=librarian, at=ago(30))
    refused(api, "renew", {"item": item.barcode}, 409, "renewal_overdue")


def test_a_renewal_must_move_the_due_date(rules, api, librarian):
    item = ItemFactory.create()
    services.checkout(reader=ReaderFactory.create(), item=item, by=librarian)
    refused(api, "renew", {"item": item.barcode}, 409, "renewal_too_soon")


def test_every_refusal_code_has_a_message():
    """The codes are the API's contract; each one must say something to the person at the desk."""
    assert set(REFUSAL_BY_ITEM_STATUS.values()) | set(REFUSAL_BY_READER_STATUS.values()) <= set(MESSAGES)


def test_unknown_card(rules, api):
    refused(api, "checkout", {"reader": "NOSUCHCARD", "item": ItemFactory.create().barcode}, 404, "reader_not_found")


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_unknown_item(rules, api, endpoint):
    body = {"reader": ReaderFactory.create().card_barcode, "item": "NOSUCHBOOK"} if endpoint == "checkout" else {}
    refused(api, endpoint, {**body, "item": "NOSUCHBOOK"}, 404, "item_not_found")


def test_a_card_from_another_library_is_not_found(rules, api):
    other = LibraryFactory.create(code="other", name="另一所学校")
    body = {"reader": ReaderFactory.create(library=other).card_barcode, "item": ItemFactory.create().barcode}
    refused(api, "checkout", body, 404, "reader_not_found")


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_book_from_another_library_is_not_found(rules, api, endpoint):
    """Given another school's book on loan there, no request from this school can see or touch it."""
    other = LibraryFactory.create(code="other", name="另一所学校")
    item = ItemFactory.create(library=other)
    Loan.objects.create(
        library=other,
        item=item,
        reader=ReaderFactory.create(library=other),
        issued_at=ago(1),
        due_on=timezone.localdate(),
    )
    body = {"reader": ReaderFactory.create().card_barcode} if endpoint == "checkout" else {}
    refused(api, endpoint, {**body, "item": item.barcode}, 404, "item_not_found")


# --- bad input: 400 or 422, nothing changed, never a 500 ---------------------------------------------------------

MALFORMED = [
    b"{bad json",
    b'{"item": "T1",}',
    b"\xff\xfe\x00",
    b"[" * 100_000,
    b'{"item": 1' + b"0" * 5000 + b"}",
]
NOT_AN_OBJECT = [b"", b"null", b"[]", b'"T0000001"', b"42", b"true"]
BAD_BARCODES = [
    5,
    4.5,
    True,
    None,
    ["T0000001"],
    {"barcode": "T0000001"},
    "",
    "   ",
    "x" * 33,
    "x" * 10_000,
    "T000\x000001",
    "\u200b",
]


@pytest.fixture
def on_loan(rules, librarian) -> tuple[Reader, Item]:
    """A reader and a book out to them: any request that got through would change something."""
    reader, item = ReaderFactory.create(), ItemFactory.create()
    services.checkout(reader=reader, item=item, by=librarian)
    return reader, item


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("body", MALFORMED, ids=range(len(MALFORMED)))
def test_malformed_json_is_400(api, on_loan, endpoint, body):
    before = state()
    assert_error(api.post(endpoint, body), 400, "malformed_json")
    assert state() == before


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("body", NOT_AN_OBJECT)
def test_a_body_that_is_not_an_object_is_422(api, on_loan, endpoint, body):
    before = state()
    assert_error(api.post(endpoint, body), 422, "invalid_input")
    assert state() == before


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("value", BAD_BARCODES, ids=range(len(BAD_BARCODES)))
def test_a_bad_item_barcode_is_422_naming_the_field(api, on_loan, endpoint, value):
    reader, _ = on_loan
    body = {"reader": reader.card_barcode, "item": value} if endpoint == "checkout" else {"item": value}
    before = state()
    error = assert_error(api.post(endpoint, body), 422, "invalid_input")
    assert [e["field"] for e in error["errors"]] == ["item"]
    assert state() == before


@pytest.mark.parametrize("value", BAD_BARCODES, ids=range(len(BAD_BARCODES)))
def test_a_bad_card_barcode_is_422(api, rules, value):
    item = ItemFactory.create()
    before = state()
    error = assert_error(api.post("checkout", {"reader": value, "item": item.barcode}), 422, "invalid_input")
    assert [e["field"] for e in error["errors"]] == ["reader"]
    assert state() == before


@pytest.mark.parametrize(
    ("body", "fields"),
    [({}, ["reader", "item"]), ({"item": "T0000001"}, ["reader"]), ({"reader": "R1", "item": "T1", "at": "x"}, ["at"])],
)
def test_missing_and_unknown_fields_are_named(api, on_loan, body, fields):
    before = state()
    error = assert_error(api.post("checkout", body), 422, "invalid_input")
    assert [e["field"] for e in error["errors"]] == fields
    assert state() == before


def test_a_lone_surrogate_is_422(api, on_loan):
    before = state()
    assert_error(api.post("checkin", b'{"item": "T\\ud800"}'), 422, "invalid_input")
    assert state() == before


def test_a_body_over_the_upload_limit_is_413(api, on_loan, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    before = state()
    assert_error(api.post("checkin", {"item": "x" * 2000}), 413, "request_too_large")
    assert state() == before


def test_the_message_is_chinese_by_default(api, on_loan):
    body = api.post("checkin", {"item": "x" * 10_000}).json()
    assert body["message"].startswith("请求数据有误") and "32" in body["message"]


# --- who may do it ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_teachers_may_not_write(client, library, on_loan, endpoint):
    """Given a teacher's token, every circulation POST is 403 forbidden, even a malformed one, and nothing changes."""
    teacher = UserFactory.create(library=library, username="teacher", role=Role.TEACHER)
    api = Api(client, api_token_issue(user=teacher))
    reader, item = on_loan
    before = state()
    assert_error(api.post(endpoint, {"reader": reader.card_barcode, "item": item.barcode}), 403, "forbidden")
    assert_error(api.post(endpoint, b"{bad"), 403, "forbidden")
    assert state() == before


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize(
    "authorization", [None, "Bearer", "Bearer xt_not-a-token", "Basic bGlicmFyaWFuOnB3", "x" * 10_000]
)
def test_without_a_valid_token_it_is_401(client, on_loan, endpoint, authorization):
    _, item = on_loan
    headers = {"authorization": authorization} if authorization else {}
    before = state()
    response = client.post(
        f"/api/v1/circulation/{endpoint}", data={"item": item.barcode}, content_type="application/json", headers=headers
    )
    assert_error(response, 401, "unauthorized")
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert state() == before


# --- the last resort -------------------------------------------------------------------------------------------


def test_a_bug_is_a_logged_500_in_json(api, on_loan, monkeypatch, caplog):
    """The catch-all exists for bugs only; it answers JSON and logs the traceback."""

    def broken(**kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(services, "checkin", broken)
    with caplog.at_level(logging.ERROR, logger="xiaotu.api"):
        assert_error(api.post("checkin", {"item": on_loan[1].barcode}), 500, "internal_error")
    assert "boom" in caplog.text


def test_a_database_lock_timeout_is_503_busy(api, on_loan, monkeypatch):
    def locked(**kwargs: object) -> None:
        raise OperationalError("database is locked")

    monkeypatch.setattr(services, "checkin", locked)
    assert_error(api.post("checkin", {"item": on_loan[1].barcode}), 503, "busy")


def test_an_unknown_api_path_is_json_404(api):
    assert_error(api.get("circulation/lend"), 404, "not_found")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)


@settings(
    max_examples=100,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_no_body_is_a_500(api, on_loan, data):
    """Whatever arrives (random JSON, random bytes, right keys with random values), the answer is never a 500."""
    reader, item = on_loan
    value = st.sampled_from([reader.card_barcode, item.barcode, item.barcode.lower()]) | json_values
    field_bodies = st.fixed_dictionaries({}, optional={"reader": value, "item": value, "extra": json_values})
    body = data.draw(
        st.one_of(
            field_bodies.map(lambda d: json.dumps(d).encode()),
            json_values.map(lambda v: json.dumps(v).encode()),
            st.binary(max_size=80),
        )
    )
    response = api.post(data.draw(st.sampled_from(ENDPOINTS)), body)
    assert response.status_code in {200, 201, 400, 404, 409, 422}, response.content
    assert "code" in response.json() or response.status_code in {200, 201}


def test_the_openapi_document_lists_every_endpoint_with_its_answers(client):
    """/api/v1/openapi.json loads without a token and documents each path with its success and error bodies."""
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json()
    paths = document["paths"]
    assert set(paths) >= {
        "/api/v1/circulation/checkout",
        "/api/v1/circulation/checkin",
        "/api/v1/circulation/renew",
        "/api/v1/readers",
        "/api/v1/readers/{card}",
        "/api/v1/items",
    }
    assert set(paths["/api/v1/circulation/checkout"]["post"]["responses"]) >= {"201", "404", "409", "422"}
    assert set(paths["/api/v1/circulation/checkin"]["post"]["responses"]) >= {"200", "404", "409", "422"}
    assert set(paths["/api/v1/readers/{card}"]["get"]["responses"]) >= {"200", "404", "422"}
    schemas = document["components"]["schemas"]
    assert "class" in schemas["LoanReaderOut"]["properties"]
    assert set(schemas["ErrorOut"]["required"]) == {"code", "message"}
    assert "BearerToken" in document["components"]["securitySchemes"]
