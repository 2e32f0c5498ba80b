"""The loan rules that apply to one reader and one item, fetched in one place (never read deep inside a service)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from xiaotu.catalogue.models import Item
from xiaotu.circulation.errors import LoanRefused
from xiaotu.circulation.models import GradeLimit, LoanCap, LoanRule
from xiaotu.readers.models import Grade, Reader
from xiaotu.short_cache import ShortCache


@dataclass(frozen=True)
class Policy:
    rule: LoanRule
    max_total: int | None
    # The matrix cell's per-category cap, lowered for the reader's grade where the library says so.
    max_loans: int


@dataclass(frozen=True)
class _Matrix:
    rules: dict[tuple[int, int], LoanRule]
    caps: dict[int, int]
    grade_limits: dict[int, list[GradeLimit]]  # by reader type
    grade_numbers: dict[int, int]  # grade id → 1–12, loaded only when there are grade limits


_MATRICES: ShortCache[int, _Matrix] = ShortCache(seconds=30)


def _matrix(library_id: int) -> _Matrix:
    def load() -> _Matrix:
        rules = {(r.reader_type_id, r.item_category_id): r for r in LoanRule.objects.filter(library_id=library_id)}
        caps = dict(LoanCap.objects.filter(library_id=library_id).values_list("reader_type_id", "max_total"))
        limits: dict[int, list[GradeLimit]] = {}
        for limit in GradeLimit.objects.filter(library_id=library_id):
            limits.setdefault(limit.reader_type_id, []).append(limit)
        numbers = dict(Grade.objects.filter(library_id=library_id).values_list("pk", "number")) if limits else {}
        return _Matrix(rules=rules, caps=caps, grade_limits=limits, grade_numbers=numbers)

    return _MATRICES.get(library_id, load)


def forget_rules(library_id: int) -> None:
    """Call after changing a library's rules: now, and again once the change is committed."""
    _MATRICES.forget(library_id)
    transaction.on_commit(lambda: _MATRICES.forget(library_id))


def _grade_limit(matrix: _Matrix, reader: Reader) -> GradeLimit | None:
    limits = matrix.grade_limits.get(reader.reader_type_id)
    if not limits or reader.school_class_id is None:
        return None
    school_class = reader.school_class
    grade = matrix.grade_numbers.get(school_class.grade_id) if school_class is not None else None
    if grade is None:
        return None
    return next((limit for limit in limits if limit.grade_from <= grade <= limit.grade_to), None)


def _lower(cap: int | None, limit: int | None) -> int | None:
    if limit is None:
        return cap
    return limit if cap is None else min(cap, limit)


def total_limit_for(reader: Reader) -> int | None:
    """How many books the reader may hold in all: the type's cap, lowered for their grade."""
    matrix = _matrix(reader.library_id)
    cap = matrix.caps.get(reader.reader_type_id)
    grade_limit = _grade_limit(matrix, reader)
    return _lower(cap, grade_limit.max_total) if grade_limit else cap


def policy_for(*, reader: Reader, item: Item) -> Policy:
    """The matrix cell for the reader's type and the item's category, the type's total cap, the grade's limits."""
    matrix = _matrix(item.library_id)
    rule = matrix.rules.get((reader.reader_type_id, item.category_id))
    if rule is None:
        raise LoanRefused("no_loan_rule", reader_type=reader.reader_type.name, category=item.category.name)
    max_total = matrix.caps.get(reader.reader_type_id)
    max_loans = rule.max_loans
    if grade_limit := _grade_limit(matrix, reader):
        max_total = _lower(max_total, grade_limit.max_total)
        max_loans = _lower(max_loans, grade_limit.max_loans) or max_loans
    return Policy(rule=rule, max_total=max_total, max_loans=max_loans)
