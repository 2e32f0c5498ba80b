"""Reads for the reader lists of the API and pages: who matches, and how many books each has out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Count, Q

from xiaotu.circulation.models import Loan
from xiaotu.circulation.selectors import reader_search
from xiaotu.readers.models import Reader
from xiaotu.schools.models import Library


@dataclass(frozen=True)
class LoanCounts:
    open: int = 0
    overdue: int = 0


def reader_list(*, library: Library, q: str = "", limit: int = 20) -> list[Reader]:
    """The readers matching what was typed (see reader_search), or the first in 拼音 order when nothing was."""
    if q.strip():
        return list(reader_search(library=library, q=q, limit=limit))
    return list(
        Reader.objects.filter(library=library)
        .select_related("reader_type", "school_class")
        .order_by("name_pinyin", "pk")[:limit]
    )


def loan_counts(*, readers: Sequence[Reader], today: dt.date) -> dict[int, LoanCounts]:
    """Open and overdue loans per reader id, for a whole page of readers in one query."""
    rows = (
        Loan.objects.filter(reader__in=[r.pk for r in readers], returned_at__isnull=True)
        .values("reader_id")
        .annotate(open=Count("pk"), overdue=Count("pk", filter=Q(due_on__lt=today)))
        .order_by()
    )
    return {row["reader_id"]: LoanCounts(open=row["open"], overdue=row["overdue"]) for row in rows}
