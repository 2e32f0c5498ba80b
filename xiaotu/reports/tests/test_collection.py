"""馆藏统计 and the inspection figures: holdings, shares, per pupil, new and value against the 规程 table."""

from __future__ import annotations

from collections import Counter
from decimal import ROUND_HALF_UP, Decimal

import pytest

from xiaotu.catalogue.clc.table import CATEGORIES
from xiaotu.reports.collection import collection, reference_titles
from xiaotu.reports.inspection import inspection
from xiaotu.reports.models import Standard
from xiaotu.reports.services import standards_ensure

from .conftest import TODAY
from .expected import letter, price, pupils_in_school

pytestmark = pytest.mark.django_db


def held(school):
    return [i for i in school.items if i.status not in ("withdrawn", "lost")]


def test_holdings_by_class_count_held_copies_their_titles_and_value(school):
    data = collection(school.library, year=2026)
    copies = held(school)
    volumes = Counter(letter(i) for i in copies)
    lines = {c.key: c for c in data.classes if c.volumes}
    assert {k: c.volumes for k, c in lines.items()} == dict(volumes)
    assert {k: c.titles for k, c in lines.items()} == {
        k: len({i.record_id for i in copies if letter(i) == k}) for k in volumes
    }
    assert data.value == sum((price(i) for i in copies), Decimal("0"))
    assert data.new == sum(1 for i in school.items if i.acquired_on.year == 2026)


def test_divisions_add_up_the_basic_classes_and_compare_with_the_standard(school):
    data = collection(school.library, year=2026, tolerance=Decimal("5"))
    copies = held(school)
    classified = [i for i in copies if letter(i) != "?"]
    for division, category in zip(data.divisions, CATEGORIES, strict=True):
        n = sum(1 for i in classified if letter(i) in category.letters)
        assert division.volumes == n
        share = (Decimal(n) * 100 / len(copies)).quantize(Decimal("0.1"), ROUND_HALF_UP)
        assert division.share == share
        assert division.standard is not None
        assert division.met == (abs(share - division.standard) <= 5)


def test_per_pupil_figures_use_the_pupils_in_school(school):
    data = collection(school.library, year=2026)
    pupils = len(pupils_in_school(school.pupils))
    assert data.pupils == pupils
    assert data.per_pupil == (Decimal(len(held(school))) / pupils).quantize(Decimal("0.01"), ROUND_HALF_UP)


def test_the_library_edited_standard_is_the_one_measured_against(school):
    standards_ensure(library=school.library)
    Standard.objects.filter(library=school.library, level="primary").update(books_per_pupil=Decimal("2"))
    figures = {f.label: f for f in inspection(school.library, today=TODAY).figures}
    books = figures["生均藏书"]
    assert books.standard == Decimal("2") and books.met is True
    Standard.objects.filter(library=school.library, level="primary").update(books_per_pupil=Decimal("99"))
    assert {f.label: f for f in inspection(school.library, today=TODAY).figures}["生均藏书"].met is False


def test_reference_titles_count_titles_with_a_held_reference_copy(school):
    expected = {i.record_id for i in held(school) if i.category.reference_only}
    assert reference_titles(school.library) == len(expected)


def test_a_new_library_measures_against_the_seeded_figures_of_its_level(school):
    school.library.level = "junior"
    data = collection(school.library)
    assert data.standard.level == "junior" and data.standard.books_per_pupil == Decimal("35")


def test_the_data_migration_seeds_every_existing_library(school):
    """Libraries made before the app get their rows from the migration; ours gets them from standards_ensure."""
    rows = standards_ensure(library=school.library)
    assert [r.level for r in rows] == ["primary", "junior", "senior", "complete"]
    assert [r.books_per_pupil for r in rows] == [Decimal("25"), Decimal("35"), Decimal("50"), Decimal("45")]
