"""修补: a damaged copy goes to be mended and comes back, each step logged, counted per term.

The copy's status follows through catalogue.services.item_set_status (audited): damaged → repair → available, or
back to damaged when it cannot be mended (a weeding candidate then).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaotu.accounts.models import User
from xiaotu.barcodes import clean_barcode
from xiaotu.catalogue.models import Item
from xiaotu.catalogue.services import item_set_status
from xiaotu.schools.models import Library, Term
from xiaotu.stocktake.models import Repair
from xiaotu.stocktake.services import StocktakeRefused


def repair_item(*, library: Library, barcode: str) -> Item:
    item = (
        Item.objects.select_related("record", "library", "location")
        .filter(library=library, barcode=clean_barcode(barcode))
        .first()
    )
    if item is None:
        raise StocktakeRefused(
            "item_not_found", _("没有条码为 %(barcode)s 的书。") % {"barcode": clean_barcode(barcode)}
        )
    return item


def _locked(item: Item) -> Item:
    return Item.objects.select_for_update().select_related("record", "library").get(pk=item.pk)


def item_mark_damaged(*, item: Item, by: User | None, at: dt.datetime | None = None) -> Item:
    """登记破损 — a copy on the shelf is found damaged; it stops being lent until mended."""
    with transaction.atomic():
        item = _locked(item)
        if item.status != Item.Status.AVAILABLE:
            raise StocktakeRefused(
                "not_on_shelf",
                _("《%(title)s》现在是“%(status)s”，只有在架的书可以登记破损。")
                % {"title": item.record.title, "status": item.get_status_display()},
            )
        return item_set_status(item=item, status=Item.Status.DAMAGED, by=by, at=at)


def repair_send(*, item: Item, problem: str = "", by: User | None, at: dt.datetime | None = None) -> Repair:
    """送修 — a damaged (or shelf) copy goes to be mended."""
    at = at or timezone.now()
    with transaction.atomic():
        item = _locked(item)
        if item.status not in (Item.Status.DAMAGED, Item.Status.AVAILABLE):
            raise StocktakeRefused(
                "not_repairable",
                _("《%(title)s》现在是“%(status)s”，不能送修。")
                % {"title": item.record.title, "status": item.get_status_display()},
            )
        item_set_status(item=item, status=Item.Status.REPAIR, by=by, at=at)
        return Repair.objects.create(
            library=item.library, item=item, problem=problem.strip()[:200], sent_at=at, sent_by=by
        )


def repair_return(*, item: Item, mended: bool = True, by: User | None, at: dt.datetime | None = None) -> Repair:
    """修好归架, or 无法修补: the repair closes; the copy is back on the shelf, or damaged again (to be weeded)."""
    at = at or timezone.now()
    with transaction.atomic():
        item = _locked(item)
        repair = Repair.objects.select_for_update().filter(item=item, returned_at__isnull=True).first()
        if repair is None or item.status != Item.Status.REPAIR:
            raise StocktakeRefused("not_in_repair", _("《%(title)s》没有在修补中。") % {"title": item.record.title})
        item_set_status(item=item, status=Item.Status.AVAILABLE if mended else Item.Status.DAMAGED, by=by, at=at)
        repair.returned_at, repair.returned_by = at, by
        repair.outcome = Repair.Outcome.MENDED if mended else Repair.Outcome.BEYOND_REPAIR
        repair.save(update_fields=["returned_at", "returned_by", "outcome"])
    return repair


@dataclass(frozen=True)
class TermCount:
    term: Term
    sent: int
    mended: int
    beyond_repair: int


def repair_counts(*, library: Library) -> list[TermCount]:
    """修补统计 — per term: copies sent, mended, and found beyond repair (latest term first)."""
    counts = []
    for term in Term.objects.filter(library=library).order_by("-starts_on"):
        start = dt.datetime.combine(term.starts_on, dt.time(), tzinfo=timezone.get_current_timezone())
        end = dt.datetime.combine(
            term.ends_on + dt.timedelta(days=1), dt.time(), tzinfo=timezone.get_current_timezone()
        )
        row = Repair.objects.filter(library=library, sent_at__gte=start, sent_at__lt=end).aggregate(
            sent=Count("id"),
            mended=Count("id", filter=Q(outcome=Repair.Outcome.MENDED)),
            beyond=Count("id", filter=Q(outcome=Repair.Outcome.BEYOND_REPAIR)),
        )
        counts.append(TermCount(term, row["sent"], row["mended"], row["beyond"]))
    return counts
