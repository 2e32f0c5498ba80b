"""The pages of 学校结构, 新学年升级, 毕业未离校, 转入转出 and 补办借书证: who may open them, what they show, and
that bad input gets a Chinese message, never a 500, and changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import NoReverseMatch, reverse

from xiaotu.accounts.models import AuditEvent, Role
from xiaotu.circulation.models import Loan
from xiaotu.readers.models import Grade, Reader, RetiredCard, SchoolClass
from xiaotu.readers.tests.year_school import build_school, lend
from xiaotu.readers.year import apply_promotion, plan_promotion
from xiaotu.schools.models import Library
from xiaotu.testing.factories import LibraryFactory, ReaderFactory, UserFactory

pytestmark = pytest.mark.django_db

ON = "2026-08-25"


@pytest.fixture
def users(library, librarian, student_librarian):
    return {
        "admin": UserFactory.create(library=library, username="admin", role=Role.ADMIN),
        "librarian": librarian,
        "student_librarian": student_librarian,
        "teacher": UserFactory.create(library=library, username="teacher", role=Role.TEACHER, display_name="王老师"),
    }


@pytest.fixture
def school(library, rules, librarian):
    """Grades 1–6 with two classes of two pupils; the first pupil of 六年级(1)班 still has 《西游记》 out."""
    school = build_school(library=library, student=rules.reader_type, classes_per_grade=2, pupils_per_class=2)
    school.loans = [lend(school.pupils[(6, 1)][0], "西游记", by=librarian)]
    return school


def as_(client, user):
    client.force_login(user)
    return client


def _state(library: Library) -> list[tuple[object, ...]]:
    classes = SchoolClass.objects.filter(library=library).values_list("pk", "grade_id", "name", "active", "teacher")
    readers = Reader.objects.filter(library=library).values_list("pk", "status", "card_barcode", "school_class")
    grades = Grade.objects.filter(library=library).values_list("pk", "number", "name")
    return [*classes.order_by("pk"), *readers.order_by("pk"), *grades.order_by("pk")]


# -- who may open what --------------------------------------------------------------------------------------------

VIEW_PAGES = [
    ("readers:structure_page", None),
    ("readers:year_preview", None),
    ("readers:year_graduates", None),
    ("readers:year_transfers", None),
    ("readers:year_card_replace", None),
    ("readers:structure_class_edit", "class"),
    ("readers:year_loan_lost", "loan"),
]
ADMIN_GETS = [("readers:year_confirm", None)]
WORK_POSTS = [
    ("readers:year_graduate_complete", "reader"),
    ("readers:year_graduates_complete_cleared", None),
    ("readers:year_loan_lost", "loan"),
    ("readers:year_transfer_in", None),
    ("readers:year_reader_status", "reader"),
    ("readers:year_card_replace", "card"),
]
ADMIN_POSTS = [
    ("readers:structure_grades", None),
    ("readers:structure_grade_names", None),
    ("readers:structure_classes_add", None),
    ("readers:structure_class_edit", "class"),
    ("readers:structure_class_deactivate", "class"),
    ("readers:structure_class_reactivate", "class"),
    ("readers:year_confirm", None),
]


def _url(name: str, arg: str | None, school) -> str:
    pk = {
        "class": school.classes[(1, 1)].pk,
        "loan": school.loans[0].pk if school.loans else 1,
        "reader": school.pupils[(1, 1)][0].pk,
    }
    if arg == "card":
        return f"{reverse(name)}?reader={school.pupils[(1, 1)][0].pk}"
    return reverse(name, args=[pk[arg]] if arg else [])


def _allowed(role: str, level: str) -> bool:
    return role == "admin" or (role == "librarian" and level == "work")


@pytest.mark.parametrize("role", ["admin", "librarian", "student_librarian", "teacher"])
def test_who_may_open_each_page(client, users, school, library, role):
    as_(client, users[role])
    before = _state(library)
    for level, pages, method in (
        ("work", VIEW_PAGES, "get"),
        ("admin", ADMIN_GETS, "get"),
        ("admin", ADMIN_POSTS, "post"),
    ):
        for name, arg in pages:
            response = getattr(client, method)(_url(name, arg, school))
            if _allowed(role, level):
                assert response.status_code in (200, 302, 400), (name, method, response.status_code)
            else:
                assert response.status_code == 403, (role, name, method)
    for name, arg in WORK_POSTS:
        response = client.post(_url(name, arg, school))
        if role in ("student_librarian", "teacher"):
            assert response.status_code == 403, (role, name)
        else:
            assert response.status_code in (302, 400), (role, name)
    if role not in ("admin", "librarian"):
        assert _state(library) == before


def test_signed_out_visitors_are_sent_to_log_in(client, school):
    for name, arg in [*VIEW_PAGES, *ADMIN_GETS]:
        response = client.get(_url(name, arg, school))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], name


def test_rows_of_another_library_or_impossible_ids_are_not_found(client, users, school):
    as_(client, users["admin"])
    other = LibraryFactory.create(code="other", name="别的学校")
    stranger = ReaderFactory.create(library=other, card_barcode="S00001")
    for url in (
        reverse("readers:structure_class_edit", args=[2**63 + 5]),
        reverse("readers:year_graduate_complete", args=[stranger.pk]),
        reverse("readers:year_reader_status", args=[stranger.pk]),
        f"{reverse('readers:year_card_replace')}?reader={stranger.pk}",
        f"{reverse('readers:year_card_replace')}?reader=99999999999999999999999",
    ):
        method = client.post if "complete" in url or "status" in url else client.get
        assert method(url).status_code == 404, url


# -- 学校结构 ------------------------------------------------------------------------------------------------------


def test_the_structure_page_lists_grades_classes_and_teachers(client, users, school):
    SchoolClass.objects.filter(pk=school.classes[(3, 2)].pk).update(teacher=users["teacher"])
    page = as_(client, users["librarian"]).get(reverse("readers:structure_page")).content.decode()
    assert "六年级" in page and "三年级(2)班" in page and "王老师" in page
    assert "只有管理员可以修改学校结构" in page and "添加班级" not in page


def test_an_administrator_sets_up_grades_and_adds_classes(client, users, library):
    client = as_(client, users["admin"])
    response = client.post(reverse("readers:structure_grades"), {"level": "junior", "junior_style": "chu"})
    assert response.status_code == 302
    assert list(Grade.objects.filter(library=library).values_list("name", flat=True)) == ["初一", "初二", "初三"]
    seventh = Grade.objects.get(library=library, number=7)
    response = client.post(
        reverse("readers:structure_classes_add"), {"grade": seventh.pk, "count": "4", "pattern": "{年级简称}({班号})班"}
    )
    assert response.status_code == 302
    page = client.get(reverse("readers:structure_page")).content.decode()
    assert "已添加 4 个班：初一(1)班 … 初一(4)班" in page
    response = client.post(
        reverse("readers:structure_classes_add"),
        {"grade": seventh.pk, "count": "1", "pattern": "custom", "custom_pattern": "{年级号}{两位班号}班"},
    )
    assert SchoolClass.objects.get(grade=seventh, number=5).name == "705班"


@pytest.mark.parametrize(
    ("url", "data", "says"),
    [
        ("readers:structure_grades", {"level": "college", "junior_style": "grade"}, "请选择学段"),
        ("readers:structure_classes_add", {"grade": "x", "count": "2", "pattern": "{年级}({班号})班"}, "请选择年级"),
        (
            "readers:structure_classes_add",
            {"grade": "G", "count": "0", "pattern": "{年级}({班号})班"},
            "至少添加 1 个班",
        ),
        ("readers:structure_classes_add", {"grade": "G", "count": "abc", "pattern": "{年级}({班号})班"}, "要填数字"),
        ("readers:structure_classes_add", {"grade": "G", "count": "2", "pattern": "custom"}, "请填写班级命名格式"),
        (
            "readers:structure_classes_add",
            {"grade": "G", "count": "2", "pattern": "custom", "custom_pattern": "{年级}班"},
            "{班号}",
        ),
        ("readers:structure_classes_add", {"grade": "G", "count": "2", "pattern": "{x}"}, "请选择命名格式"),
        ("readers:structure_grade_names", {"grade_G": ""}, "请填写年级名称"),
        ("readers:structure_grade_names", {"grade_G": "二年级"}, "两个年级不能都叫"),
    ],
)
def test_bad_structure_input_is_refused_in_chinese(client, users, school, library, url, data, says):
    grade = school.grades[1].pk
    data = {k.replace("G", str(grade)): (str(grade) if v == "G" else v) for k, v in data.items()}
    if url == "readers:structure_grade_names":
        data.update({f"grade_{g.pk}": g.name for g in school.grades.values() if g.pk != grade})
    before = _state(library)
    response = as_(client, users["admin"]).post(reverse(url), data)
    assert response.status_code == 400 and says in response.content.decode()
    assert _state(library) == before


def test_a_class_gets_a_new_name_and_a_class_teacher(client, users, school):
    school_class = school.classes[(2, 1)]
    url = reverse("readers:structure_class_edit", args=[school_class.pk])
    client = as_(client, users["admin"])
    assert "王老师" in client.get(url).content.decode()
    response = client.post(url, {"name": "二年级星星班", "teacher": users["teacher"].pk})
    assert response.status_code == 302
    school_class.refresh_from_db()
    assert (school_class.name, school_class.teacher) == ("二年级星星班", users["teacher"])
    response = client.post(url, {"name": "二年级星星班", "teacher": users["librarian"].pk})
    assert response.status_code == 400 and "请从列表中选择班主任" in response.content.decode()
    response = client.post(url, {"name": "二年级(2)班", "teacher": ""})
    assert response.status_code == 400 and "已经有一个在校的班级叫「二年级(2)班」" in response.content.decode()
    assert SchoolClass.objects.get(pk=school_class.pk).teacher == users["teacher"]


def test_a_class_with_pupils_is_not_deactivated(client, users, school):
    school_class = school.classes[(2, 1)]
    client = as_(client, users["admin"])
    response = client.post(reverse("readers:structure_class_deactivate", args=[school_class.pk]), follow=True)
    assert "还有 2 名在校学生" in response.content.decode()
    assert SchoolClass.objects.get(pk=school_class.pk).active


# -- 新学年 --------------------------------------------------------------------------------------------------------


def test_the_preview_shows_moves_and_blocked_graduates_and_changes_nothing(client, users, school, library):
    before = _state(library)
    response = as_(client, users["librarian"]).get(reverse("readers:year_preview"), {"on": ON})
    page = response.content.decode()
    blocked = school.pupils[(6, 1)][0]
    assert response.status_code == 200
    assert "2026–2027 学年" in page
    assert "三年级(2)班" in page and "四年级(2)班" in page
    assert blocked.name in page and "《西游记》" in page and school.loans[0].due_on.isoformat() in page
    assert "只有管理员可以执行升级" in page and "下一步：确认升级" not in page
    assert _state(library) == before


def test_the_preview_page_costs_a_fixed_number_of_queries(client, users, school, django_assert_max_num_queries):
    client = as_(client, users["librarian"])
    with django_assert_max_num_queries(12):
        client.get(reverse("readers:year_preview"), {"on": ON})


def test_a_bad_date_in_the_preview_is_explained(client, users, school):
    response = as_(client, users["admin"]).get(reverse("readers:year_preview"), {"on": "2026-13-45"})
    assert response.status_code == 400 and "请填写正确的日期" in response.content.decode()


def test_the_promotion_is_confirmed_then_applied(client, users, school, library):
    client = as_(client, users["admin"])
    page = client.get(reverse("readers:year_preview"), {"on": ON}).content.decode()
    assert "下一步：确认升级" in page
    confirm = client.get(reverse("readers:year_confirm"), {"on": ON})
    plan = confirm.context["form"]["plan"].value()
    before = _state(library)

    response = client.post(reverse("readers:year_confirm"), {"on": ON, "plan": plan})
    assert response.status_code == 400 and "请勾选" in response.content.decode()
    assert _state(library) == before

    response = client.post(reverse("readers:year_confirm"), {"on": ON, "plan": plan, "checked": "on"})
    assert response.status_code == 302 and response["Location"] == reverse("readers:year_graduates")
    assert SchoolClass.objects.get(pk=school.classes[(3, 2)].pk).name == "四年级(2)班"
    page = client.get(response["Location"]).content.decode()
    assert "升级完成" in page and school.pupils[(6, 1)][0].name in page and "《西游记》" in page

    again = client.post(reverse("readers:year_confirm"), {"on": ON, "plan": plan, "checked": "on"})
    assert again.status_code == 302 and "year/?on=" in again["Location"]


def test_a_second_promotion_in_the_same_year_is_refused_on_the_page(client, users, school, library):
    apply_promotion(plan=plan_promotion(library, on=dt.date(2026, 8, 25)), by=users["admin"], on=dt.date(2026, 8, 25))
    client = as_(client, users["admin"])
    page = client.get(reverse("readers:year_preview"), {"on": "2026-09-01"}).content.decode()
    assert "已经在 2026-08-25 升级过" in page
    plan = plan_promotion(library, on=dt.date(2026, 9, 1)).fingerprint
    before = _state(library)
    response = client.post(reverse("readers:year_confirm"), {"on": "2026-09-01", "plan": plan, "checked": "on"})
    assert response.status_code == 400 and "升级过" in response.content.decode()
    assert _state(library) == before


def test_a_confirm_with_a_stale_plan_goes_back_to_the_preview(client, users, school, library):
    before = _state(library)
    response = as_(client, users["admin"]).post(
        reverse("readers:year_confirm"), {"on": ON, "plan": "0" * 20, "checked": "on"}, follow=True
    )
    assert "请核对新的预览" in response.content.decode()
    assert _state(library) == before


def test_a_loss_is_recorded_and_the_graduate_completes(client, users, school, library):
    apply_promotion(plan=plan_promotion(library, on=dt.date(2026, 8, 25)), by=users["admin"], on=dt.date(2026, 8, 25))
    pupil, loan = school.pupils[(6, 1)][0], school.loans[0]
    client = as_(client, users["librarian"])
    complete = reverse("readers:year_graduate_complete", args=[pupil.pk])
    page = client.post(complete, follow=True).content.decode()
    assert "还有 1 本书未还" in page
    assert Reader.objects.get(pk=pupil.pk).status == Reader.Status.ACTIVE

    lost = reverse("readers:year_loan_lost", args=[loan.pk])
    assert "确认" in client.get(lost).content.decode()
    assert client.post(lost)["Location"] == reverse("readers:year_graduates")
    assert Loan.objects.get(pk=loan.pk).lost
    page = client.post(complete, follow=True).content.decode()
    assert f"{pupil.name} 已办理毕业离校" in page
    assert Reader.objects.get(pk=pupil.pk).status == Reader.Status.GRADUATED
    assert "没有毕业未离校的学生" in page


# -- 转入转出 -------------------------------------------------------------------------------------------------------


def test_a_pupil_transfers_in_through_the_page(client, users, school, rules):
    client = as_(client, users["librarian"])
    data = {
        "name": "新同学",
        "gender": "f",
        "student_number": "20269999",
        "school_class": school.classes[(2, 2)].pk,
        "reader_type": rules.reader_type.pk,
        "card_barcode": "",
    }
    response = client.post(reverse("readers:year_transfer_in"), data, follow=True)
    reader = Reader.objects.get(student_number="20269999")
    assert f"新同学 已转入 二年级(2)班，借书证号 {reader.card_barcode}" in response.content.decode()
    assert reader.card_barcode == "S00025"


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"name": ""}, "请填写姓名"),
        ({"school_class": "999999"}, "请选择转入的班级"),
        ({"card_barcode": "S00001"}, "已被"),
        ({"gender": "x"}, "性别只能是"),
        ({"student_number": "2" * 40}, "学号最多 32 个字符"),
    ],
)
def test_bad_transfer_input_is_refused_in_chinese(client, users, school, rules, library, change, says):
    data = {
        "name": "新同学",
        "gender": "",
        "student_number": "",
        "school_class": school.classes[(2, 2)].pk,
        "reader_type": rules.reader_type.pk,
        "card_barcode": "",
        **change,
    }
    before = _state(library)
    response = as_(client, users["librarian"]).post(reverse("readers:year_transfer_in"), data)
    assert response.status_code == 400 and says in response.content.decode()
    assert _state(library) == before


def test_transfer_out_lists_the_books_still_out(client, users, school):
    pupil = school.pupils[(6, 1)][0]
    client = as_(client, users["librarian"])
    page = client.get(reverse("readers:year_transfers"), {"q": pupil.card_barcode}).content.decode()
    assert pupil.name in page and "在借 1 本" in page and "《西游记》" in page
    assert reverse("readers:year_loan_lost", args=[school.loans[0].pk]) in page
    url = reverse("readers:year_reader_status", args=[pupil.pk])
    page = client.post(url, {"action": "leave"}, follow=True).content.decode()
    assert "还有 1 本书未还：《西游记》" in page
    assert Reader.objects.get(pk=pupil.pk).status == Reader.Status.ACTIVE
    page = client.post(url, {"action": "suspend"}, follow=True).content.decode()
    assert "借书证已暂停" in page
    page = client.post(url, {"action": "explode"}, follow=True).content.decode()
    assert "未知的操作" in page
    assert Reader.objects.get(pk=pupil.pk).status == Reader.Status.SUSPENDED


# -- 补办借书证 ----------------------------------------------------------------------------------------------------


def test_a_card_is_replaced_through_the_page(client, users, school, library):
    pupil = school.pupils[(4, 2)][1]
    client = as_(client, users["librarian"])
    page = client.get(reverse("readers:year_card_replace"), {"q": pupil.name_initials}).content.decode()
    assert pupil.name in page and f"?reader={pupil.pk}" in page
    url = f"{reverse('readers:year_card_replace')}?reader={pupil.pk}"
    page = client.get(url).content.decode()
    assert "自动生成的号码将是 S00025" in page

    response = client.post(url, {"reason": "lost", "new_barcode": "S00001"})
    assert response.status_code == 400 and "已被" in response.content.decode()
    response = client.post(url, {"reason": "", "new_barcode": ""})
    assert response.status_code == 400 and "请选择补办原因" in response.content.decode()
    assert not RetiredCard.objects.exists()

    old = pupil.card_barcode
    response = client.post(url, {"reason": "lost", "new_barcode": ""}, follow=True)
    page = response.content.decode()
    assert f"旧证 {old} 已停用，新证号 S00025" in page
    assert old in page  # in the list of retired cards
    try:
        print_url = f"{reverse('readers:card_print')}?reader={pupil.pk}"
    except NoReverseMatch:
        print_url = None
    assert (print_url in page) if print_url else ("打印新借书证" not in page)
    assert AuditEvent.objects.filter(action="reader.card_replace").count() == 1
