"""导入花名册 from the web: upload, columns (the guess preselected), preview, confirm once, result; broken files."""

from __future__ import annotations

import io
import re
from typing import Any

import openpyxl  # type: ignore[import-untyped,unused-ignore]
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from xiaotu.accounts.models import AuditEvent, Role
from xiaotu.interop.tables import guess_mapping
from xiaotu.readers.models import Reader, ReaderType, SchoolClass
from xiaotu.readers.roster import ROSTER_FIELDS
from xiaotu.readers.roster_uploads import upload_get, upload_table
from xiaotu.readers.tests.roster_helpers import reader_types, xlsx
from xiaotu.testing.factories import UserFactory

pytestmark = pytest.mark.django_db

UPLOAD = reverse("readers:roster_upload")
# 学生 is not a heading the guess knows for names: the librarian maps it to 姓名 by hand.
HEADERS = ["序号", "学号", "学生", "性别", "班级", "家长电话"]
PUPILS = [
    [1, "2026001", "张小明", "男", "三年级(2)班", "13800000000"],
    [2, "2026002", "李华", "女", "三年级(2)班", "13900000000"],
    [3, "2026003", "", "男", "三年级(2)班", ""],
    [4, "2026004", "王芳", "女", "四年级(1)班", ""],
]


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return tmp_path


@pytest.fixture
def types(library):
    return reader_types(library)


@pytest.fixture
def signed_in(client, librarian, types):
    client.force_login(librarian)
    return client


def upload(client, content: bytes, name: str = "三年级名单.xlsx"):
    return client.post(UPLOAD, {"file": SimpleUploadedFile(name, content)})


def token_of(response) -> str:
    return str(response["Location"]).rstrip("/").split("/")[-2]


def mapping_post(library, token: str, **changes: Any) -> dict[str, Any]:
    """The mapping form as shown (the guess), with `changes` made by the librarian."""
    found = upload_get(library=library, token=token)
    assert found is not None
    table = upload_table(found, max_bytes=10**8)
    guess = guess_mapping(table.headers, ROSTER_FIELDS)
    data: dict[str, Any] = {name: "" if column is None else str(column) for name, column in guess.items()}
    data.update({"sheet": table.sheet, "header_line": table.header_line, "missing_classes": "create"})
    data["default_type"] = ReaderType.objects.get(library=library, code="student").pk
    data.update(changes)
    return data


def test_upload_map_preview_confirm_and_see_the_result(signed_in, library, librarian):
    response = upload(signed_in, xlsx(PUPILS, headers=HEADERS, title="2026学年三、四年级学生名单"))
    assert response.status_code == 302
    token = token_of(response)
    mapping_url = reverse("readers:roster_mapping", args=[token])
    assert response["Location"] == mapping_url
    # the preview sends a roster without a mapping back to the mapping step
    assert signed_in.get(reverse("readers:roster_preview", args=[token]))["Location"] == mapping_url

    page = signed_in.get(mapping_url).content.decode()
    assert "学生" in page and "张小明" in page and "共 4 行" in page  # the header row and the first rows
    assert '<option value="1" selected>B · 学号</option>' in page  # the guess, preselected
    assert re.search(r'value="create"[^>]*checked', page), "a school without classes creates them by default"

    response = signed_in.post(mapping_url, mapping_post(library, token, name="2"))
    preview_url = reverse("readers:roster_preview", args=[token])
    assert response.status_code == 302 and response["Location"] == preview_url
    assert not Reader.objects.exists()

    page = signed_in.get(preview_url).content.decode()
    assert 'data-count="new">3<' in page and 'data-count="error_rows">1<' in page
    assert "第 5 行" in page and "没有姓名" in page, "the line in the sheet, under the title row"
    assert "将新建的班级" in page and "三年级(2)班" in page and "四年级(1)班" in page
    assert "S00001" in page and "自动" in page
    assert "13800000000" not in page, "phone numbers are not imported, nor shown"
    assert not Reader.objects.exists() and not SchoolClass.objects.exists()

    response = signed_in.post(reverse("readers:roster_confirm", args=[token]))
    result_url = reverse("readers:roster_result", args=[token])
    assert response["Location"] == result_url
    assert Reader.objects.count() == 3 and SchoolClass.objects.count() == 2
    page = signed_in.get(result_url).content.decode()
    assert "已导入：新增 3 名读者" in page
    assert "张小明" in page and "S00001" in page and "三年级(2)班" in page and "第 5 行" in page
    assert AuditEvent.objects.get(action="readers.import").actor == librarian


def test_a_second_confirm_imports_nothing_again(signed_in, library):
    token = token_of(upload(signed_in, xlsx(PUPILS, headers=HEADERS)))
    signed_in.post(reverse("readers:roster_mapping", args=[token]), mapping_post(library, token, name="2"))
    confirm = reverse("readers:roster_confirm", args=[token])
    signed_in.post(confirm)
    imports = AuditEvent.objects.filter(action="readers.import").count()
    response = signed_in.post(confirm, follow=True)
    assert "已经确认导入过了" in response.content.decode()
    assert Reader.objects.count() == 3 and AuditEvent.objects.filter(action="readers.import").count() == imports
    # the pages of a finished upload lead to its result
    assert signed_in.get(reverse("readers:roster_preview", args=[token]))["Location"].endswith("/result/")
    assert signed_in.get(reverse("readers:roster_mapping", args=[token]))["Location"].endswith("/result/")


def test_the_same_roster_again_says_it_changes_nothing(signed_in, library):
    for attempt in range(2):
        token = token_of(upload(signed_in, xlsx(PUPILS, headers=HEADERS)))
        signed_in.post(reverse("readers:roster_mapping", args=[token]), mapping_post(library, token, name="2"))
        page = signed_in.get(reverse("readers:roster_preview", args=[token])).content.decode()
        if attempt == 0:
            signed_in.post(reverse("readers:roster_confirm", args=[token]))
    assert "完全一致，导入不会改变任何内容" in page and 'id="confirm"' not in page
    assert 'data-count="unchanged">3<' in page


def test_refusing_missing_classes_names_them_in_the_preview(signed_in, library):
    token = token_of(upload(signed_in, xlsx(PUPILS, headers=HEADERS)))
    data = mapping_post(library, token, name="2", missing_classes="refuse")
    signed_in.post(reverse("readers:roster_mapping", args=[token]), data)
    page = signed_in.get(reverse("readers:roster_preview", args=[token])).content.decode()
    assert "本校还没有的班级" in page and "这些班级本校还没有" in page
    assert page.count("本校还没有三年级(2)班") == 3
    assert "没有可以导入的读者" in page and 'id="confirm"' not in page


def test_a_mapping_without_the_name_column_is_refused_with_one_message(signed_in, library):
    token = token_of(upload(signed_in, xlsx(PUPILS, headers=HEADERS)))
    response = signed_in.post(reverse("readers:roster_mapping", args=[token]), mapping_post(library, token))
    assert response.status_code == 400
    assert "请指定“姓名”在哪一列。" in response.content.decode()


def test_problems_are_filtered_and_paged(signed_in, library):
    rows = [[n, f"N{n}", "", "男", "三年级(2)班", ""] for n in range(60)] + [[99, "X", "甲", "难", "三年级(2)班", ""]]
    token = token_of(upload(signed_in, xlsx(rows, headers=HEADERS)))
    signed_in.post(reverse("readers:roster_mapping", args=[token]), mapping_post(library, token, name="2"))
    preview = reverse("readers:roster_preview", args=[token])
    first = signed_in.get(preview).content.decode()
    assert "第 1 / 2 页" in first and "错误 60" in first and "提示 1" in first
    warnings = signed_in.get(preview, {"show": "warning"}).content.decode()
    assert "性别“难”" in warnings and "没有姓名" not in warnings


def workbook_bytes(build) -> bytes:
    book = openpyxl.Workbook()
    build(book.active)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("名单.xlsx", b"this is not a spreadsheet at all" * 10, "不是 Excel 工作簿"),
        ("名单.xlsx", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200), "这不是表格文件"),
        ("名单.xlsx", workbook_bytes(lambda sheet: None), "是空的"),
        ("名单.xls", b"", "文件是空的"),
        ("名单.docx", b"PK\x03\x04" + bytes(100), "已损坏"),
    ],
)
def test_broken_files_get_one_clear_message_and_nothing_is_kept(signed_in, data_dir, name, content, message):
    response = upload(signed_in, content, name)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not (data_dir / "uploads" / "roster").exists() or not any((data_dir / "uploads" / "roster").iterdir())
    assert not Reader.objects.exists()


def test_a_50_mb_file_is_refused_before_it_is_read(signed_in, data_dir):
    response = upload(signed_in, b"0" * (50 * 1024 * 1024), "名单.csv")
    assert response.status_code == 400
    page = response.content.decode().replace("\xa0", " ")
    assert "文件太大（50.0 MB），最大只能上传 20.0 MB 的文件。" in page
    assert not (data_dir / "uploads").exists()


def test_merged_cells_over_names_are_problems_of_their_rows(signed_in, library):
    def build(sheet):
        sheet.append(["学号", "姓名", "班级"])
        sheet.append(["1", "张三", "三年级(2)班"])
        sheet.append(["2", None, "三年级(2)班"])
        sheet.merge_cells("B2:B3")

    token = token_of(upload(signed_in, workbook_bytes(build)))
    signed_in.post(reverse("readers:roster_mapping", args=[token]), mapping_post(library, token))
    page = signed_in.get(reverse("readers:roster_preview", args=[token])).content.decode()
    assert "B2:B3 是合并单元格" in page and 'data-count="new">1<' in page


def test_another_librarys_upload_is_not_found(signed_in, library, client, django_user_model):
    from xiaotu.testing.factories import LibraryFactory

    token = token_of(upload(signed_in, xlsx(PUPILS, headers=HEADERS)))
    other = LibraryFactory.create(code="other-school", name="二小")
    stranger = UserFactory.create(library=other, username="other-librarian", role=Role.LIBRARIAN)
    client.force_login(stranger)
    assert client.get(reverse("readers:roster_mapping", args=[token])).status_code == 404
    assert client.post(reverse("readers:roster_confirm", args=[token])).status_code == 404
    assert client.get(reverse("readers:roster_preview", args=["not-a-token"])).status_code == 404


@pytest.mark.parametrize("role", [Role.STUDENT_LIBRARIAN, Role.TEACHER])
def test_student_librarians_and_teachers_may_not_import(client, library, role):
    client.force_login(UserFactory.create(library=library, username=f"{role}-user", role=role))
    assert client.get(UPLOAD).status_code == 403
    assert client.post(UPLOAD, {"file": SimpleUploadedFile("a.csv", b"a,b")}).status_code == 403
    assert client.post(reverse("readers:roster_confirm", args=["0" * 32])).status_code == 403


def test_the_upload_page_needs_a_login_and_opens_for_an_admin(client, library):
    assert client.get(UPLOAD)["Location"].startswith("/accounts/login/")
    client.force_login(UserFactory.create(library=library, username="admin-user", role=Role.ADMIN))
    page = client.get(UPLOAD).content.decode()
    assert "导入花名册" in page and "手机号、身份证号" in page


def test_a_card_taken_between_preview_and_confirm_writes_nothing_and_says_why(signed_in, library, monkeypatch):
    from django.db import IntegrityError

    from xiaotu.readers.views import roster as views

    token = token_of(upload(signed_in, xlsx(PUPILS, headers=HEADERS)))
    signed_in.post(reverse("readers:roster_mapping", args=[token]), mapping_post(library, token, name="2"))

    def clash(**kwargs):
        raise IntegrityError("reader_card_unique")

    monkeypatch.setattr(views, "readers_import", clash)
    response = signed_in.post(reverse("readers:roster_confirm", args=[token]), follow=True)
    assert "没有写入任何内容" in response.content.decode()
    monkeypatch.undo()
    signed_in.post(reverse("readers:roster_confirm", args=[token]))
    assert Reader.objects.count() == 3, "the upload may be confirmed again"
