"""The 编目 pages through the Django test client: who may open them, the ISBN flow, the short form, records and copies
edited, and bad input answered in words (400) with nothing changed."""

from __future__ import annotations

import pytest
from django.urls import reverse

from xiaotu.accounts.models import AuditEvent, Role
from xiaotu.catalogue.models import Item, Record
from xiaotu.circulation.services import checkout
from xiaotu.intake.models import Batch
from xiaotu.testing.factories import (
    ItemCategoryFactory,
    ItemFactory,
    LocationFactory,
    ReaderFactory,
    RecordFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}
ISBN_PAGE = reverse("catalogue:isbn")
NEW = reverse("catalogue:record_new")


@pytest.fixture
def shelves(library):
    return LocationFactory.create(library=library), ItemCategoryFactory.create(library=library)


@pytest.fixture
def staff(client, librarian, shelves):
    client.force_login(librarian)
    return client


def short_form(shelves, **fields):
    location, category = shelves
    data = {
        "title": "草房子",
        "author": "曹文轩",
        "publisher": "江苏少年儿童出版社",
        "pub_year": "2019",
        "price": "25.00",
        "isbn": "9787534657139",
        "clc_class": "I287.45",
        "call_number": "",
        "copies": "2",
        "location": str(location.pk),
        "category": str(category.pk),
        "batch": "daily",
    }
    data.update(fields)
    return data


def counts():
    return Record.objects.count(), Item.objects.count(), Batch.objects.count(), AuditEvent.objects.count()


# -- who may open what ------------------------------------------------------------------------------------------------

LIBRARY_PAGES = [
    reverse("catalogue:isbn"),
    reverse("catalogue:list"),
    reverse("catalogue:clc_search") + "?q=xs",
    reverse("catalogue:items_edit"),
    reverse("printing:labels"),
]
SETTINGS_PAGES = [reverse("remote_catalogues:list"), reverse("label_layouts:list")]


@pytest.mark.parametrize("url", LIBRARY_PAGES + SETTINGS_PAGES)
@pytest.mark.parametrize("role", [Role.STUDENT_LIBRARIAN, Role.TEACHER])
def test_student_librarians_and_teachers_may_not_open_the_catalogue_pages(client, library, url, role):
    client.force_login(UserFactory.create(library=library, username=f"u-{role}", role=role))
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("url", LIBRARY_PAGES)
def test_librarians_open_the_catalogue_pages_but_not_the_settings(staff, url):
    assert staff.get(url).status_code == 200
    for settings_page in SETTINGS_PAGES:
        assert staff.get(settings_page).status_code == 403


@pytest.mark.parametrize("url", LIBRARY_PAGES + SETTINGS_PAGES)
def test_an_administrator_opens_every_page(client, library, shelves, url):
    client.force_login(UserFactory.create(library=library, username="boss", role=Role.ADMIN))
    assert client.get(url).status_code == 200


def test_signed_out_visitors_are_sent_to_log_in(client):
    response = client.get(ISBN_PAGE)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_menu_shows_catalogue_to_librarians_only(staff, client, library):
    assert "编目" in staff.get(ISBN_PAGE).content.decode()
    client.force_login(UserFactory.create(library=library, username="xg", role=Role.STUDENT_LIBRARIAN))
    assert reverse("catalogue:isbn") not in client.get(reverse("circulation:desk")).content.decode()


def test_records_of_another_library_are_not_found(staff):
    from xiaotu.testing.factories import LibraryFactory

    other = RecordFactory.create(library=LibraryFactory.create(code="other", name="别校"))
    assert staff.get(reverse("catalogue:record", args=[other.pk])).status_code == 404
    assert staff.get(reverse("catalogue:record_edit", args=[other.pk])).status_code == 404


# -- scanning an ISBN -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scanned", "words"),
    [
        ("9787020002208", "校验位不对"),
        ("hello", "不是 ISBN"),
        ("123", "ISBN 应为 10 位或 13 位"),
        ("9" * 10_000, "最多 60 个字符"),
        ("97870\x0020002207", "控制字符"),
    ],
)
def test_a_bad_isbn_gets_a_clear_message(staff, scanned, words):
    for headers in ({}, HTMX):
        response = staff.get(ISBN_PAGE, {"isbn": scanned}, headers=headers)
        assert response.status_code == 400
        assert words in response.content.decode()


def test_a_book_already_here_shows_its_copies_and_offers_more(staff, library):
    record = RecordFactory.create(library=library, title="西游记", isbn="9787020002207", call_number="I242.4/1")
    ItemFactory.create(library=library, record=record, barcode="T0000001")

    page = staff.get(ISBN_PAGE, {"isbn": "7-02-000220-x"}, headers=HTMX).content.decode()

    assert "本馆已有" in page and "《西游记》" in page and "T0000001" in page
    assert reverse("catalogue:copies_add", args=[record.pk]) in page


def test_more_copies_of_a_book_here_come_back_to_the_isbn_box(staff, library, shelves):
    record = RecordFactory.create(library=library, title="西游记", isbn="9787020002207", call_number="I242.4/1")
    location, category = shelves
    response = staff.post(
        reverse("catalogue:copies_add", args=[record.pk]),
        {"copies": "3", "location": location.pk, "category": category.pk, "batch": "daily", "next": ISBN_PAGE},
    )
    assert response.status_code == 302 and response["Location"] == ISBN_PAGE
    assert Item.objects.filter(record=record, call_number="I242.4/1").count() == 3
    assert "已加入 3 册复本" in staff.get(ISBN_PAGE).content.decode()


def test_an_unknown_isbn_without_servers_goes_straight_to_the_short_form(staff):
    page = staff.get(ISBN_PAGE, {"isbn": "9787534657139"}, headers=HTMX).content.decode()
    assert "请填写简要书目" in page
    assert 'value="9787534657139"' in page  # the ISBN is filled in
    assert "还没有设置联合目录服务器" in page


# -- the short form ---------------------------------------------------------------------------------------------------


def test_the_short_form_saves_a_record_with_copies_and_shows_its_call_number(staff, shelves):
    response = staff.post(NEW, short_form(shelves))

    record = Record.objects.get()
    assert response.status_code == 302
    assert response["Location"].startswith(f"{ISBN_PAGE}?done={record.pk}")
    assert (record.title, record.isbn, record.clc_class, record.call_number) == (
        "草房子",
        "9787534657139",
        "I287.45",
        "I287.45/1",
    )
    assert record.items.count() == 2
    page = staff.get(response["Location"]).content.decode()
    assert "I287.45/1" in page and "刚刚编目" in page and "已编目《草房子》" in page
    assert AuditEvent.objects.filter(action="record.create", object_id=record.pk).exists()


def test_the_batch_used_last_is_offered_first_next_time(staff, shelves):
    staff.post(NEW, short_form(shelves))
    batch = Batch.objects.get()
    page = staff.get(ISBN_PAGE, {"isbn": "9787020002207"}).content.decode()
    assert f'<option value="{batch.pk}" selected>' in page


def test_a_donation_batch_needs_the_donor(staff, shelves):
    response = staff.post(NEW, short_form(shelves, batch="donation", donor=""))
    assert response.status_code == 400 and "请填写捐赠人或单位" in response.content.decode()
    assert not Record.objects.exists()
    staff.post(NEW, short_form(shelves, batch="donation", donor="王小明家长"))
    assert Batch.objects.get().vendor == "王小明家长"


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"title": ""}, "请填写题名"),
        ({"title": "长" * 10_000}, "最多 500 个字符"),
        ({"author": "x" * 10_000}, "最多 300 个字符"),
        ({"summary": "x" * 10_000}, "最多 5000 个字符"),
        ({"clc_class": "W123"}, "不是中图法分类号"),
        ({"clc_class": "xs"}, "不是中图法分类号"),
        ({"isbn": "9787534657138"}, "校验位不对"),
        ({"pub_year": "19"}, "出版年应为四位数字"),
        ({"price": "-3"}, "定价不能是负数"),
        ({"price": "abc"}, "定价请填数字"),
        ({"copies": "0"}, "册数应在 1 到 200 之间"),
        ({"copies": "100000"}, "册数应在 1 到 200 之间"),
        ({"location": "999999"}, "请选择本馆的馆藏地点"),
        ({"batch": "424242"}, "请选择批次"),
        ({"title": "草房子\x00"}, "控制字符"),
        ({"call_number": "I" * 100}, "最多 64 个字符"),
    ],
)
def test_bad_input_in_the_short_form_is_answered_in_words_and_nothing_is_saved(staff, shelves, fields, words):
    before = counts()
    response = staff.post(NEW, short_form(shelves, **fields))
    assert response.status_code == 400
    assert words in response.content.decode()
    assert counts() == before


def test_a_call_number_typed_in_that_another_book_has_is_refused(staff, library, shelves):
    RecordFactory.create(library=library, title="青铜葵花", call_number="I287.45/1")
    before = counts()
    response = staff.post(NEW, short_form(shelves, call_number="I287.45/1"))
    assert response.status_code == 400
    assert "索书号 I287.45/1 已被本馆另一种书使用" in response.content.decode()
    assert counts() == before
    staff.post(NEW, short_form(shelves, call_number="I287.45/50"))
    assert Record.objects.get(title="草房子").call_number == "I287.45/50"


def test_a_tampered_candidate_token_is_refused(staff, shelves):
    before = counts()
    response = staff.post(NEW, short_form(shelves, token="not-a-token"))
    assert response.status_code == 400 and "所选的记录已失效" in response.content.decode()
    assert counts() == before
    response = staff.post(reverse("catalogue:record_review"), {"token": "garbage"})
    assert response.status_code == 302


# -- the class picker -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("query", "code"), [("xs", "I24"), ("小说", "I24"), ("I247", "I247"), ("xiaoshuo", "I24")])
def test_the_class_picker_finds_classes_by_code_name_and_pinyin(staff, query, code):
    page = staff.get(reverse("catalogue:clc_search"), {"clc_class": query}).content.decode()
    assert f'data-code="{code}' in page
    assert 'role="option"' in page


def test_the_class_picker_shows_a_class_with_its_broader_classes(staff):
    page = staff.get(reverse("catalogue:clc_search"), {"q": "I247"}).content.decode()
    assert "I2 " in page and "I " in page  # 中国文学 › 文学 shown as the path


def test_the_class_picker_says_when_nothing_matches(staff):
    page = staff.get(reverse("catalogue:clc_search"), {"q": "qqqqqq"}).content.decode()
    assert "没有找到" in page


# -- the staff list ---------------------------------------------------------------------------------------------------


def test_the_list_finds_copies_by_title_isbn_call_number_and_barcode(staff, library):
    wanted = RecordFactory.create(library=library, title="昆虫记", isbn="9787020002207", call_number="Q96/3")
    ItemFactory.create(library=library, record=wanted, barcode="T0123456", call_number="Q96/3")
    ItemFactory.create(library=library, record=RecordFactory.create(library=library, title="小王子"))
    url = reverse("catalogue:list")
    for query in ("昆虫", "7020002207", "702000220X", "Q96/3", "t0123456"):
        page = staff.get(url, {"q": query}).content.decode()
        assert "昆虫记" in page and "小王子" not in page, query


def test_the_list_pages_with_a_fixed_number_of_queries(staff, library, django_assert_max_num_queries):
    for n in range(3):
        ItemFactory.create(library=library, barcode=f"A{n}")
    with django_assert_max_num_queries(12) as few:
        staff.get(reverse("catalogue:list"))
    for n in range(60):
        ItemFactory.create(library=library, barcode=f"B{n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = staff.get(reverse("catalogue:list")).content.decode()
    assert "第 1 / 2 页" in page


def test_an_overlong_search_is_answered_not_failed(staff):
    response = staff.get(reverse("catalogue:list"), {"q": "x" * 10_000})
    assert response.status_code == 400 and "最多 100 个字符" in response.content.decode()


# -- records and copies -----------------------------------------------------------------------------------------------


def test_the_record_page_shows_the_fields_and_the_copies_with_their_loans(staff, library, rules):
    record = RecordFactory.create(
        library=library, title="西游记", isbn="9787020002207", clc_class="I242.4", call_number="I242.4/1"
    )
    item = ItemFactory.create(library=library, record=record, barcode="T0000009")
    checkout(reader=ReaderFactory.create(library=library, name="李华"), item=item, by=None)
    page = staff.get(reverse("catalogue:record", args=[record.pk])).content.decode()
    assert "《西游记》" in page and "9787020002207" in page and "I242.4/1" in page
    assert "T0000009" in page and "借出" in page and "李华" in page
    assert "I24 " in page  # the class shown with its broader classes


def test_a_record_is_edited_from_its_page(staff, library):
    record = RecordFactory.create(library=library, title="西游记", clc_class="I242.4", call_number="I242.4/1")
    form = staff.get(reverse("catalogue:record_edit", args=[record.pk])).content.decode()
    assert 'value="西游记"' in form
    response = staff.post(
        reverse("catalogue:record_edit", args=[record.pk]),
        {
            "title": "西游记（注音版）",
            "author": "吴承恩",
            "clc_class": "i242.4",
            "call_number": "I242.4/1",
            "subjects": "神话\n小说",
        },
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.title == "西游记（注音版）" and record.subjects == ["神话", "小说"]


def test_a_record_edit_refuses_a_call_number_in_use(staff, library):
    RecordFactory.create(library=library, call_number="I242.4/2")
    record = RecordFactory.create(library=library, title="西游记", call_number="I242.4/1")
    response = staff.post(
        reverse("catalogue:record_edit", args=[record.pk]), {"title": "西游记", "call_number": "I242.4/2"}
    )
    assert response.status_code == 400 and "已被本馆另一种书使用" in response.content.decode()
    record.refresh_from_db()
    assert record.call_number == "I242.4/1"


def test_a_copy_is_edited_and_on_loan_is_not_offered(staff, library):
    item = ItemFactory.create(library=library)
    form = staff.get(reverse("catalogue:item_edit", args=[item.pk])).content.decode()
    assert 'value="on_loan"' not in form
    response = staff.post(
        reverse("catalogue:item_edit", args=[item.pk]),
        {
            "location": item.location_id,
            "category": item.category_id,
            "status": "on_loan",
            "call_number": "",
            "volume": "",
        },
    )
    assert response.status_code == 400 and "这个状态不能手工设置" in response.content.decode()
    response = staff.post(
        reverse("catalogue:item_edit", args=[item.pk]),
        {"location": item.location_id, "category": item.category_id, "status": "damaged", "price": "12.5"},
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == Item.Status.DAMAGED and str(item.price) == "12.50"


def test_a_copy_out_on_loan_cannot_be_put_back_on_the_shelf_by_hand(staff, library, rules):
    item = ItemFactory.create(library=library)
    checkout(reader=ReaderFactory.create(library=library, name="王芳"), item=item, by=None)
    response = staff.post(
        reverse("catalogue:item_edit", args=[item.pk]),
        {"location": item.location_id, "category": item.category_id, "status": "available"},
    )
    assert response.status_code == 400
    assert "借给了 王芳" in response.content.decode()
    assert Item.objects.get(pk=item.pk).status == Item.Status.ON_LOAN


def test_ticked_copies_are_edited_together(staff, library):
    items = [ItemFactory.create(library=library) for _ in range(3)]
    room = LocationFactory.create(library=library, code="read", name="阅览室")
    back = reverse("catalogue:list") + "?q=x"
    response = staff.post(
        reverse("catalogue:items_edit"),
        {"item": [i.pk for i in items[:2]], "location": room.pk, "category": "", "status": "", "next": back},
    )
    assert response.status_code == 302 and response["Location"] == back
    assert [Item.objects.get(pk=i.pk).location_id for i in items] == [room.pk, room.pk, items[2].location_id]


def test_a_batch_edit_that_one_copy_refuses_changes_none_and_says_why(staff, library, rules):
    items = [ItemFactory.create(library=library) for _ in range(2)]
    checkout(reader=ReaderFactory.create(library=library, name="刘洋"), item=items[1], by=None)
    response = staff.post(reverse("catalogue:items_edit"), {"item": [i.pk for i in items], "status": "withdrawn"})
    page = response.content.decode()
    assert response.status_code == 400 and "没有修改任何一册" in page and "刘洋" in page
    assert not Item.objects.filter(status=Item.Status.WITHDRAWN).exists()


def test_a_batch_edit_needs_ticks_and_a_change(staff, library):
    item = ItemFactory.create(library=library)
    response = staff.post(reverse("catalogue:items_edit"), {"item": [], "status": "lost"})
    assert response.status_code == 400 and "请先勾选" in response.content.decode()
    response = staff.post(reverse("catalogue:items_edit"), {"item": [item.pk], "status": ""})
    assert response.status_code == 400 and "请至少选择一项" in response.content.decode()


def test_copies_of_another_library_are_ignored_by_a_batch_edit(staff, library):
    from xiaotu.testing.factories import LibraryFactory

    theirs = ItemFactory.create(library=LibraryFactory.create(code="other", name="别校"))
    response = staff.post(reverse("catalogue:items_edit"), {"item": [theirs.pk], "status": "lost"})
    assert response.status_code == 400
    assert Item.objects.get(pk=theirs.pk).status == Item.Status.AVAILABLE
