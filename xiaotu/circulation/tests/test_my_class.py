"""我的班级: a class teacher sees their own pupils' loans and overdue books, read only, and nothing else."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from xiaotu.accounts.models import Role
from xiaotu.circulation.services import checkout
from xiaotu.testing.factories import (
    GradeFactory,
    ItemFactory,
    ReaderFactory,
    RecordFactory,
    SchoolClassFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
URL = reverse("circulation:my_class")


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def teacher(library):
    return UserFactory.create(library=library, username="zhao", role=Role.TEACHER, display_name="赵老师")


@pytest.fixture
def school(rules, library, teacher, librarian):
    """三年级(2)班 is 赵老师's: 张小明 has an overdue book, 李华 a current one; 三年级(1)班 belongs to no one here."""
    grade = GradeFactory.create(library=library)
    mine = SchoolClassFactory.create(grade=grade, number=2, teacher=teacher)
    other = SchoolClassFactory.create(grade=grade, number=1)
    late = ReaderFactory.create(name="张小明", school_class=mine)
    ontime = ReaderFactory.create(name="李华", school_class=mine)
    ReaderFactory.create(name="王芳", school_class=mine)
    stranger = ReaderFactory.create(name="刘洋", school_class=other)
    past = timezone.now() - dt.timedelta(weeks=5)
    loan = checkout(
        reader=late, item=ItemFactory.create(record=RecordFactory.create(title="昆虫记")), by=librarian, at=past
    )
    checkout(reader=ontime, item=ItemFactory.create(record=RecordFactory.create(title="小王子")), by=librarian)
    checkout(reader=stranger, item=ItemFactory.create(record=RecordFactory.create(title="稻草人")), by=librarian)
    return mine, other, loan


def test_a_teacher_sees_their_class_loans_and_overdue_books(client, teacher, school):
    _mine, _other, late_loan = school
    client.force_login(teacher)
    response = client.get(URL)
    page = response.content.decode()
    assert response.status_code == 200
    assert "三年级(2)班" in page and "张小明" in page and "李华" in page and "王芳" in page
    assert "《昆虫记》" in page and "《小王子》" in page
    assert f"逾期 {late_loan.days_overdue(timezone.localdate())} 天" in page
    assert "超期未还" in page


def test_a_teacher_never_sees_another_class(client, teacher, school):
    _mine, other, _loan = school
    client.force_login(teacher)
    page = client.get(URL).content.decode()
    assert "刘洋" not in page and "稻草人" not in page and "三年级(1)班" not in page
    assert client.get(URL, {"class": other.pk}).status_code == 404
    assert client.get(URL, {"class": "abc"}).status_code == 404


def test_the_page_is_read_only(client, teacher, school):
    client.force_login(teacher)
    page = client.get(URL).content.decode()
    assert "<form" not in page.split("<main")[1]
    assert client.post(URL).status_code == 405


def test_a_teacher_without_a_class_is_told_so(client, library, school):
    client.force_login(UserFactory.create(library=library, role=Role.TEACHER))
    page = client.get(URL).content.decode()
    assert "您还不是任何班级的班主任" in page and "张小明" not in page


def test_the_class_takes_the_same_few_queries_however_many_pupils(
    client, teacher, school, django_assert_max_num_queries
):
    mine, _other, _loan = school
    for _ in range(20):
        ReaderFactory.create(school_class=mine)
    client.force_login(teacher)
    with django_assert_max_num_queries(8):
        client.get(URL)


def test_an_administrator_picks_any_class(client, library, school):
    _mine, other, _loan = school
    client.force_login(UserFactory.create(library=library, role=Role.ADMIN))
    picker = client.get(URL).content.decode()
    assert "三年级(1)班" in picker and "三年级(2)班" in picker and "张小明" not in picker
    page = client.get(URL, {"class": other.pk}).content.decode()
    assert "刘洋" in page and "《稻草人》" in page and "张小明" not in page


@pytest.mark.parametrize("role", [Role.LIBRARIAN, Role.STUDENT_LIBRARIAN])
def test_desk_staff_do_not_get_the_teacher_page(client, library, school, role):
    client.force_login(UserFactory.create(library=library, role=role))
    assert client.get(URL).status_code == 403


def test_a_teacher_reaches_neither_the_desk_nor_the_settings(client, teacher, school):
    client.force_login(teacher)
    for name in ("circulation:desk", "loan_rules:edit", "schools:calendar"):
        assert client.get(reverse(name)).status_code == 403, name


def test_a_teacher_menu_shows_only_their_page(client, teacher, school):
    client.force_login(teacher)
    page = client.get(URL).content.decode()
    assert "我的班级" in page
    for hidden in ("借还台", "借阅规则", "校历", "后台管理"):
        assert hidden not in page, hidden


def test_anonymous_users_are_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))
