"""What every public OPAC page starts from: its library, kiosk mode, and the reader signed in, if any."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from xiaotu.opac import signin
from xiaotu.readers.models import Reader
from xiaotu.reports.selectors import report_settings
from xiaotu.schools.models import Library

KIOSK_COOKIE = "xiaotu_opac_kiosk"
KIOSK_COOKIE_AGE = 5 * 365 * 24 * 3600  # a kiosk is a kiosk until someone turns it off with ?kiosk=0
KIOSK_IDLE_SECONDS = 90


@dataclass(frozen=True)
class Opac:
    """Put in every template as `opac`."""

    library: Library
    kiosk: bool
    reader: Reader | None
    idle_seconds: int = KIOSK_IDLE_SECONDS

    def stars_published(self) -> bool:
        """读书之星 appear in the OPAC only when the library publishes them (统计设置)."""
        return report_settings(self.library).stars_public


OpacView = Callable[..., HttpResponse]


def opac_page(view: OpacView) -> Callable[..., HttpResponse]:
    """Resolve /opac/<library_id>/…; `?kiosk=1` turns this browser into a kiosk (no sign-in, back home when idle),
    `?kiosk=0` turns it back."""

    @wraps(view)
    def wrapped(request: HttpRequest, library_id: int, *args: Any, **kwargs: Any) -> HttpResponse:
        library = get_object_or_404(Library, pk=library_id)
        asked = request.GET.get("kiosk")
        kiosk = asked == "1" if asked in ("0", "1") else request.COOKIES.get(KIOSK_COOKIE) == "1"
        reader = None if kiosk else signin.signed_in_reader(request, library)
        response = view(request, Opac(library=library, kiosk=kiosk, reader=reader), *args, **kwargs)
        if asked == "1":
            response.set_cookie(KIOSK_COOKIE, "1", max_age=KIOSK_COOKIE_AGE, httponly=True, samesite="Lax")
        elif asked == "0":
            response.delete_cookie(KIOSK_COOKIE)
        return response

    return wrapped
