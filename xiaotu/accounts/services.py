"""Writes for staff accounts, API tokens and the audit log."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.db import models
from django.utils import timezone

from xiaotu.accounts.models import ApiToken, AuditEvent, User
from xiaotu.schools.models import Library

TOKEN_PREFIX = "xt_"


def audit_record(
    *, library: Library, actor: User | None, action: str, obj: models.Model, data: dict[str, Any], at: dt.datetime
) -> AuditEvent:
    """Write one audit row; callers do this inside the transaction of the change itself."""
    return AuditEvent.objects.create(
        library=library,
        at=at,
        actor=actor,
        action=action,
        object_type=obj._meta.model_name or type(obj).__name__.lower(),
        object_id=obj.pk,
        data=data,
    )


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def api_token_issue(*, user: User, name: str = "") -> str:
    """Create a token for the user and return it; only its digest is kept."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, name=name, digest=token_digest(token))
    return token


def api_token_user(token: str) -> User | None:
    """The active user a token belongs to, or None."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    row = (
        ApiToken.objects.select_related("user", "user__library")
        .filter(digest=token_digest(token), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if row is None:
        return None
    now = timezone.now()
    # Touch last_used at most once an hour: a write on every desk scan would cost more than the scan.
    if row.last_used_at is None or now - row.last_used_at > dt.timedelta(hours=1):
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
    return row.user
