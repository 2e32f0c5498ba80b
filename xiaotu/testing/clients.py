"""A test client that picks the middleware chain per request as the server does (see xiaotu/wsgi.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.test import Client
from django.test.client import ClientHandler

from xiaotu.wsgi import TokenApiChain, is_token_call

if TYPE_CHECKING:
    from django.test.client import _WSGIResponse


class _TokenApiClientHandler(TokenApiChain, ClientHandler):
    pass


class _DispatchingHandler(ClientHandler):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.token_api = _TokenApiClientHandler(*args, **kwargs)

    def __call__(self, environ: dict[str, Any]) -> _WSGIResponse:
        if is_token_call(environ):
            return self.token_api(environ)
        return super().__call__(environ)


class ServerClient(Client):
    """Django's test client, with bearer-token API calls taken through `API_TOKEN_MIDDLEWARE` like the server's."""

    def __init__(self, enforce_csrf_checks: bool = False, *args: Any, **kwargs: Any) -> None:
        super().__init__(enforce_csrf_checks, *args, **kwargs)
        self.handler = _DispatchingHandler(enforce_csrf_checks)
