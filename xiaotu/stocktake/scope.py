"""A stocktake's scope as one SQL condition on catalogue_item, and the same test in Python for a single scan.

Both compare call numbers byte by byte (SQLite's BINARY, PostgreSQL's "C" collation, Python's code points: the
same order for UTF-8), so the live answer at the scanner and the set-based reconciliation never disagree.
"""

from __future__ import annotations

from typing import Any

from django.db import connection

from xiaotu.stocktake.models import Stocktake


def _column(alias: str) -> str:
    column = f"{alias}.call_number"
    return f'{column} COLLATE "C"' if connection.vendor == "postgresql" else column


def scope_sql(stocktake: Stocktake, alias: str = "i") -> tuple[str, list[Any]]:
    """`(condition, params)` true for the copies of the library in the stocktake's scope (`alias` names the item)."""
    parts = [f"{alias}.library_id = %s"]
    params: list[Any] = [stocktake.library_id]
    if stocktake.location_ids:
        parts.append(f"{alias}.location_id IN ({', '.join(['%s'] * len(stocktake.location_ids))})")
        params += [int(pk) for pk in stocktake.location_ids]
    shelves: list[str] = []
    column = _column(alias)
    for low, high in stocktake.call_number_ranges:
        shelves.append(f"({column} >= %s AND ({column} <= %s OR SUBSTR({alias}.call_number, 1, %s) = %s))")
        params += [low, high, len(high), high]
    for prefix in stocktake.clc_classes:
        shelves.append(f"SUBSTR({alias}.call_number, 1, %s) = %s")
        params += [len(prefix), prefix]
    if shelves:
        parts.append("(" + " OR ".join(shelves) + ")")
    return " AND ".join(parts), params


def in_scope(stocktake: Stocktake, *, location_id: int, call_number: str) -> bool:
    """scope_sql for one copy of the stocktake's library."""
    if stocktake.location_ids and location_id not in {int(pk) for pk in stocktake.location_ids}:
        return False
    if not (stocktake.call_number_ranges or stocktake.clc_classes):
        return True
    for low, high in stocktake.call_number_ranges:
        if call_number >= low and (call_number <= high or call_number.startswith(high)):
            return True
    return any(call_number.startswith(prefix) for prefix in stocktake.clc_classes)
