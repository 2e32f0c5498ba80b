"""借出, 归还 and 续借 over JSON: find the reader and item in the caller's library, then call the service."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router
from ninja.responses import Status

from xiaotu.accounts.api import DESK_WORK, api_caller
from xiaotu.accounts.schemas import COMMON_ERRORS, ErrorOut
from xiaotu.circulation import services
from xiaotu.circulation.schemas import CheckoutIn, HoldShelfOut, ItemIn, LoanOut, loan_out, loan_reader_out
from xiaotu.circulation.selectors import item_ref_by_barcode, reader_by_card

router = Router(tags=["circulation"], by_alias=True, auth=DESK_WORK)
# 404: reader_not_found / item_not_found; 409: the service refused (LoanRefused), with its code.
REFUSALS = {404: ErrorOut, 409: ErrorOut, **COMMON_ERRORS}


@router.post("/checkout", response={201: LoanOut, **REFUSALS}, summary="借出: lend a book to a reader")
def checkout(request: HttpRequest, payload: CheckoutIn) -> Status[LoanOut]:
    caller = api_caller(request)
    reader = reader_by_card(library=caller.library, barcode=payload.reader)
    item = item_ref_by_barcode(library=caller.library, barcode=payload.item)
    loan = services.checkout(reader=reader, item=item, by=caller.user)
    return Status(201, loan_out(loan, item=loan.item, reader=loan_reader_out(reader), days_overdue=0))


@router.post("/checkin", response={200: LoanOut, **REFUSALS}, summary="归还: return a book")
def checkin(request: HttpRequest, payload: ItemIn) -> LoanOut:
    caller = api_caller(request)
    item = item_ref_by_barcode(library=caller.library, barcode=payload.item)
    returned = services.checkin(item=item, by=caller.user)
    loan = returned.loan
    out = loan_out(loan, item=loan.item, reader=loan_reader_out(loan.reader), days_overdue=returned.days_overdue)
    if (hold := returned.hold) is not None and hold.pickup_by is not None:
        out.hold_shelf = HoldShelfOut(reader=loan_reader_out(hold.reader), pickup_by=hold.pickup_by)
    return out


@router.post("/renew", response={200: LoanOut, **REFUSALS}, summary="续借: renew a book on loan")
def renew(request: HttpRequest, payload: ItemIn) -> LoanOut:
    caller = api_caller(request)
    item = item_ref_by_barcode(library=caller.library, barcode=payload.item)
    loan = services.renew(item=item, by=caller.user)
    today = timezone.localdate()
    return loan_out(loan, item=loan.item, reader=loan_reader_out(loan.reader), days_overdue=loan.days_overdue(today))
