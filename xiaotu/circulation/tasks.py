"""Background jobs for circulation: holds not fetched in time, the daily overdue notices."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from xiaotu.circulation.holds import holds_expire
from xiaotu.circulation.models import NoticeChannels
from xiaotu.circulation.notices import overdue_notices_send
from xiaotu.schools.models import Library


# Hourly rather than nightly, like the readers' job: a school PC is often off at night, and a run that finds
# nothing past its deadline costs one indexed query per library.
@db_periodic_task(crontab(minute="10"))  # type: ignore[untyped-decorator]  # huey has no type hints
def expire_holds() -> int:
    """过期未取 — end the ready holds past their pickup day; each copy goes to the next reader in line."""
    today = timezone.localdate()
    return sum(holds_expire(library=library, today=today) for library in Library.objects.order_by("pk"))


@db_periodic_task(crontab(minute="20"))  # type: ignore[untyped-decorator]
def send_overdue_notices() -> int:
    """超期通知 — once a day, from the library's hour on, on each channel not yet sent today; a failure retries
    the next hour."""
    now = timezone.localtime()
    sent = 0
    for channels in NoticeChannels.objects.select_related("library").filter(
        models.Q(email_enabled=True) | models.Q(webhook_enabled=True), send_hour__lte=now.hour
    ):
        sent += len(overdue_notices_send(library=channels.library, today=now.date()))
    return sent
