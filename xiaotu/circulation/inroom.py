"""馆内阅览 and 归架: what the desk records when a book is used without a loan.

A reference book or current periodical scanned to lend is read in the room instead; a book handed back that was
not on loan goes back on the shelf. Neither changes the copy, so these are counted, not audited as changes.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from xiaotu.accounts.models import User
from xiaotu.catalogue.models import Item
from xiaotu.circulation.models import InRoomUse, Loan, Shelving
from xiaotu.readers.models import Reader

# A return scanned again within this time is the same book scanned twice, not a book handed back again.
RESCAN_WINDOW = dt.timedelta(minutes=10)


def in_room_use_record(
    *, item: Item, reader: Reader | None, by: User | None, at: dt.datetime | None = None
) -> InRoomUse:
    """馆内阅览 — one use of a book that may not leave the room; the reader is known when the desk had one."""
    return InRoomUse.objects.create(
        library_id=item.library_id, item=item, reader=reader, at=at or timezone.now(), by=by
    )


def shelving_record(*, item: Item, by: User | None, at: dt.datetime | None = None) -> Shelving:
    """归架 — a book handed in that was not on loan."""
    return Shelving.objects.create(library_id=item.library_id, item=item, at=at or timezone.now(), by=by)


def just_returned(*, item: Item, at: dt.datetime | None = None) -> Loan | None:
    """The loan of this copy closed in the last few minutes, if any: a second scan of the same return."""
    at = at or timezone.now()
    return (
        Loan.objects.filter(item=item, returned_at__gte=at - RESCAN_WINDOW, lost=False)
        .select_related("reader")
        .order_by("-returned_at")
        .first()
    )
