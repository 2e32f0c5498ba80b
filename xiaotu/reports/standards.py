"""The seeded 规程 figures and how a library's school level picks its rows (九年一贯制 counts by stage)."""

from __future__ import annotations

from decimal import Decimal

from xiaotu.reports.models import Standard
from xiaotu.schools.models import Library

# 《中小学图书馆(室)规程》(2018) appendix: books per pupil, new books per pupil a year, periodicals and reference
# titles. The 部类 shares are the common provincial reading of its ratio table; every figure is editable.
DEFAULTS: dict[str, dict[str, Decimal | int]] = {
    Standard.Level.PRIMARY: {
        "books_per_pupil": Decimal("25"),
        "new_books_per_pupil": Decimal("1"),
        "periodicals": 60,
        "reference_titles": 120,
        "share_a": Decimal("1"),
        "share_b": Decimal("2"),
        "share_social": Decimal("63"),
        "share_natural": Decimal("24"),
        "share_z": Decimal("10"),
    },
    Standard.Level.JUNIOR: {
        "books_per_pupil": Decimal("35"),
        "new_books_per_pupil": Decimal("1"),
        "periodicals": 80,
        "reference_titles": 180,
        "share_a": Decimal("1"),
        "share_b": Decimal("2"),
        "share_social": Decimal("59"),
        "share_natural": Decimal("28"),
        "share_z": Decimal("10"),
    },
    Standard.Level.SENIOR: {
        "books_per_pupil": Decimal("50"),
        "new_books_per_pupil": Decimal("1"),
        "periodicals": 120,
        "reference_titles": 250,
        "share_a": Decimal("1"),
        "share_b": Decimal("2"),
        "share_social": Decimal("59"),
        "share_natural": Decimal("28"),
        "share_z": Decimal("10"),
    },
    Standard.Level.COMPLETE: {
        "books_per_pupil": Decimal("45"),
        "new_books_per_pupil": Decimal("1"),
        "periodicals": 120,
        "reference_titles": 250,
        "share_a": Decimal("1"),
        "share_b": Decimal("2"),
        "share_social": Decimal("59"),
        "share_natural": Decimal("28"),
        "share_z": Decimal("10"),
    },
}

# 九年一贯制 is reckoned by stage; with one figure to show, the primary row (most of its pupils) stands for it.
FOR_LIBRARY_LEVEL = {
    Library.Level.PRIMARY: Standard.Level.PRIMARY,
    Library.Level.JUNIOR: Standard.Level.JUNIOR,
    Library.Level.SENIOR: Standard.Level.SENIOR,
    Library.Level.COMPLETE: Standard.Level.COMPLETE,
    Library.Level.NINE_YEAR: Standard.Level.PRIMARY,
}
