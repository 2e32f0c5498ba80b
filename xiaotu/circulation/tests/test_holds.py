"""预约: placing, trapping at return, the hold shelf at check-out, cancelling and expiry."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from xiaotu.accounts.models import AuditEvent
from xiaotu.catalogue.models import Item
from xiaotu.circulation.errors import HoldRefused, LoanRefused
from xiaotu.circulation.holds import hold_cancel, hold_place, hold_shelf, holds_expire, reader_holds
from xiaotu.circulation.models import CirculationSettings, Hold, ReaderNotice
from xiaotu.circulation.services import checkin, checkout, renew
from xiaotu.readers.models import Reader
from xiaotu.testing.factories import ItemFactory, ReaderFactory, RecordFactory

pytestmark = pytest.mark.django_db
MONDAY = timezone.make_aware(dt.datetime(2026, 3, 2, 10, 0))


@pytest.fixture
def lent(rules, librarian):
    """One title with a single copy, lent to a first reader."""
    item = ItemFactory.create()
    checkout(reader=ReaderFactory.create(), item=item, by=librarian, at=MONDAY)
    return item


def test_a_reader_joins_the_queue_for_a_title_out_on_loan(lent, librarian):
    reader = ReaderFactory.create()
    hold = hold_place(reader=reader, record=lent.record, by=librarian, at=MONDAY)
    assert hold.status == Hold.Status.WAITING and hold.item is None
    assert AuditEvent.objects.filter(action="hold.place", object_id=hold.pk).exists()


def test_a_hold_by_a_reader_who_already_has_the_book_is_refused(rules, librarian):
    item = ItemFactory.create()
    reader = ReaderFactory.create()
    checkout(reader=reader, item=item, by=librarian, at=MONDAY)
    with pytest.raises(HoldRefused) as info:
        hold_place(reader=reader, record=item.record, by=librarian)
    assert info.value.code == "hold_already_on_loan"
    assert not Hold.objects.exists()


def test_a_second_hold_on_the_same_title_is_refused(lent, librarian):
    reader = ReaderFactory.create()
    hold_place(reader=reader, record=lent.record, by=librarian)
    with pytest.raises(HoldRefused) as info:
        hold_place(reader=reader, record=lent.record, by=librarian)
    assert info.value.code == "hold_duplicate"
    assert Hold.objects.count() == 1


def test_a_title_with_a_copy_on_the_shelf_is_not_held(lent, librarian):
    ItemFactory.create(record=lent.record)
    with pytest.raises(HoldRefused) as info:
        hold_place(reader=ReaderFactory.create(), record=lent.record, by=librarian)
    assert info.value.code == "hold_copy_on_shelf"


def test_a_reference_only_title_cannot_be_held(rules, librarian):
    from xiaotu.catalogue.models import ItemCategory

    item = ItemFactory.create(category=ItemCategory.objects.get(code="ref"))
    with pytest.raises(HoldRefused) as info:
        hold_place(reader=ReaderFactory.create(), record=item.record, by=librarian)
    assert info.value.code == "hold_not_holdable"


def test_the_library_limits_how_many_titles_a_reader_holds(rules, librarian, library):
    CirculationSettings.objects.create(library=library, hold_limit=1)
    reader, other = ReaderFactory.create(), ReaderFactory.create()
    first, second = ItemFactory.create(), ItemFactory.create()
    checkout(reader=other, item=first, by=librarian, at=MONDAY)
    checkout(reader=other, item=second, by=librarian, at=MONDAY)
    hold_place(reader=reader, record=first.record, by=librarian)
    with pytest.raises(HoldRefused) as info:
        hold_place(reader=reader, record=second.record, by=librarian)
    assert info.value.code == "hold_limit_reached"


def test_a_suspended_reader_cannot_hold(lent, librarian):
    reader = ReaderFactory.create(status=Reader.Status.SUSPENDED)
    with pytest.raises(HoldRefused) as info:
        hold_place(reader=reader, record=lent.record, by=librarian)
    assert info.value.code == "reader_suspended"


def test_a_return_keeps_the_copy_for_the_first_in_line_and_tells_them(lent, librarian):
    first, second = ReaderFactory.create(), ReaderFactory.create()
    hold_place(reader=first, record=lent.record, by=librarian, at=MONDAY)
    hold_place(reader=second, record=lent.record, by=librarian, at=MONDAY + dt.timedelta(minutes=1))

    result = checkin(item=lent, by=librarian, at=MONDAY + dt.timedelta(days=1))

    assert result.hold is not None and result.hold.reader == first
    hold = Hold.objects.get(reader=first)
    assert hold.status == Hold.Status.READY and hold.item_id == lent.pk
    assert hold.pickup_by == dt.date(2026, 3, 10)  # Tuesday + 7 days
    notice = ReaderNotice.objects.get(reader=first)
    assert notice.kind == ReaderNotice.Kind.HOLD_READY and lent.record.title in notice.text
    assert Hold.objects.get(reader=second).status == Hold.Status.WAITING


def test_a_return_with_no_one_waiting_keeps_nothing(lent, librarian):
    assert checkin(item=lent, by=librarian, at=MONDAY).hold is None


def test_a_copy_on_the_hold_shelf_is_refused_to_another_reader(lent, librarian):
    holder = ReaderFactory.create(name="王芳")
    hold_place(reader=holder, record=lent.record, by=librarian, at=MONDAY)
    checkin(item=lent, by=librarian, at=MONDAY)
    with pytest.raises(LoanRefused) as info:
        checkout(reader=ReaderFactory.create(), item=lent, by=librarian, at=MONDAY)
    assert info.value.code == "item_on_hold_shelf"
    assert "王芳" in info.value.message
    lent.refresh_from_db()
    assert lent.status == Item.Status.AVAILABLE


def test_lending_the_kept_copy_to_its_holder_fulfils_the_hold(lent, librarian):
    holder = ReaderFactory.create()
    hold_place(reader=holder, record=lent.record, by=librarian, at=MONDAY)
    checkin(item=lent, by=librarian, at=MONDAY)
    checkout(reader=holder, item=lent, by=librarian, at=MONDAY + dt.timedelta(hours=1))
    assert Hold.objects.get(reader=holder).status == Hold.Status.FULFILLED
    assert not hold_shelf(lent.library).exists()


def test_borrowing_another_copy_passes_the_kept_one_to_the_next_reader(lent, librarian):
    holder, next_one = ReaderFactory.create(), ReaderFactory.create()
    hold_place(reader=holder, record=lent.record, by=librarian, at=MONDAY)
    hold_place(reader=next_one, record=lent.record, by=librarian, at=MONDAY + dt.timedelta(minutes=1))
    checkin(item=lent, by=librarian, at=MONDAY)
    other_copy = ItemFactory.create(record=lent.record)

    checkout(reader=holder, item=other_copy, by=librarian, at=MONDAY)

    assert Hold.objects.get(reader=holder).status == Hold.Status.FULFILLED
    passed = Hold.objects.get(reader=next_one)
    assert passed.status == Hold.Status.READY and passed.item_id == lent.pk


def test_the_same_book_returned_twice_traps_it_once(lent, librarian):
    hold_place(reader=ReaderFactory.create(), record=lent.record, by=librarian, at=MONDAY)
    checkin(item=lent, by=librarian, at=MONDAY)
    with pytest.raises(LoanRefused):
        checkin(item=lent, by=librarian, at=MONDAY)
    assert Hold.objects.filter(status=Hold.Status.READY).count() == 1
    assert ReaderNotice.objects.count() == 1


def test_cancelling_a_ready_hold_passes_the_copy_on(lent, librarian):
    first, second = ReaderFactory.create(), ReaderFactory.create()
    hold = hold_place(reader=first, record=lent.record, by=librarian, at=MONDAY)
    hold_place(reader=second, record=lent.record, by=librarian, at=MONDAY + dt.timedelta(minutes=1))
    checkin(item=lent, by=librarian, at=MONDAY)

    cancelled = hold_cancel(hold=hold, by=None)

    assert cancelled.status == Hold.Status.CANCELLED
    assert Hold.objects.get(reader=second).status == Hold.Status.READY
    assert not ReaderNotice.objects.filter(reader=first, kind=ReaderNotice.Kind.HOLD_CANCELLED).exists()


def test_a_closed_hold_cannot_be_cancelled_again(lent, librarian):
    hold = hold_place(reader=ReaderFactory.create(), record=lent.record, by=librarian)
    hold_cancel(hold=hold, by=librarian)
    with pytest.raises(HoldRefused) as info:
        hold_cancel(hold=hold, by=librarian)
    assert info.value.code == "hold_not_active"


def test_a_hold_not_fetched_in_time_expires_and_the_next_reader_gets_the_copy(lent, librarian, library):
    first, second = ReaderFactory.create(), ReaderFactory.create()
    hold_place(reader=first, record=lent.record, by=librarian, at=MONDAY)
    hold_place(reader=second, record=lent.record, by=librarian, at=MONDAY + dt.timedelta(minutes=1))
    checkin(item=lent, by=librarian, at=MONDAY)
    pickup_by = Hold.objects.get(reader=first).pickup_by
    assert pickup_by is not None

    assert holds_expire(library=library, today=pickup_by) == 0
    assert holds_expire(library=library, today=pickup_by + dt.timedelta(days=1)) == 1

    assert Hold.objects.get(reader=first).status == Hold.Status.EXPIRED
    assert ReaderNotice.objects.filter(reader=first, kind=ReaderNotice.Kind.HOLD_EXPIRED).exists()
    assert Hold.objects.get(reader=second).status == Hold.Status.READY


def test_a_reader_sees_their_holds_with_their_place_in_the_queue(lent, librarian):
    first, second = ReaderFactory.create(), ReaderFactory.create()
    hold_place(reader=first, record=lent.record, by=librarian, at=MONDAY)
    hold_place(reader=second, record=lent.record, by=librarian, at=MONDAY + dt.timedelta(minutes=1))
    (mine,) = reader_holds(second)
    assert mine.queue_position == 2  # type: ignore[attr-defined]


def test_a_waiting_reader_who_borrows_a_copy_directly_has_their_hold_fulfilled(lent, librarian):
    reader = ReaderFactory.create()
    hold_place(reader=reader, record=lent.record, by=librarian, at=MONDAY)
    checkout(reader=reader, item=ItemFactory.create(record=lent.record), by=librarian, at=MONDAY)
    assert Hold.objects.get(reader=reader).status == Hold.Status.FULFILLED


def test_holds_of_another_library_are_refused(lent, librarian):
    other_record = RecordFactory.create(library__code="other-school")
    with pytest.raises(HoldRefused) as info:
        hold_place(reader=ReaderFactory.create(), record=other_record, by=librarian)
    assert info.value.code == "hold_not_holdable"


def test_a_book_someone_waits_for_cannot_be_renewed(lent, librarian):
    hold_place(reader=ReaderFactory.create(), record=lent.record, by=librarian, at=MONDAY)
    with pytest.raises(LoanRefused) as info:
        renew(item=lent, by=librarian, at=MONDAY + dt.timedelta(days=10))
    assert info.value.code == "renewal_on_hold"


def test_the_desk_tells_a_reader_their_hold_is_waiting_when_their_card_is_scanned(lent, librarian, library):
    from xiaotu.circulation.desk import lend

    holder = ReaderFactory.create()
    hold_place(reader=holder, record=lent.record, by=librarian, at=MONDAY)
    checkin(item=lent, by=librarian, at=MONDAY)
    result = lend(library=library, reader=None, text=holder.card_barcode, by=librarian)
    assert result.notice is not None and f"《{lent.record.title}》" in result.notice.hint
