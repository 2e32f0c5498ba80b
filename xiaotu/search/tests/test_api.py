"""GET /api/v1/search: public, the same hits as the OPAC's search, clear errors for bad input."""

from __future__ import annotations

import pytest

from xiaotu.catalogue.models import Item
from xiaotu.search.selectors import search
from xiaotu.search.services import index_records
from xiaotu.testing.factories import ItemFactory, LibraryFactory, RecordFactory

URL = "/api/v1/search"


@pytest.fixture
def books(library):
    made = []
    for i, title in enumerate(["西游记", "西游记故事", "西游记连环画", "红楼梦"]):
        record = RecordFactory.create(library=library, title=title, call_number=f"I242/{i}", clc_class="I242")
        ItemFactory.create(library=library, record=record)
        ItemFactory.create(library=library, record=record, status=Item.Status.ON_LOAN)
        made.append(record)
    index_records(record_ids=[r.pk for r in made])
    return made


@pytest.mark.django_db
def test_search_needs_no_login_and_matches_the_selector(client, library, books):
    response = client.get(URL, {"q": "xyj", "per_page": 2})
    assert response.status_code == 200
    body = response.json()
    expected = search(library=library, q="xyj", per_page=2)
    assert [hit["id"] for hit in body["results"]] == [r.pk for r in expected.records]
    assert body["has_next"] is True
    assert body["results"][0]["copies"] == 2 and body["results"][0]["on_shelf"] == 1
    second = client.get(URL, {"q": "xyj", "per_page": 2, "page": 2}).json()
    assert len(second["results"]) == 1 and second["has_next"] is False


@pytest.mark.django_db
def test_facets_and_filters(client, library, books):
    body = client.get(URL, {"q": "西游", "clc": "i"}).json()
    assert body["facets"]["clc"][0]["value"] == "I"
    assert len(body["results"]) == 3
    assert client.get(URL, {"q": "西游", "clc": "K"}).json()["results"] == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params", [{"page": "x"}, {"page": 0}, {"page": 51}, {"per_page": 1000}, {"clc": "II"}, {"year": "一九"}]
)
def test_bad_parameters_are_422(client, library, books, params):
    response = client.get(URL, {"q": "猫", **params})
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input"


@pytest.mark.django_db
def test_several_libraries_need_a_code(client, library, books):
    LibraryFactory.create(code="other", name="另一所学校")
    assert client.get(URL, {"q": "猫"}).json()["code"] == "library_required"
    assert client.get(URL, {"q": "红楼梦", "library": library.code}).json()["results"][0]["title"] == "红楼梦"
    missing = client.get(URL, {"q": "猫", "library": "nowhere"})
    assert missing.status_code == 404 and missing.json()["code"] == "library_not_found"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "q",
    ["", " ", "猫" * 10_000, '"', '"西游', "*", "西*", "NEAR", "NEAR(西游 记)", ":", "title:西游", "-", "-西游",
     "西游 -记",
     "'; DROP TABLE catalogue_record; --", "1 OR 1=1", "西游\x00记", "\x07\x1b[31m", "📚🐱", "西游📚", "()", "((", "^",
     "!", "&", "|", "<->", "\\", "%", "_", "{title}: 西游"],
)  # fmt: skip
def test_any_text_gives_results_or_none_never_an_error(client, library, books, q):
    response = client.get(URL, {"q": q})
    assert response.status_code == 200, response.content
    assert isinstance(response.json()["results"], list)
