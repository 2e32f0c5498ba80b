"""What a reader owes, on the desk's path: the check-out refusal over the library's limit, the lateness fine.

Kept apart from compensation.py (which records losses through services.py) so that services.py can call it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import connection

from xiaotu.accounts.models import User
from xiaotu.accounts.services import audit_record
from xiaotu.catalogue.models import Item
from xiaotu.circulation.errors import LoanRefused
from xiaotu.circulation.library_settings import cached_settings_for
from xiaotu.circulation.models import Compensation, Loan
from xiaotu.readers.models import Reader

_OWED = "SELECT SUM(amount) FROM circulation_compensation WHERE reader_id = %s AND status = 'owed'"


def owed_by(reader_id: int) -> Decimal:
    """The reader's unsettled compensations and fines: one indexed query (a partial index on the owed rows)."""
    with connection.cursor() as cursor:
        cursor.execute(_OWED, [reader_id])
        (total,) = cursor.fetchone() or (None,)
    # SQLite sums decimals as floats: round back to the cent.
    return Decimal(str(total or 0)).quantize(Decimal("0.01"))


def refuse_if_owing(*, reader: Reader, library_id: int) -> None:
    owed = owed_by(reader.pk)
    if not owed:
        return  # nothing owed is never over a limit: no need to read the settings
    limit = cached_settings_for(library_id).owing_limit
    if owed > limit:
        raise LoanRefused("reader_owes", reader=reader.name, amount=f"{owed:.2f}", limit=f"{limit:.2f}")


def fine_on_return(
    *, loan: Loan, item: Item, days_overdue: int, by: User | None, at: dt.datetime
) -> Compensation | None:
    """超期罚款 — only where the library charges one (most schools do not); called only for late returns."""
    rate = cached_settings_for(item.library_id).fine_per_day
    if days_overdue <= 0 or rate <= 0:
        return None
    fine = Compensation.objects.create(
        library_id=item.library_id,
        reader_id=loan.reader_id,
        item=item,
        loan=loan,
        kind=Compensation.Kind.FINE,
        amount=rate * days_overdue,
        basis=f"{rate:.2f} × {days_overdue}",
        created_at=at,
        created_by=by,
    )
    audit_record(
        library=item.library,
        actor=by,
        action="compensation.fine",
        obj=fine,
        data={"item": item.barcode, "reader": loan.reader.card_barcode, "amount": f"{fine.amount:.2f}"},
        at=at,
    )
    return fine
