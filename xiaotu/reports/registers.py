"""The four paper registers a school library keeps, as columns and rows: 总括登记帐 (one line a batch), 个别登记帐
(one line a copy, by accession number), 分类帐 (per class) and 注销帐 (withdrawals). pdf.py and excel.py print them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaotu.accounts.models import AuditEvent
from xiaotu.catalogue.clc.table import CATEGORIES
from xiaotu.catalogue.models import Item
from xiaotu.intake.models import Batch
from xiaotu.reports.clc import BASIC_CLASSES, UNCLASSIFIED, basic_class, letter_of
from xiaotu.reports.collection import ITEM_PRICE, ZERO
from xiaotu.schools.models import Library

Cell = str | int | Decimal | dt.date | None
CHUNK = 2000


@dataclass(frozen=True)
class Column:
    label: str
    width: float  # share of the page width, in arbitrary units
    total: bool = False  # summed on every page and carried forward
    align: str = "left"


@dataclass
class Register:
    key: str
    title: str
    columns: list[Column]
    rows: Callable[[], Iterator[Sequence[Cell]]]
    # The label of the column that counts rows in the totals line (e.g. 册数 in the 个别登记帐), if any.
    count_column: int | None = None


def _number(label: str, width: float = 1.0) -> Column:
    return Column(label, width, total=True, align="right")


def _division_counts() -> dict[str, Any]:
    """Per-batch copy counts for each 部类, as conditional counts on the record's first letter."""
    counts: dict[str, Any] = {}
    for category in CATEGORIES:
        counts[f"n_{category.key}"] = Count("id", filter=Q(letter__in=list(category.letters)))
    return counts


def summary_register(library: Library) -> Register:
    """总括登记帐 — one line a batch: date, source, vendor, invoice, titles, copies, amount and copies per 部类."""
    columns = [
        Column(_("登记日期"), 1.3),
        Column(_("批次号"), 1.2),
        Column(_("来源"), 0.7),
        Column(_("供书单位"), 2.2),
        Column(_("发票号"), 1.2),
        _number(_("种数"), 0.8),
        _number(_("册数"), 0.8),
        _number(_("金额（元）"), 1.2),
        *(_number(c.short_name, 0.8) for c in CATEGORIES),
        _number(_("已注销"), 0.8),
    ]

    def rows() -> Iterator[Sequence[Cell]]:
        per_batch: dict[int, dict[str, Any]] = {
            row["batch_id"]: dict(row)
            for row in Item.objects.filter(library=library, batch__isnull=False)
            .annotate(letter=basic_class("record__clc_class"))
            .values("batch_id")
            .annotate(
                titles=Count("record_id", distinct=True),
                volumes=Count("id"),
                amount=Sum(ITEM_PRICE),
                withdrawn=Count("id", filter=Q(status=Item.Status.WITHDRAWN)),
                **_division_counts(),
            )
            .order_by()
        }
        sources = dict(Batch.Source.choices)
        for batch in Batch.objects.filter(library=library).order_by("received_on", "pk"):
            row: dict[str, Any] = per_batch.get(batch.pk, {})
            yield (
                batch.received_on,
                batch.number,
                str(sources.get(batch.source, batch.source)),
                batch.vendor,
                batch.invoice_number,
                row.get("titles", 0),
                row.get("volumes", 0),
                row.get("amount") or ZERO,
                *(int(row.get(f"n_{c.key}", 0)) for c in CATEGORIES),
                row.get("withdrawn", 0),
            )

    return Register("summary", _("总括登记帐"), columns, rows)


def item_register(library: Library) -> Register:
    """个别登记帐 — one line a copy in accession-number order, read in chunks so a large library streams."""
    columns = [
        Column(_("登录号"), 1.2),
        Column(_("入藏日期"), 1.2),
        Column(_("题名"), 3.6),
        Column(_("责任者"), 1.6),
        Column(_("出版者"), 1.8),
        Column(_("出版年"), 0.7),
        Column(_("索书号"), 1.4),
        _number(_("价格（元）"), 1.0),
        Column(_("批次号"), 1.0),
        Column(_("注销"), 0.7),
    ]

    def rows() -> Iterator[Sequence[Cell]]:
        items = (
            Item.objects.filter(library=library)
            .order_by("accession_number", "pk")
            .values_list(
                "accession_number",
                "acquired_on",
                "record__title",
                "record__author",
                "record__publisher",
                "record__pub_year",
                "call_number",
                "price",
                "record__price",
                "batch__number",
                "status",
            )
        )
        withdrawn = _("注销")
        for acc, acquired, title, author, publisher, year, call, price, record_price, batch, status in items.iterator(
            chunk_size=CHUNK
        ):
            yield (
                acc,
                acquired,
                title,
                author,
                publisher,
                year,
                call,
                price if price is not None else (record_price or ZERO),
                batch or "",
                withdrawn if status == Item.Status.WITHDRAWN else "",
            )

    return Register("items", _("个别登记帐"), columns, rows, count_column=0)


def class_register(library: Library) -> Register:
    """分类帐 — per basic class: everything ever registered, what was withdrawn, and what is held now."""
    columns = [
        Column(_("分类号"), 0.7),
        Column(_("类名"), 3.2),
        _number(_("种数"), 0.9),
        _number(_("登记册数"), 1.0),
        _number(_("登记金额（元）"), 1.3),
        _number(_("注销册数"), 1.0),
        _number(_("注销金额（元）"), 1.3),
        _number(_("现有册数"), 1.0),
        _number(_("现有金额（元）"), 1.3),
    ]

    def rows() -> Iterator[Sequence[Cell]]:
        gone = Q(status=Item.Status.WITHDRAWN)
        found: dict[str, list[Any]] = {}
        for row in (
            Item.objects.filter(library=library)
            .annotate(letter=basic_class("record__clc_class"))
            .values("letter")
            .annotate(
                titles=Count("record_id", distinct=True),
                volumes=Count("id"),
                amount=Sum(ITEM_PRICE),
                out=Count("id", filter=gone),
                out_amount=Sum(ITEM_PRICE, filter=gone),
            )
            .order_by()
        ):
            line = found.setdefault(letter_of(row["letter"]), [0, 0, ZERO, 0, ZERO])
            for index, value in enumerate(
                (row["titles"], row["volumes"], row["amount"] or ZERO, row["out"], row["out_amount"] or ZERO)
            ):
                line[index] += value
        names = {**BASIC_CLASSES, UNCLASSIFIED: _("未分类")}
        for letter, name in names.items():
            if letter not in found and letter == UNCLASSIFIED:
                continue
            titles, volumes, amount, out, out_amount = found.get(letter, [0, 0, ZERO, 0, ZERO])
            yield (letter, name, titles, volumes, amount, out, out_amount, volumes - out, amount - out_amount)

    return Register("classes", _("分类帐"), columns, rows)


@dataclass(frozen=True)
class Withdrawal:
    item_id: int
    on: dt.date | None
    number: str  # the withdrawal batch (注销单号) when the stocktake app recorded one
    reason: str


def withdrawals(library: Library) -> dict[int, Withdrawal]:
    """When and why each withdrawn copy left: the stocktake app's approved withdrawal batches where it has them,
    else the audit event that set the copy's status to withdrawn."""
    ids = list(
        Item.objects.filter(library=library, status=Item.Status.WITHDRAWN).order_by().values_list("pk", flat=True)
    )
    found: dict[int, Withdrawal] = {}
    tz = timezone.get_current_timezone()
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        events = AuditEvent.objects.filter(
            object_type="item", object_id__in=chunk, action__in=("item.status", "item.update")
        ).order_by("at", "pk")
        for item_id, at, data in events.values_list("object_id", "at", "data"):
            to = data.get("to") if isinstance(data, dict) else None
            status = to.get("status") if isinstance(to, dict) else to
            if status == Item.Status.WITHDRAWN:
                found[item_id] = Withdrawal(item_id, at.astimezone(tz).date(), "", "")
    found.update(_stocktake_withdrawals(library, ids))
    return found


def _stocktake_withdrawals(library: Library, ids: list[int]) -> dict[int, Withdrawal]:
    if not apps.is_installed("xiaotu.stocktake"):
        return {}
    try:
        from xiaotu.stocktake.models import WithdrawalBatch, WithdrawalLine
    except ImportError:  # the app is being built beside us
        return {}
    tz = timezone.get_current_timezone()
    reasons = dict(WithdrawalBatch.Reason.choices)
    lines = WithdrawalLine.objects.filter(
        batch__library=library, batch__status=WithdrawalBatch.Status.APPROVED, item_id__in=ids
    ).values_list("item_id", "batch__number", "batch__reason", "batch__decided_at")
    return {
        item_id: Withdrawal(item_id, decided.astimezone(tz).date() if decided else None, number, str(reasons[reason]))
        for item_id, number, reason, decided in lines
    }


def withdrawal_register(library: Library) -> Register:
    """注销帐 — the withdrawn copies in the order they left, with their price."""
    columns = [
        Column(_("注销日期"), 1.2),
        Column(_("注销单号"), 1.2),
        Column(_("登录号"), 1.2),
        Column(_("题名"), 3.6),
        Column(_("索书号"), 1.4),
        Column(_("入藏日期"), 1.2),
        _number(_("价格（元）"), 1.0),
        Column(_("注销原因"), 1.4),
    ]

    def rows() -> Iterator[Sequence[Cell]]:
        known = withdrawals(library)
        items = (
            Item.objects.filter(library=library, status=Item.Status.WITHDRAWN)
            .values_list(
                "pk", "accession_number", "record__title", "call_number", "acquired_on", "price", "record__price"
            )
            .order_by()
        )
        lines = []
        for pk, acc, title, call, acquired, price, record_price in items:
            w = known.get(pk, Withdrawal(pk, None, "", ""))
            amount = price if price is not None else (record_price or ZERO)
            lines.append((w.on, w.number, acc, title, call, acquired, amount, w.reason))
        lines.sort(key=lambda line: (line[0] or dt.date.min, line[2]))
        yield from lines

    return Register("withdrawals", _("注销帐"), columns, rows, count_column=2)


REGISTERS: dict[str, Callable[[Library], Register]] = {
    "summary": summary_register,
    "items": item_register,
    "classes": class_register,
    "withdrawals": withdrawal_register,
}
