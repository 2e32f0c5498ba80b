from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from xiaotu.accounts.permissions import DESK, LIBRARY_WORK, SETTINGS


def staff(request: HttpRequest) -> dict[str, Any]:
    """What the menu may show this user; the views check again on the server."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "can_desk": user.has_role(*DESK),
        "can_library_work": user.has_role(*LIBRARY_WORK),
        "can_settings": user.has_role(*SETTINGS),
        "library": user.library,
    }
