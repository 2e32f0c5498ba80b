"""新增读者 and 修改读者信息: changes are saved with one audit row; every mistake gets a Chinese message, no change."""

from __future__ import annotations

import pytest
from django.urls import reverse

from xiaotu.accounts.models import AuditEvent
from xiaotu.readers.models import Reader, RetiredCard
from xiaotu.readers.services import ReaderChangeRefused, reader_update
from xiaotu.readers.tests.people_school import build_school

pytestmark = pytest.mark.django_db
NEW = reverse("readers:reader_new")


@pytest.fixture
def school(library):
    return build_school(library)


@pytest.fixture
def staff(client, school):
    client.force_login(school.librarian)
    return client


def edit_url(reader: Reader) -> str:
    return reverse("readers:reader_edit", args=[reader.pk])


def form_of(school, reader: Reader, **changes) -> dict[str, object]:
    data: dict[str, object] = {
        "name": reader.name,
        "gender": reader.gender,
        "reader_type": reader.reader_type_id,
        "school_class": reader.school_class_id or "",
        "student_number": reader.student_number,
        "student_id": reader.student_id,
        "status": reader.status,
    }
    data.update(changes)
    return data


def snapshot(reader: Reader) -> tuple[object, ...]:
    reader.refresh_from_db()
    return (reader.name, reader.gender, reader.school_class_id, reader.student_number, reader.student_id, reader.status)


def test_an_edit_is_saved_and_audited(staff, school):
    """Given 张小明, when his name, class, 学籍号 and status change, then 拼音 follows and one audit row says what."""
    response = staff.post(
        edit_url(school.zhang),
        form_of(school, school.zhang, name="张晓明", school_class=school.other.pk, student_id="", status="suspended"),
    )
    assert response.status_code == 302
    reader = Reader.objects.get(pk=school.zhang.pk)
    assert (reader.name, reader.name_pinyin, reader.name_initials) == ("张晓明", "zhangxiaoming", "zxm")
    assert (reader.school_class, reader.student_id, reader.status) == (school.other, "", "suspended")
    event = AuditEvent.objects.get(action="reader.update", object_id=reader.pk)
    assert event.actor == school.librarian
    assert event.data["changes"] == {
        "name": ["张小明", "张晓明"],
        "school_class": ["三年级(2)班", "三年级(1)班"],
        "student_id": ["G110108201501010011", ""],
        "status": ["active", "suspended"],
    }


def test_saving_without_changes_writes_no_audit_row(staff, school):
    assert staff.post(edit_url(school.zhang), form_of(school, school.zhang)).status_code == 302
    assert not AuditEvent.objects.filter(action="reader.update").exists()


def test_a_suspended_reader_is_reactivated(staff, school):
    Reader.objects.filter(pk=school.li.pk).update(status=Reader.Status.SUSPENDED)
    school.li.refresh_from_db()
    staff.post(edit_url(school.li), form_of(school, school.li, status="active"))
    school.li.refresh_from_db()
    assert school.li.status == "active"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": "   "}, "请填写姓名"),
        ({"name": "张" * 51}, "最多 50 个字符"),
        ({"name": "张\x00三"}, "控制字符"),
        ({"student_number": "20230101"}, "学号 20230101 已经是 李华 的学号"),
        ({"gender": "x"}, "请选择性别"),
        ({"school_class": "abc"}, "请从列表中选择班级"),
        ({"reader_type": "999999"}, "请从列表中选择读者类型"),
        ({"reader_type": ""}, "请选择读者类型"),
        ({"status": "graduated"}, "请选择状态"),
        ({"student_id": "1" * 40}, "最多 32 个字符"),
    ],
)
def test_bad_edits_are_refused_in_chinese_and_change_nothing(staff, school, changes, message):
    before = snapshot(school.zhang)
    response = staff.post(edit_url(school.zhang), form_of(school, school.zhang, **changes))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert snapshot(school.zhang) == before
    assert not AuditEvent.objects.filter(action="reader.update").exists()


def test_staff_are_not_put_into_a_class(staff, school):
    before = snapshot(school.teacher_reader)
    response = staff.post(
        edit_url(school.teacher_reader), form_of(school, school.teacher_reader, school_class=school.mine.pk)
    )
    assert response.status_code == 400
    assert "教职工读者不分班级" in response.content.decode()
    assert snapshot(school.teacher_reader) == before


def test_a_graduated_class_takes_no_new_pupils(staff, school):
    school.other.active = False
    school.other.save()
    response = staff.post(edit_url(school.zhang), form_of(school, school.zhang, school_class=school.other.pk))
    assert response.status_code == 400
    assert "请从列表中选择班级" in response.content.decode()


def test_graduates_keep_their_status_and_are_not_reactivated_here(staff, school):
    Reader.objects.filter(pk=school.li.pk).update(status=Reader.Status.GRADUATED)
    school.li.refresh_from_db()
    page = staff.get(edit_url(school.li)).content.decode()
    assert 'name="status"' not in page and "学年管理" in page
    with pytest.raises(ReaderChangeRefused, match="学年管理"):
        reader_update(reader=school.li, changes={"status": "active"}, by=school.librarian)
    with pytest.raises(ReaderChangeRefused, match="学年管理"):
        reader_update(reader=school.zhang, changes={"status": "left"}, by=school.librarian)


def test_an_erased_reader_cannot_be_edited(staff, school):
    Reader.objects.filter(pk=school.li.pk).update(erased_at="2026-01-01T00:00:00Z", name="已删除读者")
    response = staff.get(edit_url(school.li), follow=True)
    assert "个人信息已经删除" in response.content.decode()
    with pytest.raises(ReaderChangeRefused):
        reader_update(reader=school.li, changes={"name": "李华"}, by=school.librarian)


def test_edit_needs_a_post_or_get(staff, school):
    assert staff.put(edit_url(school.zhang)).status_code == 405


# -- 新增读者 ---------------------------------------------------------------------------------------------------------


def new_reader(school, **changes) -> dict[str, object]:
    data: dict[str, object] = {
        "card_barcode": "r000200",
        "name": "陈静",
        "gender": "f",
        "reader_type": school.pupil_type.pk,
        "school_class": school.mine.pk,
        "student_number": "20230250",
        "student_id": "G2",
    }
    data.update(changes)
    return data


def test_a_reader_is_added_by_hand(staff, school):
    response = staff.post(NEW, new_reader(school))
    reader = Reader.objects.get(card_barcode="R000200")
    assert response.status_code == 302 and response["Location"] == reverse("readers:reader_detail", args=[reader.pk])
    assert (reader.name, reader.name_initials, reader.school_class, reader.student_id) == (
        "陈静",
        "cj",
        school.mine,
        "G2",
    )
    assert AuditEvent.objects.filter(action="reader.create", object_id=reader.pk, actor=school.librarian).exists()


def test_a_teacher_is_added_without_a_class(staff, school):
    staff.post(NEW, new_reader(school, reader_type=school.staff_type.pk, school_class="", student_number=""))
    assert Reader.objects.get(card_barcode="R000200").school_class is None


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"card_barcode": ""}, "请填写借书证号"),
        ({"card_barcode": "R000101"}, "借书证号 R000101 已经是 张小明 的证号"),
        ({"card_barcode": "LOST01"}, "挂失或作废的证号"),
        ({"card_barcode": "X" * 33}, "最多 32 个字符"),
        ({"name": ""}, "请填写姓名"),
        ({"student_number": "20230201"}, "已经是 张小明 的学号"),
        ({"reader_type": "staff"}, "请从列表中选择读者类型"),
    ],
)
def test_bad_new_readers_are_refused_in_chinese(staff, school, changes, message):
    RetiredCard.objects.create(
        library=school.library, barcode="LOST01", reader=school.li, retired_at="2026-01-01T00:00:00Z"
    )
    before = Reader.objects.count()
    response = staff.post(NEW, new_reader(school, **changes))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Reader.objects.count() == before
