"""Builds the demo school in one transaction: the library, its collection, its readers and a semester of loans."""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from xiaotu.accounts.models import User
from xiaotu.accounts.services import audit_record
from xiaotu.demo.collection import create_collection
from xiaotu.demo.history import create_history
from xiaotu.demo.roster import DEFAULT_READERS, GRADES, RosterSize, create_roster
from xiaotu.demo.school import DEMO_CODE, create_school
from xiaotu.readers.models import SchoolClass
from xiaotu.schools.models import Library
from xiaotu.search.services import reindex_library

DEFAULT_SEED = 2026


@dataclass(frozen=True)
class DemoSize:
    """How big a school to build: copies, readers and loans. The defaults are one real school's."""

    items: int = 20_000
    readers: int = DEFAULT_READERS
    history: int = 30_000


@dataclass
class DemoReport:
    library: Library
    records: int = 0
    items: int = 0
    batches: int = 0
    readers: int = 0
    classes: int = 0
    loans: int = 0
    open_loans: int = 0
    overdue_loans: int = 0
    lost: int = 0
    damaged: int = 0
    logins: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)


def demo_library() -> Library | None:
    return Library.objects.filter(code=DEMO_CODE).first()


def build_demo(
    *,
    size: DemoSize = DemoSize(),
    level: str = Library.Level.PRIMARY,
    seed: int = DEFAULT_SEED,
    now: dt.datetime | None = None,
    log: Callable[[str], None] = lambda _message: None,
) -> DemoReport:
    """Create the demo library. The same seed on the same day gives the same school; the caller checks it is new.

    Each part draws from its own random stream, so asking for more loans does not rename the pupils.
    """
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    started = time.perf_counter()
    timings: dict[str, float] = {}

    def lap(name: str) -> None:
        timings[name] = round(time.perf_counter() - started - sum(timings.values()), 2)
        log(f"{name}: {timings[name]:.1f}s")

    with transaction.atomic():
        school = create_school(level=level, today=today)
        report = DemoReport(library=school.library, logins=list(school.users))
        librarian = school.users.get("librarian")
        lap("school")
        roster = create_roster(
            school=school,
            size=RosterSize.for_readers(size.readers, len(GRADES[Library.Level(level)])),
            rng=random.Random(f"{seed}-roster"),
            today=today,
        )
        report.readers, report.classes = len(roster.readers), roster.classes
        _link_staff(school.users, roster.teacher_class, roster.teacher_name, roster.student_librarian_name)
        lap("readers")
        collection = create_collection(
            school=school,
            rng=random.Random(f"{seed}-collection"),
            items=size.items,
            today=today,
            by=librarian,
        )
        report.records, report.items, report.batches = collection.records, collection.items, collection.batches
        lap("collection")
        desk: list[int | None] = [u.pk for name, u in school.users.items() if name in ("librarian", "xiaoguan")]
        history = create_history(
            school=school,
            readers=roster.readers,
            lendable=collection.lendable,
            count=size.history,
            rng=random.Random(f"{seed}-history"),
            now=now,
            desk_staff=desk or [None],
        )
        report.loans, report.open_loans, report.overdue_loans = history.loans, history.open, history.overdue
        report.lost, report.damaged = history.lost, history.damaged
        audit_record(
            library=school.library,
            actor=None,
            action="demo.build",
            obj=school.library,
            data={"seed": seed, "items": size.items, "readers": size.readers, "history": size.history},
            at=now,
        )
        lap("history")
        reindex_library(library=school.library)
        lap("search")
    report.seconds = timings
    return report


def _link_staff(users: dict[str, User], teacher_class: SchoolClass, teacher_name: str, pupil_name: str) -> None:
    """The teacher login is the class teacher (班主任) of one class; both pupil and teacher logins carry a name."""
    if teacher := users.get("teacher"):
        User.objects.filter(pk=teacher.pk).update(display_name=teacher_name)
        SchoolClass.objects.filter(pk=teacher_class.pk).update(teacher=teacher)
    if student_librarian := users.get("xiaoguan"):
        User.objects.filter(pk=student_librarian.pk).update(display_name=pupil_name)
