"""预约 pages: the hold shelf and queues, placing a hold at the desk, cancelling, the daily expiry job."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from xiaotu.accounts.models import Role
from xiaotu.circulation.holds import hold_place
from xiaotu.circulation.models import Hold
from xiaotu.circulation.services import checkin, checkout
from xiaotu.circulation.tasks import expire_holds
from xiaotu.testing.factories import ItemFactory, ReaderFactory, RecordFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client, rules, student_librarian):
    client.force_login(student_librarian)
    return client


@pytest.fixture
def lent(rules, librarian):
    item = ItemFactory.create(record=RecordFactory.create(title="草房子"))
    checkout(reader=ReaderFactory.create(), item=item, by=librarian)
    return item


def test_the_page_lists_the_hold_shelf_and_the_queue(staff, lent, librarian):
    first, second = ReaderFactory.create(name="王芳"), ReaderFactory.create(name="陈静")
    hold_place(reader=first, record=lent.record, by=librarian)
    hold_place(reader=second, record=lent.record, by=librarian)
    checkin(item=lent, by=librarian)
    page = staff.get(reverse("circulation:holds")).content.decode()
    shelf, queue = page.split("预约书架", 1)[1].split("排队中的预约", 1)
    assert "王芳" in shelf and lent.barcode in shelf
    assert "陈静" in queue


def test_placing_a_hold_by_card_and_barcode(staff, lent):
    reader = ReaderFactory.create()
    response = staff.post(reverse("circulation:hold_new"), {"reader": reader.card_barcode, "item": lent.barcode})
    assert response.status_code == 302
    assert Hold.objects.get().reader == reader


def test_a_refused_hold_says_why_and_changes_nothing(staff, rules):
    item = ItemFactory.create(record=RecordFactory.create(title="草房子"))
    reader = ReaderFactory.create()
    response = staff.post(reverse("circulation:hold_new"), {"reader": reader.card_barcode, "item": item.barcode})
    assert response.status_code == 400
    assert "《草房子》书架上有可借的书" in response.content.decode()
    assert not Hold.objects.exists()


def test_an_unknown_card_is_a_clear_message(staff, lent):
    response = staff.post(reverse("circulation:hold_new"), {"reader": "NOPE", "item": lent.barcode})
    assert response.status_code == 400 and "没有这个借书证" in response.content.decode()


def test_an_empty_form_is_a_clear_message(staff):
    response = staff.post(reverse("circulation:hold_new"), {"reader": "", "item": ""})
    assert response.status_code == 400 and "请扫描借书证" in response.content.decode()


def test_staff_cancel_a_hold(staff, lent, librarian):
    hold = hold_place(reader=ReaderFactory.create(), record=lent.record, by=librarian)
    response = staff.post(reverse("circulation:hold_cancel", args=[hold.pk]))
    assert response.status_code == 302
    hold.refresh_from_db()
    assert hold.status == Hold.Status.CANCELLED


def test_a_teacher_may_not_open_the_holds_page(client, library):
    client.force_login(UserFactory.create(library=library, username="t", role=Role.TEACHER))
    assert client.get(reverse("circulation:holds")).status_code == 403


def test_the_daily_job_expires_holds_past_their_deadline(rules, librarian):
    month_ago = timezone.now() - dt.timedelta(days=30)
    item = ItemFactory.create()
    checkout(reader=ReaderFactory.create(), item=item, by=librarian, at=month_ago)
    hold_place(reader=ReaderFactory.create(), record=item.record, by=librarian, at=month_ago)
    checkin(item=item, by=librarian, at=month_ago + dt.timedelta(hours=1))
    assert expire_holds.call_local() == 1
    assert Hold.objects.get().status == Hold.Status.EXPIRED
