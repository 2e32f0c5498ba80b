"""The loan rules that apply to one reader and one item, fetched in one place (never read deep inside a service)."""

from __future__ import annotations

from dataclasses import dataclass

from xiaotu.catalogue.models import Item
from xiaotu.circulation.errors import LoanRefused
from xiaotu.circulation.models import LoanCap, LoanRule
from xiaotu.readers.models import Reader


@dataclass(frozen=True)
class Policy:
    rule: LoanRule
    max_total: int | None


def policy_for(*, reader: Reader, item: Item) -> Policy:
    """The matrix cell for the reader's type and the item's category, and the reader type's total cap."""
    rule = LoanRule.objects.filter(reader_type_id=reader.reader_type_id, item_category_id=item.category_id).first()
    if rule is None:
        raise LoanRefused("no_loan_rule", reader_type=reader.reader_type.name, category=item.category.name)
    cap = LoanCap.objects.filter(reader_type_id=reader.reader_type_id).values_list("max_total", flat=True).first()
    return Policy(rule=rule, max_total=cap)
