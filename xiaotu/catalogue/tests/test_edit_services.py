"""Editing records and copies: audited changes, call numbers kept unique, and status changes that never contradict
circulation (on loan only through the desk; a copy out on loan is not put back on the shelf or withdrawn by hand)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from xiaotu.accounts.models import AuditEvent
from xiaotu.catalogue.models import Item
from xiaotu.catalogue.services import EditRefused, item_update, items_update, record_update
from xiaotu.circulation.services import checkin, checkout
from xiaotu.intake.models import Numbering
from xiaotu.testing.factories import (
    ItemCategoryFactory,
    ItemFactory,
    LocationFactory,
    ReaderFactory,
    RecordFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def record(library):
    return RecordFactory.create(library=library, title="西游记", author="吴承恩", call_number="I242.4/1")


@pytest.fixture
def copies(record):
    return [
        ItemFactory.create(library=record.library, record=record, call_number="I242.4/1"),
        ItemFactory.create(library=record.library, record=record, call_number="I242.4/1:2", volume="下册"),
    ]


@pytest.fixture
def lent(rules, library, copies, librarian):
    """The first copy is out with 张小明."""
    reader = ReaderFactory.create(library=library, name="张小明")
    checkout(reader=reader, item=copies[0], by=librarian)
    copies[0].refresh_from_db()
    return copies[0]


# -- records ----------------------------------------------------------------------------------------------------------


def test_a_record_edit_changes_the_fields_and_is_audited(record, librarian):
    record_update(
        record=record,
        changes={
            "title": "西游记（青少版）",
            "author": "吴承恩 著",
            "price": Decimal("32.00"),
            "subjects": ["章回小说"],
        },
        by=librarian,
    )
    record.refresh_from_db()
    assert record.title == "西游记（青少版）" and record.price == Decimal("32.00") and record.subjects == ["章回小说"]
    assert record.authors == [{"name": "吴承恩 著", "role": ""}]
    assert record.author_pinyin.startswith("wu")
    event = AuditEvent.objects.get(action="record.update")
    assert event.data["from"]["title"] == "西游记" and event.data["to"]["price"] == "32.00"


def test_a_new_call_number_follows_onto_the_copies_that_carried_the_old_one(record, copies, librarian):
    record_update(record=record, changes={"call_number": "I242.4/9"}, by=librarian)
    assert [c.call_number for c in Item.objects.filter(record=record).order_by("pk")] == ["I242.4/9", "I242.4/9:2"]
    assert AuditEvent.objects.filter(action="item.update").count() == 2


def test_a_call_number_another_record_has_is_refused_and_nothing_changes(library, record, copies, librarian):
    RecordFactory.create(library=library, title="三国演义", call_number="I242.4/2")
    with pytest.raises(EditRefused) as refused:
        record_update(record=record, changes={"title": "改了", "call_number": "I242.4/2"}, by=librarian)
    assert refused.value.code == "call_number_taken"
    assert "I242.4/2 已被本馆另一种书使用" in refused.value.message
    record.refresh_from_db()
    assert (record.title, record.call_number) == ("西游记", "I242.4/1")
    assert not AuditEvent.objects.exists()


def test_renumbering_gives_the_next_number_of_the_new_class(library, record, librarian):
    Numbering.objects.create(library=library)
    RecordFactory.create(library=library, call_number="I247.5/4")
    record_update(record=record, changes={"clc_class": "I247.5"}, renumber=True, by=librarian)
    record.refresh_from_db()
    assert (record.clc_class, record.call_number) == ("I247.5", "I247.5/5")


def test_an_unchanged_record_writes_no_audit(record, librarian):
    record_update(record=record, changes={"title": "西游记"}, by=librarian)
    assert not AuditEvent.objects.exists()


def test_a_title_cannot_be_emptied_nor_overlong(record, librarian):
    with pytest.raises(EditRefused):
        record_update(record=record, changes={"title": "  "}, by=librarian)
    with pytest.raises(EditRefused):
        record_update(record=record, changes={"title": "长" * 10_000}, by=librarian)
    record.refresh_from_db()
    assert record.title == "西游记"


# -- one copy ---------------------------------------------------------------------------------------------------------


def test_a_copy_changes_place_category_price_and_volume_with_an_audit(library, copies, librarian):
    reading_room = LocationFactory.create(library=library, code="read", name="阅览室")
    reference = ItemCategoryFactory.create(library=library, code="ref", name="工具书", reference_only=True)
    item = item_update(
        item=copies[0],
        changes={"location": reading_room, "category": reference, "price": Decimal("18.50"), "volume": "上册"},
        by=librarian,
    )
    item.refresh_from_db()
    assert (item.location, item.category, item.price, item.volume) == (
        reading_room,
        reference,
        Decimal("18.50"),
        "上册",
    )
    event = AuditEvent.objects.get(action="item.update")
    assert event.data["to"] == {
        "location": reading_room.pk,
        "category": reference.pk,
        "price": "18.50",
        "volume": "上册",
    }


@pytest.mark.parametrize("status", [Item.Status.LOST, Item.Status.DAMAGED, Item.Status.REPAIR, Item.Status.WITHDRAWN])
def test_a_copy_on_the_shelf_may_take_any_status_but_on_loan_and_come_back(copies, librarian, status):
    item_update(item=copies[0], changes={"status": status}, by=librarian)
    assert Item.objects.get(pk=copies[0].pk).status == status
    item_update(item=copies[0], changes={"status": Item.Status.AVAILABLE}, by=librarian)
    assert Item.objects.get(pk=copies[0].pk).status == Item.Status.AVAILABLE


def test_on_loan_is_never_set_by_hand(copies, librarian):
    with pytest.raises(EditRefused) as refused:
        item_update(item=copies[0], changes={"status": Item.Status.ON_LOAN}, by=librarian)
    assert refused.value.code == "status_on_loan_by_hand"
    assert "借还台" in refused.value.message
    assert Item.objects.get(pk=copies[0].pk).status == Item.Status.AVAILABLE


@pytest.mark.parametrize(
    ("status", "words"),
    [
        (Item.Status.AVAILABLE, "请在借还台还书"),
        (Item.Status.WITHDRAWN, "不能注销"),
        (Item.Status.DAMAGED, "还书后才能"),
        (Item.Status.REPAIR, "还书后才能"),
    ],
)
def test_a_copy_out_on_loan_keeps_its_status_and_the_refusal_names_the_reader(lent, librarian, status, words):
    with pytest.raises(EditRefused) as refused:
        item_update(item=lent, changes={"status": status}, by=librarian)
    assert refused.value.code == "status_on_loan"
    assert "张小明" in refused.value.message and words in refused.value.message
    assert Item.objects.get(pk=lent.pk).status == Item.Status.ON_LOAN
    assert not AuditEvent.objects.filter(action="item.update").exists()


def test_a_reader_may_report_a_copy_lost_while_it_is_out_and_the_desk_can_still_take_it_back(lent, librarian):
    item_update(item=lent, changes={"status": Item.Status.LOST}, by=librarian)
    assert Item.objects.get(pk=lent.pk).status == Item.Status.LOST
    checkin(item=lent, by=librarian)  # found again and brought back
    assert Item.objects.get(pk=lent.pk).status == Item.Status.AVAILABLE


def test_a_returned_copy_can_be_withdrawn(lent, librarian):
    checkin(item=lent, by=librarian)
    item_update(item=lent, changes={"status": Item.Status.WITHDRAWN}, by=librarian)
    assert Item.objects.get(pk=lent.pk).status == Item.Status.WITHDRAWN


def test_a_location_of_another_library_is_refused(copies, librarian):
    from xiaotu.testing.factories import LibraryFactory

    elsewhere = LocationFactory.create(library=LibraryFactory.create(code="other", name="别校"))
    with pytest.raises(EditRefused):
        item_update(item=copies[0], changes={"location": elsewhere}, by=librarian)


# -- a batch of copies ------------------------------------------------------------------------------------------------


def test_a_batch_edit_changes_every_copy_and_audits_each(library, copies, librarian):
    room = LocationFactory.create(library=library, code="corner", name="班级图书角")
    items_update(items=copies, changes={"location": room, "status": Item.Status.REPAIR}, by=librarian)
    assert {(i.location_id, i.status) for i in Item.objects.filter(pk__in=[c.pk for c in copies])} == {
        (room.pk, Item.Status.REPAIR)
    }
    assert AuditEvent.objects.filter(action="item.update").count() == 2


def test_a_batch_edit_is_all_or_nothing(library, copies, lent, librarian):
    """One copy out on loan cannot be withdrawn: none of them is, and the refusal says which and why."""
    room = LocationFactory.create(library=library, code="store", name="书库")
    with pytest.raises(EditRefused) as refused:
        items_update(items=copies, changes={"location": room, "status": Item.Status.WITHDRAWN}, by=librarian)
    assert refused.value.code == "batch_refused"
    assert "没有修改任何一册" in refused.value.message and lent.barcode in refused.value.message
    assert not Item.objects.filter(status=Item.Status.WITHDRAWN).exists()
    assert not Item.objects.filter(location=room).exists()
    assert not AuditEvent.objects.filter(action="item.update").exists()


def test_a_batch_edit_only_changes_location_category_or_status(copies, librarian):
    with pytest.raises(ValueError):
        items_update(items=copies, changes={"price": Decimal(1)}, by=librarian)
    with pytest.raises(ValueError):
        items_update(items=copies, changes={}, by=librarian)
