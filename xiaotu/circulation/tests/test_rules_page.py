"""借阅规则: the matrix page (管理员 only) and `loan_rules_save`, which saves everything or nothing."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from xiaotu.accounts.models import AuditEvent, Role
from xiaotu.circulation.models import LoanCap, LoanRule
from xiaotu.circulation.rules import RuleCell, loan_rules_save
from xiaotu.testing.factories import LibraryFactory, ReaderTypeFactory, UserFactory

pytestmark = pytest.mark.django_db
URL = reverse("loan_rules:edit")


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def admin(library):
    return UserFactory.create(library=library, username="admin", role=Role.ADMIN)


@pytest.fixture
def matrix(rules):
    """The conftest rules: 学生 × 普通图书 (a rule), 学生 × 工具书 (a rule), total cap 3."""
    book = rules.item_category
    reference = LoanRule.objects.exclude(pk=rules.pk).get().item_category
    return rules.reader_type, book, reference


def cell_data(type_id: int, category_id: int, *, on=True, days="14", loans="2", renewals="1", blocks=True):
    p = f"r{type_id}c{category_id}_"
    data = {f"{p}loan_days": days, f"{p}max_loans": loans, f"{p}max_renewals": renewals}
    if on:
        data[f"{p}on"] = "on"
    if blocks:
        data[f"{p}overdue_blocks"] = "on"
    return data


def full_post(matrix, **book_cell):
    student, book, reference = matrix
    return {
        **cell_data(student.pk, book.pk, **book_cell),
        **cell_data(student.pk, reference.pk),
        f"cap{student.pk}": "3",
    }


def test_the_page_shows_the_matrix(client, admin, matrix):
    client.force_login(admin)
    response = client.get(URL)
    page = response.content.decode()
    student, book, _reference = matrix
    assert response.status_code == 200
    assert "学生" in page and "普通图书" in page and "工具书" in page and "仅供馆内阅览" in page
    assert f'name="r{student.pk}c{book.pk}_loan_days" value="14"' in page
    assert f'name="cap{student.pk}" value="3"' in page


def test_saving_changes_the_cell_and_the_cap(client, admin, matrix):
    client.force_login(admin)
    student, book, _reference = matrix
    data = full_post(matrix, days="30", loans="3", renewals="2", blocks=False)
    data[f"cap{student.pk}"] = "5"
    response = client.post(URL, data)
    assert response.status_code == 302
    rule = LoanRule.objects.get(reader_type=student, item_category=book)
    assert (rule.loan_days, rule.max_loans, rule.max_renewals, rule.overdue_blocks) == (30, 3, 2, False)
    assert LoanCap.objects.get(reader_type=student).max_total == 5
    assert AuditEvent.objects.filter(action="loan_rules.save", actor=admin).count() == 1
    assert "借阅规则已保存" in client.get(URL).content.decode()


def test_unticking_a_cell_removes_the_rule_and_an_empty_cap_removes_the_cap(client, admin, matrix):
    client.force_login(admin)
    student, book, _reference = matrix
    data = full_post(matrix, on=False)
    data[f"cap{student.pk}"] = ""
    client.post(URL, data)
    assert not LoanRule.objects.filter(reader_type=student, item_category=book).exists()
    assert not LoanCap.objects.filter(reader_type=student).exists()


def test_a_new_reader_type_gets_rules_when_ticked(client, admin, matrix, library):
    client.force_login(admin)
    teacher = ReaderTypeFactory.create(library=library, code="teacher", name="教师")
    _student, book, _reference = matrix
    data = {**full_post(matrix), **cell_data(teacher.pk, book.pk, days="60", loans="10")}
    client.post(URL, data)
    assert LoanRule.objects.get(reader_type=teacher, item_category=book).loan_days == 60
    assert not LoanRule.objects.filter(reader_type=teacher, item_category=matrix[2]).exists()


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ({"days": "0"}, "不能小于 1"),
        ({"days": "366"}, "不能大于 365"),
        ({"days": "-3"}, "不能小于 1"),
        ({"days": "abc"}, "请填写整数"),
        ({"days": "1.5"}, "请填写整数"),
        ({"days": ""}, "可借时必须填写"),
        ({"loans": "0"}, "不能小于 1"),
        ({"loans": "100"}, "不能大于 99"),
        ({"renewals": "10"}, "不能大于 9"),
        ({"renewals": "99999999999999999999"}, "不能大于 9"),
    ],
)
def test_bad_input_saves_nothing_and_says_why(client, admin, matrix, cell, message):
    """Given one good change and one bad cell, nothing at all is saved and the error names the cell."""
    client.force_login(admin)
    student, _book, reference = matrix
    data = full_post(matrix, **cell)
    data[f"cap{student.pk}"] = "4"  # a good change in the same post
    data[f"r{student.pk}c{reference.pk}_loan_days"] = "7"
    before = list(LoanRule.objects.order_by("pk").values())
    response = client.post(URL, data)
    page = response.content.decode()
    assert response.status_code == 400
    assert "什么都没有保存" in page and message in page and "学生 × 普通图书" in page
    assert list(LoanRule.objects.order_by("pk").values()) == before
    assert LoanCap.objects.get(reader_type=student).max_total == 3
    assert not AuditEvent.objects.filter(action="loan_rules.save").exists()


def test_a_bad_cap_saves_nothing(client, admin, matrix):
    client.force_login(admin)
    student, book, _reference = matrix
    data = full_post(matrix, days="20")
    data[f"cap{student.pk}"] = "0"
    response = client.post(URL, data)
    assert response.status_code == 400 and "学生 合计可借" in response.content.decode()
    assert LoanRule.objects.get(reader_type=student, item_category=book).loan_days == 14


def test_saving_without_changes_says_so(client, admin, matrix):
    client.force_login(admin)
    client.post(URL, full_post(matrix))
    assert "没有修改" in client.get(URL).content.decode()
    assert not AuditEvent.objects.filter(action="loan_rules.save").exists()


@pytest.mark.parametrize("role", [Role.LIBRARIAN, Role.STUDENT_LIBRARIAN, Role.TEACHER])
def test_only_administrators_may_open_or_change_the_rules(client, library, matrix, role):
    client.force_login(UserFactory.create(library=library, role=role))
    assert client.get(URL).status_code == 403
    assert client.post(URL, full_post(matrix, days="99")).status_code == 403
    assert not LoanRule.objects.filter(loan_days=99).exists()


def test_anonymous_users_are_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


def test_service_validates_before_writing(matrix, admin):
    student, book, reference = matrix
    with pytest.raises(ValidationError) as info:
        loan_rules_save(
            library=student.library,
            cells={
                (student.pk, reference.pk): RuleCell(loan_days=7, max_loans=1, max_renewals=0, overdue_blocks=True),
                (student.pk, book.pk): RuleCell(loan_days=3650, max_loans=2, max_renewals=1, overdue_blocks=True),
            },
            caps={student.pk: 500},
            by=admin,
        )
    assert "学生 × 普通图书：借期应在 1 到 365 天之间。" in info.value.messages
    assert "学生：合计可借册数应在 1 到 99 之间。" in info.value.messages
    assert LoanRule.objects.get(reader_type=student, item_category=reference).loan_days == 14


def test_service_refuses_types_of_another_library(matrix, admin):
    student, book, _reference = matrix
    other = ReaderTypeFactory.create(library=LibraryFactory.create(code="other"), code="x")
    with pytest.raises(ValidationError):
        loan_rules_save(
            library=student.library,
            cells={(other.pk, book.pk): RuleCell(loan_days=7, max_loans=1, max_renewals=0, overdue_blocks=True)},
            caps={},
            by=admin,
        )
    assert not LoanRule.objects.filter(reader_type=other).exists()


def test_service_returns_the_number_of_changes(matrix, admin):
    student, book, reference = matrix
    changed = loan_rules_save(
        library=student.library,
        cells={
            (student.pk, book.pk): RuleCell(loan_days=21, max_loans=2, max_renewals=1, overdue_blocks=True),
            (student.pk, reference.pk): None,
        },
        caps={student.pk: 3},
        by=admin,
    )
    assert changed == 2
