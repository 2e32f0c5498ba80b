"""Pages are Chinese unless the user picked English with the language button; the API follows Accept-Language."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_a_browser_in_english_still_gets_chinese_pages(client: Client):
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.headers["Content-Language"] == "zh-hans"


def test_the_language_button_switches_to_english(client: Client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    response = client.get("/accounts/login/")
    assert response.headers["Content-Language"] == "en"


def test_the_api_follows_accept_language(client: Client):
    response = client.get("/api/v1/readers", HTTP_ACCEPT_LANGUAGE="en")
    assert response.headers["Content-Language"] == "en"
