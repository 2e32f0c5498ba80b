"""The stocktake pages and who may use them: desk staff scan; librarians create, finalise and report; the 管理员
approves withdrawals; teachers see none of it."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from xiaotu.accounts.models import Role
from xiaotu.catalogue.models import Item
from xiaotu.stocktake.models import Scan, Stocktake, WithdrawalBatch
from xiaotu.stocktake.weeding import withdrawal_batch_create
from xiaotu.testing.factories import UserFactory


@pytest.fixture
def teacher(library):
    return UserFactory.create(library=library, username="teacher", role=Role.TEACHER)


@pytest.fixture
def admin(library):
    return UserFactory.create(library=library, username="boss", role=Role.ADMIN)


def post_scan(client, run, barcode):
    url = f"/api/v1/stocktakes/{run.stocktake_id}/runs/{run.pk}/scans"
    return client.post(url, data=json.dumps({"barcode": barcode}), content_type="application/json")


def test_a_librarian_creates_a_partial_stocktake(client, shelves, librarian):
    client.force_login(librarian)
    response = client.post(
        reverse("stocktake:list"),
        {"name": "三楼书架", "locations": [shelves.loan_room.pk], "call_number_ranges": "I200-I299", "clc_classes": ""},
    )
    stocktake = Stocktake.objects.get(name="三楼书架")
    assert response.status_code == 302
    assert (stocktake.location_ids, stocktake.call_number_ranges) == ([shelves.loan_room.pk], [["I200", "I299"]])


def test_a_bad_range_is_explained_and_nothing_is_made(client, shelves, librarian):
    client.force_login(librarian)
    response = client.post(reverse("stocktake:list"), {"name": "x", "call_number_ranges": "I299-I200"})
    assert response.status_code == 200
    assert "起点在终点之后" in response.content.decode()
    assert not Stocktake.objects.exists()


def test_a_student_librarian_may_scan_but_not_create_or_finalise(client, shelves, loan_room_count, student_librarian):
    """Given a student librarian, then the list and scan page open and scanning works, but creating and finalising
    are refused."""
    client.force_login(student_librarian)
    assert client.get(reverse("stocktake:list")).status_code == 200
    response = client.post(reverse("stocktake:run_new", args=[loan_room_count.pk]), {"location": ""})
    run = loan_room_count.runs.get()
    assert response.url == reverse("stocktake:scan", args=[loan_room_count.pk, run.pk])
    assert client.get(response.url).status_code == 200
    assert post_scan(client, run, "I1").status_code == 201
    assert client.post(reverse("stocktake:list"), {"name": "x"}).status_code == 403
    assert client.post(reverse("stocktake:finalise", args=[loan_room_count.pk])).status_code == 403
    assert client.get(reverse("stocktake:report_pdf", args=[loan_room_count.pk])).status_code == 403
    loan_room_count.refresh_from_db()
    assert loan_room_count.is_open


def test_a_teacher_sees_no_stocktake_page(client, shelves, loan_room_count, teacher):
    client.force_login(teacher)
    assert client.get(reverse("stocktake:list")).status_code == 403
    assert client.get(reverse("stocktake:detail", args=[loan_room_count.pk])).status_code == 403


def test_the_scan_endpoint_counts_a_copy_once(client, shelves, run, librarian):
    client.force_login(librarian)
    first, second = post_scan(client, run, "I1"), post_scan(client, run, "i1")
    assert (first.status_code, second.status_code) == (201, 200)
    assert (first.json()["outcome"], second.json()["duplicate"]) == ("found", True)
    assert Scan.objects.count() == 1


def test_the_scan_endpoint_refuses_a_finalised_stocktake(client, shelves, run, librarian):
    client.force_login(librarian)
    client.post(reverse("stocktake:finalise", args=[run.stocktake_id]), {"confirm": "on"})
    response = post_scan(client, run, "I1")
    assert response.status_code == 409
    assert response.json()["code"] == "stocktake_finalised"


def test_the_scan_endpoint_needs_the_csrf_token_for_a_session(shelves, run, librarian):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(librarian)
    assert post_scan(client, run, "I1").status_code == 403
    assert not Scan.objects.exists()


def test_another_librarys_stocktake_is_not_found(client, shelves, run, librarian):
    from xiaotu.testing.factories import LibraryFactory

    other = UserFactory.create(library=LibraryFactory.create(code="other"), username="other")
    client.force_login(other)
    assert client.get(reverse("stocktake:detail", args=[run.stocktake_id])).status_code == 404
    assert post_scan(client, run, "I1").status_code == 404


def test_the_stocktake_page_lists_each_category(client, shelves, run, librarian, django_assert_max_num_queries):
    client.force_login(librarian)
    post_scan(client, run, "K1")
    with django_assert_max_num_queries(20):
        page = client.get(reverse("stocktake:detail", args=[run.stocktake_id]) + "?show=misplaced")
    assert "传记1" in page.content.decode()
    missing = client.get(reverse("stocktake:detail", args=[run.stocktake_id])).content.decode()
    assert all(f"小说{n}" in missing for n in range(1, 6))


def test_an_uploaded_gbk_file_lists_its_junk(client, shelves, loan_room_count, librarian):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(librarian)
    data = "条码\nI1\nI2\n坏行###\n".encode("gbk")
    response = client.post(
        reverse("stocktake:upload", args=[loan_room_count.pk]),
        {"file": SimpleUploadedFile("pda.txt", data), "location": ""},
        follow=True,
    )
    text = response.content.decode()
    assert "新计 2 册" in text
    assert "坏行###" in text


def test_reports_download_as_pdf_and_excel(client, shelves, run, librarian):
    client.force_login(librarian)
    post_scan(client, run, "K1")
    client.post(reverse("stocktake:finalise", args=[run.stocktake_id]), {"confirm": "on"})
    pdf = client.get(reverse("stocktake:report_pdf", args=[run.stocktake_id]))
    xlsx = client.get(reverse("stocktake:report_xlsx", args=[run.stocktake_id]))
    assert pdf.content.startswith(b"%PDF")
    assert xlsx.content.startswith(b"PK")


def test_only_the_admin_approves_a_withdrawal(client, shelves, librarian, admin):
    batch = withdrawal_batch_create(library=shelves.library, items=shelves.fiction[:1], reason="worn", by=librarian)
    client.force_login(librarian)
    assert client.post(reverse("stocktake:batch_decide", args=[batch.pk]), {"decision": "approve"}).status_code == 403
    client.force_login(admin)
    client.post(reverse("stocktake:batch_decide", args=[batch.pk]), {"decision": "approve"})
    assert WithdrawalBatch.objects.get().status == "approved"
    assert Item.objects.get(barcode="I1").status == Item.Status.WITHDRAWN


def test_a_librarian_proposes_a_withdrawal_from_the_candidates(client, shelves, librarian):
    Item.objects.filter(barcode="I3").update(status=Item.Status.DAMAGED)
    client.force_login(librarian)
    page = client.get(reverse("stocktake:weeding"), {"criteria": ["damaged"]})
    assert "小说3" in page.content.decode()
    response = client.post(reverse("stocktake:weeding"), {"item": [shelves.fiction[2].pk], "reason": "worn"})
    batch = WithdrawalBatch.objects.get()
    assert response.url == reverse("stocktake:batch", args=[batch.pk])


def test_the_register_downloads(client, shelves, librarian, admin):
    from xiaotu.stocktake.weeding import withdrawal_batch_approve

    batch = withdrawal_batch_create(library=shelves.library, items=shelves.fiction[:2], reason="worn", by=librarian)
    withdrawal_batch_approve(batch=batch, by=admin)
    client.force_login(librarian)
    assert "小说1" in client.get(reverse("stocktake:register")).content.decode()
    assert client.get(reverse("stocktake:register_pdf")).content.startswith(b"%PDF")
    assert client.get(reverse("stocktake:register_xlsx")).content.startswith(b"PK")


def test_the_repair_desk_sends_and_takes_back(client, shelves, librarian):
    client.force_login(librarian)
    client.post(reverse("stocktake:repairs"), {"action": "send", "barcode": "i1", "problem": "掉页"})
    assert Item.objects.get(barcode="I1").status == Item.Status.REPAIR
    client.post(reverse("stocktake:repairs"), {"action": "mended", "barcode": "I1"})
    assert Item.objects.get(barcode="I1").status == Item.Status.AVAILABLE
    page = client.get(reverse("stocktake:repairs")).content.decode()
    assert "小说1" in page


def test_an_unknown_barcode_at_the_repair_desk_is_explained(client, shelves, librarian):
    client.force_login(librarian)
    page = client.post(reverse("stocktake:repairs"), {"action": "send", "barcode": "NOPE"}, follow=True)
    assert "没有条码为 NOPE 的书" in page.content.decode()


def test_finalising_needs_the_confirmation(client, shelves, run, librarian):
    client.force_login(librarian)
    page = client.post(reverse("stocktake:finalise", args=[run.stocktake_id]), follow=True)
    assert "我已确认扫描完毕" in page.content.decode()
    run.stocktake.refresh_from_db()
    assert run.stocktake.is_open
