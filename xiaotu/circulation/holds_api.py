"""预约 over JSON: place a hold for a reader, list a reader's holds and the hold shelf, cancel a hold.

The same services as the desk's hold pages (xiaotu/circulation/holds.py); refusals are the same stable codes.
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.responses import Status
from pydantic import ConfigDict, model_validator
from pydantic_core import PydanticCustomError

from xiaotu.accounts.api import DESK_WORK, api_caller
from xiaotu.accounts.schemas import COMMON_ERRORS, Barcode, ErrorOut
from xiaotu.catalogue.models import Record
from xiaotu.circulation import holds
from xiaotu.circulation.errors import LoanRefused
from xiaotu.circulation.models import Hold
from xiaotu.circulation.schemas import LoanReaderOut, loan_reader_out
from xiaotu.circulation.selectors import item_by_barcode, reader_by_card
from xiaotu.schools.models import Library

router = Router(tags=["holds"], by_alias=True, auth=DESK_WORK)
REFUSALS = {404: ErrorOut, 409: ErrorOut, **COMMON_ERRORS}


class HoldIn(Schema):
    """预约: the reader's card and the title, given by its record id or by the barcode of any of its copies."""

    model_config = ConfigDict(extra="forbid")

    reader: Barcode = Field(description="The reader's card barcode (借书证号)")
    record: int | None = Field(None, ge=1, description="The title's record id (书目)")
    item: Barcode | None = Field(None, description="Or the barcode of one of its copies (条码)")

    @model_validator(mode="after")
    def _one_title(self) -> HoldIn:
        if (self.record is None) == (self.item is None):
            raise PydanticCustomError("one_title", "Give either record or item, not both")
        return self


class HoldQuery(Schema):
    reader: Barcode = Field(description="The reader's card barcode (借书证号)")


class HoldOut(Schema):
    """预约 — waiting in the queue (`queue_position`, 1 = next) or ready on the hold shelf until `pickup_by`."""

    id: int
    status: str = Field(description="waiting · ready · fulfilled · expired · cancelled")
    status_label: str
    record: int
    title: str
    reader: LoanReaderOut
    placed_at: dt.datetime
    queue_position: int | None = Field(None, description="For a waiting hold: 1 is next in line")
    item: str | None = Field(None, description="For a ready hold: the barcode of the copy kept on the shelf")
    pickup_by: dt.date | None = None


def hold_out(hold: Hold) -> HoldOut:
    return HoldOut(
        id=hold.pk,
        status=hold.status,
        status_label=str(hold.get_status_display()),
        record=hold.record_id,
        title=hold.record.title,
        reader=loan_reader_out(hold.reader),
        placed_at=timezone.localtime(hold.placed_at),
        queue_position=getattr(hold, "queue_position", None) if hold.status == Hold.Status.WAITING else None,
        item=hold.item.barcode if hold.item_id and hold.item else None,
        pickup_by=hold.pickup_by,
    )


def _record(library: Library, payload: HoldIn) -> Record:
    if payload.record is None:
        assert payload.item is not None  # HoldIn requires one of the two
        return item_by_barcode(library=library, barcode=payload.item).record
    record = Record.objects.filter(library=library, pk=payload.record).first()
    if record is None:
        raise LoanRefused("record_not_found", record=payload.record)
    return record


def _hold(library: Library, hold_id: int) -> Hold:
    hold = Hold.objects.filter(library=library, pk=hold_id).select_related("record", "item", "reader").first()
    if hold is None:
        raise LoanRefused("hold_not_found", hold=hold_id)
    return hold


@router.post("", response={201: HoldOut, **REFUSALS}, summary="预约: place a hold for a reader")
def place(request: HttpRequest, payload: HoldIn) -> Status[HoldOut]:
    caller = api_caller(request)
    reader = reader_by_card(library=caller.library, barcode=payload.reader)
    hold = holds.hold_place(reader=reader, record=_record(caller.library, payload), by=caller.user)
    placed = holds.reader_holds(reader).get(pk=hold.pk)
    return Status(201, hold_out(placed))


@router.get("", response={200: list[HoldOut], **REFUSALS}, summary="A reader's open holds, ready ones first")
def reader_holds(request: HttpRequest, query: Query[HoldQuery]) -> list[HoldOut]:
    caller = api_caller(request)
    reader = reader_by_card(library=caller.library, barcode=query.reader)
    return [hold_out(hold) for hold in holds.reader_holds(reader)]


@router.get("/shelf", response={200: list[HoldOut], **COMMON_ERRORS}, summary="预约书架: copies kept for readers")
def shelf(request: HttpRequest) -> list[HoldOut]:
    caller = api_caller(request)
    return [hold_out(hold) for hold in holds.hold_shelf(caller.library)]


@router.delete("/{hold_id}", response={200: HoldOut, **REFUSALS}, summary="取消预约: cancel a hold")
def cancel(request: HttpRequest, hold_id: int) -> HoldOut:
    caller = api_caller(request)
    hold = holds.hold_cancel(hold=_hold(caller.library, hold_id), by=caller.user)
    return hold_out(hold)
