"""读书之星: pupils in school ranked by loans per grade and per class; the public page shows only what is allowed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from xiaotu.readers.models import Reader
from xiaotu.reports.models import ReportSettings
from xiaotu.reports.periods import Period
from xiaotu.reports.selectors import reading_stars
from xiaotu.reports.tallies import tallies_refresh

from .conftest import TERM, TODAY
from .expected import count_by, issued_in, pupils_in_school

pytestmark = pytest.mark.django_db
TERM_PERIOD = Period("term", TERM[0], TERM[1], "term")


@pytest.fixture(params=["live", "tallied"])
def counted(request, school):
    if request.param == "tallied":
        tallies_refresh(library=school.library, today=TODAY)


def expected_places(school, class_ids, count):
    """(reader, loans) of the first `count` places among pupils in school of the classes, ties sharing a place."""
    in_school = {p.pk: p for p in pupils_in_school(school.pupils) if p.school_class_id in class_ids}
    loans = count_by(issued_in(school.loans, *TERM), lambda loan: loan.reader_id)
    ranked = sorted(
        ((pk, n) for pk, n in loans.items() if pk in in_school), key=lambda p: (-p[1], in_school[p[0]].name, p[0])
    )
    places, rank, previous = [], 0, None
    for index, (pk, n) in enumerate(ranked):
        if n != previous:
            rank, previous = index + 1, n
        if rank > count:
            break
        places.append((pk, n, rank))
    return places


def test_stars_per_class_are_its_pupils_with_most_loans(school, counted):
    _grades, classes = reading_stars(school.library, TERM_PERIOD, count=2)
    for school_class, group in zip(school.classes, classes, strict=True):
        assert group.label == school_class.name
        assert [(s.reader_id, s.loans, s.rank) for s in group.stars] == expected_places(school, {school_class.pk}, 2)


def test_stars_per_grade_rank_the_pupils_of_all_its_classes(school, counted):
    grades, _classes = reading_stars(school.library, TERM_PERIOD, count=3)
    grade_three = {c.pk for c in school.classes if c.grade.number == 3}
    assert [(s.reader_id, s.loans, s.rank) for s in grades[0].stars] == expected_places(school, grade_three, 3)


def test_a_pupil_who_left_and_staff_are_never_stars(school, counted):
    grades, classes = reading_stars(school.library, TERM_PERIOD, count=50)
    shown = {s.reader_id for g in grades + classes for s in g.stars}
    assert school.pupils[-1].pk not in shown
    assert not shown & {r.pk for r in school.staff_readers}


def test_the_public_page_is_not_there_until_the_library_publishes(client, school, today):
    assert client.get(reverse("reports:stars_public")).status_code == 404


def test_the_public_page_shows_only_the_fields_the_library_allows(client, school, today):
    ReportSettings.objects.create(
        library=school.library, stars_public=True, stars_show_full_name=False, stars_show_class=False, stars_count=20
    )
    response = client.get(reverse("reports:stars_public"))
    page = response.content.decode()
    assert response.status_code == 200
    names = list(Reader.objects.filter(library=school.library).values_list("name", flat=True))
    assert not any(name in page for name in names)
    assert "学同学" in page  # 学生03 → 学同学: surname and 同学 only
    assert not any(c.name in page for c in school.classes)


def test_the_public_page_shows_names_and_classes_when_allowed(client, school, today):
    ReportSettings.objects.create(library=school.library, stars_public=True, stars_count=20)
    page = client.get(reverse("reports:stars_public")).content.decode()
    # TODAY is Tuesday 20 October: last week is 12–18 October.
    last_week = issued_in(school.loans, dt.date(2026, 10, 12), dt.date(2026, 10, 18))
    in_school = {p.pk: p for p in pupils_in_school(school.pupils)}
    shown = {in_school[loan.reader_id] for loan in last_week if loan.reader_id in in_school}
    assert shown
    assert all(f'{p.name}</span> <span class="muted">{p.school_class}' in page for p in shown)
