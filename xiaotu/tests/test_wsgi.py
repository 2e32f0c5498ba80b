"""The WSGI application: calls made with a token take the short middleware chain, everything else the full one."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from xiaotu.accounts.services import api_token_issue
from xiaotu.wsgi import application, is_token_call


def environ(path: str, *, method: str = "GET", body: bytes = b"", **headers: str) -> dict[str, Any]:
    env: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "CONTENT_LENGTH": str(len(body)),
        "CONTENT_TYPE": "application/json",
    }
    env.update({f"HTTP_{name.upper()}": value for name, value in headers.items()})
    return env


def call(env: dict[str, Any]) -> tuple[int, dict[str, str], bytes]:
    answer: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: object = None) -> None:
        answer["status"], answer["headers"] = int(status.split()[0]), dict(headers)

    # As Django's test client does: the test's transaction must outlive the request, which a server would close.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        response = application(env, start_response)
        content = b"".join(response)
        getattr(response, "close", lambda: None)()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return answer["status"], answer["headers"], content


@pytest.mark.parametrize(
    ("path", "headers", "expected"),
    [
        ("/api/v1/me", {"HTTP_AUTHORIZATION": "Bearer xt_abc"}, True),
        ("/api/v1/me", {"HTTP_AUTHORIZATION": "bearer xt_abc"}, True),
        ("/api/v1/me", {"HTTP_AUTHORIZATION": "Bearer xt_abc", "HTTP_COOKIE": "sessionid=s1; other=1"}, False),
        ("/api/v1/me", {"HTTP_AUTHORIZATION": "Basic YWJj"}, False),
        ("/api/v1/me", {}, False),
        ("/desk/", {"HTTP_AUTHORIZATION": "Bearer xt_abc"}, False),
    ],
)
def test_a_token_call_is_an_api_path_with_a_bearer_token_and_no_session(path, headers, expected):
    assert is_token_call({"PATH_INFO": path, **headers}) is expected


@pytest.mark.django_db
def test_a_token_call_is_answered_without_the_pages_middleware(librarian):
    token = api_token_issue(user=librarian, name="desk")
    status, headers, content = call(environ("/api/v1/me", authorization=f"Bearer {token}"))
    assert status == 200, content
    assert json.loads(content)["username"] == "librarian"
    # The clickjacking and session middleware did not run: no frame header, no Vary on the cookie.
    assert "X-Frame-Options" not in headers
    assert "Cookie" not in headers.get("Vary", "")


@pytest.mark.django_db
def test_the_same_call_with_a_session_cookie_goes_through_the_full_chain(librarian):
    token = api_token_issue(user=librarian, name="desk")
    status, headers, _ = call(environ("/api/v1/me", authorization=f"Bearer {token}", cookie="sessionid=stale"))
    assert status == 200
    assert headers["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_a_bad_token_is_a_401_in_the_callers_language_not_a_500(librarian):
    body = json.dumps({"item": "123"}).encode()
    env = environ(
        "/api/v1/circulation/checkin",
        method="POST",
        body=body,
        authorization="Bearer xt_wrong",
        accept_language="en",
    )
    status, _, content = call(env)
    assert status == 401, content
    assert json.loads(content)["code"]


@pytest.mark.django_db
def test_pages_keep_the_full_chain():
    status, headers, _ = call(environ("/accounts/login/", authorization="Bearer xt_abc"))
    assert status == 200
    assert headers["X-Frame-Options"] == "DENY"
