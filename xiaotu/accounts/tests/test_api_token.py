"""API access: `xiaotu api-token` issues tokens; tokens and staff sessions let staff in, limited to their library."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core import management
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from xiaotu.accounts.models import ApiToken, Role
from xiaotu.accounts.services import api_token_issue
from xiaotu.cli import main
from xiaotu.testing.factories import ItemFactory, UserFactory

pytestmark = pytest.mark.django_db


def me(client, token: str | None = None, **headers: str):
    if token is not None:
        headers["authorization"] = f"Bearer {token}"
    return client.get("/api/v1/me", headers=headers)


def issue(*args: str) -> str:
    out, err = StringIO(), StringIO()
    call_command("api_token", *args, stdout=out, stderr=err)
    assert "不会再次显示" in err.getvalue()
    return out.getvalue().strip()


def test_the_command_prints_a_token_that_lets_its_user_in(client, librarian):
    token = issue("librarian", "--name", "借还台电脑")
    response = me(client, token)
    assert response.status_code == 200, response.content
    assert response.json() == {
        "username": "librarian",
        "name": "librarian",
        "role": "librarian",
        "library": {"code": "test-school", "name": "实验小学图书馆"},
    }
    row = ApiToken.objects.get(user=librarian)
    assert row.name == "借还台电脑" and row.digest != token and row.last_used_at is not None


def test_each_run_prints_a_new_token(librarian):
    assert issue("librarian") != issue("librarian")
    assert ApiToken.objects.filter(user=librarian).count() == 2


def test_the_cli_spells_it_with_a_hyphen(monkeypatch):
    """`xiaotu api-token` reaches this command (run in-process, the real CLI would close the test database)."""
    seen: list[list[str]] = []
    monkeypatch.setattr(management, "execute_from_command_line", seen.append)
    main(["xiaotu", "api-token", "librarian"])
    assert seen == [["xiaotu", "api_token", "librarian"]]
    assert management.get_commands()["api_token"] == "xiaotu.accounts"


def test_an_unknown_user_is_a_clear_error(db):
    with pytest.raises(CommandError, match="没有这个用户：nobody"):
        issue("nobody")
    assert not ApiToken.objects.exists()


def test_an_inactive_user_gets_no_token(librarian):
    librarian.is_active = False
    librarian.save()
    with pytest.raises(CommandError, match="已停用"):
        issue("librarian")


def test_a_user_without_a_library_gets_no_token(db):
    UserFactory.create(username="district", library=None)
    with pytest.raises(CommandError, match="不属于任何图书馆"):
        issue("district")


def test_a_revoked_token_is_401(client, librarian):
    token = api_token_issue(user=librarian)
    ApiToken.objects.update(revoked_at=timezone.now())
    response = me(client, token)
    assert (response.status_code, response.json()["code"]) == (401, "unauthorized")


def test_a_deactivated_users_token_is_401(client, librarian):
    token = api_token_issue(user=librarian)
    librarian.is_active = False
    librarian.save()
    assert me(client, token).status_code == 401


def test_a_token_of_a_user_who_left_the_library_is_401(client, librarian):
    token = api_token_issue(user=librarian)
    librarian.library = None
    librarian.save()
    assert me(client, token).status_code == 401


@pytest.mark.parametrize("header", ["", "Bearer ", "Bearer nonsense", "Token xt_abc", "Bearer xt_" + "a" * 10_000])
def test_no_or_bad_token_is_401_with_a_challenge(client, db, header):
    response = me(client, authorization=header) if header else me(client)
    assert (response.status_code, response.json()["code"]) == (401, "unauthorized")
    assert response["WWW-Authenticate"] == 'Bearer realm="xiaotu"'


def test_teachers_read_with_their_token(client, library):
    teacher = UserFactory.create(library=library, username="teacher", role=Role.TEACHER)
    assert me(client, api_token_issue(user=teacher)).json()["role"] == "teacher"


def test_the_staff_session_works_too(client, librarian):
    client.force_login(librarian)
    assert me(client).json()["username"] == "librarian"


def test_a_session_write_needs_the_csrf_token(librarian):
    """Given a logged-in page, a POST without the CSRF token is refused; with it, the request reaches the service."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(librarian)
    item = ItemFactory.create()
    url, body = "/api/v1/circulation/checkin", {"item": item.barcode}
    response = client.post(url, body, content_type="application/json")
    assert (response.status_code, response.json()["code"]) == (403, "csrf_failed")
    client.cookies["csrftoken"] = "a" * 32
    response = client.post(url, body, content_type="application/json", headers={"x-csrftoken": "a" * 32})
    assert (response.status_code, response.json()["code"]) == (409, "item_not_on_loan")


def test_a_teachers_session_may_not_write(client, library):
    client.force_login(UserFactory.create(library=library, username="teacher", role=Role.TEACHER))
    response = client.post("/api/v1/circulation/checkin", {"item": "T1"}, content_type="application/json")
    assert (response.status_code, response.json()["code"]) == (403, "forbidden")
