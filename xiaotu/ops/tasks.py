"""Background jobs of the installation itself: the automatic daily backup."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from xiaotu.ops.backup import backup_daily


# Every hour rather than once at 02:30: a school PC is usually off or asleep at night, so the day's backup is made
# at the first check after 02:30 that finds none since; a server that stays on makes it at 02:30 itself.
@db_periodic_task(crontab(minute="30"))  # type: ignore[untyped-decorator]  # huey has no type hints
def daily_backup() -> None:
    """每日自动备份 — back up into XIAOTU_BACKUP_DIR when due and keep the newest XIAOTU_BACKUP_KEEP."""
    backup_daily()
