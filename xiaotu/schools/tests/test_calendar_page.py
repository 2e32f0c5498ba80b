"""校历 page: 管理员 only; terms, closed days (one or a whole holiday) and weekly closing days."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from xiaotu.accounts.models import Role
from xiaotu.schools.models import ClosedDay, Library, Term
from xiaotu.testing.factories import UserFactory

pytestmark = pytest.mark.django_db
PAGE = reverse("schools:calendar")


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin)
    return client


def test_the_page_shows_the_calendar(admin_client, library):
    Term.objects.create(library=library, name="春季学期", starts_on=dt.date(2026, 2, 20), ends_on=dt.date(2026, 7, 3))
    ClosedDay.objects.create(library=library, date=dt.date(2026, 5, 1), reason="劳动节")
    page = admin_client.get(PAGE).content.decode()
    assert "校历" in page and "春季学期" in page and "2026-07-03" in page and "劳动节" in page
    checked = re.findall(r'name="weekdays" value="(\d)"[^>]*checked', page)
    assert checked == ["6", "7"]


def test_weekly_closing_days_are_saved(admin_client, library):
    response = admin_client.post(reverse("schools:weekdays"), {"weekdays": ["3", "7"]})
    assert response.status_code == 302
    library.refresh_from_db()
    assert library.closed_weekdays == "37"


def test_every_day_closed_is_refused(admin_client, library):
    response = admin_client.post(reverse("schools:weekdays"), {"weekdays": [str(d) for d in range(1, 8)]})
    assert response.status_code == 400 and "至少留一天开馆" in response.content.decode()
    assert Library.objects.get(pk=library.pk).closed_weekdays == "67"


def test_a_bad_weekday_is_refused(admin_client, library):
    response = admin_client.post(reverse("schools:weekdays"), {"weekdays": ["9"]})
    assert response.status_code == 400
    assert Library.objects.get(pk=library.pk).closed_weekdays == "67"


def test_a_term_is_added(admin_client, library):
    data = {"name": "秋季学期", "starts_on": "2026-09-01", "ends_on": "2027-01-22"}
    response = admin_client.post(reverse("schools:term_add"), data)
    assert response.status_code == 302
    assert Term.objects.get(library=library).ends_on == dt.date(2027, 1, 22)
    assert "已添加学期「秋季学期」" in admin_client.get(PAGE).content.decode()


@pytest.mark.parametrize(
    ("data", "says"),
    [
        ({"name": "", "starts_on": "2026-09-01", "ends_on": "2027-01-22"}, "请填写学期名称"),
        ({"name": "X", "starts_on": "2026-13-01", "ends_on": "2027-01-22"}, "请填写正确的日期"),
        ({"name": "X", "starts_on": "2027-01-22", "ends_on": "2026-09-01"}, "结束日期不能早于开始日期"),
        ({"name": "X", "starts_on": "2026-03-01", "ends_on": "2026-04-01"}, "日期重叠"),
        ({"name": "X" * 51, "starts_on": "2026-09-01", "ends_on": "2027-01-22"}, "最多 50 个字"),
    ],
)
def test_a_bad_term_is_refused_with_the_reason(admin_client, library, data, says):
    Term.objects.create(library=library, name="春季学期", starts_on=dt.date(2026, 2, 20), ends_on=dt.date(2026, 7, 3))
    response = admin_client.post(reverse("schools:term_add"), data)
    assert response.status_code == 400 and says in response.content.decode()
    assert Term.objects.count() == 1


def test_a_term_is_edited_and_deleted(admin_client, library):
    term = Term.objects.create(
        library=library, name="春季", starts_on=dt.date(2026, 2, 20), ends_on=dt.date(2026, 7, 3)
    )
    edit = reverse("schools:term_edit", args=[term.pk])
    assert "春季" in admin_client.get(edit).content.decode()
    admin_client.post(edit, {"name": "春季学期", "starts_on": "2026-02-21", "ends_on": "2026-07-03"})
    term.refresh_from_db()
    assert (term.name, term.starts_on) == ("春季学期", dt.date(2026, 2, 21))
    bad = admin_client.post(edit, {"name": "春季学期", "starts_on": "2026-08-01", "ends_on": "2026-07-03"})
    assert bad.status_code == 400
    admin_client.post(reverse("schools:term_delete", args=[term.pk]))
    assert not Term.objects.exists()


def test_a_holiday_is_added_at_once_and_shown_as_one_line(admin_client, library):
    data = {"start": "2026-01-24", "end": "2026-02-22", "reason": "寒假"}
    response = admin_client.post(reverse("schools:closed_add"), data)
    assert response.status_code == 302
    assert ClosedDay.objects.filter(library=library).count() == 30
    page = admin_client.get(PAGE).content.decode()
    assert "已添加 30 个闭馆日" in page
    assert "2026-01-24 至 2026-02-22" in page and "寒假" in page


def test_a_single_closed_day_needs_no_end(admin_client, library):
    admin_client.post(reverse("schools:closed_add"), {"start": "2026-05-01", "end": "", "reason": "劳动节"})
    assert list(ClosedDay.objects.values_list("date", "reason")) == [(dt.date(2026, 5, 1), "劳动节")]


@pytest.mark.parametrize(
    ("data", "says"),
    [
        ({"start": "", "end": "", "reason": ""}, "请填写日期"),
        ({"start": "2026-02-22", "end": "2026-01-24", "reason": ""}, "结束日期不能早于开始日期"),
        ({"start": "2026-01-01", "end": "2028-01-01", "reason": ""}, "一次最多 366 天"),
        ({"start": "yesterday", "end": "", "reason": ""}, "请填写正确的日期"),
        ({"start": "2026-05-01", "end": "", "reason": "长" * 101}, "最多 100 个字"),
    ],
)
def test_bad_closed_days_are_refused_and_nothing_is_added(admin_client, data, says):
    response = admin_client.post(reverse("schools:closed_add"), data)
    assert response.status_code == 400 and says in response.content.decode()
    assert not ClosedDay.objects.exists()


def test_a_closed_range_is_removed(admin_client, library):
    admin_client.post(reverse("schools:closed_add"), {"start": "2026-01-24", "end": "2026-02-22", "reason": "寒假"})
    admin_client.post(reverse("schools:closed_remove"), {"start": "2026-01-24", "end": "2026-02-22"})
    assert not ClosedDay.objects.exists()
    assert "已取消 30 个闭馆日" in admin_client.get(PAGE).content.decode()


def test_a_bad_removal_changes_nothing(admin_client, library):
    admin_client.post(reverse("schools:closed_add"), {"start": "2026-05-01", "reason": ""})
    response = admin_client.post(reverse("schools:closed_remove"), {"start": "x", "end": ""}, follow=True)
    assert "没有取消任何闭馆日" in response.content.decode()
    assert ClosedDay.objects.count() == 1


def test_another_schools_term_cannot_be_reached(admin_client):
    from xiaotu.testing.factories import LibraryFactory

    other = LibraryFactory.create(code="other")
    term = Term.objects.create(library=other, name="X", starts_on=dt.date(2026, 2, 20), ends_on=dt.date(2026, 7, 3))
    assert admin_client.get(reverse("schools:term_edit", args=[term.pk])).status_code == 404
    assert admin_client.post(reverse("schools:term_delete", args=[term.pk])).status_code == 404
    assert Term.objects.filter(pk=term.pk).exists()


WRITES: list[tuple[str, list[int], dict[str, object]]] = [
    ("schools:weekdays", [], {"weekdays": ["1"]}),
    ("schools:term_add", [], {"name": "X", "starts_on": "2026-09-01", "ends_on": "2027-01-22"}),
    ("schools:closed_add", [], {"start": "2026-05-01", "reason": ""}),
    ("schools:closed_remove", [], {"start": "2026-05-01", "end": "2026-05-01"}),
]


@pytest.mark.parametrize("role", [Role.LIBRARIAN, Role.STUDENT_LIBRARIAN, Role.TEACHER])
def test_only_administrators_may_open_or_change_the_calendar(client, library, role):
    term = Term.objects.create(
        library=library, name="春季", starts_on=dt.date(2026, 2, 20), ends_on=dt.date(2026, 7, 3)
    )
    client.force_login(UserFactory.create(library=library, role=role))
    assert client.get(PAGE).status_code == 403
    assert client.get(reverse("schools:term_edit", args=[term.pk])).status_code == 403
    assert client.post(reverse("schools:term_delete", args=[term.pk])).status_code == 403
    for name, args, data in WRITES:
        assert client.post(reverse(name, args=args), data).status_code == 403, name
    assert Term.objects.count() == 1 and not ClosedDay.objects.exists()
    assert Library.objects.get(pk=library.pk).closed_weekdays == "67"


def test_anonymous_users_are_sent_to_login(client):
    response = client.get(PAGE)
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))
