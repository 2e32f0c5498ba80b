"""Login throttling: after a few wrong passwords for one name or from one address, wait before trying again."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache


def _keys(username: str, ip: str) -> list[str]:
    return [f"login-fail:user:{username.lower()[:150]}", f"login-fail:ip:{ip}"]


def is_locked(username: str, ip: str) -> bool:
    limit: int = settings.XIAOTU_LOGIN_MAX_FAILURES
    user_key, ip_key = _keys(username, ip)
    # The address gets more tries than one name: a computer-room PC is shared by a whole class.
    return int(cache.get(user_key, 0)) >= limit or int(cache.get(ip_key, 0)) >= limit * 4


def record_failure(username: str, ip: str) -> None:
    for key in _keys(username, ip):
        cache.add(key, 0, settings.XIAOTU_LOGIN_LOCKOUT_SECONDS)
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, settings.XIAOTU_LOGIN_LOCKOUT_SECONDS)


def clear(username: str, ip: str) -> None:
    cache.delete(_keys(username, ip)[0])
