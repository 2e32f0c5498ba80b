"""借还台: every desk action through the views, as the page sends it (htmx posts), refusals and bad input included."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from xiaotu.accounts.models import Role
from xiaotu.catalogue.models import Item
from xiaotu.circulation.holds import hold_place
from xiaotu.circulation.models import InRoomUse, Loan, Shelving
from xiaotu.circulation.services import checkin, checkout
from xiaotu.readers.models import Reader
from xiaotu.testing.factories import (
    ItemCategoryFactory,
    ItemFactory,
    LibraryFactory,
    ReaderFactory,
    RecordFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}
SCAN = reverse("circulation:desk_scan")
TRANSFER = reverse("circulation:desk_transfer")


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def desk(client, rules, student_librarian):
    """A student librarian signed in at the desk of a school with the conftest loan rules."""
    client.force_login(student_librarian)
    return client


def scan(client, q: str, *, mode: str = "lend", reader: Reader | None = None, htmx: bool = True):
    data = {"mode": mode, "q": q, "reader": reader.pk if reader else ""}
    return client.post(SCAN, data, headers=HTMX if htmx else {})


def weeks_ago(n: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(weeks=n)


def test_desk_page_has_the_scan_box_and_the_shortcuts(desk):
    response = desk.get(reverse("circulation:desk"))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="scan"' in page and "autofocus" in page
    for key in ("F2", "F3", "F4", "F8", "Alt", "Esc"):
        assert f"<kbd>{key}</kbd>" in page
    assert "xiaotu/htmx.min.js" in page


def test_desk_page_opens_in_the_mode_asked_for(desk):
    page = desk.get(reverse("circulation:desk"), {"mode": "return"}).content.decode()
    assert 'data-mode="return"' in page
    assert 'data-mode="lend"' in desk.get(reverse("circulation:desk"), {"mode": "nonsense"}).content.decode()


def test_desk_page_can_open_with_a_reader(desk):
    reader = ReaderFactory.create(name="赵子轩")
    page = desk.get(reverse("circulation:desk"), {"reader": reader.card_barcode}).content.decode()
    assert "赵子轩" in page and f'id="desk-reader" value="{reader.pk}"' in page
    assert "请扫描借书证" in desk.get(reverse("circulation:desk"), {"reader": "NOPE"}).content.decode()


def test_scanning_a_card_shows_the_reader(desk):
    """Given a pupil, when their card is scanned, then the panel shows name, class, type, count and limit."""
    reader = ReaderFactory.create(name="张小明")
    response = scan(desk, reader.card_barcode)
    page = response.content.decode()
    assert response.status_code == 200
    assert "张小明" in page and "三年级(2)班" in page and "学生" in page
    assert f'id="desk-reader" value="{reader.pk}" hx-swap-oob="true"' in page
    assert "data-count>0</span>" in page and "/ 3" in page


def test_reader_panel_lists_loans_with_due_dates_and_overdue_days(desk, librarian):
    reader = ReaderFactory.create()
    checkout(reader=reader, item=ItemFactory.create(record=RecordFactory.create(title="小王子")), by=librarian)
    late = ItemFactory.create(record=RecordFactory.create(title="昆虫记"))
    loan = checkout(reader=reader, item=late, by=librarian, at=weeks_ago(5))
    page = scan(desk, reader.card_barcode).content.decode()
    days = loan.days_overdue(timezone.localdate())
    assert "《昆虫记》" in page and "《小王子》" in page
    assert loan.due_on.isoformat() in page
    assert f"逾期 {days} 天" in page and "is-overdue" in page
    assert "有 1 本书超期未还" in page
    assert 'data-code="reader_has_overdue"' in page


def test_scanning_a_book_lends_it_to_the_reader(desk, student_librarian):
    reader = ReaderFactory.create()
    item = ItemFactory.create(record=RecordFactory.create(title="草房子"))
    response = scan(desk, item.barcode.lower(), reader=reader)
    page = response.content.decode()
    loan = Loan.objects.get(item=item, returned_at__isnull=True)
    assert loan.reader == reader and loan.issued_by == student_librarian
    assert "已借出《草房子》" in page and loan.due_on.isoformat() in page
    assert 'data-sound="ok"' in page and "just-lent" in page


def test_a_book_before_any_card_asks_for_the_card(desk):
    item = ItemFactory.create()
    page = scan(desk, item.barcode).content.decode()
    assert 'data-code="no_reader"' in page and "请先扫描借书证" in page
    assert not Loan.objects.exists()


def test_reference_book_scanned_to_lend_is_recorded_as_read_in_the_room(desk, library):
    """工具书 never leave the room: the scan lends nothing and counts one in-room use for the reader."""
    reader = ReaderFactory.create()
    reference = ItemCategoryFactory.create(library=library, code="ref")
    item = ItemFactory.create(category=reference, record=RecordFactory.create(title="新华字典"))
    page = scan(desk, item.barcode, reader=reader).content.decode()
    assert 'data-code="in_room_use"' in page and "已记录馆内阅览《新华字典》" in page
    assert not Loan.objects.exists()
    assert InRoomUse.objects.get().reader == reader


def test_reference_book_scanned_without_a_reader_is_still_counted(desk, library):
    reference = ItemCategoryFactory.create(library=library, code="ref")
    item = ItemFactory.create(category=reference)
    page = scan(desk, item.barcode).content.decode()
    assert 'data-code="in_room_use"' in page
    assert InRoomUse.objects.get().reader is None


def test_a_refusal_is_prominent(desk, librarian):
    """A refusal comes back at once as an alert with its code, its Chinese message and the error beep."""
    item = ItemFactory.create(record=RecordFactory.create(title="新华字典"))
    checkout(reader=ReaderFactory.create(name="李华"), item=item, by=librarian)
    page = scan(desk, item.barcode, reader=ReaderFactory.create()).content.decode()
    assert 'role="alert"' in page and 'data-code="item_on_loan"' in page and 'data-sound="error"' in page
    assert "《新华字典》已被 李华 借出" in page


def test_category_limit_is_refused_with_the_counts(desk, librarian):
    reader = ReaderFactory.create(name="李华")
    for _ in range(2):
        checkout(reader=reader, item=ItemFactory.create(), by=librarian)
    page = scan(desk, ItemFactory.create().barcode, reader=reader).content.decode()
    assert 'data-code="category_limit_reached"' in page and "李华 已借普通图书 2 本，达到上限 2 本" in page


@pytest.mark.parametrize(
    ("status", "code"),
    [(Reader.Status.SUSPENDED, "reader_suspended"), (Reader.Status.GRADUATED, "reader_graduated")],
)
def test_an_inactive_card_is_flagged_when_scanned_and_refused_when_lending(desk, status, code):
    reader = ReaderFactory.create(status=status)
    assert f'data-code="{code}"' in scan(desk, reader.card_barcode).content.decode()
    assert f'data-code="{code}"' in scan(desk, ItemFactory.create().barcode, reader=reader).content.decode()
    assert not Loan.objects.exists()


def test_lost_book_is_refused(desk):
    item = ItemFactory.create(status=Item.Status.LOST)
    page = scan(desk, item.barcode, reader=ReaderFactory.create()).content.decode()
    assert 'data-code="item_lost"' in page


def test_unknown_barcode_says_so(desk):
    page = scan(desk, "T9999999", reader=ReaderFactory.create()).content.decode()
    assert 'data-code="not_found"' in page and "没有找到「T9999999」" in page


def test_another_card_switches_the_reader(desk):
    first, second = ReaderFactory.create(name="王芳"), ReaderFactory.create(name="刘洋")
    page = scan(desk, second.card_barcode, reader=first).content.decode()
    assert f'id="desk-reader" value="{second.pk}"' in page and "刘洋" in page


@pytest.mark.parametrize("query", ["zxm", "zhangxiao", "小明", "ZXM"])
def test_typing_a_name_or_pinyin_lists_readers_to_pick(desk, query):
    reader = ReaderFactory.create(name="张小明")
    ReaderFactory.create(name="李华")
    page = scan(desk, query).content.decode()
    assert 'role="listbox"' in page and f'name="q" value="{reader.card_barcode}"' in page
    assert "李华" not in page
    assert f'data-query="{query}"' in page


def test_a_student_number_selects_the_reader_at_once(desk):
    reader = ReaderFactory.create(name="陈静", student_number="20239999")
    page = scan(desk, "20239999").content.decode()
    assert f'id="desk-reader" value="{reader.pk}"' in page and 'role="listbox"' not in page


def test_a_book_on_another_readers_card_offers_return_then_lend(desk, librarian):
    holder, reader = ReaderFactory.create(name="张小明"), ReaderFactory.create(name="李华")
    item = ItemFactory.create(record=RecordFactory.create(title="西游记"))
    checkout(reader=holder, item=item, by=librarian)
    page = scan(desk, item.barcode, reader=reader).content.decode()
    assert 'data-code="item_on_loan"' in page and "《西游记》已被 张小明 借出" in page
    assert "data-transfer" in page and f'name="item" value="{item.barcode}"' in page and "<kbd>F8</kbd>" in page


def test_a_book_already_on_this_readers_card_suggests_renewing(desk, librarian):
    reader = ReaderFactory.create()
    item = ItemFactory.create()
    checkout(reader=reader, item=item, by=librarian)
    page = scan(desk, item.barcode, reader=reader).content.decode()
    assert 'data-code="item_on_loan"' in page and "data-transfer" not in page and "F4" in page


def test_return_then_lend_moves_the_book_in_one_step(desk, librarian, student_librarian):
    holder, reader = ReaderFactory.create(name="张小明"), ReaderFactory.create(name="李华")
    item = ItemFactory.create()
    old = checkout(reader=holder, item=item, by=librarian)
    response = desk.post(TRANSFER, {"reader": reader.pk, "item": item.barcode}, headers=HTMX)
    old.refresh_from_db()
    assert old.returned_at is not None and old.returned_by == student_librarian
    assert Loan.objects.get(item=item, returned_at__isnull=True).reader == reader
    assert "已先从 张小明 的名下归还" in response.content.decode()


def test_return_then_lend_does_neither_when_the_reader_may_not_borrow(desk, librarian):
    """Given the new reader is at their limit, the holder keeps the loan: both steps or none."""
    holder, reader = ReaderFactory.create(), ReaderFactory.create()
    for _ in range(2):
        checkout(reader=reader, item=ItemFactory.create(), by=librarian)
    item = ItemFactory.create()
    checkout(reader=holder, item=item, by=librarian)
    page = desk.post(TRANSFER, {"reader": reader.pk, "item": item.barcode}, headers=HTMX).content.decode()
    assert 'data-code="category_limit_reached"' in page and "两步都没有做" in page
    assert Loan.objects.get(item=item, returned_at__isnull=True).reader == holder


def test_return_then_lend_without_a_reader_is_refused(desk):
    response = desk.post(TRANSFER, {"reader": "", "item": "T1"}, headers=HTMX)
    assert response.status_code == 400 and 'data-code="bad_input"' in response.content.decode()


def test_return_mode_returns_the_book_and_lists_it(desk, librarian, student_librarian):
    reader = ReaderFactory.create(name="王芳")
    item = ItemFactory.create(record=RecordFactory.create(title="夏洛的网"))
    checkout(reader=reader, item=item, by=librarian)
    page = scan(desk, item.barcode, mode="return").content.decode()
    loan = Loan.objects.get(item=item)
    assert loan.returned_at is not None and loan.returned_by == student_librarian
    assert "已还《夏洛的网》" in page and "王芳" in page and "三年级(2)班" in page
    assert 'id="returns-panel" class="panel" hx-swap-oob="true"' in page and item.barcode in page
    assert "逾期" not in page.split('id="returns-panel"')[0]


def test_late_return_shows_the_days_overdue(desk, librarian):
    item = ItemFactory.create()
    loan = checkout(reader=ReaderFactory.create(), item=item, by=librarian, at=weeks_ago(5))
    page = scan(desk, item.barcode, mode="return").content.decode()
    days = loan.days_overdue(timezone.localdate())
    assert f'<span class="late">逾期 {days} 天</span>' in page and 'data-sound="warn"' in page


def test_the_running_list_shows_only_my_returns(desk, librarian):
    mine, theirs = ItemFactory.create(), ItemFactory.create()
    for item in (mine, theirs):
        checkout(reader=ReaderFactory.create(), item=item, by=librarian)
    checkin(item=theirs, by=librarian)
    page = scan(desk, mine.barcode, mode="return").content.decode()
    returns = page.split('id="returns-panel"')[1]
    assert mine.barcode in returns and theirs.barcode not in returns


def test_returning_a_book_not_on_loan_records_a_shelving(desk):
    item = ItemFactory.create(record=RecordFactory.create(title="城南旧事"))
    page = scan(desk, item.barcode, mode="return").content.decode()
    assert 'data-code="shelved"' in page and "《城南旧事》没有借出记录，已记录归架" in page
    assert Shelving.objects.get().item == item


def test_the_same_return_scanned_twice_says_so_and_records_nothing_more(desk, librarian):
    item = ItemFactory.create(record=RecordFactory.create(title="城南旧事"))
    checkout(reader=ReaderFactory.create(name="王芳"), item=item, by=librarian)
    scan(desk, item.barcode, mode="return")
    page = scan(desk, item.barcode, mode="return").content.decode()
    assert 'data-code="already_returned"' in page and "王芳" in page
    assert not Shelving.objects.exists()
    assert Loan.objects.filter(returned_at__isnull=False).count() == 1


def test_a_lost_book_handed_in_is_shelved_with_a_warning(desk):
    item = ItemFactory.create(status=Item.Status.LOST)
    page = scan(desk, item.barcode, mode="return").content.decode()
    assert 'data-code="shelved"' in page and "丢失" in page and "notice warn" in page


def test_a_return_for_a_waiting_reader_says_put_it_on_the_hold_shelf(desk, librarian):
    item = ItemFactory.create(record=RecordFactory.create(title="城南旧事"))
    checkout(reader=ReaderFactory.create(), item=item, by=librarian)
    waiting = ReaderFactory.create(name="陈静")
    hold_place(reader=waiting, record=item.record, by=librarian)
    page = scan(desk, item.barcode, mode="return").content.decode()
    assert 'data-code="hold_trapped"' in page and "请放到预约书架：留给 陈静" in page and "notice hold" in page
    again = scan(desk, item.barcode, mode="return").content.decode()
    assert 'data-code="hold_trapped"' in again and not Shelving.objects.exists()


def test_returning_an_unknown_barcode_is_refused(desk):
    page = scan(desk, "X404", mode="return").content.decode()
    assert 'data-code="item_not_found"' in page and "没有这个条码的书：X404" in page


def test_a_card_scanned_in_return_mode_is_explained(desk):
    reader = ReaderFactory.create(name="陈静")
    page = scan(desk, reader.card_barcode, mode="return").content.decode()
    assert 'data-code="card_in_return_mode"' in page and "这是 陈静 的借书证" in page and "F2" in page


def test_renew_mode_renews_the_scanned_book(desk, librarian):
    reader = ReaderFactory.create()
    item = ItemFactory.create(record=RecordFactory.create(title="骆驼祥子"))
    checkout(reader=reader, item=item, by=librarian, at=timezone.now() - dt.timedelta(days=3))
    page = scan(desk, item.barcode, mode="renew").content.decode()
    loan = Loan.objects.get(item=item, returned_at__isnull=True)
    assert loan.renewals == 1
    assert "已续借《骆驼祥子》" in page and loan.due_on.isoformat() in page
    assert f'id="desk-reader" value="{reader.pk}"' in page


def test_renewing_past_the_limit_is_refused(desk, librarian):
    item = ItemFactory.create()
    checkout(reader=ReaderFactory.create(), item=item, by=librarian, at=timezone.now() - dt.timedelta(days=3))
    scan(desk, item.barcode, mode="renew")
    page = scan(desk, item.barcode, mode="renew").content.decode()
    assert 'data-code="renewal_limit_reached"' in page


def test_renew_mode_accepts_a_card_too(desk):
    reader = ReaderFactory.create(name="孙悦")
    page = scan(desk, reader.card_barcode, mode="renew").content.decode()
    assert "孙悦" in page and "Alt+R" in page


@pytest.mark.parametrize(
    ("data", "says"),
    [
        ({"mode": "lend", "q": "T" * 101}, "输入太长"),
        ({"mode": "lend", "q": "x" * 5000}, "输入太长"),
        ({"mode": "lend", "q": "T00\x0001"}, "无法识别的字符"),
        ({"mode": "return", "q": "\x1b[A\x07"}, "无法识别的字符"),
        ({"mode": "fly", "q": "T1"}, "未知的借还方式"),
        ({"q": "T1"}, ""),
        ({"mode": "lend", "q": "T1", "reader": "abc"}, "读者编号不正确"),
        ({"mode": "lend", "q": "T1", "reader": "99999999999999999999999"}, "读者编号不正确"),
    ],
)
def test_bad_input_gets_a_message_never_a_server_error(desk, data, says):
    response = desk.post(SCAN, data, headers=HTMX)
    assert response.status_code == 400
    page = response.content.decode()
    assert 'data-code="bad_input"' in page and says in page


@pytest.mark.parametrize("q", ["", "   ", "\t\r\n"])
@pytest.mark.parametrize("mode", ["lend", "return", "renew"])
def test_an_empty_scan_asks_for_one(desk, q, mode):
    response = desk.post(SCAN, {"mode": mode, "q": q}, headers=HTMX)
    assert response.status_code == 200 and 'class="notice info"' in response.content.decode()


@pytest.mark.parametrize("q", ["' OR 1=1 --", "💥📚", "<script>alert(1)</script>", "%", "_", "张" * 100])
@pytest.mark.parametrize("mode", ["lend", "return", "renew"])
def test_garbage_is_not_found_and_never_echoed_raw(desk, q, mode):
    response = desk.post(SCAN, {"mode": mode, "q": q}, headers=HTMX)
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()
    assert not Loan.objects.exists()


def test_a_reader_of_another_school_is_never_served(desk, rules):
    other = LibraryFactory.create(code="other", name="另一所学校")
    stranger = ReaderFactory.create(library=other, card_barcode="R777777")
    item = ItemFactory.create()
    page = scan(desk, item.barcode, reader=stranger).content.decode()
    assert 'data-code="no_reader"' in page
    assert 'data-code="not_found"' in scan(desk, "R777777").content.decode()


def test_without_javascript_a_scan_returns_the_whole_page(desk):
    reader = ReaderFactory.create(name="吴桐")
    response = scan(desk, reader.card_barcode, htmx=False)
    page = response.content.decode()
    assert response.status_code == 200 and "<html" in page and "吴桐" in page and 'id="scan"' in page


def test_reader_panel_refresh_and_next_reader(desk):
    reader = ReaderFactory.create(name="周杰")
    url = reverse("circulation:desk_reader")
    assert "周杰" in desk.get(url, {"reader": reader.pk}, headers=HTMX).content.decode()
    cleared = desk.get(url, headers=HTMX).content.decode()
    assert 'id="desk-reader" value=""' in cleared and "请扫描借书证" in cleared
    assert desk.get(url, {"reader": "1" * 40}, headers=HTMX).status_code == 200


def test_scan_only_accepts_posts(desk):
    assert desk.get(SCAN).status_code == 405


@pytest.mark.parametrize("page", ["circulation:desk", "circulation:desk_reader"])
def test_anonymous_users_are_sent_to_login(client, page):
    response = client.get(reverse(page))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


def test_anonymous_scan_is_sent_to_login_and_lends_nothing(client, rules):
    response = client.post(SCAN, {"mode": "lend", "q": ItemFactory.create().barcode})
    assert response.status_code == 302 and not Loan.objects.exists()


@pytest.mark.parametrize("role", [Role.ADMIN, Role.LIBRARIAN, Role.STUDENT_LIBRARIAN])
def test_desk_roles_may_use_the_desk(client, library, role):
    client.force_login(UserFactory.create(library=library, role=role))
    assert client.get(reverse("circulation:desk")).status_code == 200


def test_a_teacher_never_reaches_the_desk(client, rules, library):
    client.force_login(UserFactory.create(library=library, role=Role.TEACHER))
    item, reader = ItemFactory.create(), ReaderFactory.create()
    assert client.get(reverse("circulation:desk")).status_code == 403
    assert scan(client, item.barcode, reader=reader).status_code == 403
    assert client.post(TRANSFER, {"reader": reader.pk, "item": item.barcode}).status_code == 403
    assert client.get(reverse("circulation:desk_reader")).status_code == 403
    assert not Loan.objects.exists()


def test_staff_without_a_library_are_refused(client):
    client.force_login(UserFactory.create(library=None, role=Role.LIBRARIAN))
    assert client.get(reverse("circulation:desk")).status_code == 403


# The desk's own share is small (session, user, library, the scanned code, the panel); most of a loan's queries are
# the service's locks, rules, calendar, insert and audit. The bounds leave two queries of room for the service to grow.


def test_a_card_scan_takes_few_queries(desk, django_assert_max_num_queries, librarian):
    reader = ReaderFactory.create()
    for _ in range(2):
        checkout(reader=reader, item=ItemFactory.create(), by=librarian)
    with django_assert_max_num_queries(7):
        scan(desk, reader.card_barcode)


def test_a_loan_takes_few_queries(desk, django_assert_max_num_queries, librarian):
    reader = ReaderFactory.create()
    checkout(reader=reader, item=ItemFactory.create(), by=librarian)
    item = ItemFactory.create()
    with django_assert_max_num_queries(26):
        scan(desk, item.barcode, reader=reader)
    assert Loan.objects.filter(item=item).exists()


def test_a_return_takes_few_queries(desk, django_assert_max_num_queries, librarian):
    items = [ItemFactory.create() for _ in range(3)]
    for item in items:
        checkout(reader=ReaderFactory.create(), item=item, by=librarian)
    scan(desk, items[0].barcode, mode="return")
    scan(desk, items[1].barcode, mode="return")
    with django_assert_max_num_queries(18):
        scan(desk, items[2].barcode, mode="return")
