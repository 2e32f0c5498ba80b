"""Readers over JSON: look one up by card with the books they have out, or list those matching a search."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router

from xiaotu.accounts.api import READ, api_caller
from xiaotu.accounts.schemas import COMMON_ERRORS, Barcode, ErrorOut
from xiaotu.circulation.errors import LoanRefused
from xiaotu.circulation.selectors import open_loans, reader_by_card
from xiaotu.readers.schemas import ReaderOut, ReaderQuery, ReaderSummaryOut, reader_out, reader_summary_out
from xiaotu.readers.selectors import LoanCounts, loan_counts, reader_list, readers_for_api

router = Router(tags=["readers"], by_alias=True, auth=READ)


@router.get("", response={200: list[ReaderSummaryOut], **COMMON_ERRORS}, summary="Readers matching a search")
def readers(request: HttpRequest, filters: Query[ReaderQuery]) -> list[ReaderSummaryOut]:
    caller = api_caller(request)
    visible = readers_for_api(user=caller.user, library=caller.library)
    found = reader_list(readers=visible, q=filters.q, limit=filters.limit)
    counts = loan_counts(readers=found, today=timezone.localdate())
    return [reader_summary_out(reader, counts.get(reader.pk, LoanCounts())) for reader in found]


@router.get("/{card}", response={200: ReaderOut, 404: ErrorOut, **COMMON_ERRORS}, summary="One reader by card")
def reader(request: HttpRequest, card: Barcode) -> ReaderOut:
    caller = api_caller(request)
    found = reader_by_card(library=caller.library, barcode=card)
    if not readers_for_api(user=caller.user, library=caller.library).filter(pk=found.pk).exists():
        # A teacher asking for a pupil of another class learns nothing, not even that the card exists.
        raise LoanRefused("reader_not_found", barcode=found.card_barcode)
    return reader_out(found, list(open_loans(found)), timezone.localdate())
