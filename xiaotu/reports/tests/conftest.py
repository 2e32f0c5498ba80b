"""A small fixed school for the report tests: two grades, three classes, staff, a collection over several classes,
locations and batches, and a term of loans. Each test computes what it expects from `school.loans` in plain Python."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.utils import timezone

from xiaotu.accounts.models import Role, User
from xiaotu.accounts.services import audit_record
from xiaotu.catalogue.models import Item
from xiaotu.circulation.models import Loan
from xiaotu.intake.models import Batch
from xiaotu.readers.models import Reader, SchoolClass
from xiaotu.schools.models import Library, Location, Term
from xiaotu.testing.factories import (
    GradeFactory,
    ItemCategoryFactory,
    ItemFactory,
    LocationFactory,
    ReaderFactory,
    ReaderTypeFactory,
    RecordFactory,
    SchoolClassFactory,
    UserFactory,
)

TZ = dt.timezone(dt.timedelta(hours=8))
TERM = (dt.date(2026, 9, 1), dt.date(2027, 1, 22))
# Every report test runs as if it were this day: the tallies count the days before it.
TODAY = dt.date(2026, 10, 20)
CLASSES = ["I247.5", "I287", "K209", "Q95", "TP3", "Z228", "B84", "A81", "G624", ""]


@dataclass
class School:
    library: Library
    term: Term
    classes: list[SchoolClass]
    teacher_class: SchoolClass
    pupils: list[Reader]
    staff_readers: list[Reader]
    items: list[Item]
    locations: list[Location]
    batches: list[Batch]
    loans: list[Loan] = field(default_factory=list)
    withdrawn: list[Item] = field(default_factory=list)


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=TZ)


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def users(library) -> dict[str, User]:
    return {
        role: UserFactory.create(library=library, username=f"u-{role}", role=role)
        for role in (Role.ADMIN, Role.LIBRARIAN, Role.STUDENT_LIBRARIAN, Role.TEACHER)
    }


@pytest.fixture
def school(library, users) -> School:
    rng = random.Random(8)
    term = Term.objects.create(library=library, name="2026年秋季学期", starts_on=TERM[0], ends_on=TERM[1])
    student = ReaderTypeFactory.create(library=library, code="student", name="学生")
    teacher_type = ReaderTypeFactory.create(library=library, code="teacher", name="教师", kind="staff")
    book = ItemCategoryFactory.create(library=library)
    reference = ItemCategoryFactory.create(library=library, code="ref", name="工具书", reference_only=True)
    three = GradeFactory.create(library=library, number=3, name="三年级")
    four = GradeFactory.create(library=library, number=4, name="四年级")
    classes = [
        SchoolClassFactory.create(grade=three, number=1, teacher=users[Role.TEACHER]),
        SchoolClassFactory.create(grade=three, number=2),
        SchoolClassFactory.create(grade=four, number=1),
    ]
    pupils = [
        ReaderFactory.create(library=library, reader_type=student, school_class=classes[i % 3], name=f"学生{i:02d}")
        for i in range(14)
    ]
    # One pupil has left: their loans count in the totals but they are no longer a pupil in school.
    Reader.objects.filter(pk=pupils[-1].pk).update(status=Reader.Status.LEFT)
    staff_readers = [
        ReaderFactory.create(library=library, reader_type=teacher_type, school_class=None, name=f"老师{i}")
        for i in range(2)
    ]
    locations = [
        LocationFactory.create(library=library, code="main", name="借阅室"),
        LocationFactory.create(library=library, code="read", name="阅览室"),
    ]
    batches = [
        Batch.objects.create(
            library=library, number=f"2026-{n:03d}", received_on=dt.date(2026, n, 3), vendor="新华书店"
        )
        for n in (3, 9)
    ]
    items = []
    for i in range(40):
        record = RecordFactory.create(library=library, title=f"书{i:02d}", clc_class=CLASSES[i % len(CLASSES)])
        items.append(
            ItemFactory.create(
                library=library,
                record=record,
                accession_number=f"{i + 1:07d}",
                location=locations[i % 2],
                category=reference if i % 13 == 0 else book,
                price=Decimal(f"{10 + i % 7}.50") if i % 5 else None,
                acquired_on=dt.date(2026 if i % 3 else 2025, 3 + i % 9, 1),
                batch=batches[i % 2] if i % 4 else None,
            )
        )
    school = School(library, term, classes, classes[0], pupils, staff_readers, items, locations, batches)
    readers = pupils + staff_readers
    for n in range(120):
        day = TERM[0] + dt.timedelta(days=rng.randrange(0, 60))
        issued = at(day, rng.randrange(8, 17))
        back = rng.random()
        returned = issued + dt.timedelta(days=rng.randrange(0, 20), hours=1) if back < 0.8 else None
        item = items[rng.randrange(1, 40)]
        if returned is None and any(loan.item_id == item.pk and loan.returned_at is None for loan in school.loans):
            returned = issued + dt.timedelta(hours=2)
        school.loans.append(
            Loan.objects.create(
                library=library,
                item=item,
                reader=readers[rng.randrange(len(readers))],
                issued_at=issued,
                due_on=day + dt.timedelta(days=30),
                returned_at=returned,
                lost=n % 37 == 0 and returned is not None,
            )
        )
    for item in items[30:33]:
        Item.objects.filter(pk=item.pk).update(status=Item.Status.WITHDRAWN)
        audit_record(
            library=library,
            actor=users[Role.LIBRARIAN],
            action="item.status",
            obj=item,
            data={"from": "available", "to": "withdrawn"},
            at=at(dt.date(2026, 10, 8)),
        )
        item.refresh_from_db()
        school.withdrawn.append(item)
    Item.objects.filter(pk=items[33].pk).update(status=Item.Status.LOST)
    for item in items:
        item.refresh_from_db()
    return school


@pytest.fixture
def today(monkeypatch):
    """Pretend it is TODAY for the views (timezone.localdate)."""
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)
    return TODAY
