"""按年级限借: younger pupils fewer books, within the rule matrix; the page that edits it."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from xiaotu.accounts.models import AuditEvent, Role
from xiaotu.circulation.errors import LoanRefused
from xiaotu.circulation.models import GradeLimit
from xiaotu.circulation.rules import grade_limit_add
from xiaotu.circulation.services import checkout
from xiaotu.readers.models import ReaderType
from xiaotu.testing.factories import GradeFactory, ItemFactory, ReaderFactory, SchoolClassFactory, UserFactory

pytestmark = pytest.mark.django_db


def pupil_in_grade(library, number: int):
    grade = GradeFactory.create(library=library, number=number, name=f"{number}年级")
    return ReaderFactory.create(school_class=SchoolClassFactory.create(grade=grade, number=1))


@pytest.fixture
def first_graders_take_one(rules, library, librarian):
    """Grades 1–2 may hold one book in all (the matrix allows 2 per category, 3 in all)."""
    student = ReaderType.objects.get(library=library, code="student")
    return grade_limit_add(
        library=library, reader_type=student, grade_from=1, grade_to=2, max_total=1, max_loans=None, by=librarian
    )


def test_a_first_grader_is_refused_a_second_book(first_graders_take_one, library, librarian):
    pupil = pupil_in_grade(library, 1)
    checkout(reader=pupil, item=ItemFactory.create(), by=librarian)
    with pytest.raises(LoanRefused) as info:
        checkout(reader=pupil, item=ItemFactory.create(), by=librarian)
    assert info.value.code == "reader_limit_reached" and info.value.params["limit"] == 1


def test_an_older_pupil_keeps_the_matrix_limits(first_graders_take_one, library, librarian):
    pupil = pupil_in_grade(library, 5)
    checkout(reader=pupil, item=ItemFactory.create(), by=librarian)
    checkout(reader=pupil, item=ItemFactory.create(), by=librarian)


def test_a_per_category_limit_lowers_the_cell(rules, library, librarian):
    student = ReaderType.objects.get(library=library, code="student")
    grade_limit_add(
        library=library, reader_type=student, grade_from=1, grade_to=3, max_total=None, max_loans=1, by=librarian
    )
    pupil = pupil_in_grade(library, 3)
    checkout(reader=pupil, item=ItemFactory.create(), by=librarian)
    with pytest.raises(LoanRefused) as info:
        checkout(reader=pupil, item=ItemFactory.create(), by=librarian)
    assert info.value.code == "category_limit_reached"


def test_a_limit_never_raises_the_matrix(rules, library, librarian):
    student = ReaderType.objects.get(library=library, code="student")
    grade_limit_add(
        library=library, reader_type=student, grade_from=1, grade_to=6, max_total=9, max_loans=9, by=librarian
    )
    pupil = pupil_in_grade(library, 4)
    checkout(reader=pupil, item=ItemFactory.create(), by=librarian)
    checkout(reader=pupil, item=ItemFactory.create(), by=librarian)
    with pytest.raises(LoanRefused) as info:
        checkout(reader=pupil, item=ItemFactory.create(), by=librarian)
    assert info.value.code == "category_limit_reached" and info.value.params["limit"] == 2


def test_overlapping_ranges_are_refused(first_graders_take_one, library, librarian):
    with pytest.raises(ValidationError):
        grade_limit_add(
            library=library,
            reader_type=first_graders_take_one.reader_type,
            grade_from=2,
            grade_to=4,
            max_total=2,
            max_loans=None,
            by=librarian,
        )
    assert GradeLimit.objects.count() == 1
    assert AuditEvent.objects.filter(action="loan_rules.grade_limit_add").count() == 1


def test_the_page_adds_and_deletes_a_range(client, rules, library):
    client.force_login(UserFactory.create(library=library, username="admin", role=Role.ADMIN))
    student = ReaderType.objects.get(library=library, code="student")
    form = {"reader_type": student.pk, "grade_from": 1, "grade_to": 2, "max_total": 1, "max_loans": ""}
    assert client.post(reverse("loan_rules:grades"), form).status_code == 302
    limit = GradeLimit.objects.get()
    assert "1–2" in client.get(reverse("loan_rules:grades")).content.decode()
    client.post(reverse("loan_rules:grade_delete", args=[limit.pk]))
    assert not GradeLimit.objects.exists()


def test_the_page_refuses_a_range_with_no_caps(client, rules, library):
    client.force_login(UserFactory.create(library=library, username="admin", role=Role.ADMIN))
    student = ReaderType.objects.get(library=library, code="student")
    form = {"reader_type": student.pk, "grade_from": 3, "grade_to": 1, "max_total": "", "max_loans": ""}
    response = client.post(reverse("loan_rules:grades"), form)
    assert response.status_code == 400 and "起始年级不能大于结束年级" in response.content.decode()
    form = {"reader_type": student.pk, "grade_from": 13, "grade_to": 1}
    assert "1 到 12" in client.post(reverse("loan_rules:grades"), form).content.decode()
    assert not GradeLimit.objects.exists()


def test_a_librarian_may_not_edit_the_grade_limits(client, rules, librarian):
    client.force_login(librarian)
    assert client.get(reverse("loan_rules:grades")).status_code == 403
