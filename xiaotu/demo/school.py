"""The demo library itself: rooms, circulation types, reader types, the loan rule matrix, calendar and staff logins."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password

from xiaotu.accounts.models import Role, User
from xiaotu.catalogue.models import ItemCategory
from xiaotu.circulation.models import LoanCap, LoanRule
from xiaotu.demo.terms import holidays, school_year_terms
from xiaotu.ops.welcome import DEMO_LOGINS, DEMO_PASSWORD
from xiaotu.readers.models import ReaderType
from xiaotu.schools.models import ClosedDay, Library, Location, Term

DEMO_CODE = "demo"
LIBRARY_NAMES = {Library.Level.PRIMARY: "示范实验小学图书馆", Library.Level.JUNIOR: "示范实验中学图书馆"}

LOCATIONS = {"loan": "借阅室", "reading": "阅览室", "teachers": "教师资料室"}
# (name, reference only). Current periodicals stay in the reading room like reference books: a school lends back
# issues once they are bound (合订本), and those are catalogued as ordinary books, not as 期刊.
CATEGORIES = {
    "book": ("普通图书", False),
    "picture": ("绘本", False),
    "reference": ("工具书", True),
    "periodical": ("期刊", True),
}
READER_TYPES = {"student": "学生", "teacher": "教师", "staff": "职工"}


@dataclass(frozen=True)
class Rule:
    loan_days: int
    max_loans: int
    max_renewals: int
    overdue_blocks: bool


# The matrix a school librarian would set: pupils two books for two weeks and nothing more while one is late;
# teachers a term's worth of books for class preparation, and no block (the school deals with them differently).
RULES = {
    ("student", "book"): Rule(14, 2, 1, True),
    ("student", "picture"): Rule(14, 2, 1, True),
    ("teacher", "book"): Rule(60, 10, 2, False),
    ("teacher", "picture"): Rule(30, 5, 1, False),
    ("staff", "book"): Rule(30, 5, 1, True),
    ("staff", "picture"): Rule(30, 2, 1, True),
}
CAPS = {"student": 3, "teacher": 15, "staff": 5}

STAFF_NAMES = {"admin": "管理员", "librarian": "陈静"}


@dataclass
class School:
    library: Library
    locations: dict[str, Location]
    categories: dict[str, ItemCategory]
    reader_types: dict[str, ReaderType]
    terms: list[Term]
    # Staff logins this build created, by username; a name already taken by another library is left alone.
    users: dict[str, User]


def create_school(*, level: str, today: dt.date) -> School:
    level = Library.Level(level)
    library = Library.objects.create(code=DEMO_CODE, name=LIBRARY_NAMES[level], level=level, closed_weekdays="67")
    locations = {
        code: Location.objects.create(library=library, code=code, name=name) for code, name in LOCATIONS.items()
    }
    categories = {
        code: ItemCategory.objects.create(library=library, code=code, name=name, reference_only=reference_only)
        for code, (name, reference_only) in CATEGORIES.items()
    }
    reader_types = {
        code: ReaderType.objects.create(
            library=library,
            code=code,
            name=name,
            kind=ReaderType.Kind.STUDENT if code == "student" else ReaderType.Kind.STAFF,
        )
        for code, name in READER_TYPES.items()
    }
    LoanRule.objects.bulk_create(
        LoanRule(
            library=library,
            reader_type=reader_types[type_code],
            item_category=categories[category_code],
            loan_days=rule.loan_days,
            max_loans=rule.max_loans,
            max_renewals=rule.max_renewals,
            overdue_blocks=rule.overdue_blocks,
        )
        for (type_code, category_code), rule in RULES.items()
    )
    LoanCap.objects.bulk_create(
        LoanCap(library=library, reader_type=reader_types[code], max_total=cap) for code, cap in CAPS.items()
    )
    terms = Term.objects.bulk_create(
        Term(library=library, name=t.name, starts_on=t.starts_on, ends_on=t.ends_on) for t in school_year_terms(today)
    )
    years = range(terms[0].starts_on.year, terms[-1].ends_on.year + 1)
    ClosedDay.objects.bulk_create(
        ClosedDay(library=library, date=day, reason=reason) for day, reason in sorted(holidays(years).items())
    )
    alone = not Library.objects.exclude(pk=library.pk).exists()
    return School(library, locations, categories, reader_types, terms, _create_staff(library, superuser=alone))


def _create_staff(library: Library, *, superuser: bool) -> dict[str, User]:
    """The four demo logins, all with the demo password; hashed once, since hashing is slow on purpose.

    The demo administrator may also open Django's admin site, but only when the demo is the installation's only
    library: a known password must never unlock other schools.
    """
    roles = {
        "admin": Role.ADMIN,
        "librarian": Role.LIBRARIAN,
        "xiaoguan": Role.STUDENT_LIBRARIAN,
        "teacher": Role.TEACHER,
    }
    taken = set(User.objects.filter(username__in=roles).values_list("username", flat=True))
    password = make_password(DEMO_PASSWORD)
    users = {}
    for username, _label in DEMO_LOGINS:
        if username in taken:
            continue
        users[username] = User.objects.create(
            username=username,
            password=password,
            library=library,
            role=roles[username],
            display_name=STAFF_NAMES.get(username, ""),
            is_staff=superuser and username == "admin",
            is_superuser=superuser and username == "admin",
        )
    return users
