from __future__ import annotations

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def clean_slate(settings):
    """Login failures are counted in the cache, which outlives a test: start each test with none."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()
    yield
    cache.clear()
