"""The report pages: who may open which, a teacher's class only, bad input refused plainly, Excel for every table."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from xiaotu.accounts.models import AuditEvent, Role
from xiaotu.reports.models import ReportSettings, Standard
from xiaotu.testing.factories import UserFactory

pytestmark = pytest.mark.django_db

LIBRARY_PAGES = [
    reverse("reports:circulation"),
    reverse("reports:never_borrowed"),
    reverse("reports:stars"),
    reverse("reports:collection"),
    reverse("reports:registers"),
    reverse("reports:register_file", args=["summary", "pdf"]),
    reverse("reports:register_file", args=["withdrawals", "xlsx"]),
    reverse("reports:inspection"),
]


@pytest.mark.parametrize("url", LIBRARY_PAGES)
@pytest.mark.parametrize(
    ("role", "status"),
    [(Role.ADMIN, 200), (Role.LIBRARIAN, 200), (Role.TEACHER, 403), (Role.STUDENT_LIBRARIAN, 403)],
)
def test_library_wide_reports_are_for_the_librarian_and_the_head(client, school, users, today, url, role, status):
    client.force_login(users[role])
    assert client.get(url).status_code == status


def test_reports_ask_for_a_login_first(client, school):
    response = client.get(reverse("reports:circulation"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_dashboard_draws_its_charts_from_the_vendored_library(client, school, users, today):
    client.force_login(users[Role.LIBRARIAN])
    page = client.get(reverse("reports:dashboard")).content.decode()
    assert "reports/vendor/chart.umd.js" in page and 'data-chart="grade-chart"' in page
    assert "cdn" not in page.lower()


def test_a_teacher_is_sent_from_the_dashboard_to_their_class(client, school, users, today):
    client.force_login(users[Role.TEACHER])
    response = client.get(reverse("reports:dashboard"))
    assert response.status_code == 302 and response["Location"] == reverse("reports:class")


def test_a_teacher_sees_their_own_class(client, school, users, today):
    client.force_login(users[Role.TEACHER])
    response = client.get(reverse("reports:class"))
    page = response.content.decode()
    assert response.status_code == 200
    assert school.teacher_class.name in page
    others = [c for c in school.classes if c != school.teacher_class]
    assert not any(f'value="{c.pk}"' in page for c in others)


def test_a_teacher_asking_for_another_class_is_refused(client, school, users, today):
    client.force_login(users[Role.TEACHER])
    other = school.classes[1]
    assert client.get(reverse("reports:class"), {"class": other.pk}).status_code == 403
    assert client.get(reverse("reports:class"), {"class": other.pk, "format": "xlsx"}).status_code == 403


def test_a_teacher_of_no_class_sees_a_plain_message(client, school, library, today):
    client.force_login(UserFactory.create(library=library, username="new-teacher", role=Role.TEACHER))
    response = client.get(reverse("reports:class"))
    assert response.status_code == 200 and "您还不是任何班级的班主任" in response.content.decode()


def test_a_librarian_may_look_at_any_class(client, school, users, today):
    client.force_login(users[Role.LIBRARIAN])
    response = client.get(reverse("reports:class"), {"class": school.classes[2].pk, "period": "term"})
    assert response.status_code == 200 and school.classes[2].name in response.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        {"period": "custom", "start": "2026-10-01", "end": "yesterday"},
        {"period": "month", "on": "2026-02-30"},
        {"period": "nonsense"},
    ],
)
def test_a_bad_period_is_a_clear_400_not_an_error(client, school, users, today, query):
    client.force_login(users[Role.LIBRARIAN])
    response = client.get(reverse("reports:circulation"), query)
    assert response.status_code == 400
    assert 'class="form-errors"' in response.content.decode()


def test_an_unknown_register_is_not_found(client, school, users):
    client.force_login(users[Role.LIBRARIAN])
    assert client.get(reverse("reports:register_file", args=["secret", "pdf"])).status_code == 404
    assert client.get(reverse("reports:register_file", args=["items", "exe"])).status_code == 404


@pytest.mark.parametrize(
    ("url", "query", "sheets"),
    [
        (reverse("reports:circulation"), {"period": "term"}, 6),
        (reverse("reports:stars"), {"period": "term"}, 2),
        (reverse("reports:collection"), {"year": "2026"}, 2),
        (reverse("reports:never_borrowed"), {}, 1),
        (reverse("reports:inspection"), {}, 7),
    ],
)
def test_every_report_exports_its_tables_to_excel(client, school, users, today, url, query, sheets):
    client.force_login(users[Role.LIBRARIAN])
    response = client.get(url, {**query, "format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert len(book.sheetnames) == sheets


def test_every_report_page_has_a_print_button_and_a_print_stylesheet(client, school, users, today):
    client.force_login(users[Role.LIBRARIAN])
    page = client.get(reverse("reports:inspection")).content.decode()
    assert "data-print" in page and "reports/reports.css" in page


def test_only_the_head_edits_the_settings(client, school, users):
    client.force_login(users[Role.LIBRARIAN])
    assert client.get(reverse("reports:settings")).status_code == 403


def settings_post(library, **changes):
    rows = list(Standard.objects.filter(library=library).order_by("pk"))
    data = {
        "s-loans_per_pupil_target": "12",
        "s-share_tolerance": "5",
        "s-stars_public": "on",
        "s-stars_count": "3",
        "s-stars_show_class": "on",
        "std-TOTAL_FORMS": str(len(rows)),
        "std-INITIAL_FORMS": str(len(rows)),
        "std-MIN_NUM_FORMS": "0",
        "std-MAX_NUM_FORMS": "1000",
    }
    fields = ["books_per_pupil", "new_books_per_pupil", "periodicals", "reference_titles"]
    fields += ["share_a", "share_b", "share_social", "share_natural", "share_z"]
    for i, row in enumerate(rows):
        data[f"std-{i}-id"] = str(row.pk)
        for name in fields:
            data[f"std-{i}-{name}"] = str(getattr(row, name))
    data.update(changes)
    return data


def test_the_head_saves_the_target_publication_and_the_standard(client, school, users):
    client.force_login(users[Role.ADMIN])
    assert client.get(reverse("reports:settings")).status_code == 200
    response = client.post(
        reverse("reports:settings"), settings_post(school.library, **{"std-0-books_per_pupil": "30"})
    )
    assert response.status_code == 302
    saved = ReportSettings.objects.get(library=school.library)
    assert saved.loans_per_pupil_target == Decimal("12") and saved.stars_public
    assert Standard.objects.get(library=school.library, level="primary").books_per_pupil == Decimal("30")
    assert AuditEvent.objects.filter(action="reports.settings").count() == 1


def test_shares_over_a_hundred_percent_are_refused_and_nothing_changes(client, school, users):
    client.force_login(users[Role.ADMIN])
    client.get(reverse("reports:settings"))
    response = client.post(reverse("reports:settings"), settings_post(school.library, **{"std-0-share_social": "99"}))
    assert response.status_code == 400
    assert "五大部类比例之和不能超过 100%" in response.content.decode()
    assert not ReportSettings.objects.filter(library=school.library).exists()
    assert Standard.objects.get(library=school.library, level="primary").share_social == Decimal("63")
