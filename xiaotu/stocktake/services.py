"""Writes for stocktakes: create one, start a scanning run, take a scan or a scanner file, finalise, and act on what
was found (return a book on loan that is on the shelf, restore a lost one)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaotu.accounts.models import User
from xiaotu.accounts.services import audit_record
from xiaotu.barcodes import clean_barcode, is_scannable
from xiaotu.bulk import insert_rows, rows_in
from xiaotu.catalogue.models import Item
from xiaotu.catalogue.services import item_set_status
from xiaotu.schools.models import Library, Location
from xiaotu.stocktake import handheld
from xiaotu.stocktake.itemstatus import items_change_status, reindex_items
from xiaotu.stocktake.models import Missing, Run, Scan, Stocktake
from xiaotu.stocktake.reconcile import missing_item_ids, reconcile
from xiaotu.stocktake.scope import in_scope

MAX_FILE_BYTES = 10 * 1024 * 1024
Outcome = Scan.Outcome


class StocktakeRefused(Exception):
    """A stocktake action that cannot be done; `code` is stable, `message` says why. Nothing changed."""

    def __init__(self, code: str, message: str) -> None:
        self.code, self.message = code, message
        super().__init__(message)


def _finalised() -> StocktakeRefused:
    return StocktakeRefused("stocktake_finalised", _("这次清点已经完成，不能再扫描。请新建一次清点。"))


def _clean_ranges(ranges: Sequence[Sequence[str]]) -> list[list[str]]:
    cleaned = []
    for pair in ranges:
        low, high = (str(part).strip().upper() for part in pair)
        if not low or not high:
            raise StocktakeRefused("bad_range", _("索书号范围要写起止两端，例如 I200 到 I299。"))
        if low > high:
            raise StocktakeRefused(
                "bad_range", _("索书号范围 %(low)s—%(high)s 的起点在终点之后。") % {"low": low, "high": high}
            )
        cleaned.append([low, high])
    return cleaned


def stocktake_create(
    *,
    library: Library,
    name: str,
    locations: Sequence[Location] = (),
    call_number_ranges: Sequence[Sequence[str]] = (),
    clc_classes: Sequence[str] = (),
    check_order: bool = False,
    by: User | None,
    at: dt.datetime | None = None,
) -> Stocktake:
    """新建清点 — the whole library when no scope is given; else the locations, within the call-number ranges or
    中图法 classes."""
    at = at or timezone.now()
    name = name.strip()
    if not name:
        raise StocktakeRefused("name_required", _("请填写这次清点的名称。"))
    if any(location.library_id != library.pk for location in locations):
        raise StocktakeRefused("not_this_library", _("馆藏地点不属于本馆。"))
    classes = sorted({c.strip().upper() for c in clc_classes if c.strip()})
    with transaction.atomic():
        stocktake = Stocktake.objects.create(
            library=library,
            name=name[:100],
            location_ids=sorted(location.pk for location in locations),
            call_number_ranges=_clean_ranges(call_number_ranges),
            clc_classes=classes,
            check_order=check_order,
            created_at=at,
            created_by=by,
        )
        audit_record(
            library=library, actor=by, action="stocktake.create", obj=stocktake, data={"name": stocktake.name}, at=at
        )
    return stocktake


def run_start(
    *,
    stocktake: Stocktake,
    location: Location | None = None,
    source: str = Run.Source.WEB,
    file_name: str = "",
    by: User | None,
    at: dt.datetime | None = None,
) -> Run:
    """开始扫描 — one scanner's session (or one file); `location` is where it stands, if it says."""
    at = at or timezone.now()
    if not stocktake.is_open:
        raise _finalised()
    if location is not None and location.library_id != stocktake.library_id:
        raise StocktakeRefused("not_this_library", _("馆藏地点不属于本馆。"))
    return Run.objects.create(
        stocktake=stocktake, location=location, source=source, file_name=file_name[:200], started_at=at, started_by=by
    )


# -- one scan, as fast as the desk: a few prepared statements in one short transaction ------------------------------

_CONTEXT = """
SELECT s.status, s.library_id, s.location_ids, s.call_number_ranges, s.clc_classes, r.location_id
  FROM stocktake_stocktake s JOIN stocktake_run r ON r.stocktake_id = s.id
 WHERE s.id = %s AND r.id = %s AND s.library_id = %s
"""
_ITEM = """
SELECT i.id, i.status, i.location_id, i.call_number, r.title, l.name
  FROM catalogue_item i
  JOIN catalogue_record r ON r.id = i.record_id
  JOIN schools_location l ON l.id = i.location_id
 WHERE i.library_id = %s AND i.barcode = %s
"""
# Only while the stocktake is open: finalising locks the scans table (PostgreSQL) or the database (SQLite), so a
# scan either commits before it or, starting after, sees the stocktake finalised and writes nothing.
_INSERT = """
INSERT INTO stocktake_scan (stocktake_id, run_id, item_id, barcode, scanned_at, by_id, outcome)
SELECT %s, %s, %s, %s, %s, %s, %s WHERE EXISTS (SELECT 1 FROM stocktake_stocktake WHERE id = %s AND status = 'open')
ON CONFLICT DO NOTHING
"""


@dataclass(frozen=True)
class ScanResult:
    """What the scanner is told: the outcome, whether the copy had been counted already, and about the copy."""

    outcome: str
    duplicate: bool
    barcode: str
    item_id: int | None = None
    title: str = ""
    call_number: str = ""
    location: str = ""
    status: str = ""

    @property
    def message(self) -> str:
        params = {"title": self.title, "barcode": self.barcode, "location": self.location}
        if self.duplicate:
            return (
                _("《%(title)s》已经扫过，不重复计数。") % params
                if self.title
                else _("%(barcode)s 已经扫过。") % params
            )
        return {
            Outcome.FOUND: _("《%(title)s》在架。"),
            Outcome.MISPLACED: _("《%(title)s》错架：应在 %(location)s，请放回原处。"),
            Outcome.ON_LOAN: _("《%(title)s》还登记为借出，却在架上：可以办理还书。"),
            Outcome.LOST: _("《%(title)s》登记为丢失或已注销，却找到了：可以恢复在架。"),
            Outcome.UNKNOWN: _("条码 %(barcode)s 不是本馆的书。"),
        }[Outcome(self.outcome)] % params


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _outcome(stocktake: Stocktake, run_location_id: int | None, status: str, location_id: int, call: str) -> str:
    """The live reconciliation of one copy; reconcile.CATEGORY is the same rule in SQL."""
    if status == Item.Status.ON_LOAN:
        return Outcome.ON_LOAN
    if status in (Item.Status.LOST, Item.Status.WITHDRAWN):
        return Outcome.LOST
    elsewhere = run_location_id is not None and run_location_id != location_id
    if elsewhere or not in_scope(stocktake, location_id=location_id, call_number=call):
        return Outcome.MISPLACED
    return Outcome.FOUND


def scan_barcode(
    *, library: Library, stocktake_id: int, run_id: int, barcode: str, by: User | None, at: dt.datetime | None = None
) -> ScanResult:
    """扫描 — count one barcode in the stocktake. The same copy read again, by any scanner, counts once: the
    database's unique constraint decides, so two scanners at the same instant cannot both count it."""
    at = at or timezone.now()
    code = clean_barcode(barcode)
    if not is_scannable(code):
        raise StocktakeRefused("bad_barcode", _("条码为空、太长或含有不可见字符，请重新扫描。"))
    with transaction.atomic(), connection.cursor() as cursor:
        # No row lock here: four scanners each holding FOR SHARE on the stocktake's row made PostgreSQL write a
        # multixact into it on every scan. The INSERT's own condition keeps scans out of a finalised stocktake.
        cursor.execute(_CONTEXT, [stocktake_id, run_id, library.pk])
        row = cursor.fetchone()
        if row is None:
            raise StocktakeRefused("not_found", _("没有这次清点或扫描批次。"))
        status, _library_id, location_ids, ranges, classes, run_location_id = row
        if status != Stocktake.Status.OPEN:
            raise _finalised()
        stocktake = Stocktake(
            pk=stocktake_id,
            library_id=library.pk,
            location_ids=_json(location_ids),
            call_number_ranges=_json(ranges),
            clc_classes=_json(classes),
        )
        cursor.execute(_ITEM, [library.pk, code])
        item = cursor.fetchone()
        if item is None:
            result = ScanResult(outcome=Outcome.UNKNOWN, duplicate=False, barcode=code)
        else:
            item_id, item_status, location_id, call, title, location_name = item
            result = ScanResult(
                outcome=_outcome(stocktake, run_location_id, item_status, location_id, call),
                duplicate=False,
                barcode=code,
                item_id=item_id,
                title=title,
                call_number=call,
                location=location_name,
                status=item_status,
            )
        moment = connection.ops.adapt_datetimefield_value(at)
        by_id = by.pk if by is not None else None
        cursor.execute(
            _INSERT, [stocktake_id, run_id, result.item_id, code, moment, by_id, result.outcome, stocktake_id]
        )
        if cursor.rowcount == 0:
            cursor.execute("SELECT status FROM stocktake_stocktake WHERE id = %s", [stocktake_id])
            if cursor.fetchone() != (Stocktake.Status.OPEN,):
                raise _finalised()
            result = ScanResult(**{**result.__dict__, "duplicate": True})
    return result


# -- scanner files ------------------------------------------------------------------------------------------------


@dataclass
class Upload:
    """What became of a scanner file: the run it made, how many copies were new, already counted, and the junk."""

    run: Run
    encoding: str
    taken: int = 0
    repeated: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    junk: list[handheld.Junk] = field(default_factory=list)


def scanner_file_upload(
    *,
    stocktake: Stocktake,
    data: bytes,
    file_name: str,
    location: Location | None = None,
    by: User | None,
    at: dt.datetime | None = None,
) -> Upload:
    """导入盘点机文件 — take every barcode of the file as a scan of its own run; list the lines that are not barcodes.

    Written in bulk: one look-up per 900 barcodes, one INSERT of the new scans. A barcode already counted (by the
    web page or another file) is not counted again.
    """
    at = at or timezone.now()
    if len(data) > MAX_FILE_BYTES:
        raise StocktakeRefused("file_too_large", _("文件太大（超过 10 MB）。"))
    parsed = handheld.parse(data)
    if not parsed.lines:
        raise StocktakeRefused("no_barcodes", _("文件里没有找到条码。"))
    for attempt in range(2):
        try:
            return _upload(stocktake, parsed, file_name, location, by, at)
        except IntegrityError:
            # A web scanner counted one of the file's copies between our look-up and our insert: take it again.
            if attempt:
                raise
    raise AssertionError("unreachable")


def _upload(
    stocktake: Stocktake,
    parsed: handheld.ScannerFile,
    file_name: str,
    location: Location | None,
    by: User | None,
    at: dt.datetime,
) -> Upload:
    with transaction.atomic():
        stocktake = Stocktake.objects.select_for_update().get(pk=stocktake.pk)
        if not stocktake.is_open:
            raise _finalised()
        run = run_start(stocktake=stocktake, location=location, source=Run.Source.FILE, file_name=file_name, by=by)
        run.lines = len(parsed.lines) + len(parsed.junk)
        run.junk = [{"line": j.number, "text": j.text, "reason": j.reason} for j in parsed.junk]
        run.save(update_fields=["lines", "junk"])
        codes = [line.barcode for line in parsed.lines]
        items = {
            row[0]: row[1:]
            for row in rows_in(
                Item, ["barcode", "id", "status", "location_id", "call_number"], "barcode", codes,
                where={"library_id": stocktake.library_id},
            )
        }  # fmt: skip
        counted = {row[0] for row in rows_in(Scan, ["barcode"], "barcode", codes, where={"stocktake_id": stocktake.pk})}
        upload = Upload(run=run, encoding=parsed.encoding, junk=parsed.junk)
        rows = []
        for line in parsed.lines:
            if line.barcode in counted:
                upload.repeated += 1
                continue
            counted.add(line.barcode)
            found = items.get(line.barcode)
            outcome: str
            if found is None:
                item_id, outcome = None, Outcome.UNKNOWN.value
            else:
                item_id, status, location_id, call = found
                outcome = _outcome(stocktake, run.location_id, status, location_id, call)
            rows.append((stocktake.pk, run.pk, item_id, line.barcode, line.at or at, by.pk if by else None, outcome))
            upload.counts[outcome] = upload.counts.get(outcome, 0) + 1
        insert_rows(Scan, ["stocktake_id", "run_id", "item_id", "barcode", "scanned_at", "by_id", "outcome"], rows)
        upload.taken = len(rows)
    return upload


# -- finalising -----------------------------------------------------------------------------------------------------


def stocktake_finalise(*, stocktake: Stocktake, by: User | None, at: dt.datetime | None = None) -> Stocktake:
    """完成清点 — every copy in scope still not found is marked lost as of now (盘亏), in one transaction; the counts
    are kept with the stocktake, and it takes no more scans."""
    at = at or timezone.now()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Wait for scans under way to commit, and hold new ones until this commits (they then find it final).
            with connection.cursor() as cursor:
                cursor.execute("LOCK TABLE stocktake_scan IN SHARE MODE")
        stocktake = Stocktake.objects.select_for_update().get(pk=stocktake.pk)
        if not stocktake.is_open:
            raise StocktakeRefused("stocktake_finalised", _("这次清点已经完成过了。"))
        summary = reconcile(stocktake).counts
        missing = missing_item_ids(stocktake)
        lost = items_change_status(
            library=stocktake.library,
            item_ids=missing,
            to=Item.Status.LOST,
            allowed_from=[Item.Status.AVAILABLE],
            by=by,
            at=at,
            cause={"stocktake": stocktake.pk},
        )
        insert_rows(Missing, ["stocktake_id", "item_id"], [(stocktake.pk, item_id) for item_id in lost])
        stocktake.status = Stocktake.Status.FINALISED
        stocktake.finalised_at, stocktake.finalised_by = at, by
        stocktake.summary = {**summary, "lost": len(lost)}
        stocktake.save(update_fields=["status", "finalised_at", "finalised_by", "summary"])
        audit_record(
            library=stocktake.library,
            actor=by,
            action="stocktake.finalise",
            obj=stocktake,
            data=stocktake.summary,
            at=at,
        )
    return stocktake


# -- acting on what was found ---------------------------------------------------------------------------------------


def found_item(*, stocktake: Stocktake, item_id: int) -> Item:
    """A copy scanned in this stocktake, or StocktakeRefused: the offers below act only on what was scanned."""
    scanned = Scan.objects.filter(stocktake=stocktake, item_id=item_id).exists()
    item = Item.objects.select_related("record", "library").filter(pk=item_id, library=stocktake.library_id).first()
    if item is None or not scanned:
        raise StocktakeRefused("not_scanned", _("这一册没有在这次清点中扫到。"))
    return item


def return_found_loan(*, stocktake: Stocktake, item_id: int, by: User | None, at: dt.datetime | None = None) -> Item:
    """还书 — a copy still lent out was found on the shelf: close its loan through circulation, as the desk does."""
    from xiaotu.circulation.errors import LoanRefused
    from xiaotu.circulation.services import checkin

    item = found_item(stocktake=stocktake, item_id=item_id)
    try:
        checkin(item=item, by=by, at=at)
    except LoanRefused:
        raise StocktakeRefused(
            "not_on_loan", _("《%(title)s》已经不在借出状态。") % {"title": item.record.title}
        ) from None
    item.refresh_from_db(fields=["status"])
    return item


def restore_found(*, stocktake: Stocktake, item_id: int, by: User | None, at: dt.datetime | None = None) -> Item:
    """恢复在架 — a copy marked lost or withdrawn was found: back on the shelf, through the catalogue's service."""
    item = found_item(stocktake=stocktake, item_id=item_id)
    if item.status not in (Item.Status.LOST, Item.Status.WITHDRAWN):
        raise StocktakeRefused("not_lost", _("《%(title)s》不是丢失或注销状态。") % {"title": item.record.title})
    with transaction.atomic():
        was_withdrawn = item.status == Item.Status.WITHDRAWN
        item = item_set_status(item=item, status=Item.Status.AVAILABLE, by=by, at=at)
        if was_withdrawn:
            # A withdrawn copy was out of the OPAC: it shows again.
            reindex_items([item.pk], library_id=item.library_id)
    return item
