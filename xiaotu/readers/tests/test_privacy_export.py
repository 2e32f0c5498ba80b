"""导出个人信息: a reader's own data as JSON or Excel — profile, loans now, every loan, the audit of their record —
and nothing about any other reader; only 管理员 and 馆员 export, and every export is audited."""

from __future__ import annotations

import datetime as dt
import io
import json
import re

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from xiaotu.accounts.models import AuditEvent
from xiaotu.circulation.services import checkin, checkout
from xiaotu.readers.models import Reader
from xiaotu.readers.services import reader_update
from xiaotu.readers.tests.people_school import build_school
from xiaotu.testing.factories import ItemFactory, RecordFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def school(rules, library):
    """张小明 has 昆虫记 out and returned 西游记; 李华 (another pupil) has 草房子 out."""
    school = build_school(library)
    past = timezone.now() - dt.timedelta(days=40)
    returned = ItemFactory.create(library=library, barcode="T1", record=RecordFactory.create(title="西游记"))
    checkout(reader=school.zhang, item=returned, by=school.librarian, at=past)
    checkin(item=returned, by=school.student_librarian, at=past + dt.timedelta(days=7))
    out = ItemFactory.create(library=library, barcode="T2", record=RecordFactory.create(title="昆虫记"))
    checkout(reader=school.zhang, item=out, by=school.librarian)
    other = ItemFactory.create(library=library, barcode="T3", record=RecordFactory.create(title="草房子"))
    checkout(reader=school.li, item=other, by=school.librarian)
    reader_update(reader=school.zhang, changes={"student_id": "G1"}, by=school.librarian)
    school.zhang.refresh_from_db()
    return school


def export(client, reader: Reader, fmt: str):
    return client.post(reverse("readers:reader_export", args=[reader.pk]), {"format": fmt})


def test_the_json_export_holds_the_readers_own_data(client, school):
    client.force_login(school.librarian)
    response = export(client, school.zhang, "json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert re.fullmatch(
        rf'attachment; filename="reader-{school.zhang.pk}-\d{{8}}\.json"', response["Content-Disposition"]
    )
    data = json.loads(response.content)
    profile = data["profile"]
    assert (profile["name"], profile["card_barcode"], profile["school_class"]) == ("张小明", "R000101", "三年级(2)班")
    assert (profile["student_number"], profile["student_id"], profile["gender"]) == ("20230201", "G1", "男")
    assert [loan["title"] for loan in data["current_loans"]] == ["昆虫记"]
    assert [loan["title"] for loan in data["loan_history"]] == ["西游记", "昆虫记"]
    assert data["loan_history"][0]["returned_at"] and not data["loan_history"][1]["returned_at"]
    actions = [event["action"] for event in data["audit"]]
    assert actions.count("借出") == 2 and actions.count("归还") == 1 and "修改读者信息" in actions


def test_the_export_says_nothing_about_anyone_else(client, school):
    client.force_login(school.librarian)
    text = export(client, school.zhang, "json").content.decode()
    for other in ("李华", "R000102", "草房子", "T3", "王老师"):
        assert other not in text
    # Staff appear by role: the 学生馆员 who took a book back is a pupil too.
    assert "xiaoguan" not in text and "学生馆员" in text and "librarian" not in text


def test_the_excel_export_has_a_sheet_for_each_part(client, school):
    client.force_login(school.librarian)
    response = export(client, school.zhang, "xlsx")
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["基本信息", "在借", "借阅历史", "操作记录"]
    profile = {row[0]: row[1] for row in workbook["基本信息"].iter_rows(min_row=2, values_only=True)}
    assert profile["姓名"] == "张小明" and profile["借书证号"] == "R000101" and profile["学籍号"] == "G1"
    assert [row[0] for row in workbook["在借"].iter_rows(min_row=2, values_only=True)] == ["昆虫记"]
    assert [row[0] for row in workbook["借阅历史"].iter_rows(min_row=2, values_only=True)] == ["西游记", "昆虫记"]
    assert workbook["操作记录"].max_row >= 4
    text = "".join(str(c) for sheet in workbook for row in sheet.iter_rows(values_only=True) for c in row if c)
    assert "李华" not in text and "草房子" not in text


def test_a_name_like_a_formula_stays_text_in_excel(client, school):
    Reader.objects.filter(pk=school.zhang.pk).update(name="=HYPERLINK(1)")
    client.force_login(school.librarian)
    workbook = openpyxl.load_workbook(io.BytesIO(export(client, school.zhang, "xlsx").content))
    cell = next(row[1] for row in workbook["基本信息"].iter_rows(min_row=2) if row[0].value == "姓名")
    assert cell.value == "=HYPERLINK(1)" and cell.data_type == "s"


def test_every_export_is_audited(client, school):
    client.force_login(school.admin)
    export(client, school.zhang, "xlsx")
    event = AuditEvent.objects.get(action="reader.export")
    assert (event.object_id, event.actor, event.data) == (school.zhang.pk, school.admin, {"format": "xlsx"})


def test_a_bad_format_is_refused_without_an_audit_row(client, school):
    client.force_login(school.librarian)
    response = export(client, school.zhang, "pdf")
    assert response.status_code == 302
    assert "导出格式只能是 JSON 或 Excel" in client.get(response["Location"]).content.decode()
    assert not AuditEvent.objects.filter(action="reader.export").exists()


def test_only_administrators_and_librarians_export(client, school):
    url = reverse("readers:reader_export", args=[school.zhang.pk])
    for user in (school.teacher, school.student_librarian):
        client.force_login(user)
        assert client.post(url, {"format": "json"}).status_code == 403
    client.force_login(school.librarian)
    assert client.get(url).status_code == 405
    assert not AuditEvent.objects.filter(action="reader.export").exists()


def test_an_erased_reader_has_nothing_to_export(client, school):
    Reader.objects.filter(pk=school.li.pk).update(erased_at=timezone.now(), name="已删除读者")
    client.force_login(school.librarian)
    response = export(client, school.li, "json")
    assert response.status_code == 302
    assert not AuditEvent.objects.filter(action="reader.export").exists()
