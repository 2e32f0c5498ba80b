"""升级 and 毕业: a 30-class primary school moves up a grade; graduates with books out stay until they are cleared."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from xiaotu.accounts.models import AuditEvent, Role
from xiaotu.circulation.services import checkin, loan_declare_lost
from xiaotu.readers.models import Grade, Reader, SchoolClass
from xiaotu.readers.tests.year_school import build_school, lend
from xiaotu.readers.year import (
    apply_promotion,
    graduates_pending,
    graduation_complete,
    graduation_complete_cleared,
    plan_promotion,
    school_year_of,
)
from xiaotu.schools.models import Library
from xiaotu.testing.factories import UserFactory

pytestmark = pytest.mark.django_db

ON = dt.date(2026, 8, 25)


@pytest.fixture
def admin(library):
    return UserFactory.create(library=library, username="admin", role=Role.ADMIN)


@pytest.fixture
def school(library, rules, librarian):
    """Grades 1–6, five classes each, three pupils in each class; in 六年级 three pupils still have books out:
    the first of (1)班 two (one overdue), the second of (1)班 one, the first of (3)班 one."""
    school = build_school(library=library, student=rules.reader_type)
    first, second = school.pupils[(6, 1)][:2]
    school.loans = [
        lend(first, "西游记", by=librarian),
        lend(first, "草房子", by=librarian, days_ago=30),
        lend(second, "昆虫记", by=librarian),
        lend(school.pupils[(6, 3)][0], "小王子", by=librarian),
    ]
    return school


def _state(library: Library) -> list[tuple[object, ...]]:
    classes = SchoolClass.objects.filter(library=library).values_list("pk", "grade__number", "name", "active")
    readers = Reader.objects.filter(library=library).values_list("pk", "status", "left_on", "school_class")
    return [*classes.order_by("pk"), *readers.order_by("pk")]


def test_the_preview_of_a_30_class_school_says_what_moves_where_and_changes_nothing(school, library):
    before = _state(library)
    plan = plan_promotion(library, on=ON)

    assert plan.ready and plan.conflicts == []
    assert plan.school_year == 2026 and plan.school_year_label == "2026–2027"
    assert len(plan.moves) == 25 and plan.pupils_moving == 75
    moves = {m.school_class.name: (m.new_name, m.to_grade.number) for m in plan.moves}
    assert moves["三年级(2)班"] == ("四年级(2)班", 4)
    assert moves["一年级(5)班"] == ("二年级(5)班", 2)
    assert moves["五年级(1)班"] == ("六年级(1)班", 6)
    assert all(m.name_follows for m in plan.moves)

    assert [g.school_class.name for g in plan.graduating] == [f"六年级({n})班" for n in range(1, 6)]
    one, _two, three, *_rest = plan.graduating
    assert [b.reader.name for b in one.blocked] == [r.name for r in school.pupils[(6, 1)][:2]]
    first = one.blocked[0]
    assert [(loan.item.record.title, loan.due_on) for loan in first.loans] == sorted(
        [(loan.item.record.title, loan.due_on) for loan in school.loans[:2]], key=lambda t: t[1]
    )
    assert [r.name for r in one.leaving] == [school.pupils[(6, 1)][2].name]
    assert len(three.blocked) == 1 and len(three.leaving) == 2
    assert plan.graduates_blocked == 3 and plan.graduates_leaving == 12
    assert _state(library) == before
    assert not AuditEvent.objects.filter(action="year.promotion").exists()


def test_the_promotion_moves_every_class_and_graduates_the_top_grade(school, library, admin):
    plan = plan_promotion(library, on=ON)
    result = apply_promotion(plan=plan, by=admin, on=ON)

    assert (result.moved, result.graduated_classes, result.graduates, result.blocked) == (25, 5, 12, 3)
    active = SchoolClass.objects.filter(library=library, active=True)
    assert not active.filter(grade__number=1).exists()
    for number in range(2, 7):
        grade = Grade.objects.get(library=library, number=number)
        names = list(active.filter(grade=grade).order_by("number").values_list("name", flat=True))
        assert names == [f"{grade.name}({n})班" for n in range(1, 6)]
    moved = SchoolClass.objects.get(pk=school.classes[(3, 2)].pk)
    assert (moved.grade.number, moved.name) == (4, "四年级(2)班")
    assert moved.readers.count() == 3  # the pupils moved with their class

    graduated = SchoolClass.objects.filter(pk__in=[school.classes[(6, n)].pk for n in range(1, 6)])
    assert all(not c.active and c.graduated_on == ON for c in graduated)
    assert all(c.name.startswith("六年级") for c in graduated)
    blocked = {r.pk for r in school.pupils[(6, 1)][:2]} | {school.pupils[(6, 3)][0].pk}
    for pupils in (school.pupils[(6, n)] for n in range(1, 6)):
        for pupil in pupils:
            pupil.refresh_from_db()
            if pupil.pk in blocked:
                assert (pupil.status, pupil.left_on) == (Reader.Status.ACTIVE, None)
            else:
                assert (pupil.status, pupil.left_on) == (Reader.Status.GRADUATED, ON)
    assert Reader.objects.filter(library=library, status=Reader.Status.ACTIVE).count() == 75 + 3

    events = AuditEvent.objects.filter(library=library)
    assert events.filter(action="year.promotion").count() == 1
    assert events.get(action="year.promotion").data["graduates"] == 12
    assert events.filter(action="reader.graduate").count() == 12
    assert events.filter(action="class.promote").count() == 25
    assert events.filter(action="class.graduate").count() == 5


def test_graduates_with_books_out_are_listed_per_class(school, library, admin):
    apply_promotion(plan=plan_promotion(library, on=ON), by=admin, on=ON)
    pending = graduates_pending(library)
    assert [p.school_class.name for p in pending] == ["六年级(1)班", "六年级(3)班"]
    assert [(g.reader.name, len(g.loans)) for g in pending[0].pupils] == [
        (school.pupils[(6, 1)][0].name, 2),
        (school.pupils[(6, 1)][1].name, 1),
    ]


def test_a_blocked_graduate_leaves_after_returning_the_books(school, library, admin, librarian):
    apply_promotion(plan=plan_promotion(library, on=ON), by=admin, on=ON)
    pupil = school.pupils[(6, 1)][1]
    with pytest.raises(ValidationError) as refused:
        graduation_complete(reader=pupil, by=librarian)
    assert "《昆虫记》" in refused.value.messages[0] and "还有 1 本书未还" in refused.value.messages[0]
    assert Reader.objects.get(pk=pupil.pk).status == Reader.Status.ACTIVE

    checkin(item=school.loans[2].item, by=librarian)
    done = graduation_complete(reader=pupil, by=librarian, on=dt.date(2026, 9, 3))
    pupil.refresh_from_db()
    assert done.status == pupil.status == Reader.Status.GRADUATED
    assert pupil.left_on == dt.date(2026, 9, 3)
    assert [g.reader.pk for p in graduates_pending(library) for g in p.pupils] == [
        school.pupils[(6, 1)][0].pk,
        school.pupils[(6, 3)][0].pk,
    ]


def test_a_blocked_graduate_leaves_after_the_loss_is_recorded(school, library, admin, librarian):
    apply_promotion(plan=plan_promotion(library, on=ON), by=admin, on=ON)
    pupil = school.pupils[(6, 1)][0]
    checkin(item=school.loans[0].item, by=librarian)
    with pytest.raises(ValidationError, match="草房子"):
        graduation_complete(reader=pupil, by=librarian)
    loan_declare_lost(loan=school.loans[1], by=librarian)
    assert graduation_complete(reader=pupil, by=librarian).status == Reader.Status.GRADUATED


def test_everyone_who_has_returned_everything_leaves_at_once(school, library, admin, librarian):
    apply_promotion(plan=plan_promotion(library, on=ON), by=admin, on=ON)
    checkin(item=school.loans[2].item, by=librarian)
    checkin(item=school.loans[3].item, by=librarian)
    done = graduation_complete_cleared(library=library, by=librarian, on=dt.date(2026, 9, 3))
    assert sorted(r.pk for r in done) == sorted([school.pupils[(6, 1)][1].pk, school.pupils[(6, 3)][0].pk])
    assert [g.reader.pk for p in graduates_pending(library) for g in p.pupils] == [school.pupils[(6, 1)][0].pk]
    assert graduation_complete_cleared(library=library, by=librarian) == []


def test_only_pupils_waiting_in_a_graduated_class_can_complete(school, library, librarian):
    with pytest.raises(ValidationError, match="不在毕业未离校名单中"):
        graduation_complete(reader=school.pupils[(6, 2)][0], by=librarian)


def test_the_same_school_year_is_not_promoted_twice(school, library, admin):
    apply_promotion(plan=plan_promotion(library, on=ON), by=admin, on=ON)
    before = _state(library)
    again = plan_promotion(library, on=dt.date(2026, 9, 1))
    assert not again.ready and again.earlier == ON
    assert "已经在 2026-08-25 升级过" in again.conflicts[0]
    with pytest.raises(ValidationError, match="升级过"):
        apply_promotion(plan=again, by=admin, on=dt.date(2026, 9, 1))
    assert _state(library) == before
    assert AuditEvent.objects.filter(action="year.promotion").count() == 1


def test_a_promotion_half_a_year_earlier_counts_as_this_year(school, library, admin):
    """Done early in May (still 2025–2026 by the calendar), it must not be repeated in September."""
    early = dt.date(2026, 5, 20)
    apply_promotion(plan=plan_promotion(library, on=early), by=admin, on=early)
    assert school_year_of(early) != school_year_of(ON)
    assert plan_promotion(library, on=ON).earlier == early


def test_next_year_the_school_is_promoted_again(school, library, admin):
    apply_promotion(plan=plan_promotion(library, on=ON), by=admin, on=ON)
    next_year = dt.date(2027, 8, 26)
    plan = plan_promotion(library, on=next_year)
    assert plan.ready
    # The classes that moved into 六年级 last year graduate now; 二年级 moves to 三年级.
    assert [g.school_class.pk for g in plan.graduating] == [school.classes[(5, n)].pk for n in range(1, 6)]
    apply_promotion(plan=plan, by=admin, on=next_year)
    assert SchoolClass.objects.get(pk=school.classes[(1, 4)].pk).name == "三年级(4)班"


def test_a_plan_made_before_the_structure_changed_is_refused(school, library, admin):
    plan = plan_promotion(library, on=ON)
    SchoolClass.objects.create(library=library, grade=school.grades[2], number=6, name="二年级(6)班")
    before = _state(library)
    with pytest.raises(ValidationError, match="重新预览"):
        apply_promotion(plan=plan, by=admin, on=ON)
    assert _state(library) == before


def test_the_top_grade_goes_first_so_no_two_active_classes_share_a_number(library, rules, admin):
    """The database allows one active class per grade and number: 五年级(1)班 can only become 六年级(1)班 once
    the old 六年级(1)班 has graduated, and 四年级(1)班 only after that. Grades of different sizes fill in."""
    school = build_school(library=library, student=rules.reader_type, grade_numbers=range(4, 7), classes_per_grade=2)
    SchoolClass.objects.create(library=library, grade=school.grades[5], number=3, name="五年级(3)班")
    with pytest.raises(IntegrityError), transaction.atomic():
        SchoolClass.objects.create(library=library, grade=school.grades[6], number=1, name="again")
    apply_promotion(plan=plan_promotion(library, on=ON), by=admin, on=ON)
    active = SchoolClass.objects.filter(library=library, active=True)
    assert sorted(active.values_list("grade__number", "number")) == [(5, 1), (5, 2), (6, 1), (6, 2), (6, 3)]
    assert SchoolClass.objects.filter(library=library, active=False).count() == 2


def test_a_class_with_no_grade_above_stops_the_promotion(library, rules, admin):
    build_school(library=library, student=rules.reader_type, grade_numbers=[1, 2, 3, 5, 6], classes_per_grade=1)
    plan = plan_promotion(library, on=ON)
    assert [s.school_class.name for s in plan.stranded] == ["三年级(1)班"]
    assert not plan.ready and "第 4 年级" in plan.conflicts[0]
    before = _state(library)
    with pytest.raises(ValidationError, match="第 4 年级"):
        apply_promotion(plan=plan, by=admin, on=ON)
    assert _state(library) == before


def test_a_school_with_no_classes_has_nothing_to_promote(library, admin):
    plan = plan_promotion(library, on=ON)
    assert not plan.ready and "没有可以升级的" in plan.conflicts[0]


def test_a_complete_school_graduates_chu_san_and_gao_san(library, rules, admin):
    """完全中学: 初三 leaves after 中考 and 高一 is formed anew; 初二 moves into 初三, 高一 into 高二."""
    Library.objects.filter(pk=library.pk).update(level=Library.Level.COMPLETE)
    library.refresh_from_db()
    school = build_school(library=library, student=rules.reader_type, grade_numbers=range(7, 13), classes_per_grade=1)
    plan = plan_promotion(library, on=ON)
    assert [g.school_class.grade.number for g in plan.graduating] == [9, 12]
    assert [(m.school_class.grade.number, m.to_grade.number) for m in plan.moves] == [
        (7, 8),
        (8, 9),
        (10, 11),
        (11, 12),
    ]
    apply_promotion(plan=plan, by=admin, on=ON)
    assert SchoolClass.objects.get(pk=school.classes[(10, 1)].pk).grade.number == 11
    assert not SchoolClass.objects.filter(library=library, active=True, grade__number=10).exists()


def test_a_nine_year_school_moves_grade_six_on_to_seven(library, rules, admin):
    Library.objects.filter(pk=library.pk).update(level=Library.Level.NINE_YEAR)
    library.refresh_from_db()
    build_school(library=library, student=rules.reader_type, grade_numbers=range(1, 10), classes_per_grade=1)
    plan = plan_promotion(library, on=ON)
    assert [g.school_class.grade.number for g in plan.graduating] == [9]
    assert ("六年级(1)班", "七年级(1)班") in [(m.school_class.name, m.new_name) for m in plan.moves]


def test_class_names_follow_their_pattern_or_stay(library, rules, admin):
    school = build_school(library=library, student=rules.reader_type, grade_numbers=range(2, 5), classes_per_grade=3)
    SchoolClass.objects.filter(pk=school.classes[(2, 1)].pk).update(name="二(1)班")
    SchoolClass.objects.filter(pk=school.classes[(2, 2)].pk).update(name="202班")
    SchoolClass.objects.filter(pk=school.classes[(2, 3)].pk).update(name="实验班")
    SchoolClass.objects.filter(pk=school.classes[(3, 1)].pk).update(name="三年级科技班")
    moves = {m.school_class.name: (m.new_name, m.name_follows) for m in plan_promotion(library, on=ON).moves}
    assert moves["二(1)班"] == ("三(1)班", True)
    assert moves["202班"] == ("302班", True)
    assert moves["实验班"] == ("实验班", False)
    assert moves["三年级科技班"] == ("四年级科技班", True)


def test_suspended_pupils_graduate_and_pupils_who_left_are_untouched(library, rules, admin):
    school = build_school(library=library, student=rules.reader_type, grade_numbers=range(5, 7), classes_per_grade=1)
    suspended, left, _ = school.pupils[(6, 1)]
    Reader.objects.filter(pk=suspended.pk).update(status=Reader.Status.SUSPENDED)
    Reader.objects.filter(pk=left.pk).update(status=Reader.Status.LEFT, left_on=dt.date(2026, 3, 1))
    plan = plan_promotion(library, on=ON)
    assert plan.graduating[0].pupils == 2
    apply_promotion(plan=plan, by=admin, on=ON)
    assert Reader.objects.get(pk=suspended.pk).status == Reader.Status.GRADUATED
    assert Reader.objects.values_list("status", "left_on").get(pk=left.pk) == (Reader.Status.LEFT, dt.date(2026, 3, 1))
