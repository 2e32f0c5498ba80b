"""Reconciliation (核对): a stocktake's scans against the holdings, set-based in SQL, live and at the end.

Categories: found (在架); missing (应在架未扫到); misplaced (错架: scanned, but belongs outside the scope or in another
location than the run's); on loan yet on the shelf; lost or withdrawn yet found; unknown barcodes. Optionally,
out of call-number order on the shelf, by a longest-increasing-subsequence check of each run's scan order.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import Any

from django.db import connection

from xiaotu.catalogue.models import Item
from xiaotu.stocktake.models import Scan, Stocktake
from xiaotu.stocktake.scope import scope_sql

MISSING = "missing"
OUT_OF_ORDER = "out_of_order"
CATEGORIES = (Scan.Outcome.FOUND, MISSING, *[o for o in Scan.Outcome if o != Scan.Outcome.FOUND])


def _category_sql(stocktake: Stocktake) -> tuple[str, list[Any]]:
    """A CASE naming each scan's category, over `stocktake_scan s LEFT JOIN catalogue_item i JOIN stocktake_run r`
    (services._outcome is the same rule for one scan)."""
    scope, params = scope_sql(stocktake, "i")
    return (
        f"""CASE WHEN s.item_id IS NULL THEN 'unknown'
             WHEN i.status = 'on_loan' THEN 'on_loan'
             WHEN i.status IN ('lost', 'withdrawn') THEN 'lost'
             WHEN (r.location_id IS NOT NULL AND r.location_id <> i.location_id) OR NOT ({scope}) THEN 'misplaced'
             ELSE 'found' END""",
        params,
    )


def _scans_from() -> str:
    return (
        " FROM stocktake_scan s LEFT JOIN catalogue_item i ON i.id = s.item_id"
        " JOIN stocktake_run r ON r.id = s.run_id WHERE s.stocktake_id = %s"
    )


def _missing_sql(stocktake: Stocktake, select: str) -> tuple[str, list[Any]]:
    scope, params = scope_sql(stocktake, "i")
    return (
        f"SELECT {select} FROM catalogue_item i WHERE {scope} AND i.status = 'available'"
        " AND NOT EXISTS (SELECT 1 FROM stocktake_scan s WHERE s.stocktake_id = %s AND s.item_id = i.id)",
        [*params, stocktake.pk],
    )


@dataclass(frozen=True)
class Reconciliation:
    counts: dict[str, int]

    @property
    def scanned(self) -> int:
        return sum(n for key, n in self.counts.items() if key != MISSING)

    @property
    def expected(self) -> int:
        """应在架: the copies in scope that should be on the shelf, found or not."""
        return self.counts.get(Scan.Outcome.FOUND, 0) + self.counts.get(MISSING, 0)

    @property
    def percent_found(self) -> int:
        return round(100 * self.counts.get(Scan.Outcome.FOUND, 0) / self.expected) if self.expected else 0


def reconcile(stocktake: Stocktake) -> Reconciliation:
    """The count in each category. Two statements, whatever the size: a GROUP BY over the scans, a NOT EXISTS count
    of the copies in scope. After finalising, missing are the copies the stocktake marked lost."""
    case, params = _category_sql(stocktake)
    counts = dict.fromkeys(CATEGORIES, 0)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {case} AS category, COUNT(*){_scans_from()} GROUP BY 1", [*params, stocktake.pk])
        counts.update({str(category): int(n) for category, n in cursor.fetchall()})
        if stocktake.is_open:
            sql, missing_params = _missing_sql(stocktake, "COUNT(*)")
            cursor.execute(sql, missing_params)
            counts[MISSING] = int(cursor.fetchone()[0])
        else:
            counts[MISSING] = stocktake.missing.count()
    return Reconciliation(counts=counts)


def missing_item_ids(stocktake: Stocktake) -> list[int]:
    sql, params = _missing_sql(stocktake, "i.id")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


@dataclass(frozen=True)
class Row:
    """One line of a category's list."""

    item_id: int | None
    barcode: str
    title: str = ""
    call_number: str = ""
    location: str = ""
    status: str = ""
    scanned_at: Any = None
    note: str = ""

    @property
    def status_label(self) -> str:
        return str(Item.Status(self.status).label) if self.status in Item.Status.values else ""


_ITEM_COLUMNS = "i.id, i.barcode, rec.title, i.call_number, loc.name, i.status"
_ITEM_JOINS = " JOIN catalogue_record rec ON rec.id = i.record_id JOIN schools_location loc ON loc.id = i.location_id"


def category_rows(stocktake: Stocktake, category: str, *, limit: int | None = 200, offset: int = 0) -> list[Row]:
    """The copies (or barcodes) of one category, by call number; `limit=None` for all of them (the reports)."""
    page = "" if limit is None else f" LIMIT {int(limit)} OFFSET {int(offset)}"
    with connection.cursor() as cursor:
        if category == MISSING:
            if stocktake.is_open:
                scope, params = scope_sql(stocktake, "i")
                sql = (
                    f"SELECT {_ITEM_COLUMNS}, NULL FROM catalogue_item i{_ITEM_JOINS} WHERE {scope}"
                    " AND i.status = 'available' AND NOT EXISTS (SELECT 1 FROM stocktake_scan s"
                    " WHERE s.stocktake_id = %s AND s.item_id = i.id)"
                )
            else:
                sql = (
                    f"SELECT {_ITEM_COLUMNS}, NULL FROM stocktake_missing m JOIN catalogue_item i ON i.id = m.item_id"
                    f"{_ITEM_JOINS} WHERE m.stocktake_id = %s"
                )
                params = []
            cursor.execute(f"{sql} ORDER BY i.call_number, i.barcode{page}", [*params, stocktake.pk])
        else:
            case, params = _category_sql(stocktake)
            cursor.execute(
                f"SELECT i.id, s.barcode, rec.title, i.call_number, loc.name, i.status, s.scanned_at"
                " FROM stocktake_scan s LEFT JOIN catalogue_item i ON i.id = s.item_id"
                " JOIN stocktake_run r ON r.id = s.run_id"
                " LEFT JOIN catalogue_record rec ON rec.id = i.record_id"
                " LEFT JOIN schools_location loc ON loc.id = i.location_id"
                f" WHERE s.stocktake_id = %s AND {case} = %s ORDER BY i.call_number, s.barcode{page}",
                [stocktake.pk, *params, category],
            )
        return [
            Row(
                item_id=row[0],
                barcode=row[1],
                title=row[2] or "",
                call_number=row[3] or "",
                location=row[4] or "",
                status=row[5] or "",
                scanned_at=row[6],
            )
            for row in cursor.fetchall()
        ]


# -- shelf order ----------------------------------------------------------------------------------------------------

_PIECES = re.compile(r"\d+|\D+")


def shelf_key(call_number: str) -> tuple[str, tuple[tuple[int, int, str], ...]]:
    """Where a call number stands on the shelf: the class (I247.5) by its characters, then the book number after
    the slash by its numbers (I247.5/9 before I247.5/12)."""
    klass, _, rest = call_number.partition("/")
    pieces = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in _PIECES.findall(rest))
    return klass, pieces


def longest_ordered(keys: list[Any]) -> set[int]:
    """Positions of one longest non-decreasing subsequence of `keys` (patience sorting, O(n log n)): the books that
    stand in order; every other one is out of place."""
    tails: list[Any] = []
    tail_at: list[int] = []
    before = [-1] * len(keys)
    for index, key in enumerate(keys):
        slot = bisect.bisect_right(tails, key)
        if slot == len(tails):
            tails.append(key)
            tail_at.append(index)
        else:
            tails[slot], tail_at[slot] = key, index
        before[index] = tail_at[slot - 1] if slot else -1
    kept: set[int] = set()
    at = tail_at[-1] if tail_at else -1
    while at != -1:
        kept.add(at)
        at = before[at]
    return kept


def out_of_order(stocktake: Stocktake) -> list[Row]:
    """Copies found in scope but scanned out of call-number order, run by run, each with its neighbours in the note."""
    case, params = _category_sql(stocktake)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT s.run_id, i.id, s.barcode, rec.title, i.call_number, loc.name, i.status, s.scanned_at"
            " FROM stocktake_scan s JOIN catalogue_item i ON i.id = s.item_id"
            " JOIN stocktake_run r ON r.id = s.run_id"
            " JOIN catalogue_record rec ON rec.id = i.record_id JOIN schools_location loc ON loc.id = i.location_id"
            f" WHERE s.stocktake_id = %s AND {case} = 'found' ORDER BY s.run_id, s.id",
            [stocktake.pk, *params],
        )
        rows = cursor.fetchall()
    runs: dict[int, list[tuple[Any, ...]]] = {}
    for row in rows:
        runs.setdefault(row[0], []).append(row)
    result = []
    for scans in runs.values():
        kept = longest_ordered([shelf_key(row[4] or "") for row in scans])
        for index, row in enumerate(scans):
            if index in kept:
                continue
            after = scans[index - 1][4] if index else ""
            result.append(
                Row(
                    item_id=row[1],
                    barcode=row[2],
                    title=row[3],
                    call_number=row[4],
                    location=row[5],
                    status=row[6],
                    scanned_at=row[7],
                    note=after,
                )
            )
    return result
