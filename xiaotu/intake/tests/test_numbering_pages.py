"""编号规则 (管理员 only): accession numbers, barcode source, call number scheme, pre-printed barcode ranges."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from xiaotu.accounts.models import AuditEvent, Role
from xiaotu.intake.models import BarcodeRange, Numbering
from xiaotu.intake.numbering import numbering_for, take_accession_numbers, take_barcodes
from xiaotu.intake.settings_services import barcode_range_add, barcode_range_remove
from xiaotu.intake.tests.page_helpers import staff
from xiaotu.testing.factories import ItemFactory

pytestmark = pytest.mark.django_db
URL = reverse("intake:numbering")
RANGES = reverse("intake:range_add")


@pytest.fixture
def admin(library):
    return staff(library, Role.ADMIN)


@pytest.fixture
def signed_in(client, admin):
    client.force_login(admin)
    return client


def rules(**changes):
    data = {
        "accession_prefix": "",
        "accession_width": "8",
        "accession_last": "0",
        "barcode_mode": "accession",
        "call_number_scheme": "sequence",
    }
    data.update(changes)
    return data


@pytest.mark.parametrize("role", [Role.LIBRARIAN, Role.STUDENT_LIBRARIAN, Role.TEACHER])
def test_only_administrators_set_the_numbering(client, library, role):
    client.force_login(staff(library, role))
    assert client.get(URL).status_code == 403
    assert client.post(URL, rules(accession_prefix="X")).status_code == 403
    assert client.post(RANGES, {"range_prefix": "T", "width": 7, "first": 1, "last": 9}).status_code == 403
    assert numbering_for(library).accession_prefix == "" and not BarcodeRange.objects.exists()


def test_the_page_shows_the_next_number(signed_in, library):
    Numbering.objects.filter(pk=numbering_for(library).pk).update(accession_prefix="A", accession_last=41)
    page = signed_in.get(URL).content.decode()
    assert "A00000042" in page and "预印条码段" in page and "著者号" in page


def test_saving_the_rules_is_audited_and_used(signed_in, library, admin):
    response = signed_in.post(
        URL, rules(accession_prefix="dl-", accession_width="6", accession_last="100", call_number_scheme="author")
    )
    assert response.status_code == 302
    numbering = numbering_for(library)
    assert (numbering.accession_prefix, numbering.accession_width, numbering.accession_last) == ("DL-", 6, 100)
    assert numbering.call_number_scheme == Numbering.CallNumberScheme.AUTHOR
    event = AuditEvent.objects.get(action="intake.numbering", actor=admin)
    assert event.data["from"]["accession_prefix"] == "" and event.data["to"]["accession_prefix"] == "DL-"
    assert take_accession_numbers(library=library, count=2) == ["DL-000101", "DL-000102"]


def test_the_last_number_cannot_go_back_below_one_in_use(signed_in, library):
    ItemFactory.create(library=library, accession_number="00000120")
    response = signed_in.post(URL, rules(accession_last="100"))
    assert response.status_code == 400 and "00000120 已经用过了" in response.content.decode()
    assert numbering_for(library).accession_last == 0
    assert signed_in.post(URL, rules(accession_last="120")).status_code == 302


def test_an_unchanged_counter_below_the_highest_is_left_alone(signed_in, library):
    """Imported copies carry their own numbers; saving the scheme must not be refused because of them."""
    ItemFactory.create(library=library, accession_number="00000500")
    assert signed_in.post(URL, rules(call_number_scheme="author")).status_code == 302


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"accession_width": "4", "accession_last": "12345"}, "超过了 4 位数字"),
        ({"accession_prefix": "A B"}, "前缀只能用字母"),
        ({"accession_width": "0"}, ""),
        ({"accession_width": "19"}, ""),
        ({"accession_last": "-1"}, ""),
    ],
)
def test_plainly_wrong_values_are_refused(signed_in, library, changes, message):
    response = signed_in.post(URL, rules(**changes))
    assert response.status_code == 400 and message in response.content.decode()
    assert not AuditEvent.objects.exists()


def test_pre_printed_mode_without_labels_warns(signed_in):
    response = signed_in.post(URL, rules(barcode_mode="range"))
    assert "还没有可用的预印条码段" in signed_in.get(response["Location"]).content.decode()


def test_a_range_is_added_and_used_in_order(signed_in, library, admin):
    response = signed_in.post(RANGES, {"range_prefix": "t", "width": 7, "first": 1, "last": 3})
    assert response.status_code == 302
    added = BarcodeRange.objects.get()
    assert (added.prefix, added.next, added.remaining) == ("T", 1, 3)
    assert AuditEvent.objects.filter(action="intake.barcode_range_add", actor=admin).exists()
    Numbering.objects.filter(pk=numbering_for(library).pk).update(barcode_mode=Numbering.BarcodeMode.RANGE)
    assert take_barcodes(library=library, accession_numbers=["1", "2"]) == ["T0000001", "T0000002"]
    page = signed_in.get(URL).content.decode()
    assert "T0000003" in page and "还剩 1 个" in page


@pytest.mark.parametrize(
    ("prefix", "width", "first", "last"),
    [
        ("T", 7, 500, 2000),  # inside the range already registered
        ("T", 7, 1, 1000),  # touching its first number
        ("T00", 5, 1500, 1600),  # the same barcodes written with a longer prefix
    ],
)
def test_overlapping_ranges_are_refused(library, admin, prefix, width, first, last):
    barcode_range_add(library=library, prefix="T", width=7, first=1000, last=1999, by=admin)
    with pytest.raises(ValidationError, match="重叠"):
        barcode_range_add(library=library, prefix=prefix, width=width, first=first, last=last, by=admin)


@pytest.mark.parametrize(
    ("prefix", "width", "first", "last"),
    [("T", 7, 2000, 2999), ("T", 8, 1000, 1999), ("S", 7, 1000, 1999), ("T01", 5, 0, 10)],
)
def test_ranges_that_cannot_print_the_same_barcode_are_accepted(library, admin, prefix, width, first, last):
    barcode_range_add(library=library, prefix="T", width=7, first=1000, last=1999, by=admin)
    barcode_range_add(library=library, prefix=prefix, width=width, first=first, last=last, by=admin)
    assert BarcodeRange.objects.count() == 2


def test_a_range_with_a_barcode_in_use_is_refused(signed_in, library):
    ItemFactory.create(library=library, barcode="T0000005")
    response = signed_in.post(RANGES, {"range_prefix": "T", "width": 7, "first": 1, "last": 10})
    assert response.status_code == 400 and "T0000005" in response.content.decode()
    assert not BarcodeRange.objects.exists()


def test_a_range_must_run_forward_and_fit_its_width(signed_in):
    response = signed_in.post(RANGES, {"range_prefix": "T", "width": 3, "first": 10, "last": 5})
    assert response.status_code == 400 and "终止号不能小于起始号" in response.content.decode()
    response = signed_in.post(RANGES, {"range_prefix": "T", "width": 3, "first": 1, "last": 1000})
    assert response.status_code == 400 and "超过了 3 位数字" in response.content.decode()


def test_an_unused_range_can_be_removed_a_used_one_cannot(signed_in, library, admin):
    unused = barcode_range_add(library=library, prefix="U", width=4, first=1, last=9, by=admin)
    used = barcode_range_add(library=library, prefix="V", width=4, first=1, last=9, by=admin)
    BarcodeRange.objects.filter(pk=used.pk).update(next=3)
    signed_in.post(reverse("intake:range_delete", args=[unused.pk]))
    response = signed_in.post(reverse("intake:range_delete", args=[used.pk]))
    assert "已经用了一部分" in signed_in.get(response["Location"]).content.decode()
    assert list(BarcodeRange.objects.values_list("prefix", flat=True)) == ["V"]
    with pytest.raises(ValidationError):
        barcode_range_remove(barcode_range=used, by=admin)
