"""剔旧 and 注销: candidate lists for weeding, withdrawal batches approved by the 管理员, and the withdrawal register.

A withdrawn copy keeps its row, its loans and its audit trail: withdrawn is a status (DESIGN: no hard delete of
anything with history). The register (注销帐) reads the approved batches.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Exists, Max, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaotu.accounts.models import Role, User
from xiaotu.accounts.services import audit_record
from xiaotu.bulk import insert_rows
from xiaotu.catalogue.models import Item, Record
from xiaotu.circulation.models import Loan
from xiaotu.schools.models import Library, Location
from xiaotu.stocktake.itemstatus import items_change_status
from xiaotu.stocktake.models import WithdrawalBatch, WithdrawalLine
from xiaotu.stocktake.services import StocktakeRefused

# Copies that may be withdrawn: on the shelf, damaged, in repair, or lost. A copy out on loan must come back (or
# be declared lost) first.
WITHDRAWABLE = (Item.Status.AVAILABLE, Item.Status.DAMAGED, Item.Status.REPAIR, Item.Status.LOST)
MAX_CANDIDATES = 1000


@dataclass(frozen=True)
class Criteria:
    """What makes a copy a weeding candidate. `unborrowed_years`: not lent for that many years (and in the library
    at least that long); `damaged`: marked damaged; `superseded`: the library has a later edition of the title."""

    unborrowed_years: int | None = None
    damaged: bool = False
    superseded: bool = False
    class_prefix: str = ""
    location: Location | None = None


def weeding_candidates(*, library: Library, criteria: Criteria, today: dt.date | None = None) -> QuerySet[Item]:
    """剔旧候选 — copies meeting any of the criteria chosen, within the class and location; none already proposed."""
    today = today or timezone.localdate()
    items = Item.objects.filter(library=library, status__in=WITHDRAWABLE)
    if criteria.class_prefix:
        items = items.filter(call_number__startswith=criteria.class_prefix.strip().upper())
    if criteria.location is not None:
        items = items.filter(location=criteria.location)
    proposed = WithdrawalLine.objects.filter(item=OuterRef("pk"), batch__status=WithdrawalBatch.Status.DRAFT)
    items = items.exclude(Exists(proposed))
    # Exists and Q combine into expressions django-stubs does not type as Q.
    wanted: Any = Q(pk__in=[])
    if criteria.unborrowed_years:
        cutoff = today.replace(year=today.year - criteria.unborrowed_years)
        moment = dt.datetime.combine(cutoff, dt.time(), tzinfo=timezone.get_current_timezone())
        recent = Loan.objects.filter(item=OuterRef("pk"), issued_at__gte=moment)
        wanted |= ~Exists(recent) & (Q(acquired_on__isnull=True) | Q(acquired_on__lt=cutoff))
    if criteria.damaged:
        wanted |= Q(status=Item.Status.DAMAGED)
    if criteria.superseded:
        later = Record.objects.filter(
            library=library, title=OuterRef("record__title"), author=OuterRef("record__author"),
            pub_year__gt=OuterRef("record__pub_year"),
        )  # fmt: skip
        wanted |= Exists(later)
    return (
        items.filter(wanted)
        .select_related("record", "location")
        .annotate(last_loan=Max("loans__issued_at"))
        .order_by("call_number", "barcode")
    )


def _next_number(library: Library, at: dt.datetime) -> str:
    year = timezone.localtime(at).year
    taken = WithdrawalBatch.objects.filter(library=library, number__startswith=f"ZX{year}-").count()
    return f"ZX{year}-{taken + 1:03d}"


def withdrawal_batch_create(
    *,
    library: Library,
    items: Sequence[Item],
    reason: str,
    note: str = "",
    by: User | None,
    at: dt.datetime | None = None,
) -> WithdrawalBatch:
    """提交注销 — propose the copies for withdrawal; nothing changes on them until the 管理员 approves."""
    at = at or timezone.now()
    if reason not in WithdrawalBatch.Reason.values:
        raise StocktakeRefused("bad_reason", _("请选择注销原因。"))
    if not items:
        raise StocktakeRefused("no_items", _("请至少选择一册。"))
    with transaction.atomic():
        locked = list(Item.objects.select_for_update().filter(library=library, pk__in=[i.pk for i in items]))
        if len(locked) != len({i.pk for i in items}):
            raise StocktakeRefused("not_this_library", _("有的册不属于本馆。"))
        _check_withdrawable(locked)
        batch = WithdrawalBatch.objects.create(
            library=library,
            number=_next_number(library, at),
            reason=reason,
            note=note.strip()[:500],
            created_at=at,
            created_by=by,
        )
        insert_rows(
            WithdrawalLine,
            ["batch_id", "item_id", "status_before"],
            [(batch.pk, item.pk, item.status) for item in sorted(locked, key=lambda i: i.pk)],
        )
        audit_record(
            library=library,
            actor=by,
            action="withdrawal.propose",
            obj=batch,
            data={"number": batch.number, "items": len(locked), "reason": reason},
            at=at,
        )
    return batch


def _check_withdrawable(items: Sequence[Item]) -> None:
    blocked = [item.barcode for item in items if item.status not in WITHDRAWABLE]
    if blocked:
        raise StocktakeRefused(
            "not_withdrawable",
            _("这些册借出未还或已注销，不能注销：%(barcodes)s") % {"barcodes": "、".join(blocked[:20])},
        )


def withdrawal_batch_approve(*, batch: WithdrawalBatch, by: User, at: dt.datetime | None = None) -> WithdrawalBatch:
    """批准注销 — the 管理员 approves: every copy of the batch is withdrawn at once, audited, and leaves the OPAC."""
    at = at or timezone.now()
    if not by.has_role(Role.ADMIN):
        raise StocktakeRefused("admin_only", _("只有管理员可以审批注销。"))
    with transaction.atomic():
        batch = WithdrawalBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status != WithdrawalBatch.Status.DRAFT:
            raise StocktakeRefused("decided", _("这个注销单已经审批过了。"))
        ids = list(batch.lines.values_list("item_id", flat=True))
        _check_withdrawable(list(Item.objects.select_for_update().filter(pk__in=ids).order_by("pk")))
        # Keep the status each copy had when withdrawn: a mistaken withdrawal can be put back as it was.
        for status in WITHDRAWABLE:
            batch.lines.filter(item__status=status).update(status_before=status)
        items_change_status(
            library=batch.library,
            item_ids=ids,
            to=Item.Status.WITHDRAWN,
            allowed_from=WITHDRAWABLE,
            by=by,
            at=at,
            cause={"withdrawal": batch.number},
        )
        batch.status, batch.decided_at, batch.decided_by = WithdrawalBatch.Status.APPROVED, at, by
        batch.save(update_fields=["status", "decided_at", "decided_by"])
        audit_record(
            library=batch.library, actor=by, action="withdrawal.approve", obj=batch, data={"items": len(ids)}, at=at
        )
    return batch


def withdrawal_batch_reject(*, batch: WithdrawalBatch, by: User, at: dt.datetime | None = None) -> WithdrawalBatch:
    """退回 — the 管理员 turns the batch down; the copies stay as they are and may be proposed again."""
    at = at or timezone.now()
    if not by.has_role(Role.ADMIN):
        raise StocktakeRefused("admin_only", _("只有管理员可以审批注销。"))
    with transaction.atomic():
        batch = WithdrawalBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status != WithdrawalBatch.Status.DRAFT:
            raise StocktakeRefused("decided", _("这个注销单已经审批过了。"))
        batch.status, batch.decided_at, batch.decided_by = WithdrawalBatch.Status.REJECTED, at, by
        batch.save(update_fields=["status", "decided_at", "decided_by"])
        audit_record(library=batch.library, actor=by, action="withdrawal.reject", obj=batch, data={}, at=at)
    return batch


def register_lines(*, library: Library, year: int | None = None) -> QuerySet[WithdrawalLine]:
    """注销帐 — one line per withdrawn copy, by approval date and batch."""
    lines = WithdrawalLine.objects.filter(
        batch__library=library, batch__status=WithdrawalBatch.Status.APPROVED
    ).select_related("batch", "item", "item__record", "item__location")
    if year is not None:
        lines = lines.filter(batch__decided_at__year=year)
    return lines.order_by("batch__decided_at", "batch__number", "item__accession_number")
