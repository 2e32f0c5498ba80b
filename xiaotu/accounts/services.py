"""Writes for staff accounts, API tokens and the audit log."""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import secrets
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from xiaotu.accounts.models import ApiToken, AuditEvent, User
from xiaotu.bulk import insert_one
from xiaotu.schools.models import Library
from xiaotu.short_cache import ShortCache

TOKEN_PREFIX = "xt_"


def audit_record(
    *, library: Library, actor: User | None, action: str, obj: models.Model, data: dict[str, Any], at: dt.datetime
) -> AuditEvent:
    """Write one audit row; callers do this inside the transaction of the change itself.

    Written with a prepared INSERT rather than Model.objects.create: every desk scan writes one, and building the
    ORM's INSERT cost more than the scan's own write.
    """
    object_type = obj._meta.model_name or type(obj).__name__.lower()
    actor_id = actor.pk if actor is not None else None
    pk = insert_one(AuditEvent, AUDIT_COLUMNS[1:], (library.pk, at, actor_id, action, object_type, obj.pk, data))
    event = AuditEvent(
        library=library, at=at, actor_id=actor_id, action=action, object_type=object_type, object_id=obj.pk, data=data
    )
    event.pk = pk
    event._state.adding = False
    return event


AUDIT_COLUMNS = ("id", "library_id", "at", "actor_id", "action", "object_type", "object_id", "data")


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def api_token_issue(*, user: User, name: str = "") -> str:
    """Create a token for the user and return it; only its digest is kept."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, name=name, digest=token_digest(token))
    return token


_TOKENS: ShortCache[str, User | None] = ShortCache(seconds=30)


def api_token_user(token: str) -> User | None:
    """The active user a token belongs to, or None. Remembered for half a minute: a desk sends one per scan."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    user = _TOKENS.get(token_digest(token), lambda: _token_user(token))
    # A copy per request: the cached object is shared by the server's threads, and requests set attributes on it.
    return copy.copy(user) if user is not None else None


def api_token_forget() -> None:
    """Call when tokens are revoked or staff deactivated, so this process stops accepting them at once."""
    _TOKENS.forget()
    transaction.on_commit(_TOKENS.forget)


def _token_user(token: str) -> User | None:
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
