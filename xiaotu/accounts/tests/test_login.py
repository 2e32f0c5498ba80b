"""Logging in and out, the lock-out after wrong passwords, the language switch, and where each role lands."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from xiaotu.accounts.models import Role
from xiaotu.testing.factories import UserFactory

pytestmark = pytest.mark.django_db
LOGIN = reverse("accounts:login")
PASSWORD = "pw-for-tests"


def login(client, username: str, password: str, *, ip: str = "10.0.0.1", next_url: str = ""):
    data = {"username": username, "password": password}
    if next_url:
        data["next"] = next_url
    return client.post(LOGIN, data, REMOTE_ADDR=ip)


def test_the_login_page_is_in_chinese_with_an_english_switch(client):
    page = client.get(LOGIN).content.decode()
    assert "登录校图" in page and "用户名" in page and "密码" in page
    assert 'lang="zh-hans"' in page
    assert 'action="/i18n/setlang/"' in page and 'value="en"' in page


def test_the_right_password_logs_in_and_lands_on_the_desk(client, student_librarian):
    response = login(client, "xiaoguan", PASSWORD)
    assert response.status_code == 302
    assert client.get(response.url, follow=True).redirect_chain[-1][0] == reverse("circulation:desk")


def test_login_follows_next(client, librarian):
    response = login(client, "librarian", PASSWORD, next_url="/desk/?mode=return")
    assert response.url == "/desk/?mode=return"


def test_a_wrong_password_is_refused_in_plain_words(client, librarian):
    response = login(client, "librarian", "wrong")
    page = response.content.decode()
    assert response.status_code == 200 and "用户名或密码不正确。" in page
    assert "_auth_user_id" not in client.session
    assert re.search(r'<input [^>]*name="password"[^>]*autofocus', page), "the cursor waits in the password field"
    assert not re.search(r'<input [^>]*name="username"[^>]*autofocus', page)


def test_five_wrong_passwords_lock_the_name_even_for_the_right_one(client, librarian):
    """Given five wrong passwords for one name, the sixth try is refused even with the right password."""
    for _ in range(5):
        login(client, "librarian", "wrong")
    response = login(client, "librarian", PASSWORD)
    assert "密码错误次数太多，请 15 分钟后再试。" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_lock_holds_from_another_computer(client, librarian):
    for n in range(5):
        login(client, "librarian", "wrong", ip=f"10.0.0.{n}")
    response = login(client, "librarian", PASSWORD, ip="10.0.9.9")
    assert "_auth_user_id" not in client.session and "15 分钟" in response.content.decode()


def test_four_wrong_passwords_then_the_right_one_still_logs_in(client, librarian):
    for _ in range(4):
        login(client, "librarian", "wrong")
    assert login(client, "librarian", PASSWORD).status_code == 302


def test_one_locked_name_does_not_lock_a_colleague(client, librarian, student_librarian):
    for _ in range(5):
        login(client, "librarian", "wrong")
    assert login(client, "xiaoguan", PASSWORD).status_code == 302


def test_an_address_is_locked_after_many_failures_for_many_names(client, librarian):
    for n in range(20):
        login(client, f"nobody{n}", "wrong")
    response = login(client, "librarian", PASSWORD)
    assert "_auth_user_id" not in client.session and "15 分钟" in response.content.decode()


def test_a_very_long_username_is_handled(client):
    response = login(client, "x" * 5000, "y" * 5000)
    assert response.status_code == 200


def test_logout_needs_a_post_and_ends_the_session(client, librarian):
    client.force_login(librarian)
    page = client.get(reverse("circulation:desk")).content.decode()
    assert f'action="{reverse("accounts:logout")}" method="post"' in page
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302 and response.url == LOGIN
    assert client.get(reverse("circulation:desk")).status_code == 302


def test_switching_to_english_and_back(client, librarian):
    client.force_login(librarian)
    response = client.post(reverse("set_language"), {"language": "en", "next": "/desk/"})
    assert response.status_code == 302 and response.url == "/desk/"
    page = client.get("/desk/").content.decode()
    assert 'lang="en"' in page and 'value="zh-hans"' in page
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/desk/"})
    assert 'lang="zh-hans"' in client.get("/desk/").content.decode()


def test_home_sends_each_role_to_its_page(client, library):
    assert client.get("/").url == LOGIN
    for role, page in [
        (Role.TEACHER, "circulation:my_class"),
        (Role.STUDENT_LIBRARIAN, "circulation:desk"),
        (Role.LIBRARIAN, "circulation:desk"),
        (Role.ADMIN, "circulation:desk"),
    ]:
        client.force_login(UserFactory.create(library=library, role=role))
        assert client.get("/").url == reverse(page), role


@pytest.mark.parametrize(
    ("role", "shown", "hidden"),
    [
        (Role.STUDENT_LIBRARIAN, ["借还台"], ["借阅规则", "校历", "我的班级", "后台管理"]),
        (Role.LIBRARIAN, ["借还台"], ["借阅规则", "校历", "我的班级"]),
        (Role.ADMIN, ["借还台", "借阅规则", "校历", "我的班级"], []),
    ],
)
def test_the_menu_shows_only_what_the_role_may_use(client, library, role, shown, hidden):
    client.force_login(UserFactory.create(library=library, role=role, display_name="测试用户"))
    page = client.get(reverse("circulation:desk")).content.decode()
    menu = page.split('class="menu"')[1].split("</nav>")[0]
    for label in shown:
        assert label in menu, label
    for label in hidden:
        assert label not in menu, label
    assert "测试用户" in page


def test_a_refused_page_explains_itself(client, library):
    client.force_login(UserFactory.create(library=library, role=Role.STUDENT_LIBRARIAN))
    response = client.get(reverse("loan_rules:edit"))
    assert response.status_code == 403 and "您没有权限打开这个页面" in response.content.decode()


@pytest.mark.parametrize("role", [Role.STUDENT_LIBRARIAN, Role.TEACHER, Role.LIBRARIAN])
def test_the_admin_site_is_closed_to_ordinary_staff(client, library, role):
    client.force_login(UserFactory.create(library=library, role=role))
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and "/admin/login/" in response.url
