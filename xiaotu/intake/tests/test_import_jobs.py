"""Import jobs without the pages: progress in the cache, one run per confirm, failures kept in the report."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile

from xiaotu.catalogue.models import Item, Record
from xiaotu.intake import jobs
from xiaotu.intake.models import Batch, ImportJob, Numbering
from xiaotu.intake.numbering import numbering_for
from xiaotu.intake.tests.page_helpers import jobs_run_at_once, shelves
from xiaotu.testing.paths import MARC

pytestmark = pytest.mark.django_db

Status = ImportJob.Status


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    cache.clear()
    return tmp_path


@pytest.fixture
def shelf(library):
    return shelves(library)


def make_job(library, librarian, shelf, name="dp2-cnmarc.utf8.mrc", content=None, **extra):
    location, category = shelf
    upload = SimpleUploadedFile(name, content if content is not None else (MARC / name).read_bytes())
    options = {
        "new_batch": {"received_on": "2026-09-01", "source": "donation", "vendor": "校友会"},
        "location": location.pk,
        "category": category.pk,
        **extra,
    }
    # queued after commit, which a test's transaction never reaches: the tests run the steps themselves
    return jobs.marc_job_create(library=library, upload=upload, options=options, by=librarian)


def progress(job_id):
    found = jobs.progress_get(job_id)
    assert found is not None
    return found


def confirm(job, by):
    """Confirm without running: the worker's part is called by the test."""
    return jobs.import_job_confirm(job=job, by=by)


def test_preview_reports_and_leaves_the_catalogue_alone(library, librarian, shelf):
    job = make_job(library, librarian, shelf)
    assert progress(job.pk).phase == "queued"
    jobs.run_preview(job.pk)
    job.refresh_from_db()
    preview = job.report["preview"]
    assert job.status == Status.PREVIEWED and job.total == 10
    assert preview["file"]["encoding"] == "utf-8" and preview["counts"]["records_new"] == 9
    assert len(preview["records"]) == 9 and preview["records"][0]["title"].endswith("94中国发展报告")
    assert preview["totals"] == {"error": 0, "warning": 9, "skipped": 0}
    assert progress(job.pk).phase == "done"
    assert not Record.objects.exists() and not Batch.objects.exists()


def test_import_writes_the_batch_with_the_options_given(library, librarian, shelf, data_dir):
    job = make_job(library, librarian, shelf)
    jobs.run_preview(job.pk)
    confirm(ImportJob.objects.get(pk=job.pk), librarian)
    jobs.run_import(job.pk)
    job.refresh_from_db()
    batch = Batch.objects.get()
    assert job.status == Status.DONE and job.batch == batch and job.report["result"]["batch"] == batch.pk
    assert (batch.source, batch.vendor, batch.received_on) == ("donation", "校友会", dt.date(2026, 9, 1))
    assert set(Item.objects.values_list("location", flat=True)) == {shelf[0].pk}
    assert not (data_dir / "uploads").exists() or not any((data_dir / "uploads").iterdir())


def test_a_task_delivered_twice_runs_once(library, librarian, shelf):
    job = make_job(library, librarian, shelf)
    jobs.run_preview(job.pk)
    jobs.run_preview(job.pk)  # a second delivery finds the job no longer waiting for its preview
    confirm(ImportJob.objects.get(pk=job.pk), librarian)
    jobs.run_import(job.pk)
    jobs.run_import(job.pk)
    assert Batch.objects.count() == 1 and Record.objects.count() == 9


def test_a_job_that_was_never_confirmed_is_not_imported(library, librarian, shelf):
    job = make_job(library, librarian, shelf)
    jobs.run_preview(job.pk)
    jobs.run_import(job.pk)
    assert ImportJob.objects.get(pk=job.pk).status == Status.PREVIEWED and not Record.objects.exists()


def test_the_confirm_queues_the_import_task(library, librarian, shelf, django_capture_on_commit_callbacks):
    job = make_job(library, librarian, shelf)
    jobs.run_preview(job.pk)
    with jobs_run_at_once(), django_capture_on_commit_callbacks(execute=True) as queued:
        confirm(ImportJob.objects.get(pk=job.pk), librarian)
    assert len(queued) == 1
    assert ImportJob.objects.get(pk=job.pk).status == Status.DONE


def test_all_or_nothing_refused_at_import_writes_nothing(library, librarian, shelf):
    """Had the preview missed it, the import itself refuses: the job fails with the problems, nothing written."""
    job = make_job(library, librarian, shelf, name="pymarc-bad_records.mrc", all_or_nothing=True)
    jobs.run_preview(job.pk)
    ImportJob.objects.filter(pk=job.pk).update(status=Status.QUEUED)
    jobs.run_import(job.pk)
    job.refresh_from_db()
    assert job.status == Status.FAILED and "全部或全不" in job.report["error"]
    assert job.report["error_problems"] and job.report["preview"]
    assert not Record.objects.exists() and not Batch.objects.exists()


def test_running_out_of_pre_printed_barcodes_fails_cleanly(library, librarian, shelf):
    job = make_job(library, librarian, shelf)
    jobs.run_preview(job.pk)
    Numbering.objects.filter(pk=numbering_for(library).pk).update(barcode_mode=Numbering.BarcodeMode.RANGE)
    confirm(ImportJob.objects.get(pk=job.pk), librarian)
    jobs.run_import(job.pk)
    job.refresh_from_db()
    assert job.status == Status.FAILED and "预印条码不够" in job.report["error"]
    assert not Record.objects.exists() and not Item.objects.exists() and not Batch.objects.exists()
    assert numbering_for(library).accession_last == 0


def test_an_unexpected_error_fails_the_job_with_a_plain_message(library, librarian, shelf, monkeypatch, data_dir):
    job = make_job(library, librarian, shelf)

    def broken(**kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(jobs, "marc_import", broken)
    jobs.run_preview(job.pk)
    job.refresh_from_db()
    assert job.status == Status.FAILED and "意外错误" in job.report["error"] and "disk" not in job.report["error"]
    assert not any((data_dir / "uploads").iterdir())


def test_without_shelves_the_preview_says_what_to_set_up(library, librarian, shelf):
    job = make_job(library, librarian, shelf)
    Item.objects.all().delete()
    shelf[0].delete()
    shelf[1].delete()
    jobs.run_preview(job.pk)
    job.refresh_from_db()
    assert job.status == Status.FAILED and "馆藏地点" in job.report["error"]


def test_the_reporter_turns_the_importers_phases_into_the_pages(library):
    report = jobs._reporter(41, writing=True)
    report("read", 50, 200)
    assert (progress(41).phase, progress(41).percent) == ("read", 25)
    report("read", 200, 200)  # all read, planned: the transaction begins
    assert progress(41).phase == "write" and progress(41).percent is None
    report("store", 9, 9)
    assert progress(41).phase == "write"
    preview = jobs._reporter(42, writing=False)
    preview("read", 200, 200)
    assert progress(42).percent == 100
    assert jobs.progress_get(43) is None


def test_removed_choices_fall_back_to_the_defaults(library, shelf):
    options = jobs.import_options(library, {"batch": 999, "location": 999, "category": None})
    assert options.batch is None and options.location is None and options.category is None
    assert options.new_batch is not None and options.copies_without_holdings == 1 and options.keep_call_numbers


def test_a_failed_job_cannot_be_confirmed(library, librarian, shelf):
    job = make_job(library, librarian, shelf, content=b"not a marc file at all")
    jobs.run_preview(job.pk)
    with pytest.raises(jobs.JobRefused) as refused:
        confirm(ImportJob.objects.get(pk=job.pk), librarian)
    assert refused.value.code == "not_previewed" and ImportJob.objects.get(pk=job.pk).status == Status.FAILED
