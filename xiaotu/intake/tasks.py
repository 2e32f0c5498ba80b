"""Background jobs of intake: the preview (a dry run) and the import of an uploaded file (see jobs.py)."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from xiaotu.intake import jobs


@db_task()  # type: ignore[untyped-decorator]  # huey has no type hints
def preview_job(job_id: int) -> None:
    """预览 — read the upload and plan its import without writing anything."""
    jobs.run_preview(job_id)


@db_task()  # type: ignore[untyped-decorator]
def import_job(job_id: int) -> None:
    """导入 — write the confirmed import in one transaction."""
    jobs.run_import(job_id)
