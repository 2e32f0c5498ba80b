"""清点扫描 over JSON: the scan page posts each barcode here (staff session + CSRF), as do scripts (bearer token)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.responses import Status
from pydantic import ConfigDict

from xiaotu.accounts.api import DESK_WORK, ApiError, api_caller
from xiaotu.accounts.schemas import COMMON_ERRORS, Barcode, ErrorOut
from xiaotu.stocktake.services import ScanResult, StocktakeRefused, scan_barcode

router = Router(tags=["stocktake"], auth=DESK_WORK)


class ScanIn(Schema):
    model_config = ConfigDict(extra="forbid")

    barcode: Barcode = Field(description="The book's barcode (条码), as scanned")


class ScanOut(Schema):
    outcome: str = Field(description="found, misplaced, on_loan, lost or unknown")
    duplicate: bool = Field(description="True when this copy had been counted already: it counts once")
    barcode: str
    item_id: int | None
    title: str
    call_number: str
    location: str
    message: str


def scan_out(result: ScanResult) -> ScanOut:
    return ScanOut(
        outcome=result.outcome,
        duplicate=result.duplicate,
        barcode=result.barcode,
        item_id=result.item_id,
        title=result.title,
        call_number=result.call_number,
        location=result.location,
        message=result.message,
    )


@router.post(
    "/{stocktake_id}/runs/{run_id}/scans",
    response={200: ScanOut, 201: ScanOut, 404: ErrorOut, 409: ErrorOut, **COMMON_ERRORS},
    summary="清点扫描: count one barcode in a stocktake (201 new, 200 already counted)",
)
def scan(request: HttpRequest, stocktake_id: int, run_id: int, payload: ScanIn) -> Status[ScanOut]:
    caller = api_caller(request)
    try:
        result = scan_barcode(
            library=caller.library, stocktake_id=stocktake_id, run_id=run_id, barcode=payload.barcode, by=caller.user
        )
    except StocktakeRefused as refused:
        raise ApiError(404 if refused.code == "not_found" else 409, refused.code, refused.message) from None
    return Status(200 if result.duplicate else 201, scan_out(result))
