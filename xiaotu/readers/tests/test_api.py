"""Readers over JSON: one by card with the books they have out, and lists by search, limited to the caller's library."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from xiaotu.accounts.models import Role
from xiaotu.accounts.services import api_token_issue
from xiaotu.circulation.services import checkin, checkout
from xiaotu.readers.models import Reader, SchoolClass
from xiaotu.testing.factories import ItemFactory, LibraryFactory, ReaderFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def get(client, librarian):
    headers = {"authorization": f"Bearer {api_token_issue(user=librarian)}"}

    def get(path: str, **params: object):
        return client.get(f"/api/v1/{path}", params, headers=headers)

    return get


def test_a_reader_with_open_loans_and_overdue_count(rules, get, librarian):
    """Given a pupil with one book overdue and one not, the reader comes back with both, soonest due first."""
    reader = ReaderFactory.create(name="张小明")
    current = checkout(reader=reader, item=ItemFactory.create(), by=librarian)
    late = checkout(reader=reader, item=ItemFactory.create(), by=librarian, at=timezone.now() - dt.timedelta(days=30))
    response = get(f"readers/{reader.card_barcode}")
    assert response.status_code == 200, response.content
    body = response.json()
    assert {k: body[k] for k in ("card", "name", "class", "type", "status", "student_number")} == {
        "card": reader.card_barcode,
        "name": "张小明",
        "class": "三年级(2)班",
        "type": "学生",
        "status": "active",
        "student_number": reader.student_number,
    }
    assert body["overdue_count"] == 1
    assert [loan["id"] for loan in body["open_loans"]] == [late.pk, current.pk]
    assert body["open_loans"][0]["days_overdue"] == late.days_overdue(timezone.localdate()) > 0
    assert body["open_loans"][1]["days_overdue"] == 0


def test_a_returned_loan_is_not_listed(rules, get, librarian):
    reader, item = ReaderFactory.create(), ItemFactory.create()
    checkout(reader=reader, item=item, by=librarian)
    checkin(item=item, by=librarian)
    assert get(f"readers/{reader.card_barcode}").json()["open_loans"] == []


def test_the_card_is_cleaned_like_a_scan(rules, get):
    reader = ReaderFactory.create()
    assert get(f"readers/{reader.card_barcode.lower()}").status_code == 200


def test_an_unknown_card_is_404(rules, get):
    response = get("readers/NOSUCHCARD")
    assert response.status_code == 404
    assert response.json()["code"] == "reader_not_found"
    assert "NOSUCHCARD" in response.json()["message"]


def test_a_card_from_another_library_is_404(rules, get):
    other = LibraryFactory.create(code="other", name="另一所学校")
    response = get(f"readers/{ReaderFactory.create(library=other).card_barcode}")
    assert (response.status_code, response.json()["code"]) == (404, "reader_not_found")


@pytest.mark.parametrize("card", ["x" * 33, "x" * 10_000, "R%00001"])
def test_a_card_that_cannot_be_a_barcode_is_422(rules, get, card):
    response = get(f"readers/{card}")
    assert (response.status_code, response.json()["code"]) == (422, "invalid_input")


def test_reader_detail_queries_do_not_grow_with_loans(rules, get, librarian, django_assert_max_num_queries):
    reader = ReaderFactory.create()
    rules.max_loans = 10
    rules.save()
    for _ in range(3):
        checkout(reader=reader, item=ItemFactory.create(), by=librarian)
    get("me")
    with django_assert_max_num_queries(3):  # token, reader, loans
        assert len(get(f"readers/{reader.card_barcode}").json()["open_loans"]) == 3


def test_search_by_name_pinyin_initials_and_card(rules, get):
    zhang = ReaderFactory.create(name="张小明")
    ReaderFactory.create(name="李华")
    for q in ("张小", "zxm", "zhangxiao", zhang.card_barcode.lower(), zhang.student_number):
        response = get("readers", q=q)
        assert response.status_code == 200, response.content
        assert [r["card"] for r in response.json()] == [zhang.card_barcode], q


def test_an_empty_search_lists_readers_in_pinyin_order(rules, get):
    """`?q=&limit=` as a blank form sends it: everyone, 拼音 order, the default limit."""
    ReaderFactory.create(name="王芳")
    ReaderFactory.create(name="李华")
    response = get("readers", q="", limit="")
    assert [r["name"] for r in response.json()] == ["李华", "王芳"]


def test_the_list_counts_open_and_overdue_loans(rules, get, librarian):
    reader = ReaderFactory.create(name="张小明")
    checkout(reader=reader, item=ItemFactory.create(), by=librarian)
    checkout(reader=reader, item=ItemFactory.create(), by=librarian, at=timezone.now() - dt.timedelta(days=30))
    ReaderFactory.create(name="李华")
    rows = {r["name"]: r for r in get("readers").json()}
    assert (rows["张小明"]["open_loan_count"], rows["张小明"]["overdue_count"]) == (2, 1)
    assert (rows["李华"]["open_loan_count"], rows["李华"]["overdue_count"]) == (0, 0)
    assert rows["李华"]["class"] == "三年级(2)班" and rows["李华"]["status"] == Reader.Status.ACTIVE


def test_the_list_stays_in_the_library(rules, get):
    other = LibraryFactory.create(code="other", name="另一所学校")
    ReaderFactory.create(library=other, name="张小明")
    assert get("readers", q="张").json() == []
    assert get("readers").json() == []


def test_the_limit(rules, get):
    for _ in range(5):
        ReaderFactory.create()
    assert len(get("readers", limit=2).json()) == 2


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"limit": "many"}, "limit"),
        ({"limit": "1" * 50}, "limit"),
        ({"q": "张" * 10_000}, "q"),
        ({"q": "a\x00b"}, "q"),
    ],
)
def test_bad_list_parameters_are_422(rules, get, params, field):
    response = get("readers", **params)
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["code"] == "invalid_input" and [e["field"] for e in body["errors"]] == [field]


def test_the_list_costs_two_queries_however_many_readers(rules, get, librarian, django_assert_max_num_queries):
    """No N+1: one query for the readers (with type and class), one for all their loan counts, one for the token."""
    for _ in range(15):
        checkout(reader=ReaderFactory.create(), item=ItemFactory.create(), by=librarian)
    get("me")
    with django_assert_max_num_queries(3):
        assert len(get("readers", limit=100).json()) == 15


def test_teachers_may_read_their_class(rules, client, library):
    teacher = UserFactory.create(library=library, username="teacher", role=Role.TEACHER)
    reader = ReaderFactory.create()
    SchoolClass.objects.filter(readers=reader).update(teacher=teacher)
    headers = {"authorization": f"Bearer {api_token_issue(user=teacher)}"}
    assert client.get(f"/api/v1/readers/{reader.card_barcode}", headers=headers).status_code == 200
    assert client.get("/api/v1/readers", headers=headers).status_code == 200


def test_without_a_token_it_is_401(rules, client):
    response = client.get(f"/api/v1/readers/{ReaderFactory.create().card_barcode}")
    assert (response.status_code, response.json()["code"]) == (401, "unauthorized")


def test_a_teacher_sees_only_their_own_class_through_the_api(library, client):
    """Pupils are minors: a 教师's token lists and finds only the pupils of the classes they teach."""
    from xiaotu.accounts.models import Role
    from xiaotu.accounts.services import api_token_issue
    from xiaotu.testing.factories import ReaderFactory, SchoolClassFactory, UserFactory

    teacher = UserFactory.create(library=library, username="banzhuren", role=Role.TEACHER)
    mine = SchoolClassFactory.create(grade__library=library, number=1, teacher=teacher)
    other = SchoolClassFactory.create(grade__library=library, number=2)
    pupil = ReaderFactory.create(library=library, school_class=mine, name="王小明")
    stranger = ReaderFactory.create(library=library, school_class=other, name="王小红")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {api_token_issue(user=teacher)}"}

    listed = client.get("/api/v1/readers?q=王", **auth).json()
    assert [r["card"] for r in listed] == [pupil.card_barcode]
    assert client.get(f"/api/v1/readers/{pupil.card_barcode}", **auth).status_code == 200
    hidden = client.get(f"/api/v1/readers/{stranger.card_barcode}", **auth)
    assert hidden.status_code == 404 and hidden.json()["code"] == "reader_not_found"
