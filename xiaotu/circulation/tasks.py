"""Background jobs for circulation: holds not fetched in time."""

from __future__ import annotations

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from xiaotu.circulation.holds import holds_expire
from xiaotu.schools.models import Library


# Hourly rather than nightly, like the readers' job: a school PC is often off at night, and a run that finds
# nothing past its deadline costs one indexed query per library.
@db_periodic_task(crontab(minute="10"))  # type: ignore[untyped-decorator]  # huey has no type hints
def expire_holds() -> int:
    """过期未取 — end the ready holds past their pickup day; each copy goes to the next reader in line."""
    today = timezone.localdate()
    return sum(holds_expire(library=library, today=today) for library in Library.objects.order_by("pk"))
