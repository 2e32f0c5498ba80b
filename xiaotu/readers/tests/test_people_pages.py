"""读者名单 and a reader's page: who may open them, what a teacher sees, searching, filters, paging, query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from xiaotu.circulation.services import checkout
from xiaotu.readers.models import Reader, RetiredCard
from xiaotu.readers.tests.people_school import build_school
from xiaotu.testing.factories import ItemFactory, LibraryFactory, ReaderFactory, RecordFactory

pytestmark = pytest.mark.django_db
LIST = reverse("readers:reader_list")
SEARCH = reverse("readers:reader_search")


@pytest.fixture
def school(library):
    return build_school(library)


def names(response) -> list[str]:
    return [reader.name for reader, _counts in response.context["rows"]]


def detail(reader: Reader) -> str:
    return reverse("readers:reader_detail", args=[reader.pk])


# -- who may open what ------------------------------------------------------------------------------------------------


def every_page(school) -> list[tuple[str, str]]:
    pk = school.zhang.pk
    return [
        ("get", LIST),
        ("get", SEARCH + "?q=zxm"),
        ("get", detail(school.zhang)),
        ("get", reverse("readers:reader_edit", args=[pk])),
        ("get", reverse("readers:reader_new")),
        ("get", reverse("readers:reader_photo", args=[pk])),
        ("post", reverse("readers:reader_photo_upload", args=[pk])),
        ("post", reverse("readers:reader_photo_remove", args=[pk])),
        ("post", reverse("readers:reader_export", args=[pk])),
        ("get", reverse("readers:card_print")),
        ("get", reverse("readers:reader_privacy")),
    ]


def test_anonymous_visitors_are_sent_to_log_in(client, school):
    for method, url in every_page(school):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:login")), url


def test_a_student_librarian_opens_no_reader_page(client, school):
    """学生馆员 see readers at the desk only: every reader page, list and search answers 403, and nothing changes."""
    client.force_login(school.student_librarian)
    for method, url in every_page(school):
        assert getattr(client, method)(url).status_code == 403, url
    school.zhang.refresh_from_db()
    assert school.zhang.name == "张小明"


def test_a_teacher_sees_only_the_pupils_of_their_class(client, school):
    client.force_login(school.teacher)
    response = client.get(LIST)
    assert response.status_code == 200
    assert names(response) == ["张小明"]
    assert "李华" not in response.content.decode()
    assert [c.pk for c in response.context["form"].fields["school_class"].queryset] == [school.mine.pk]


def test_a_teacher_gets_404_for_another_class_and_403_for_edits(client, school):
    client.force_login(school.teacher)
    assert client.get(detail(school.zhang)).status_code == 200
    assert client.get(detail(school.li)).status_code == 404
    assert client.get(detail(school.teacher_reader)).status_code == 404
    assert client.get(LIST, {"school_class": school.other.pk}).status_code == 400
    assert client.get(reverse("readers:reader_edit", args=[school.zhang.pk])).status_code == 403
    assert client.post(reverse("readers:reader_export", args=[school.zhang.pk]), {"format": "json"}).status_code == 403
    assert client.get(reverse("readers:card_print")).status_code == 403


def test_a_teacher_reads_without_edit_buttons(client, school):
    client.force_login(school.teacher)
    page = client.get(detail(school.zhang)).content.decode()
    assert "张小明" in page and "R000101" in page
    assert reverse("readers:reader_edit", args=[school.zhang.pk]) not in page
    assert reverse("readers:reader_export", args=[school.zhang.pk]) not in page


def test_a_teacher_searches_only_their_class(client, school):
    client.force_login(school.teacher)
    assert client.get(SEARCH, {"q": "张"}).context["choices"] == [school.zhang]
    assert client.get(SEARCH, {"q": "李华"}).context["choices"] == []
    assert client.get(SEARCH, {"q": "R000102"}).context["choices"] == []


def test_another_librarys_readers_are_not_found(client, school):
    elsewhere = LibraryFactory.create(code="other-school", name="另一所学校")
    stranger = ReaderFactory.create(library=elsewhere, name="张外校", card_barcode="X1")
    client.force_login(school.librarian)
    assert client.get(detail(stranger)).status_code == 404
    assert client.get(SEARCH, {"q": "张"}).context["choices"] == [school.zhang]
    assert "张外校" not in client.get(LIST).content.decode()


# -- the list ---------------------------------------------------------------------------------------------------------


def test_the_list_goes_class_by_class_staff_after_pupils_leavers_last(client, school):
    graduate = ReaderFactory.create(
        library=school.library, name="赵毕业", card_barcode="G1", student_number="20170101", school_class=school.other
    )
    Reader.objects.filter(pk=graduate.pk).update(status=Reader.Status.GRADUATED)
    client.force_login(school.librarian)
    response = client.get(LIST)
    assert response.status_code == 200
    assert names(response) == ["李华", "张小明", "王老师", "赵毕业"]


@pytest.mark.parametrize(
    ("q", "found"),
    [
        ("小明", ["张小明"]),
        ("zhangxiao", ["张小明"]),
        ("zxm", ["张小明"]),
        ("ZXM", ["张小明"]),
        ("20230101", ["李华"]),
        ("r000101", ["张小明"]),
        (" R000102 ", ["李华"]),
        ("G110108201501010011", ["张小明"]),
        ("nobody", []),
    ],
)
def test_the_list_finds_by_name_pinyin_initials_number_and_card(client, school, q, found):
    client.force_login(school.librarian)
    assert names(client.get(LIST, {"q": q})) == found


def test_the_search_offers_the_same_readers_as_options(client, school):
    client.force_login(school.librarian)
    page = client.get(SEARCH, {"q": "zxm"}).content.decode()
    assert 'role="option"' in page and "张小明" in page and detail(school.zhang) in page
    assert "没有找到" in client.get(SEARCH, {"q": "nobody"}).content.decode()
    assert client.get(SEARCH, {"q": ""}).content.decode().strip() == ""
    assert client.get(SEARCH, {"q": "张\x00"}).status_code == 200


def test_filters_narrow_the_list(client, school):
    Reader.objects.filter(pk=school.li.pk).update(status=Reader.Status.SUSPENDED)
    client.force_login(school.librarian)
    assert names(client.get(LIST, {"school_class": school.mine.pk})) == ["张小明"]
    assert names(client.get(LIST, {"grade": school.grade.pk})) == ["李华", "张小明"]
    assert names(client.get(LIST, {"reader_type": school.staff_type.pk})) == ["王老师"]
    assert names(client.get(LIST, {"status": "suspended"})) == ["李华"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"school_class": "abc"}, "请从列表中选择班级"),
        ({"grade": "999999"}, "请从列表中选择年级"),
        ({"reader_type": "x"}, "请从列表中选择读者类型"),
        ({"status": "dead"}, "请选择状态"),
        ({"q": "张\x01"}, "控制字符"),
        ({"q": "张" * 101}, "最多 100 个字符"),
    ],
)
def test_bad_filters_are_answered_in_chinese(client, school, query, message):
    client.force_login(school.librarian)
    response = client.get(LIST, query)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_the_list_pages_and_its_queries_do_not_grow_with_the_page(client, school, django_assert_max_num_queries):
    """50 readers a page; a page of 50 costs no more queries than a page of 3."""
    client.force_login(school.librarian)
    with django_assert_max_num_queries(12) as few:
        client.get(LIST)
    for n in range(60):
        ReaderFactory.create(
            library=school.library,
            card_barcode=f"P{n:05d}",
            student_number=f"9{n:07d}",
            school_class=school.other,
            reader_type=school.pupil_type,
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(LIST)
    assert len(response.context["rows"]) == 50
    assert response.context["page"].paginator.num_pages == 2
    second = client.get(LIST, {"page": "2"})
    assert len(second.context["rows"]) == 13
    assert client.get(LIST, {"page": "abc"}).status_code == 200


# -- a reader ---------------------------------------------------------------------------------------------------------


@pytest.fixture
def lending(rules, school):
    """张小明 has one book out (overdue) and has returned 25 before; an old card of his was reported lost."""
    from xiaotu.circulation.services import checkin

    late = timezone.now() - dt.timedelta(weeks=5)
    book = ItemFactory.create(library=school.library, record=RecordFactory.create(title="昆虫记"))
    checkout(reader=school.zhang, item=book, by=school.librarian, at=late)
    for n in range(25):
        item = ItemFactory.create(library=school.library, record=RecordFactory.create(title=f"旧书{n}"))
        checkout(reader=school.zhang, item=item, by=school.librarian, at=late - dt.timedelta(days=30 + n))
        checkin(item=item, by=school.librarian, at=late - dt.timedelta(days=20 + n))
    RetiredCard.objects.create(
        library=school.library, barcode="R000001", reader=school.zhang, retired_at=late, retired_by=school.librarian
    )
    return book


def test_a_readers_page_shows_details_loans_history_and_lost_cards(client, school, lending):
    client.force_login(school.librarian)
    response = client.get(detail(school.zhang))
    page = response.content.decode()
    assert response.status_code == 200
    for text in ("张小明", "R000101", "三年级(2)班", "20230201", "G110108201501010011", "昆虫记", "逾期", "R000001"):
        assert text in page
    assert len(response.context["loans"]) == 1
    assert response.context["history"].paginator.count == 26
    assert len(response.context["history"].object_list) == 20
    assert len(client.get(detail(school.zhang), {"page": "2"}).context["history"].object_list) == 6
    assert f"{reverse('readers:card_print')}?reader={school.zhang.pk}" in page


def test_a_readers_page_costs_the_same_queries_however_long_the_history(
    client, school, lending, django_assert_max_num_queries
):
    client.force_login(school.librarian)
    with django_assert_max_num_queries(14):
        client.get(detail(school.zhang))


def test_an_unknown_reader_is_404(client, school):
    client.force_login(school.librarian)
    assert client.get(reverse("readers:reader_detail", args=[999999])).status_code == 404
    assert client.get("/readers/abc/").status_code == 404
