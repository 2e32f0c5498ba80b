"""赔偿: lost and damaged books priced by the library's factor, settling, the optional fine, the owing limit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from xiaotu.accounts.models import AuditEvent, Role
from xiaotu.catalogue.models import Item
from xiaotu.circulation.compensation import compensation_for_damage, compensation_for_loss, compensation_settle
from xiaotu.circulation.errors import LoanRefused
from xiaotu.circulation.library_settings import forget_settings
from xiaotu.circulation.models import CirculationSettings, Compensation, Loan
from xiaotu.circulation.services import checkin, checkout
from xiaotu.testing.factories import ItemFactory, ReaderFactory, RecordFactory, UserFactory

pytestmark = pytest.mark.django_db
MONDAY = timezone.make_aware(dt.datetime(2026, 3, 2, 10, 0))


@pytest.fixture
def lent(rules, librarian):
    item = ItemFactory.create(price=Decimal("25.80"), record=RecordFactory.create(title="昆虫记"))
    loan = checkout(reader=ReaderFactory.create(), item=item, by=librarian, at=MONDAY)
    return loan


def test_a_lost_book_costs_its_price_times_the_factor_and_closes_the_loan(lent, librarian, library):
    CirculationSettings.objects.create(library=library, compensation_factor=Decimal("2"))
    compensation = compensation_for_loss(loan=lent, by=librarian, at=MONDAY + dt.timedelta(days=3))
    assert compensation.amount == Decimal("51.60") and compensation.status == Compensation.Status.OWED
    assert compensation.basis == "25.80 × 2.00"
    lent.refresh_from_db()
    assert lent.lost and lent.returned_at is not None
    assert Item.objects.get(pk=lent.item_id).status == Item.Status.LOST
    assert AuditEvent.objects.filter(action="compensation.lost", object_id=compensation.pk).exists()


def test_a_book_without_a_price_needs_one_typed_in(rules, librarian):
    item = ItemFactory.create(price=None, record=RecordFactory.create(title="昆虫记", price=None))
    loan = checkout(reader=ReaderFactory.create(), item=item, by=librarian, at=MONDAY)
    with pytest.raises(LoanRefused) as info:
        compensation_for_loss(loan=loan, by=librarian)
    assert info.value.code == "compensation_no_price"
    assert Loan.objects.get(pk=loan.pk).returned_at is None  # nothing changed
    assert compensation_for_loss(loan=loan, by=librarian, price=Decimal("18")).amount == Decimal("18.00")


def test_the_records_price_is_used_when_the_copy_has_none(rules, librarian):
    item = ItemFactory.create(price=None, record=RecordFactory.create(price=Decimal("30.00")))
    loan = checkout(reader=ReaderFactory.create(), item=item, by=librarian, at=MONDAY)
    assert compensation_for_loss(loan=loan, by=librarian).amount == Decimal("30.00")


def test_a_damaged_return_is_charged_to_its_last_borrower_and_goes_for_repair(lent, librarian):
    checkin(item=lent.item, by=librarian, at=MONDAY + dt.timedelta(days=1))
    compensation = compensation_for_damage(item=lent.item, by=librarian)
    assert compensation.reader_id == lent.reader_id and compensation.kind == Compensation.Kind.DAMAGED
    assert Item.objects.get(pk=lent.item_id).status == Item.Status.DAMAGED
    assert AuditEvent.objects.filter(action="item.damaged", object_id=lent.item_id).exists()


def test_a_copy_never_lent_cannot_be_charged_for_damage(rules, librarian):
    with pytest.raises(LoanRefused) as info:
        compensation_for_damage(item=ItemFactory.create(price=Decimal("10")), by=librarian)
    assert info.value.code == "compensation_no_reader"


def test_settling_records_how_and_only_once(lent, librarian):
    compensation = compensation_for_loss(loan=lent, by=librarian)
    settled = compensation_settle(compensation=compensation, status="replaced", note="赔了一本新书", by=librarian)
    assert settled.status == Compensation.Status.REPLACED and settled.settled_by == librarian
    with pytest.raises(LoanRefused) as info:
        compensation_settle(compensation=compensation, status="paid", by=librarian)
    assert info.value.code == "compensation_settled"


def test_a_reader_owing_more_than_the_limit_cannot_borrow(lent, librarian, library):
    compensation_for_loss(loan=lent, by=librarian)
    with pytest.raises(LoanRefused) as info:
        checkout(reader=lent.reader, item=ItemFactory.create(), by=librarian)
    assert info.value.code == "reader_owes" and "25.80" in info.value.message


def test_a_reader_whose_debt_is_settled_borrows_again(lent, librarian):
    compensation = compensation_for_loss(loan=lent, by=librarian)
    compensation_settle(compensation=compensation, status="waived", by=librarian)
    checkout(reader=lent.reader, item=ItemFactory.create(), by=librarian)


def test_a_debt_under_the_limit_does_not_block(lent, librarian, library):
    CirculationSettings.objects.create(library=library, owing_limit=Decimal("30"))
    forget_settings(library.pk)  # as the settings page does
    compensation_for_loss(loan=lent, by=librarian)
    checkout(reader=lent.reader, item=ItemFactory.create(), by=librarian)


def test_no_fine_by_default(lent, librarian):
    checkin(item=lent.item, by=librarian, at=MONDAY + dt.timedelta(days=30))
    assert not Compensation.objects.exists()


def test_a_library_with_a_fine_charges_each_late_day(lent, librarian, library):
    CirculationSettings.objects.create(library=library, fine_per_day=Decimal("0.10"))
    forget_settings(library.pk)  # as the settings page does
    result = checkin(item=lent.item, by=librarian, at=MONDAY + dt.timedelta(days=30))
    fine = Compensation.objects.get()
    assert fine.kind == Compensation.Kind.FINE and fine.amount == Decimal("0.10") * result.days_overdue


def test_the_page_registers_a_loss_by_barcode(client, lent, librarian):
    client.force_login(librarian)
    response = client.post(reverse("circulation:compensation_new"), {"item": lent.item.barcode, "kind": "lost"})
    assert response.status_code == 302
    page = client.get(reverse("circulation:compensation")).content.decode()
    assert "《昆虫记》" in page and "25.80" in page


def test_the_page_refuses_a_loss_of_a_book_on_the_shelf(client, rules, librarian):
    client.force_login(librarian)
    item = ItemFactory.create(price=Decimal("9"))
    response = client.post(reverse("circulation:compensation_new"), {"item": item.barcode, "kind": "lost"})
    assert response.status_code == 400 and "没有借出" in response.content.decode()
    assert not Compensation.objects.exists()


def test_the_page_refuses_a_bad_price(client, lent, librarian):
    client.force_login(librarian)
    response = client.post(
        reverse("circulation:compensation_new"), {"item": lent.item.barcode, "kind": "lost", "price": "abc"}
    )
    assert response.status_code == 400 and "定价请填写数字" in response.content.decode()


def test_settling_on_the_page(client, lent, librarian):
    client.force_login(librarian)
    compensation = compensation_for_loss(loan=lent, by=librarian)
    client.post(reverse("circulation:compensation_settle", args=[compensation.pk]), {"status": "paid", "note": ""})
    compensation.refresh_from_db()
    assert compensation.status == Compensation.Status.PAID


def test_only_administrators_change_the_settings(client, library, librarian):
    client.force_login(librarian)
    assert client.get(reverse("circulation:settings")).status_code == 403
    admin = UserFactory.create(library=library, username="admin", role=Role.ADMIN)
    client.force_login(admin)
    form = {
        "hold_pickup_days": 5,
        "hold_limit": 2,
        "compensation_factor": "1.5",
        "fine_per_day": "0",
        "owing_limit": "0",
    }
    assert client.post(reverse("circulation:settings"), form).status_code == 302
    assert CirculationSettings.objects.get(library=library).hold_pickup_days == 5


def test_the_settings_refuse_a_zero_factor(client, library):
    admin = UserFactory.create(library=library, username="admin", role=Role.ADMIN)
    client.force_login(admin)
    form = {"hold_pickup_days": 0, "hold_limit": 2, "compensation_factor": "0", "fine_per_day": "0", "owing_limit": "0"}
    response = client.post(reverse("circulation:settings"), form)
    assert response.status_code == 400 and "赔偿倍数必须大于 0" in response.content.decode()
    assert not CirculationSettings.objects.exists()
