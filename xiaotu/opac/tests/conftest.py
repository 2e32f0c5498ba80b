from __future__ import annotations

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _no_sign_in_failures_left():
    """Sign-in failures are counted in the cache, which outlives a test: start each test with none."""
    cache.clear()
    yield
    cache.clear()
