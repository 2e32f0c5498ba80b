"""The loan rules that apply to one reader and one item, fetched in one place (never read deep inside a service)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from xiaotu.catalogue.models import Item
from xiaotu.circulation.errors import LoanRefused
from xiaotu.circulation.models import LoanCap, LoanRule
from xiaotu.readers.models import Reader
from xiaotu.short_cache import ShortCache


@dataclass(frozen=True)
class Policy:
    rule: LoanRule
    max_total: int | None


@dataclass(frozen=True)
class _Matrix:
    rules: dict[tuple[int, int], LoanRule]
    caps: dict[int, int]


_MATRICES: ShortCache[int, _Matrix] = ShortCache(seconds=30)


def _matrix(library_id: int) -> _Matrix:
    def load() -> _Matrix:
        rules = {(r.reader_type_id, r.item_category_id): r for r in LoanRule.objects.filter(library_id=library_id)}
        caps = dict(LoanCap.objects.filter(library_id=library_id).values_list("reader_type_id", "max_total"))
        return _Matrix(rules=rules, caps=caps)

    return _MATRICES.get(library_id, load)


def forget_rules(library_id: int) -> None:
    """Call after changing a library's rules: now, and again once the change is committed."""
    _MATRICES.forget(library_id)
    transaction.on_commit(lambda: _MATRICES.forget(library_id))


def policy_for(*, reader: Reader, item: Item) -> Policy:
    """The matrix cell for the reader's type and the item's category, and the reader type's total cap."""
    matrix = _matrix(item.library_id)
    rule = matrix.rules.get((reader.reader_type_id, item.category_id))
    if rule is None:
        raise LoanRefused("no_loan_rule", reader_type=reader.reader_type.name, category=item.category.name)
    return Policy(rule=rule, max_total=matrix.caps.get(reader.reader_type_id))
