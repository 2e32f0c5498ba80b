"""Item status changes for thousands of copies at once (finalise, withdrawal), audited like item_set_status.

catalogue.services.item_set_status writes one UPDATE and one audit row per copy: fine for a desk, minutes for a
whole library's missing books. Here the same change is one UPDATE per chunk and per old status, and the audit rows
go in with bulk.insert_rows — all inside the caller's transaction, with the same action and data as
item_set_status (`item.status`, `{"from", "to"}`) plus what caused it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, transaction

from xiaotu.accounts.models import AuditEvent, User
from xiaotu.accounts.services import AUDIT_COLUMNS
from xiaotu.bulk import insert_rows, reserve_ids
from xiaotu.catalogue.models import Item
from xiaotu.schools.models import Library
from xiaotu.search.services import index_records

CHUNK = 900


def items_change_status(
    *,
    library: Library,
    item_ids: Iterable[int],
    to: str,
    allowed_from: Sequence[str],
    by: User | None,
    at: dt.datetime,
    cause: dict[str, Any],
) -> list[int]:
    """Set `to` on those of the copies whose status is still one of `allowed_from`; return the ids changed.

    A copy whose status changed meanwhile (lent at the desk a second ago) is left alone: the status is part of
    each UPDATE's condition, so the check and the write are one statement on both databases.
    """
    new = Item.Status(to)
    wanted = sorted(set(item_ids))
    changed: list[tuple[int, str]] = []
    with transaction.atomic(), connection.cursor() as cursor:
        for start in range(0, len(wanted), CHUNK):
            part = wanted[start : start + CHUNK]
            marks = ", ".join(["%s"] * len(part))
            for old in allowed_from:
                if old == new:
                    continue
                cursor.execute(
                    f"UPDATE catalogue_item SET status = %s WHERE library_id = %s AND status = %s AND id IN ({marks})"
                    " RETURNING id",
                    [new.value, library.pk, old, *part],
                )
                changed += [(row[0], old) for row in cursor.fetchall()]
        ids = reserve_ids(AuditEvent, len(changed))
        actor = by.pk if by is not None else None
        insert_rows(
            AuditEvent,
            AUDIT_COLUMNS,
            [
                (pk, library.pk, at, actor, "item.status", "item", item_id, {"from": old, "to": new.value, **cause})
                for pk, (item_id, old) in zip(ids, changed, strict=True)
            ],
        )
        done = sorted(item_id for item_id, _ in changed)
        # The search index keeps of a copy only whether it is withdrawn (search.documents.Copy): only a change to or
        # from withdrawn changes what the OPAC shows. Re-indexing costs about 0.7 ms a record, so finalising a
        # stocktake (on the shelf → lost) skips it. In the same transaction: the OPAC never shows a withdrawn copy.
        touched = sorted(i for i, old in changed if Item.Status.WITHDRAWN in (old, new))
        if touched:
            reindex_items(touched, library_id=library.pk)
    return done


def reindex_items(item_ids: list[int], *, library_id: int) -> None:
    """Tell the catalogue search which records changed, so that withdrawn copies leave the OPAC."""
    record_ids: set[int] = set()
    for start in range(0, len(item_ids), CHUNK):
        part = item_ids[start : start + CHUNK]
        record_ids.update(Item.objects.filter(pk__in=part).values_list("record_id", flat=True))
    index_records(record_ids=sorted(record_ids), library_id=library_id)
