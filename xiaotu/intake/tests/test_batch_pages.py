"""总括登记帐: the batch list with volumes and totals from the copies, a batch's copies, and correcting its header."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from xiaotu.accounts.models import AuditEvent, Role
from xiaotu.intake.models import Batch
from xiaotu.intake.selectors import batch_list
from xiaotu.intake.services import batch_update
from xiaotu.intake.tests.page_helpers import ROLES_REFUSED, staff
from xiaotu.testing.factories import ItemFactory, LibraryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, librarian):
    client.force_login(librarian)
    return client


def batch_with(library, number, prices, received_on=dt.date(2026, 3, 1), **fields):
    batch = Batch.objects.create(library=library, number=number, received_on=received_on, **fields)
    for price in prices:
        ItemFactory.create(library=library, batch=batch, price=price, acquired_on=received_on)
    return batch


def test_the_list_counts_volumes_and_totals_from_the_copies(signed_in, library):
    batch_with(
        library, "2026-0001", [Decimal("28.00"), Decimal("12.50"), None], vendor="新华书店", invoice_number="FP9"
    )
    batch_with(library, "2026-0002", [], source=Batch.Source.DONATION)
    rows: dict[str, Any] = {b.number: b for b in batch_list(library=library)}
    assert (rows["2026-0001"].volumes, rows["2026-0001"].total_price, rows["2026-0001"].unpriced) == (
        3,
        Decimal("40.50"),
        1,
    )
    assert (rows["2026-0002"].volumes, rows["2026-0002"].total_price) == (0, Decimal("0"))
    page = signed_in.get(reverse("intake:batches")).content.decode()
    assert "2026-0001" in page and "新华书店" in page and "FP9" in page and "40.50" in page and "捐赠" in page
    assert "1 册无价" in page and "合计 2 批" in page


def test_the_list_takes_the_same_few_queries_however_many_batches(signed_in, library, django_assert_max_num_queries):
    for n in range(3):
        batch_with(library, f"2025-{n:04d}", [Decimal("10")] * 2)
    with django_assert_max_num_queries(6):
        signed_in.get(reverse("intake:batches"))
    for n in range(3, 30):
        batch_with(library, f"2025-{n:04d}", [Decimal("10")] * 2)
    with django_assert_max_num_queries(6):
        page = signed_in.get(reverse("intake:batches")).content.decode()
    assert len(re.findall(r'href="/intake/batches/\d+/"', page)) == 30


def test_a_batch_page_lists_its_copies_a_page_at_a_time(signed_in, library, django_assert_max_num_queries):
    batch = batch_with(library, "2026-0003", [Decimal("5")] * 55)
    url = reverse("intake:batch", args=[batch.pk])
    with django_assert_max_num_queries(6):
        page = signed_in.get(url).content.decode()
    assert page.count('<td class="mono nowrap">T') == 50 and "275.00" in page and "下一页" in page
    assert signed_in.get(url + "?page=2").content.decode().count('<td class="mono nowrap">T') == 5


def test_another_librarys_batch_is_not_found(signed_in):
    other = batch_with(LibraryFactory.create(code="other", name="别校"), "X-1", [])
    assert signed_in.get(reverse("intake:batch", args=[other.pk])).status_code == 404
    assert signed_in.get(reverse("intake:batch_edit", args=[other.pk])).status_code == 404


def test_editing_the_header_is_audited_and_moves_the_copies_date(signed_in, library, librarian):
    batch = batch_with(library, "2026-0004", [Decimal("9")] * 2, vendor="书店")
    response = signed_in.post(
        reverse("intake:batch_edit", args=[batch.pk]),
        {
            "number": "2026-0004",
            "received_on": "2026-03-05",
            "source": "purchase",
            "vendor": "新华书店",
            "invoice_number": "NO.88",
            "note": "春季",
        },
    )
    assert response.status_code == 302
    batch.refresh_from_db()
    assert (batch.vendor, batch.invoice_number, batch.received_on) == ("新华书店", "NO.88", dt.date(2026, 3, 5))
    assert set(batch.items.values_list("acquired_on", flat=True)) == {dt.date(2026, 3, 5)}
    event = AuditEvent.objects.get(action="intake.batch_update", actor=librarian)
    assert event.data["changed"]["vendor"] == {"from": "书店", "to": "新华书店"} and event.data["items_redated"] == 2
    assert "已保存" in signed_in.get(response["Location"]).content.decode()


def test_a_batch_number_in_use_is_refused(signed_in, library):
    batch_with(library, "A", [])
    second = batch_with(library, "B", [])
    response = signed_in.post(
        reverse("intake:batch_edit", args=[second.pk]),
        {"number": "A", "received_on": "2026-03-01", "source": "purchase"},
    )
    assert response.status_code == 400 and "已被另一个批次使用" in response.content.decode()
    assert Batch.objects.get(pk=second.pk).number == "B"


def test_saving_without_a_change_writes_no_audit(library, librarian):
    batch = batch_with(library, "C", [])
    batch_update(
        batch=batch,
        by=librarian,
        number="C",
        received_on=batch.received_on,
        source=batch.source,
        vendor="",
        invoice_number="",
        note="",
    )
    assert not AuditEvent.objects.exists()
    with pytest.raises(ValidationError):
        batch_update(
            batch=batch,
            by=librarian,
            number=" ",
            received_on=batch.received_on,
            source="x",
            vendor="",
            invoice_number="",
            note="",
        )


@pytest.mark.parametrize("role", ROLES_REFUSED)
def test_only_librarians_see_or_edit_batches(client, library, role):
    batch = batch_with(library, "D", [])
    client.force_login(staff(library, role))
    assert client.get(reverse("intake:batch", args=[batch.pk])).status_code == 403
    assert client.post(reverse("intake:batch_edit", args=[batch.pk]), {"number": "E"}).status_code == 403
    assert Batch.objects.get(pk=batch.pk).number == "D"


def test_an_administrator_may_too(client, library):
    client.force_login(staff(library, Role.ADMIN))
    assert client.get(reverse("intake:batches")).status_code == 200
