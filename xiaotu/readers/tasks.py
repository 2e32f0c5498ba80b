"""Background jobs for readers: erasing the personal data of readers who left, once their time is up."""

from __future__ import annotations

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from xiaotu.readers.privacy import readers_erase_expired
from xiaotu.schools.models import Library


# Checked every hour rather than once at night: a school PC is usually off at night. Only readers who are due are
# touched, so all but the first run of a day find nothing to do.
@db_periodic_task(crontab(minute="40"))  # type: ignore[untyped-decorator]  # huey has no type hints
def erase_expired_readers() -> int:
    """删除到期的离校读者信息 — for every library, as its 隐私设置 says (0: never)."""
    today = timezone.localdate()
    return sum(readers_erase_expired(library=library, today=today) for library in Library.objects.order_by("pk"))
