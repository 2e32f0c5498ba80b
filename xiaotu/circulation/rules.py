"""借阅规则 — saving the loan rule matrix (reader type × item category) and the total caps, all or nothing."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaotu.accounts.models import User
from xiaotu.accounts.services import audit_record
from xiaotu.catalogue.models import ItemCategory
from xiaotu.circulation.models import GradeLimit, LoanCap, LoanRule
from xiaotu.circulation.policy import forget_rules
from xiaotu.readers.models import ReaderType
from xiaotu.schools.models import Library

# Upper bounds a school never needs to pass; they catch a slipped finger (3650 days) before it reaches a loan.
LOAN_DAYS = (1, 365)
MAX_LOANS = (1, 99)
MAX_RENEWALS = (0, 9)
MAX_TOTAL = (1, 99)

CellKey = tuple[int, int]  # (reader_type_id, item_category_id)


@dataclass(frozen=True)
class RuleCell:
    """One cell of the matrix as the librarian set it."""

    loan_days: int
    max_loans: int
    max_renewals: int
    overdue_blocks: bool


def _out_of(value: int, bounds: tuple[int, int]) -> bool:
    return not bounds[0] <= value <= bounds[1]


def _validate(
    *,
    cells: Mapping[CellKey, RuleCell | None],
    caps: Mapping[int, int | None],
    reader_types: Mapping[int, ReaderType],
    categories: Mapping[int, ItemCategory],
) -> list[str]:
    errors: list[str] = []
    for (type_id, category_id), cell in cells.items():
        if type_id not in reader_types or category_id not in categories:
            errors.append(_("借阅规则中有不属于本馆的读者类型或流通类型。"))
            continue
        if cell is None:
            continue
        name = f"{reader_types[type_id].name} × {categories[category_id].name}"
        if _out_of(cell.loan_days, LOAN_DAYS):
            errors.append(
                _("%(cell)s：借期应在 %(min)d 到 %(max)d 天之间。")
                % {"cell": name, "min": LOAN_DAYS[0], "max": LOAN_DAYS[1]}
            )
        if _out_of(cell.max_loans, MAX_LOANS):
            errors.append(
                _("%(cell)s：可借册数应在 %(min)d 到 %(max)d 之间。")
                % {"cell": name, "min": MAX_LOANS[0], "max": MAX_LOANS[1]}
            )
        if _out_of(cell.max_renewals, MAX_RENEWALS):
            errors.append(
                _("%(cell)s：续借次数应在 %(min)d 到 %(max)d 之间。")
                % {"cell": name, "min": MAX_RENEWALS[0], "max": MAX_RENEWALS[1]}
            )
    for type_id, cap in caps.items():
        if type_id not in reader_types:
            errors.append(_("借阅规则中有不属于本馆的读者类型或流通类型。"))
        elif cap is not None and _out_of(cap, MAX_TOTAL):
            errors.append(
                _("%(type)s：合计可借册数应在 %(min)d 到 %(max)d 之间。")
                % {"type": reader_types[type_id].name, "min": MAX_TOTAL[0], "max": MAX_TOTAL[1]}
            )
    return list(dict.fromkeys(errors))


def loan_rules_save(
    *,
    library: Library,
    cells: Mapping[CellKey, RuleCell | None],
    caps: Mapping[int, int | None],
    by: User | None,
    at: dt.datetime | None = None,
) -> int:
    """Set the given cells and caps (None removes one: that pair may not borrow, that type has no total cap).

    Everything is checked before anything is written, in one transaction: a bad cell saves nothing.
    Returns how many cells and caps changed; cells not given are left as they are.
    """
    at = at or timezone.now()
    reader_types = {t.pk: t for t in ReaderType.objects.filter(library=library)}
    categories = {c.pk: c for c in ItemCategory.objects.filter(library=library)}
    if errors := _validate(cells=cells, caps=caps, reader_types=reader_types, categories=categories):
        raise ValidationError(errors)

    changes: list[dict[str, Any]] = []
    with transaction.atomic():
        rules = {
            (r.reader_type_id, r.item_category_id): r
            for r in LoanRule.objects.select_for_update().filter(library=library)
        }
        for (type_id, category_id), cell in sorted(cells.items()):
            name = f"{reader_types[type_id].name} × {categories[category_id].name}"
            rule = rules.get((type_id, category_id))
            if cell is None:
                if rule is not None:
                    rule.delete()
                    changes.append({"cell": name, "to": None})
                continue
            values = dataclasses.asdict(cell)
            if rule is None:
                LoanRule.objects.create(library=library, reader_type_id=type_id, item_category_id=category_id, **values)
            elif any(getattr(rule, key) != value for key, value in values.items()):
                for key, value in values.items():
                    setattr(rule, key, value)
                rule.save(update_fields=list(values))
            else:
                continue
            changes.append({"cell": name, "to": values})

        current_caps = {c.reader_type_id: c for c in LoanCap.objects.select_for_update().filter(library=library)}
        for type_id, total in sorted(caps.items()):
            cap = current_caps.get(type_id)
            if total is None:
                if cap is not None:
                    cap.delete()
                    changes.append({"cap": reader_types[type_id].name, "to": None})
            elif cap is None:
                LoanCap.objects.create(library=library, reader_type_id=type_id, max_total=total)
                changes.append({"cap": reader_types[type_id].name, "to": total})
            elif cap.max_total != total:
                cap.max_total = total
                cap.save(update_fields=["max_total"])
                changes.append({"cap": reader_types[type_id].name, "to": total})

        if changes:
            audit_record(
                library=library, actor=by, action="loan_rules.save", obj=library, data={"changes": changes}, at=at
            )
            forget_rules(library.pk)
    return len(changes)


# 按年级限借: lower caps for a range of grades, kept beside the matrix.


def grade_limit_add(
    *,
    library: Library,
    reader_type: ReaderType,
    grade_from: int,
    grade_to: int,
    max_total: int | None,
    max_loans: int | None,
    by: User | None,
) -> GradeLimit:
    """Add a grade range's caps; ranges of one reader type may not overlap (which would apply is unclear)."""
    if reader_type.library_id != library.pk:
        raise ValidationError(_("没有这个读者类型。"))
    if grade_from > grade_to:
        raise ValidationError(_("起始年级不能大于结束年级。"))
    if max_total is None and max_loans is None:
        raise ValidationError(_("请至少填写合计可借册数或每类可借册数。"))
    with transaction.atomic():
        overlapping = GradeLimit.objects.filter(
            library=library, reader_type=reader_type, grade_from__lte=grade_to, grade_to__gte=grade_from
        ).first()
        if overlapping is not None:
            raise ValidationError(
                _("与已有的 %(from)d–%(to)d 年级重叠。") % {"from": overlapping.grade_from, "to": overlapping.grade_to}
            )
        limit = GradeLimit.objects.create(
            library=library,
            reader_type=reader_type,
            grade_from=grade_from,
            grade_to=grade_to,
            max_total=max_total,
            max_loans=max_loans,
        )
        audit_record(
            library=library,
            actor=by,
            action="loan_rules.grade_limit_add",
            obj=limit,
            data={
                "reader_type": reader_type.code,
                "grades": [grade_from, grade_to],
                "max_total": max_total,
                "max_loans": max_loans,
            },
            at=timezone.now(),
        )
        forget_rules(library.pk)
    return limit


def grade_limit_delete(*, limit: GradeLimit, by: User | None) -> None:
    with transaction.atomic():
        audit_record(
            library=limit.library,
            actor=by,
            action="loan_rules.grade_limit_delete",
            obj=limit,
            data={"grades": [limit.grade_from, limit.grade_to]},
            at=timezone.now(),
        )
        limit.delete()
        forget_rules(limit.library_id)
