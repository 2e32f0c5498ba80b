"""导入 MARC from the web: upload, a preview run in the background, confirm once, the result and its batch.

Background jobs run at once here (huey's immediate mode), inside the request that queues them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from xiaotu.accounts.models import AuditEvent, Role
from xiaotu.catalogue.models import Item, Record
from xiaotu.intake import jobs
from xiaotu.intake.models import Batch, ImportJob
from xiaotu.intake.tests.page_helpers import (
    ROLES_REFUSED,
    jobs_run_at_once,
    marc_file,
    options,
    post,
    shelves,
    staff,
)
from xiaotu.testing.factories import RecordFactory
from xiaotu.testing.paths import MARC

pytestmark = pytest.mark.django_db

if not MARC.is_dir():  # pragma: no cover - the shared folder is always beside the repository in CI
    pytest.skip(f"{MARC} is missing", allow_module_level=True)

UPLOAD = reverse("intake:marc_upload")


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    """Uploads go under the data folder: a fresh one per test."""
    settings.DATA_DIR = tmp_path
    return tmp_path


@pytest.fixture(autouse=True)
def fresh_cache():
    """Job progress lives in the cache, keyed by job id; ids come round again in each test's database."""
    cache.clear()


@pytest.fixture
def shelf(library):
    return shelves(library)


@pytest.fixture
def signed_in(client, librarian):
    client.force_login(librarian)
    return client


@pytest.fixture
def jobs_now():
    with jobs_run_at_once():
        yield


def upload(client, capture, shelf, name, **overrides):
    location, category = shelf
    data = {**options(location, category, **overrides), "file": marc_file(name)}
    return post(client, capture, UPLOAD, data)


def uploads(data_dir: Path) -> list[Path]:
    folder = data_dir / "uploads"
    return sorted(folder.iterdir()) if folder.exists() else []


# --- who may ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES_REFUSED)
@pytest.mark.parametrize("name", ["job_list", "marc_upload", "excel_upload", "batches", "export"])
def test_student_librarians_and_teachers_are_refused(client, library, role, name):
    client.force_login(staff(library, role))
    assert client.get(reverse(f"intake:{name}")).status_code == 403


@pytest.mark.parametrize("role", ROLES_REFUSED)
def test_they_cannot_open_or_confirm_a_job_either(client, library, librarian, role):
    job = ImportJob.objects.create(library=library, kind="marc", filename="a.mrc", path="", status="previewed")
    client.force_login(staff(library, role))
    assert client.get(reverse("intake:job", args=[job.pk])).status_code == 403
    assert client.post(reverse("intake:confirm", args=[job.pk])).status_code == 403
    job.refresh_from_db()
    assert job.status == ImportJob.Status.PREVIEWED


def test_signed_out_visitors_are_sent_to_log_in(client):
    response = client.get(UPLOAD)
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_the_menu_shows_intake_to_librarians_only(client, library, librarian):
    client.force_login(librarian)
    assert 'href="/intake/"' in client.get(reverse("intake:batches")).content.decode()
    client.force_login(staff(library, Role.STUDENT_LIBRARIAN))
    assert 'href="/intake/"' not in client.get(reverse("circulation:desk")).content.decode()


def test_another_librarys_job_is_not_found(client, signed_in, librarian):
    from xiaotu.testing.factories import LibraryFactory

    other = LibraryFactory.create(code="other", name="别的学校")
    job = ImportJob.objects.create(library=other, kind="marc", filename="a.mrc", path="", status="previewed")
    assert signed_in.get(reverse("intake:job", args=[job.pk])).status_code == 404


# --- the whole flow ---------------------------------------------------------------------------------------------


def test_upload_preview_confirm_and_result(signed_in, django_capture_on_commit_callbacks, shelf, jobs_now, data_dir):
    """The GB18030 copy of the dp2 records: previewed with its Chinese titles and why GB18030, then imported."""
    response = upload(signed_in, django_capture_on_commit_callbacks, shelf, "dp2-cnmarc.gb18030.mrc")
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("intake:job", args=[job.pk])
    assert job.status == ImportJob.Status.PREVIEWED
    assert not Record.objects.exists() and not Batch.objects.exists(), "a preview writes nothing"

    page = signed_in.get(response["Location"]).content.decode()
    assert "GB18030" in page and "100 字段" in page  # the encoding and why
    assert "ISO 2709" in page and "CNMARC" in page
    assert "94中国发展报告" in page and "9787503717444" in page and "F124" in page
    assert 'data-count="records_new">9<' in page and 'data-count="copies">13<' in page
    assert "与文件中第 4 条是同一种书" in page  # a problem, with its position
    assert "确认导入" in page

    response = post(signed_in, django_capture_on_commit_callbacks, reverse("intake:confirm", args=[job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and job.finished_at is not None
    batch = Batch.objects.get()
    assert job.batch == batch
    assert (batch.vendor, batch.invoice_number, batch.received_on.isoformat()) == ("新华书店", "FP-001", "2026-09-01")
    assert Record.objects.count() == 9 and Item.objects.filter(batch=batch).count() == 13
    assert AuditEvent.objects.filter(action="intake.import", object_id=batch.pk).exists()
    assert uploads(data_dir) == [], "the upload is removed once imported; the report stays"

    page = signed_in.get(response["Location"]).content.decode()
    assert "导入结果" in page and reverse("intake:batch", args=[batch.pk]) in page and batch.number in page
    listing = signed_in.get(reverse("intake:job_list")).content.decode()
    assert "dp2-cnmarc.gb18030.mrc" in listing and batch.number in listing


def test_the_job_runs_with_the_confirming_librarians_name(
    client, library, librarian, django_capture_on_commit_callbacks, shelf, jobs_now
):
    client.force_login(librarian)
    upload(client, django_capture_on_commit_callbacks, shelf, "dp2-cnmarc.utf8.mrc")
    job = ImportJob.objects.get()
    admin = staff(library, Role.ADMIN)
    client.force_login(admin)
    post(client, django_capture_on_commit_callbacks, reverse("intake:confirm", args=[job.pk]))
    assert Batch.objects.get().created_by == admin
    assert ImportJob.objects.get().created_by == librarian


def test_adding_to_an_existing_batch(signed_in, django_capture_on_commit_callbacks, shelf, jobs_now, library):
    batch = Batch.objects.create(library=library, number="2026-0007", received_on="2026-03-01", vendor="捐赠人")
    upload(
        signed_in,
        django_capture_on_commit_callbacks,
        shelf,
        "dp2-cnmarc.utf8.mrc",
        batch_mode="existing",
        batch=batch.pk,
    )
    job = ImportJob.objects.get()
    assert "加入已有批次 2026-0007" in signed_in.get(reverse("intake:job", args=[job.pk])).content.decode()
    post(signed_in, django_capture_on_commit_callbacks, reverse("intake:confirm", args=[job.pk]))
    assert Batch.objects.get() == batch and Item.objects.filter(batch=batch).count() == 13
    assert ImportJob.objects.get().batch == batch


def test_existing_batch_must_be_chosen(signed_in, shelf, django_capture_on_commit_callbacks):
    response = upload(
        signed_in, django_capture_on_commit_callbacks, shelf, "dp2-cnmarc.utf8.mrc", batch_mode="existing"
    )
    assert response.status_code == 400 and "请选择要加入的批次" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_a_taken_batch_number_is_refused(signed_in, shelf, library, django_capture_on_commit_callbacks):
    Batch.objects.create(library=library, number="B-1", received_on="2026-03-01")
    response = upload(signed_in, django_capture_on_commit_callbacks, shelf, "dp2-cnmarc.utf8.mrc", batch_number="B-1")
    assert response.status_code == 400 and "批次号已经存在" in response.content.decode()


def test_an_htmx_upload_is_sent_on_with_a_client_redirect(
    signed_in, shelf, django_capture_on_commit_callbacks, jobs_now
):
    location, category = shelf
    data = {**options(location, category), "file": marc_file("dp2-cnmarc.utf8.mrc")}
    response = post(signed_in, django_capture_on_commit_callbacks, UPLOAD, data, HTTP_HX_REQUEST="true")
    job = ImportJob.objects.get()
    assert response["HX-Redirect"] == reverse("intake:job", args=[job.pk])


def test_confirming_twice_imports_once(signed_in, django_capture_on_commit_callbacks, shelf, jobs_now):
    upload(signed_in, django_capture_on_commit_callbacks, shelf, "dp2-cnmarc.utf8.mrc")
    confirm = reverse("intake:confirm", args=[ImportJob.objects.get().pk])
    post(signed_in, django_capture_on_commit_callbacks, confirm)
    items = Item.objects.count()
    response = post(signed_in, django_capture_on_commit_callbacks, confirm)
    assert response.status_code == 302
    assert Batch.objects.count() == 1 and Item.objects.count() == items and Record.objects.count() == 9
    assert "已经确认导入过了" in signed_in.get(response["Location"]).content.decode()


def test_a_confirmed_job_is_queued_once_even_before_it_runs(
    signed_in, django_capture_on_commit_callbacks, shelf, jobs_now
):
    """Two confirms before the worker starts: the second finds the job queued and queues nothing."""
    upload(signed_in, django_capture_on_commit_callbacks, shelf, "dp2-cnmarc.utf8.mrc")
    job = ImportJob.objects.get()
    confirm = reverse("intake:confirm", args=[job.pk])
    with django_capture_on_commit_callbacks(execute=False) as first:
        signed_in.post(confirm)
    with django_capture_on_commit_callbacks(execute=False) as second:
        signed_in.post(confirm)
    assert len(first) == 1 and len(second) == 0
    job.refresh_from_db()
    assert job.status == ImportJob.Status.QUEUED


def test_the_running_page_polls_and_shows_the_progress(signed_in, library, shelf, django_capture_on_commit_callbacks):
    """No worker has run yet: the page polls itself every second and shows the phase the job reported last."""
    location, category = shelf
    with django_capture_on_commit_callbacks(execute=False) as queued:
        signed_in.post(UPLOAD, {**options(location, category), "file": marc_file("dp2-cnmarc.utf8.mrc")})
    assert len(queued) == 1  # the preview, left in the queue
    job = ImportJob.objects.get()
    url = reverse("intake:job", args=[job.pk])
    page = signed_in.get(url).content.decode()
    assert job.status == ImportJob.Status.UPLOADED
    assert 'hx-trigger="every 1s"' in page and "排队中" in page and "<noscript>" in page
    jobs.progress_set(job.pk, "read", 250, 1000)
    part = signed_in.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in part and 'value="25"' in part and "25%" in part
    jobs.progress_set(job.pk, "write")
    assert "正在写入书目和馆藏" in signed_in.get(url, HTTP_HX_REQUEST="true").content.decode()
    jobs.run_preview(job.pk)
    part = signed_in.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in part and "确认导入" in part


def test_a_job_silent_for_long_says_it_may_have_stopped(signed_in, library):
    job = ImportJob.objects.create(library=library, kind="marc", filename="a.mrc", path="", status="running")
    ImportJob.objects.filter(pk=job.pk).update(created_at="2020-01-01T00:00:00Z")
    assert "很久没有收到进度了" in signed_in.get(reverse("intake:job", args=[job.pk])).content.decode()


# --- files that cannot be imported ------------------------------------------------------------------------------


def failed_job_page(client, capture, shelf, upload_file, **overrides):
    location, category = shelf
    post(client, capture, UPLOAD, {**options(location, category, **overrides), "file": upload_file})
    job = ImportJob.objects.get()
    return job, client.get(reverse("intake:job", args=[job.pk])).content.decode()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"hello, this is a letter to the library", "这不是 MARC 文件"),
        (b"   \r\n  ", "文件是空的"),
        ((MARC / "dp2-cnmarc.utf8.mrc").read_bytes()[:-300], "文件不完整"),
    ],
    ids=["not-marc", "blank", "truncated"],
)
def test_a_file_that_is_not_usable_fails_with_one_message(
    signed_in, django_capture_on_commit_callbacks, shelf, jobs_now, data_dir, content, message
):
    upload_file = SimpleUploadedFile("delivery.iso", content)
    job, page = failed_job_page(signed_in, django_capture_on_commit_callbacks, shelf, upload_file)
    assert job.status == ImportJob.Status.FAILED and message in job.report["error"]
    assert message in page and "无法读取这个文件" in page and "确认导入" not in page
    assert not Record.objects.exists() and not Item.objects.exists() and not Batch.objects.exists()
    assert uploads(data_dir) == []


def test_an_empty_upload_is_refused_on_the_form(signed_in, shelf, django_capture_on_commit_callbacks, data_dir):
    location, category = shelf
    data = {**options(location, category), "file": SimpleUploadedFile("empty.mrc", b"")}
    response = post(signed_in, django_capture_on_commit_callbacks, UPLOAD, data)
    assert response.status_code == 400
    assert "文件是空的" in response.content.decode()
    assert not ImportJob.objects.exists() and uploads(data_dir) == []


def test_a_file_over_the_limit_is_refused_before_anything_is_kept(
    signed_in, shelf, settings, django_capture_on_commit_callbacks, data_dir
):
    settings.XIAOTU_IMPORT_MAX_BYTES = 1000
    response = upload(signed_in, django_capture_on_commit_callbacks, shelf, "dp2-cnmarc.utf8.mrc")
    page = response.content.decode()
    assert response.status_code == 400 and "文件太大" in page and "1000" in page
    assert not ImportJob.objects.exists() and uploads(data_dir) == []


def test_a_wrong_encoding_override_is_used_and_said(signed_in, django_capture_on_commit_callbacks, shelf, jobs_now):
    """GB18030 read as UTF-8 because the librarian said so: the preview says which and shows the damage."""
    upload(signed_in, django_capture_on_commit_callbacks, shelf, "dp2-cnmarc.gb18030.mrc", encoding="utf-8")
    job = ImportJob.objects.get()
    assert job.report["preview"]["file"]["encoding"] == "utf-8"
    page = signed_in.get(reverse("intake:job", args=[job.pk]) + "?show=warning").content.decode()
    assert "使用指定的编码 utf-8" in page
    assert "无法按 UTF-8 解码" in page and "�" in page


def test_all_or_nothing_with_errors_writes_nothing(signed_in, django_capture_on_commit_callbacks, shelf, jobs_now):
    upload(signed_in, django_capture_on_commit_callbacks, shelf, "pymarc-bad_records.mrc", all_or_nothing="on")
    job = ImportJob.objects.get()
    page = signed_in.get(reverse("intake:job", args=[job.pk])).content.decode()
    assert job.status == ImportJob.Status.PREVIEWED and "全部或全不" in page and 'id="confirm"' not in page
    response = post(signed_in, django_capture_on_commit_callbacks, reverse("intake:confirm", args=[job.pk]))
    assert "不能导入" in signed_in.get(response["Location"]).content.decode()
    assert not Record.objects.exists() and not Batch.objects.exists()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.PREVIEWED


def test_without_all_or_nothing_the_readable_records_come_in(
    signed_in, django_capture_on_commit_callbacks, shelf, jobs_now
):
    upload(signed_in, django_capture_on_commit_callbacks, shelf, "pymarc-bad_records.mrc")
    job = ImportJob.objects.get()
    errors = job.report["preview"]["totals"]["error"]
    assert errors > 0
    page = signed_in.get(reverse("intake:job", args=[job.pk]) + "?show=error").content.decode()
    assert page.count('class="badge bad"') == errors
    post(signed_in, django_capture_on_commit_callbacks, reverse("intake:confirm", args=[job.pk]))
    job.refresh_from_db()
    assert (
        job.status == ImportJob.Status.DONE and Record.objects.count() == job.report["result"]["counts"]["records_new"]
    )


def test_matching_records_get_copies_not_duplicates(
    signed_in, django_capture_on_commit_callbacks, shelf, jobs_now, library
):
    RecordFactory.create(library=library, title="已有的书", isbn="9787503717444", call_number="F124/1")
    upload(signed_in, django_capture_on_commit_callbacks, shelf, "dp2-cnmarc.utf8.mrc")
    preview = ImportJob.objects.get().report["preview"]
    assert preview["counts"]["records_matched"] == 1
    assert preview["records"][0]["matched"] is True and preview["records"][0]["call_number"] == "F124/1"


def test_problems_are_paged(signed_in, django_capture_on_commit_callbacks, shelf, jobs_now):
    upload(signed_in, django_capture_on_commit_callbacks, shelf, "marc4j-pride-and-prejudice-with-errors.mrc")
    job = ImportJob.objects.get()
    listed = len(job.report["preview"]["problems"])
    assert listed > 50
    url = reverse("intake:job", args=[job.pk])
    first = signed_in.get(url).content.decode()
    assert first.count('<td class="pos">第 ') == 50
    assert "下一页" in first
    last = signed_in.get(f"{url}?page=999").content.decode()
    assert "上一页" in last
