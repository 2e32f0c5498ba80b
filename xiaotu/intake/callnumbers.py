"""索书号: 中图法 class + 种次号 (running number within the class) or + 著者号 (an author mark from 拼音)."""

from __future__ import annotations

import re

from django.db import transaction

from xiaotu.catalogue.models import Item, Record
from xiaotu.intake.models import ClassCounter, Numbering
from xiaotu.intake.numbering import numbering_for
from xiaotu.pinyin import initials
from xiaotu.schools.models import Library

_RUNNING = re.compile(r"^(\d+)")


def split_call_number(call_number: str) -> tuple[str, str]:
    """'I247.5/123' -> ('I247.5', '123'); a call number without '/' is all class."""
    cls, _sep, rest = call_number.partition("/")
    return cls.strip(), rest.strip()


def _highest_in_use(library: Library, clc_class: str) -> int:
    """The largest 种次号 already on a record or a copy of this class, so numbering continues after old data."""
    prefix = f"{clc_class}/"
    used = list(
        Record.objects.filter(library=library, call_number__startswith=prefix).values_list("call_number", flat=True)
    )
    used += Item.objects.filter(library=library, call_number__startswith=prefix).values_list("call_number", flat=True)
    best = 0
    for call_number in used:
        if match := _RUNNING.match(split_call_number(call_number)[1]):
            best = max(best, int(match.group(1)))
    return best


def next_sequence_number(*, library: Library, clc_class: str) -> str:
    """The next 种次号 call number in the class, e.g. 'I247.5/124'; the counter row is locked while it moves."""
    with transaction.atomic():
        counter = ClassCounter.objects.select_for_update().filter(library=library, clc_class=clc_class).first()
        if counter is None:
            counter = ClassCounter.objects.create(
                library=library, clc_class=clc_class, last=_highest_in_use(library, clc_class)
            )
            counter = ClassCounter.objects.select_for_update().get(pk=counter.pk)
        counter.last += 1
        counter.save(update_fields=["last"])
    return f"{clc_class}/{counter.last}"


def author_mark(author: str) -> str:
    """A 拼音 author mark: the surname's initial in capitals and the given name's initials, e.g. 吴承恩 -> 'Wce'."""
    letters = initials(re.sub(r"[\s·•．.]", "", author))
    letters = "".join(ch for ch in letters if ch.isalnum())
    return (letters[:1].upper() + letters[1:4]) if letters else "X"


def next_author_number(*, library: Library, clc_class: str, author: str) -> str:
    """class/author mark, with -2, -3… when another record of the class already has that mark."""
    base = f"{clc_class}/{author_mark(author)}"
    taken = set(
        Record.objects.filter(library=library, call_number__startswith=base).values_list("call_number", flat=True)
    )
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def assign_call_number(*, library: Library, clc_class: str, author: str) -> str:
    """A new call number by the library's chosen scheme; an empty class gets none (the librarian classifies first)."""
    if not clc_class:
        return ""
    if numbering_for(library).call_number_scheme == Numbering.CallNumberScheme.AUTHOR:
        return next_author_number(library=library, clc_class=clc_class, author=author)
    return next_sequence_number(library=library, clc_class=clc_class)


def call_number_taken(*, library: Library, call_number: str, record: Record | None = None) -> bool:
    """Whether another record already has this call number (the database refuses duplicates too)."""
    others = Record.objects.filter(library=library, call_number=call_number)
    if record is not None and record.pk:
        others = others.exclude(pk=record.pk)
    return bool(call_number) and others.exists()


def _in_use(library: Library, reserved: set[str] | frozenset[str]) -> tuple[set[str], dict[str, int]]:
    """Every call number on a record or copy of the library or reserved, and the highest 种次号 per class."""
    used = set(Record.objects.filter(library=library).exclude(call_number="").values_list("call_number", flat=True))
    used.update(Item.objects.filter(library=library).exclude(call_number="").values_list("call_number", flat=True))
    used |= reserved
    highest: dict[str, int] = {}
    for call_number in used:
        cls, rest = split_call_number(call_number)
        if match := _RUNNING.match(rest):
            highest[cls] = max(highest.get(cls, 0), int(match.group(1)))
    return used, highest


def allocate_call_numbers(
    *, library: Library, wanted: list[tuple[str, str]], reserved: set[str] | frozenset[str] = frozenset()
) -> list[str]:
    """Call numbers for many new records at once, (class, first author) each, in order; one pass, not one per record.

    `reserved` are call numbers this import keeps from its file and will write too. Runs inside the caller's
    transaction: the class counters are locked and moved together.
    """
    if not wanted:
        return []
    used, highest = _in_use(library, reserved)
    if numbering_for(library).call_number_scheme == Numbering.CallNumberScheme.AUTHOR:
        result = []
        for clc_class, author in wanted:
            base = f"{clc_class}/{author_mark(author)}"
            candidate, n = base, 2
            while candidate in used:
                candidate, n = f"{base}-{n}", n + 1
            used.add(candidate)
            result.append(candidate)
        return result
    classes = sorted({cls for cls, _author in wanted})
    counters = {
        c.clc_class: c
        for start in range(0, len(classes), 900)
        for c in ClassCounter.objects.select_for_update().filter(
            library=library, clc_class__in=classes[start : start + 900]
        )
    }
    missing = [
        ClassCounter(library=library, clc_class=cls, last=highest.get(cls, 0)) for cls in classes if cls not in counters
    ]
    for counter in ClassCounter.objects.bulk_create(missing):
        counters[counter.clc_class] = counter
    result = []
    for clc_class, _author in wanted:
        counter = counters[clc_class]
        counter.last += 1
        while f"{clc_class}/{counter.last}" in used:
            counter.last += 1
        result.append(f"{clc_class}/{counter.last}")
    ClassCounter.objects.bulk_update(list(counters.values()), ["last"], batch_size=500)
    return result
