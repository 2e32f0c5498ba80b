"""The public pages: open without a login, sane with any input, and never showing who has a book."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from xiaotu.catalogue.models import Item
from xiaotu.opac import services
from xiaotu.opac.tests.school import book, build_school, lend
from xiaotu.short_cache import forget_all
from xiaotu.testing.factories import GradeFactory, LibraryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def school():
    return build_school()


def url(name: str, school, **kwargs) -> str:
    return reverse(f"opac:{name}", kwargs={"library_id": school.library.pk, **kwargs})


def public_pages(school) -> list[str]:
    reading_list = services.reading_list_create(
        library_id=school.library.pk, title="三年级必读", kind="required", grades=[], by=None
    )
    services.reading_list_add(reading_list=reading_list, record=school.cfz, by=None)
    return [
        url("home", school),
        url("search", school) + "?q=草房子",
        url("search", school) + "?q=cfz",
        url("record", school, pk=school.cfz.pk),
        url("new_arrivals", school),
        url("lists", school),
        url("list", school, pk=reading_list.pk),
        url("popular", school),
    ]


def test_every_public_page_opens_without_a_login_and_names_no_reader(client, school):
    """Given 草房子 out on loan to 张小明 (card S0001), no public page says so — only when it is due."""
    for page in public_pages(school):
        response = client.get(page)

        assert response.status_code == 200, page
        text = response.content.decode()
        for secret in (school.pupil.name, school.pupil.card_barcode, school.other.name):
            assert secret not in text, (page, secret)


def test_the_record_page_shows_each_copy_with_its_location_and_due_date(client, school):
    response = client.get(url("record", school, pk=school.cfz.pk))

    text = response.content.decode()
    assert "借阅室" in text and "I287.45/7" in text
    assert school.loan.due_on.isoformat() in text


def test_results_show_copies_on_the_shelf_per_location(client, school):
    response = client.get(url("search", school) + "?q=西游记")

    text = response.content.decode()
    assert "西游记" in text and "I242.4/1" in text
    assert "借阅室：在架 2 册（共 2 册）" in text and "阅览室：在架 1 册（共 1 册）" in text


def test_results_have_facet_links_that_add_a_filter(client, school):
    response = client.get(url("search", school) + "?q=西游记")

    links = [link.url for group in response.context["facet_groups"] for link in group.links]
    assert f"?q=%E8%A5%BF%E6%B8%B8%E8%AE%B0&location={school.reading.pk}" in links


def test_a_chosen_filter_narrows_the_results_and_can_be_removed(client, school):
    book(school.library, school.reading, title="西游记绘本", call_number="I287.8/1")

    response = client.get(url("search", school) + f"?q=西游记&location={school.lending.pk}")

    assert [record.title for record in response.context["result"].records] == ["西游记"]
    [chosen] = response.context["active_filters"]
    assert chosen.label == "借阅室" and "location" not in chosen.remove_url


def test_the_search_page_costs_the_same_queries_for_one_hit_or_many(client, school):
    client.get(url("search", school) + "?q=草房子")  # the first search of a process reads the planner's statistics
    with CaptureQueriesContext(connection) as one:
        client.get(url("search", school) + "?q=草房子")
    for n in range(15):
        book(school.library, school.lending, title=f"草房子{n}", call_number=f"I287.45/{n + 10}")
    with CaptureQueriesContext(connection) as many:
        client.get(url("search", school) + "?q=草房子")

    assert len(many) == len(one)


def test_results_page_with_next_but_no_total(client, school):
    for n in range(25):
        book(school.library, school.lending, title=f"科学{n}", call_number=f"N49/{n}")

    first = client.get(url("search", school) + "?q=科学")
    second = client.get(url("search", school) + "?q=科学&page=2")

    assert first.context["next_url"].endswith("page=2") and not first.context["prev_url"]
    assert second.context["prev_url"].endswith("page=1") and not second.context["next_url"]
    assert len(first.context["result"].records) == 20 and len(second.context["result"].records) == 5


@pytest.mark.parametrize(
    "query",
    [
        "?q=",
        "?q=" + "猫" * 10000,
        '?q="*NEAR:-"',
        "?q=' OR 1=1; --",
        "?q=😀",
        "?q=%00%01%1b",
        "?q=猫&page=abc",
        "?q=猫&page=-1",
        "?q=猫&page=99999999999999999999",
        "?q=猫&year=x&location=99999999999&clc=中&language=<script>",
    ],
)
def test_bad_search_input_never_errs(client, school, query):
    response = client.get(url("search", school) + query)

    assert response.status_code in (200, 302)


def test_an_empty_search_goes_back_home(client, school):
    response = client.get(url("search", school) + "?q=%20")

    assert response.status_code == 302 and response["Location"] == url("home", school)


def test_a_withdrawn_record_is_not_found_on_the_opac(client, school):
    school.cfz.items.update(status=Item.Status.WITHDRAWN)

    assert client.get(url("record", school, pk=school.cfz.pk)).status_code == 404


def test_a_record_of_another_library_is_not_found(client, school):
    elsewhere = build_school(LibraryFactory.create(code="other-school", name="二小"))

    assert client.get(url("record", school, pk=elsewhere.xyj.pk)).status_code == 404


def test_an_unpublished_list_is_not_shown(client, school):
    hidden = services.reading_list_create(
        library_id=school.library.pk, title="草稿", kind="optional", grades=[], published=False, by=None
    )

    assert client.get(url("list", school, pk=hidden.pk)).status_code == 404
    assert "草稿" not in client.get(url("lists", school)).content.decode()


def test_reading_lists_by_grade_include_the_school_wide_ones(client, school):
    third, fourth = (
        GradeFactory.create(library=school.library, number=3),
        GradeFactory.create(library=school.library, number=4, name="四年级"),
    )
    for title, grades in [("三年级必读", [third]), ("四年级必读", [fourth]), ("全校选读", [])]:
        services.reading_list_create(library_id=school.library.pk, title=title, kind="required", grades=grades, by=None)

    response = client.get(url("lists", school) + "?grade=3")

    assert [each.title for each in response.context["lists"]] == ["三年级必读", "全校选读"]


def test_new_arrivals_take_a_month_and_ignore_a_bad_one(client, school):
    good = client.get(url("new_arrivals", school) + "?month=2026-03")
    bad = client.get(url("new_arrivals", school) + "?month=2026-13")

    assert good.status_code == 200 and good.context["page"].month.isoformat() == "2026-03-01"
    assert bad.status_code == 200


def test_the_only_library_opens_at_once_and_several_are_listed(client, school):
    assert client.get(reverse("opac:choose_library"))["Location"] == url("home", school)

    LibraryFactory.create(code="second", name="第二小学图书馆")
    response = client.get(reverse("opac:choose_library"))

    assert response.status_code == 200 and "第二小学图书馆" in response.content.decode()


def test_kiosk_mode_hides_sign_in_and_stays_on(client, school):
    sign_in = url("sign_in", school)
    assert sign_in in client.get(url("home", school)).content.decode()

    client.get(url("home", school) + "?kiosk=1")
    kiosk_home = client.get(url("home", school)).content.decode()

    assert sign_in not in kiosk_home and "kiosk.js" in kiosk_home
    assert client.get(sign_in)["Location"] == url("home", school)
    client.get(url("home", school) + "?kiosk=0")
    assert sign_in in client.get(url("home", school)).content.decode()


def test_the_pages_speak_english_when_chosen(client, school):
    client.cookies["django_language"] = "en"

    response = client.get(url("home", school))

    assert response.status_code == 200 and 'lang="en"' in response.content.decode()


def _queries(client, page: str) -> int:
    forget_all()  # count the work of a page seen for the first time in this process
    with CaptureQueriesContext(connection) as queries:
        assert client.get(page).status_code == 200
    return len(queries)


def test_list_pages_cost_the_same_queries_for_two_books_or_twenty(client, school):
    """Reading list, new arrivals and most borrowed each read their books' shelves in one query."""
    reading_list = services.reading_list_create(
        library_id=school.library.pk, title="必读", kind="required", grades=[], by=None
    )
    for record in (school.xyj, school.cfz):
        services.reading_list_add(reading_list=reading_list, record=record, by=None)
    pages = [url("list", school, pk=reading_list.pk), url("new_arrivals", school), url("popular", school)]
    before = [_queries(client, page) for page in pages]

    for n in range(18):
        record = book(school.library, school.reading, title=f"书{n}", call_number=f"I{n}/9")
        services.reading_list_add(reading_list=reading_list, record=record, by=None)
        lend(school.other, record.items.get())

    assert [_queries(client, page) for page in pages] == before


def test_a_class_is_browsed_from_the_home_page_without_words(client, school):
    book(school.library, school.lending, title="昆虫记", clc_class="Q96", call_number="Q96/1")

    home = client.get(url("home", school)).content.decode()
    response = client.get(url("search", school) + "?clc=Q")

    assert url("search", school) + "?clc=Q" in home
    assert [record.title for record in response.context["result"].records] == ["昆虫记"]


def test_a_listed_book_no_longer_held_is_shown_without_a_dead_link(client, school):
    reading_list = services.reading_list_create(
        library_id=school.library.pk, title="必读", kind="required", grades=[], by=None
    )
    services.reading_list_add(reading_list=reading_list, record=school.cfz, by=None)
    school.cfz.items.update(status=Item.Status.WITHDRAWN)

    page = client.get(url("list", school, pk=reading_list.pk)).content.decode()

    assert "草房子" in page and url("record", school, pk=school.cfz.pk) not in page


def test_the_reading_stars_are_linked_only_when_the_library_publishes_them(client, school):
    from xiaotu.reports.models import ReportSettings

    stars = reverse("reports:stars_public")
    assert stars not in client.get(url("home", school)).content.decode()
    ReportSettings.objects.create(library=school.library, stars_public=True)
    page = client.get(url("home", school)).content.decode()
    assert f"{stars}?library={school.library.code}" in page
    assert client.get(f"{stars}?library={school.library.code}").status_code == 200
