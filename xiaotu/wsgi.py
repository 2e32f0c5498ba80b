"""The WSGI application: Django, with API calls made with a token taken through a shorter middleware chain.

A desk program or a scanner script calls the API with `Authorization: Bearer …` and no session cookie. Sessions,
CSRF, login, messages, htmx, clickjacking headers and static files mean nothing to such a request, yet running
them cost a tenth of a check-out's server time. Everything else — the pages, and API calls from a logged-in page,
which the session authenticates — goes through the full `MIDDLEWARE`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.handlers.base import BaseHandler
from django.core.handlers.wsgi import WSGIHandler
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xiaotu.settings")

Environ = dict[str, Any]
StartResponse = Callable[..., Any]


class TokenApiChain(BaseHandler):
    """For a Django handler: build the chain from `API_TOKEN_MIDDLEWARE` in place of `MIDDLEWARE`."""

    def load_middleware(self, is_async: bool = False) -> None:
        # Django reads the list from settings and nowhere else. This runs once, while the application is built
        # and before any request, so swapping the setting for the call is safe.
        full = settings.MIDDLEWARE
        settings.MIDDLEWARE = settings.API_TOKEN_MIDDLEWARE
        try:
            super().load_middleware(is_async)
        finally:
            settings.MIDDLEWARE = full


class TokenApiHandler(TokenApiChain, WSGIHandler):
    pass


def is_token_call(environ: Environ) -> bool:
    """An API request with a bearer token and without a session cookie (else the session decides who it is)."""
    return (
        environ.get("PATH_INFO", "").startswith("/api/")
        and environ.get("HTTP_AUTHORIZATION", "")[:7].lower() == "bearer "
        and settings.SESSION_COOKIE_NAME + "=" not in environ.get("HTTP_COOKIE", "")
    )


class Application:
    def __init__(self) -> None:
        self.pages = get_wsgi_application()  # sets Django up first
        self.token_api = TokenApiHandler()

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        handler = self.token_api if is_token_call(environ) else self.pages
        return handler(environ, start_response)


application = Application()
