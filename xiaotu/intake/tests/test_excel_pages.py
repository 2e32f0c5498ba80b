"""导入 Excel 书单 from the web: upload, map the columns (the guess preselected), preview, confirm, result."""

from __future__ import annotations

import io
from typing import Any

import openpyxl  # type: ignore[import-untyped,unused-ignore]
import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from xiaotu.catalogue.models import Item, Record
from xiaotu.intake import jobs
from xiaotu.intake.models import Batch, ImportJob
from xiaotu.intake.tests.page_helpers import jobs_run_at_once, options, post, shelves

pytestmark = pytest.mark.django_db

UPLOAD = reverse("intake:excel_upload")
# 撰稿人 is not a heading the guess knows: the librarian maps it to 责任者 by hand.
HEADERS = ["序号", "书名", "撰稿人", "ISBN", "出版社", "出版年", "定价", "分类号", "册数", "备注"]


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    cache.clear()
    return tmp_path


@pytest.fixture
def shelf(library):
    return shelves(library)


@pytest.fixture
def signed_in(client, librarian):
    client.force_login(librarian)
    return client


def workbook(*rows: list[Any], title: str = "2026 秋季新书") -> bytes:
    book = openpyxl.Workbook()
    sheet: Any = book.active
    sheet.append([title])
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


BOOKS: list[list[Any]] = [
    [1, "西游记", "吴承恩", "9787020002207", "人民文学出版社", 2019, 28, "I242.4", 2],
    [2, "草房子", "曹文轩", "9787530212004", "北京十月文艺出版社", 2010, "25元", "I287.45", 1],
    [3, "", "", "", "", "", "", "", 1, "没有书名"],
    [4, "昆虫记", "法布尔", "978702012345X", "人民文学出版社", 2018, "abc", "Q96", 1],
    ["合计", None, None, None, None, None, 53, None, 5],
]


def upload(client, capture, shelf, content: bytes, name="新书.xlsx", **overrides):
    location, category = shelf
    data = {**options(location, category, **overrides), "file": SimpleUploadedFile(name, content)}
    return post(client, capture, UPLOAD, data)


def mapping_post(job, **changes):
    """The mapping form as shown (the guess), with `changes` made by the librarian."""
    mapping = {name: "" if column is None else str(column) for name, column in guessed(job).items()}
    mapping.update(changes)
    return {"sheet": job.options["sheet"], "header_line": job.options["header_line"], **mapping}


def guessed(job):
    from xiaotu.intake.booklist import BOOK_FIELDS
    from xiaotu.interop.tables import guess_mapping

    return guess_mapping(jobs.read_job_table(job).headers, BOOK_FIELDS)


def test_upload_map_preview_confirm(signed_in, shelf, django_capture_on_commit_callbacks):
    response = upload(signed_in, django_capture_on_commit_callbacks, shelf, workbook(*BOOKS))
    job = ImportJob.objects.get()
    mapping_url = reverse("intake:mapping", args=[job.pk])
    assert response.status_code == 302 and response["Location"] == mapping_url
    assert job.kind == ImportJob.Kind.EXCEL and job.options["header_line"] == 2
    # the job page sends an unmapped list back to the mapping step
    assert signed_in.get(reverse("intake:job", args=[job.pk]))["Location"] == mapping_url

    page = signed_in.get(mapping_url).content.decode()
    assert "撰稿人" in page and "西游记" in page and "吴承恩" in page  # the header row and the first rows
    assert '<option value="1" selected>B · 书名</option>' in page  # the guess, preselected
    assert guessed(job)["author"] is None

    response = post(signed_in, django_capture_on_commit_callbacks, mapping_url, mapping_post(job, author="2"))
    assert response.status_code == 302 and response["Location"] == reverse("intake:job", args=[job.pk])
    job.refresh_from_db()
    preview = job.report["preview"]
    assert job.status == ImportJob.Status.PREVIEWED and job.options["mapping"]["author"] == 2
    assert preview["counts"]["records_new"] == 3 and preview["counts"]["copies"] == 4
    assert preview["totals"] == {"error": 1, "warning": 2, "skipped": 1}
    assert not Record.objects.exists()

    page = signed_in.get(response["Location"]).content.decode()
    assert "吴承恩" in page and "曹文轩" in page  # the mapped 责任者 column
    assert "第 5 行" in page and "没有题名" in page  # an error with its line
    assert "合计行" in page and "读不出金额" in page  # a skip and a warning
    assert "修改列对应" in page

    response = post(signed_in, django_capture_on_commit_callbacks, reverse("intake:confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE, "a short list is imported within the request"
    assert "导入完成" in signed_in.get(response["Location"]).content.decode()
    batch = Batch.objects.get()
    assert job.batch == batch and Item.objects.filter(batch=batch).count() == 4
    assert Record.objects.get(title="西游记").author == "吴承恩"


def test_the_mapping_can_be_changed_after_the_preview(signed_in, shelf, django_capture_on_commit_callbacks):
    upload(signed_in, django_capture_on_commit_callbacks, shelf, workbook(*BOOKS))
    job = ImportJob.objects.get()
    url = reverse("intake:mapping", args=[job.pk])
    post(signed_in, django_capture_on_commit_callbacks, url, mapping_post(job))
    assert '<option value="2" selected>' not in signed_in.get(url).content.decode()
    post(signed_in, django_capture_on_commit_callbacks, url, mapping_post(job, author="2"))
    page = signed_in.get(url).content.decode()
    assert '<option value="2" selected>C · 撰稿人</option>' in page  # the stored choice, not the guess again


def test_a_mapping_without_the_title_is_refused(signed_in, shelf, django_capture_on_commit_callbacks):
    upload(signed_in, django_capture_on_commit_callbacks, shelf, workbook(*BOOKS))
    job = ImportJob.objects.get()
    url = reverse("intake:mapping", args=[job.pk])
    response = post(signed_in, django_capture_on_commit_callbacks, url, mapping_post(job, title=""))
    assert response.status_code == 400 and "请指定“题名”在哪一列" in response.content.decode()
    response = post(signed_in, django_capture_on_commit_callbacks, url, mapping_post(job, author="1"))
    assert response.status_code == 400 and "同时被指定为" in response.content.decode()
    assert ImportJob.objects.get().status == ImportJob.Status.UPLOADED


def test_the_header_line_can_be_set_by_hand(signed_in, shelf, django_capture_on_commit_callbacks):
    upload(signed_in, django_capture_on_commit_callbacks, shelf, workbook(*BOOKS))
    job = ImportJob.objects.get()
    page = signed_in.get(reverse("intake:mapping", args=[job.pk]) + "?header_line=1").content.decode()
    assert "2026 秋季新书" in page  # the title row read as the header


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("list.xlsx", b"PK\x03\x04 broken zip", "文件已损坏"),
        ("list.xlsx", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "这不是表格文件"),
        ("list.csv", b"   \n  ", "文件是空的"),
    ],
    ids=["corrupt", "a-picture", "blank"],
)
def test_a_file_that_is_not_a_table_is_refused_and_nothing_kept(
    signed_in, shelf, django_capture_on_commit_callbacks, data_dir, name, content, message
):
    response = upload(signed_in, django_capture_on_commit_callbacks, shelf, content, name=name)
    assert response.status_code == 400 and message in response.content.decode()
    assert not ImportJob.objects.exists() and not Record.objects.exists()
    assert not (data_dir / "uploads").exists() or not any((data_dir / "uploads").iterdir())


def test_a_csv_list_imports_too(signed_in, shelf, django_capture_on_commit_callbacks):
    csv = "书名,作者,ISBN,册数\n小王子,圣埃克苏佩里,9787020042494,3\n".encode("gb18030")
    upload(signed_in, django_capture_on_commit_callbacks, shelf, csv, name="list.csv")
    job = ImportJob.objects.get()
    mapping = {name: "" if c is None else str(c) for name, c in guessed(job).items()}
    post(
        signed_in,
        django_capture_on_commit_callbacks,
        reverse("intake:mapping", args=[job.pk]),
        {"sheet": job.options["sheet"], "header_line": 1, **mapping},
    )
    post(signed_in, django_capture_on_commit_callbacks, reverse("intake:confirm", args=[job.pk]))
    assert Item.objects.filter(record__title="小王子").count() == 3


def test_a_long_list_is_imported_in_the_background(signed_in, shelf, django_capture_on_commit_callbacks, monkeypatch):
    monkeypatch.setattr(jobs, "EXCEL_SYNC_ROWS", 1)
    upload(signed_in, django_capture_on_commit_callbacks, shelf, workbook(*BOOKS))
    job = ImportJob.objects.get()
    post(signed_in, django_capture_on_commit_callbacks, reverse("intake:mapping", args=[job.pk]), mapping_post(job))
    confirm = reverse("intake:confirm", args=[job.pk])
    with django_capture_on_commit_callbacks(execute=False) as queued:
        signed_in.post(confirm)
    assert len(queued) == 1 and ImportJob.objects.get().status == ImportJob.Status.QUEUED
    with jobs_run_at_once():
        queued[0]()
    assert ImportJob.objects.get().status == ImportJob.Status.DONE and Item.objects.count() == 4


def test_a_confirmed_list_cannot_be_remapped(signed_in, shelf, django_capture_on_commit_callbacks):
    upload(signed_in, django_capture_on_commit_callbacks, shelf, workbook(*BOOKS))
    job = ImportJob.objects.get()
    url, data = reverse("intake:mapping", args=[job.pk]), mapping_post(job)
    post(signed_in, django_capture_on_commit_callbacks, url, data)
    post(signed_in, django_capture_on_commit_callbacks, reverse("intake:confirm", args=[job.pk]))
    response = post(signed_in, django_capture_on_commit_callbacks, url, data)
    assert response.status_code == 302 and response["Location"] == reverse("intake:job", args=[job.pk])
    assert Batch.objects.count() == 1
