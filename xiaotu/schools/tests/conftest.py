from __future__ import annotations

import pytest

from xiaotu.accounts.models import Role, User
from xiaotu.testing.factories import UserFactory


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def admin(library) -> User:
    return UserFactory.create(library=library, username="admin", role=Role.ADMIN)
