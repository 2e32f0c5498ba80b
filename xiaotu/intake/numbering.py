"""Accession numbers (登录号) and barcodes for new copies, handed out under a row lock so two imports never clash."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from xiaotu.bulk import rows_in
from xiaotu.catalogue.models import Item
from xiaotu.intake.models import BarcodeRange, Numbering
from xiaotu.schools.models import Library


class NumberingError(Exception):
    """Numbers cannot be handed out (e.g. the pre-printed labels ran out); `message` is for the librarian."""

    def __init__(self, code: str, message: str) -> None:
        self.code, self.message = code, message
        super().__init__(message)


def numbering_for(library: Library) -> Numbering:
    numbering, _created = Numbering.objects.get_or_create(library=library)
    return numbering


def _format(prefix: str, width: int, number: int) -> str:
    return f"{prefix}{number:0{width}d}"


def take_accession_numbers(*, library: Library, count: int) -> list[str]:
    """The next `count` accession numbers; numbers already used by a copy (typed by hand, imported) are skipped."""
    if count <= 0:
        return []
    with transaction.atomic():
        numbering = Numbering.objects.select_for_update().get(pk=numbering_for(library).pk)
        prefix, width, last = numbering.accession_prefix, numbering.accession_width, numbering.accession_last
        taken: list[str] = []
        while len(taken) < count:
            want = count - len(taken)
            candidates = [_format(prefix, width, n) for n in range(last + 1, last + 1 + want)]
            rows = rows_in(Item, ["accession_number"], "accession_number", candidates, where={"library_id": library.pk})
            used = {number for (number,) in rows}
            taken.extend(c for c in candidates if c not in used)
            last += want
        numbering.accession_last = last
        numbering.save(update_fields=["accession_last"])
    return taken


def take_barcodes(*, library: Library, accession_numbers: list[str]) -> list[str]:
    """Barcodes for new copies: the accession numbers themselves, or the next labels of the pre-printed ranges."""
    numbering = numbering_for(library)
    if numbering.barcode_mode == Numbering.BarcodeMode.ACCESSION:
        return list(accession_numbers)
    count = len(accession_numbers)
    with transaction.atomic():
        ranges = list(BarcodeRange.objects.select_for_update().filter(library=library).order_by("pk"))
        remaining = sum(max(0, r.remaining) for r in ranges)
        if remaining < count:
            raise NumberingError(
                "barcodes_exhausted",
                _("预印条码不够：还剩 %(left)d 个，需要 %(need)d 个。请先登记新的条码段。")
                % {"left": remaining, "need": count},
            )
        barcodes: list[str] = []
        for barcode_range in ranges:
            while barcode_range.remaining > 0 and len(barcodes) < count:
                barcodes.append(_format(barcode_range.prefix, barcode_range.width, barcode_range.next))
                barcode_range.next += 1
            barcode_range.save(update_fields=["next"])
            if len(barcodes) == count:
                break
    return barcodes
