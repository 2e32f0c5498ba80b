"""打印标签 and 标签纸设置 through the Django test client: the PDF comes back inline, its barcodes scan, and every
mistake (no copies, a bad range, a sheet that does not fit) is answered in words with nothing printed or saved."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import zxingcpp
from django.urls import reverse

from xiaotu.accounts.models import AuditEvent, Role
from xiaotu.intake.models import Batch, LabelLayout
from xiaotu.testing.factories import ItemFactory, LibraryFactory, RecordFactory, UserFactory

pytestmark = pytest.mark.django_db
LABELS = reverse("printing:labels")
CODE128 = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.Code128)


@pytest.fixture
def batch(library):
    """A delivery of three books, numbered 00000101–00000103, barcodes the same numbers."""
    batch = Batch.objects.create(library=library, number="2026-0001", received_on=dt.date(2026, 9, 1))
    for n, (title, call_number) in enumerate([("西游记", "I242.4/1"), ("草房子", "I287.45/12"), ("昆虫记", "Q96/3")]):
        number = f"{101 + n:08d}"
        record = RecordFactory.create(library=library, title=title, call_number=call_number)
        ItemFactory.create(
            library=library,
            record=record,
            batch=batch,
            accession_number=number,
            barcode=number,
            call_number=call_number,
        )
    return batch


@pytest.fixture
def staff(client, librarian):
    client.force_login(librarian)
    return client


@pytest.fixture
def admin(client, library):
    client.force_login(UserFactory.create(library=library, username="admin", role=Role.ADMIN))
    return client


def order(**fields):
    data = {
        "print": "1",
        "kind": "spine",
        "source": "batch",
        "layout": "preset:a4-spine-5x13",
        "start": "1",
        "school_name": "实验小学",
    }
    data.update(fields)
    return data


def decoded(pages) -> list[str]:
    return sorted(result.text for page in pages for result in zxingcpp.read_barcodes(page, formats=CODE128))


def test_spine_labels_for_a_batch_come_back_as_an_inline_pdf(staff, batch, pdf_text):
    response = staff.post(LABELS, order(batch=batch.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    text = pdf_text(response.content)
    for line in ("I242.4", "/1", "I287.45", "/12", "Q96", "/3", "实验小学"):
        assert line in text


def test_barcode_labels_for_an_accession_range_scan_back_to_their_numbers(staff, batch, render, pdf_text):
    response = staff.post(
        LABELS,
        order(kind="barcode", source="range", first="00000101", last="00000103", layout="preset:a4-barcode-4x10"),
    )
    assert response.status_code == 200
    assert decoded(render(response.content)) == ["00000101", "00000102", "00000103"]
    assert "实验小学" in pdf_text(response.content)


def test_a_barcode_that_is_not_the_accession_number_is_what_the_bars_say(staff, library, render, pdf_text):
    """Pre-printed labels: the desk scans the barcode, so that is encoded; the accession number is printed under it."""
    item = ItemFactory.create(library=library, barcode="XT2026000042", accession_number="00000042", call_number="I/1")
    response = staff.post(
        LABELS,
        order(kind="barcode", source="selection", item=[item.pk], layout="preset:a4-barcode-3x10", school_name=""),
    )
    assert decoded(render(response.content)) == ["XT2026000042"]
    assert pdf_text(response.content) == ["00000042"]


def test_a_partly_used_sheet_starts_at_the_first_free_label(staff, batch, render):
    response = staff.post(LABELS, order(kind="barcode", batch=batch.pk, layout="preset:a4-barcode-4x10", start="39"))
    pages = render(response.content)
    assert len(pages) == 2  # labels 39 and 40 on the first sheet, the third on a new one
    assert decoded(pages) == ["00000101", "00000102", "00000103"]


def test_the_librarys_own_sheet_is_offered_and_used(staff, library, batch, pdf_text):
    sheet = LabelLayout.objects.create(
        library=library,
        kind="spine",
        name="我们的书标纸",
        label_width=40,
        label_height=25,
        rows=10,
        columns=4,
        is_default=True,
    )
    form = staff.get(LABELS).content.decode()
    assert f'value="layout:{sheet.pk}" data-kind="spine" selected' in form
    response = staff.post(LABELS, order(batch=batch.pk, layout=f"layout:{sheet.pk}"))
    assert response["Content-Type"] == "application/pdf" and "Q96" in pdf_text(response.content)


def test_copies_ticked_on_a_list_fill_the_form_in_first(staff, batch):
    ids = list(batch.items.values_list("pk", flat=True))[:2]
    page = staff.post(LABELS, {"item": ids, "kind": "barcode", "next": "/catalogue/"}).content.decode()
    assert "已勾选 2 册" in page
    assert re.search(r'name="source" value="selection"[^>]*checked', page)
    assert re.search(r'name="kind" value="barcode"[^>]*checked', page)
    assert page.count('type="hidden" name="item"') == 2


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"source": "batch", "batch": ""}, "请选择批次"),
        ({"source": "range", "first": "00000101", "last": ""}, "请填写起止登录号"),
        ({"source": "range", "first": "A001", "last": "B009"}, "前缀必须相同"),
        ({"source": "range", "first": "00000109", "last": "00000101"}, "结束登录号不能小于起始登录号"),
        ({"source": "range", "first": "00000001", "last": "00099999"}, "一次最多打印 5000 个标签"),
        ({"source": "range", "first": "00000500", "last": "00000600"}, "没有找到要打印标签的册"),
        ({"source": "selection"}, "没有找到要打印标签的册"),
        ({"layout": "preset:nonsense"}, "请选择标签纸"),
        ({"start": "66"}, "起始位置必须在 1 到 65 之间"),
        ({"start": "0"}, "起始位置从 1 开始"),
        ({"first": "x" * 10_000, "source": "range", "last": "1"}, "最多 32 个字符"),
        ({"school_name": "校" * 10_000}, "最多 50 个字符"),
    ],
)
def test_a_print_order_that_cannot_be_printed_says_why(staff, batch, fields, words):
    response = staff.post(LABELS, order(**{"batch": batch.pk, **fields}))
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert words in response.content.decode()


def test_spine_labels_are_refused_for_copies_without_a_call_number(staff, library, batch):
    ItemFactory.create(
        library=library, batch=batch, barcode="NOCALL1", call_number="", record=RecordFactory.create(library=library)
    )
    response = staff.post(LABELS, order(batch=batch.pk))
    assert response.status_code == 400
    assert "有 1 册还没有索书号（NOCALL1）" in response.content.decode()


def test_a_sheet_or_batch_of_another_library_is_not_used(staff, library, batch):
    other = LibraryFactory.create(code="other", name="别校")
    theirs = LabelLayout.objects.create(library=other, kind="spine", name="别校的", label_width=30, label_height=20)
    response = staff.post(LABELS, order(batch=batch.pk, layout=f"layout:{theirs.pk}"))
    assert response.status_code == 400 and "请选择标签纸" in response.content.decode()
    their_batch = Batch.objects.create(library=other, number="X", received_on=dt.date(2026, 1, 1))
    response = staff.post(LABELS, order(batch=their_batch.pk))
    assert response.status_code == 400


# -- 标签纸设置 -------------------------------------------------------------------------------------------------------


def sheet(**fields):
    data = {
        "name": "书标纸",
        "kind": "spine",
        "label_width": "38.1",
        "label_height": "21.2",
        "rows": "13",
        "columns": "5",
        "page_width": "210",
        "page_height": "297",
        "margin_top": "10.7",
        "margin_left": "4.75",
        "gap_x": "2.5",
        "gap_y": "0",
        "offset_x": "0",
        "offset_y": "0",
    }
    data.update(fields)
    return data


def test_a_sheet_starts_from_a_preset_and_is_the_default_of_its_kind(admin, library):
    response = admin.post(reverse("label_layouts:list"), {"preset": "a4-spine-5x13", "name": ""})
    layout = LabelLayout.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("label_layouts:edit", args=[layout.pk])
    assert (layout.kind, layout.rows, layout.columns, float(layout.label_width)) == ("spine", 13, 5, 38.1)
    assert layout.is_default and layout.name.startswith("A4 书标纸")
    assert AuditEvent.objects.filter(action="label_layout.create").exists()


def test_a_sheet_is_adjusted_and_saved(admin, library):
    admin.post(reverse("label_layouts:list"), {"preset": "a4-spine-5x13", "name": "书标纸"})
    layout = LabelLayout.objects.get()
    response = admin.post(reverse("label_layouts:edit", args=[layout.pk]), sheet(offset_x="1.5", is_default="on"))
    assert response.status_code == 302
    layout.refresh_from_db()
    assert float(layout.offset_x) == 1.5
    assert AuditEvent.objects.get(action="label_layout.update").data == {"offset_x": "1.50"}


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"columns": "6"}, "标签超出了纸张宽度"),
        ({"rows": "14"}, "标签超出了纸张高度"),
        ({"label_width": "0"}, "标签的宽度和高度必须大于 0 毫米"),
        ({"offset_x": "30"}, "打印偏移不能超过"),
        ({"margin_top": "-1"}, "页边距和标签间距不能是负数"),
        ({"label_width": "abc"}, "请填数字"),
        ({"label_width": "99999"}, "不能超过 1000 毫米"),
        ({"rows": "500"}, "1 到 50 之间"),
        ({"name": "x" * 10_000}, "最多 100 个字符"),
    ],
)
def test_a_sheet_that_does_not_fit_its_paper_is_refused_and_nothing_changes(admin, library, fields, words):
    admin.post(reverse("label_layouts:list"), {"preset": "a4-spine-5x13", "name": "书标纸"})
    layout = LabelLayout.objects.get()
    response = admin.post(reverse("label_layouts:edit", args=[layout.pk]), sheet(**fields))
    assert response.status_code == 400
    assert words in response.content.decode()
    layout.refresh_from_db()
    assert (layout.rows, layout.columns, float(layout.label_width), float(layout.offset_x)) == (13, 5, 38.1, 0)


def test_a_test_sheet_has_a_label_in_every_place(admin, library, pdf_text):
    admin.post(reverse("label_layouts:list"), {"preset": "a4-barcode-4x10", "name": ""})
    layout = LabelLayout.objects.get()
    response = admin.get(reverse("label_layouts:test", args=[layout.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert sum(1 for line in pdf_text(response.content) if line.isdigit()) == 40


def test_a_sheet_is_deleted(admin, library):
    admin.post(reverse("label_layouts:list"), {"preset": "roll-40x30", "name": "标签机"})
    layout = LabelLayout.objects.get()
    assert admin.post(reverse("label_layouts:delete", args=[layout.pk])).status_code == 302
    assert not LabelLayout.objects.exists()


def test_an_unknown_preset_is_refused(admin):
    response = admin.post(reverse("label_layouts:list"), {"preset": "a3-giant", "name": ""})
    assert response.status_code == 400 and "请选择规格" in response.content.decode()
