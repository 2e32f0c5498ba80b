"""学校结构: grades for each school level, classes named the way schools write them, 班主任, closing a class."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from xiaotu.accounts.models import AuditEvent, Role
from xiaotu.readers.models import Grade, Reader, SchoolClass
from xiaotu.readers.structure import (
    check_pattern,
    class_deactivate,
    class_name,
    class_reactivate,
    class_rename,
    class_set_teacher,
    classes_add,
    follow_name,
    grades_rename,
    grades_setup,
)
from xiaotu.schools.models import Library
from xiaotu.testing.factories import LibraryFactory, ReaderFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(library):
    return UserFactory.create(library=library, username="admin", role=Role.ADMIN)


def _names(library: Library) -> list[tuple[int, str]]:
    return list(Grade.objects.filter(library=library).order_by("number").values_list("number", "name"))


@pytest.mark.parametrize(
    ("level", "style", "expected"),
    [
        ("primary", "grade", ["一年级", "二年级", "三年级", "四年级", "五年级", "六年级"]),
        ("junior", "grade", ["七年级", "八年级", "九年级"]),
        ("junior", "chu", ["初一", "初二", "初三"]),
        ("senior", "grade", ["高一", "高二", "高三"]),
        ("nine_year", "grade", [*"一二三四五六七八九"]),
        ("complete", "chu", ["初一", "初二", "初三", "高一", "高二", "高三"]),
    ],
)
def test_the_grades_of_each_level_are_set_up_in_one_step(library, admin, level, style, expected):
    done = grades_setup(library=library, level=level, junior_style=style, by=admin)
    names = _names(library)
    if level == "nine_year":
        expected = [f"{n}年级" for n in expected]
    assert [name for _, name in names] == expected
    assert len(done.created) == len(expected)
    first = {"primary": 1, "nine_year": 1, "junior": 7, "complete": 7, "senior": 10}[level]
    assert [number for number, _ in names] == list(range(first, first + len(expected)))
    assert Library.objects.get(pk=library.pk).level == level
    assert AuditEvent.objects.filter(action="grade.create").count() == len(expected)


def test_choosing_the_other_junior_names_renames_grades_and_their_classes(library, admin):
    grades_setup(library=library, level="junior", junior_style="grade", by=admin)
    seventh = Grade.objects.get(library=library, number=7)
    classes_add(grade=seventh, count=2, by=admin)
    done = grades_setup(library=library, level="junior", junior_style="chu", by=admin)
    assert len(done.renamed) == 3 and not done.created
    assert list(SchoolClass.objects.filter(grade=seventh).values_list("name", flat=True)) == ["初一(1)班", "初一(2)班"]


def test_grades_outside_the_level_are_removed_unless_a_class_uses_them(library, admin):
    grades_setup(library=library, level="nine_year", by=admin)
    classes_add(grade=Grade.objects.get(library=library, number=8), count=1, by=admin)
    done = grades_setup(library=library, level="primary", by=admin)
    assert done.removed == ["七年级", "九年级"]
    assert [g.name for g in done.kept] == ["八年级"]
    assert [n for n, _ in _names(library)] == [1, 2, 3, 4, 5, 6, 8]


def test_an_unknown_level_is_refused(library, admin):
    with pytest.raises(ValidationError, match="请选择学段"):
        grades_setup(library=library, level="university", by=admin)
    assert not Grade.objects.exists()


def test_the_school_may_name_its_grades_its_own_way(library, admin):
    grades_setup(library=library, level="primary", by=admin)
    first = Grade.objects.get(library=library, number=1)
    classes_add(grade=first, count=1, by=admin)
    grades_rename(library=library, names={first.pk: "起始年级"}, by=admin)
    assert SchoolClass.objects.get(grade=first).name == "起始年级(1)班"
    with pytest.raises(ValidationError, match="两个年级不能都叫「二年级」"):
        grades_rename(library=library, names={first.pk: "二年级"}, by=admin)
    with pytest.raises(ValidationError, match="请填写年级名称"):
        grades_rename(library=library, names={first.pk: "  "}, by=admin)
    assert Grade.objects.get(pk=first.pk).name == "起始年级"


def test_grades_of_another_library_cannot_be_renamed(library, admin):
    other = LibraryFactory.create(code="other", name="另一所学校")
    grades_setup(library=other, level="primary", by=None)
    grade = Grade.objects.get(library=other, number=1)
    with pytest.raises(ValidationError, match="不属于本馆"):
        grades_rename(library=library, names={grade.pk: "X"}, by=admin)


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("{年级}({班号})班", "三年级(2)班"),
        ("{年级简称}({班号})班", "三(2)班"),
        ("{年级号}{两位班号}班", "302班"),
        ("{年级}{班号}班", "三年级2班"),
    ],
)
def test_class_names_are_built_from_a_pattern(pattern, expected):
    assert class_name(pattern, grade_name="三年级", grade_number=3, number=2) == expected


def test_a_short_grade_name_of_chu_yi_is_itself():
    assert class_name("{年级简称}({班号})班", grade_name="初一", grade_number=7, number=4) == "初一(4)班"


@pytest.mark.parametrize(
    ("pattern", "says"),
    [("", "请填写班级命名格式"), ("{年级}班", "{班号}"), ("{grade}({班号})班", "{grade}"), ("{年级}({班})班", "{班}")],
)
def test_a_bad_pattern_is_refused_with_the_reason(pattern, says):
    with pytest.raises(ValidationError) as refused:
        check_pattern(pattern)
    assert says in refused.value.messages[0]


def test_a_name_follows_its_grade_when_it_can():
    old, new = (3, "三年级"), (4, "四年级")
    assert follow_name("三年级(2)班", number=2, old_grade=old, new_grade=new) == ("四年级(2)班", True)
    assert follow_name("302班", number=2, old_grade=old, new_grade=new) == ("402班", True)
    assert follow_name("三(2)班", number=2, old_grade=old, new_grade=new) == ("四(2)班", True)
    assert follow_name("星星班", number=2, old_grade=old, new_grade=new) == ("星星班", False)


def test_classes_are_added_several_at_once_after_the_highest_number(library, admin):
    grades_setup(library=library, level="primary", by=admin)
    third = Grade.objects.get(library=library, number=3)
    classes_add(grade=third, count=2, by=admin)
    added = classes_add(grade=third, count=2, pattern="{年级号}{两位班号}班", by=admin)
    assert [(c.number, c.name) for c in added] == [(3, "303班"), (4, "304班")]
    assert SchoolClass.objects.filter(grade=third, active=True).count() == 4
    assert AuditEvent.objects.filter(action="class.create").count() == 4


@pytest.mark.parametrize(("count", "says"), [(0, "1 到 30"), (31, "1 到 30")])
def test_a_bad_number_of_classes_is_refused(library, admin, count, says):
    grades_setup(library=library, level="primary", by=admin)
    with pytest.raises(ValidationError, match=says):
        classes_add(grade=Grade.objects.get(library=library, number=1), count=count, by=admin)
    assert not SchoolClass.objects.exists()


def test_a_pattern_that_repeats_names_across_grades_adds_nothing(library, admin):
    grades_setup(library=library, level="primary", by=admin)
    one, two = Grade.objects.filter(library=library, number__in=[1, 2]).order_by("number")
    classes_add(grade=one, count=2, pattern="({班号})班", by=admin)
    with pytest.raises(ValidationError, match="已经有一个在校的班级叫「\\(1\\)班」"):
        classes_add(grade=two, count=3, pattern="({班号})班", by=admin)
    assert not SchoolClass.objects.filter(grade=two).exists()


def test_a_class_is_renamed_and_names_stay_unique(library, admin):
    grades_setup(library=library, level="primary", by=admin)
    first, second = classes_add(grade=Grade.objects.get(library=library, number=1), count=2, by=admin)
    class_rename(school_class=first, name=" 一年级星星班 ", by=admin)
    assert SchoolClass.objects.get(pk=first.pk).name == "一年级星星班"
    with pytest.raises(ValidationError, match="已经有一个在校的班级"):
        class_rename(school_class=second, name="一年级星星班", by=admin)
    with pytest.raises(ValidationError, match="请填写班级名称"):
        class_rename(school_class=second, name="", by=admin)
    with pytest.raises(ValidationError, match="最多 30 个字"):
        class_rename(school_class=second, name="班" * 31, by=admin)
    assert SchoolClass.objects.get(pk=second.pk).name == "一年级(2)班"


def test_the_class_teacher_is_a_teacher_of_the_library(library, admin, librarian):
    grades_setup(library=library, level="primary", by=admin)
    (school_class,) = classes_add(grade=Grade.objects.get(library=library, number=1), count=1, by=admin)
    teacher = UserFactory.create(library=library, username="wang", role=Role.TEACHER)
    class_set_teacher(school_class=school_class, teacher=teacher, by=admin)
    assert SchoolClass.objects.get(pk=school_class.pk).teacher == teacher
    elsewhere = UserFactory.create(library=LibraryFactory.create(code="b"), username="li", role=Role.TEACHER)
    for wrong in (librarian, elsewhere):
        with pytest.raises(ValidationError, match="教师"):
            class_set_teacher(school_class=school_class, teacher=wrong, by=admin)
    assert SchoolClass.objects.get(pk=school_class.pk).teacher == teacher
    class_set_teacher(school_class=school_class, teacher=None, by=admin)
    assert SchoolClass.objects.get(pk=school_class.pk).teacher is None
    assert AuditEvent.objects.filter(action="class.teacher").count() == 2


def test_only_an_empty_class_is_deactivated_and_it_can_come_back(library, rules, admin):
    grades_setup(library=library, level="primary", by=admin)
    (school_class,) = classes_add(grade=Grade.objects.get(library=library, number=1), count=1, by=admin)
    pupil = ReaderFactory.create(library=library, school_class=school_class, reader_type=rules.reader_type)
    with pytest.raises(ValidationError, match="还有 1 名在校学生"):
        class_deactivate(school_class=school_class, by=admin)
    Reader.objects.filter(pk=pupil.pk).update(status=Reader.Status.LEFT)
    class_deactivate(school_class=school_class, by=admin)
    assert not SchoolClass.objects.get(pk=school_class.pk).active
    # Its number is free again for a new class; then the old one cannot come back on top of it.
    (new,) = classes_add(grade=school_class.grade, count=1, pattern="{年级}{班号}班", by=admin)
    assert new.number == 1
    with pytest.raises(ValidationError, match="不能恢复"):
        class_reactivate(school_class=school_class, by=admin)
    class_deactivate(school_class=new, by=admin)
    class_reactivate(school_class=school_class, by=admin)
    assert SchoolClass.objects.get(pk=school_class.pk).active
