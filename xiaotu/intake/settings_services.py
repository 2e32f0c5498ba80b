"""编号规则 writes: how accession numbers, barcodes and call numbers are made, and the pre-printed barcode ranges.

Every change is audited. The database's unique barcode and accession number per library, and the skipping of
numbers already in use when they are handed out, keep duplicates out whatever is set here; these checks refuse
the values that are plainly wrong before they cause a failed import.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaotu.accounts.models import User
from xiaotu.accounts.services import audit_record
from xiaotu.barcodes import MAX_BARCODE
from xiaotu.catalogue.models import Item
from xiaotu.intake.models import BarcodeRange, Numbering
from xiaotu.intake.numbering import numbering_for
from xiaotu.schools.models import Library

MAX_WIDTH = 18  # digits; more than any school will number, and within a 64-bit integer
_PREFIX = re.compile(r"[A-Z0-9-]{0,10}")
_DIGITS = re.compile(r"[0-9]*")


def clean_prefix(prefix: str) -> str:
    """Prefixes are stored in capitals, as barcodes are: a scanner's lower-case letters are read as capitals."""
    prefix = prefix.strip().upper()
    if not _PREFIX.fullmatch(prefix):
        raise ValidationError(_("前缀只能用字母、数字和“-”，最多 10 个字符。"))
    return prefix


def _check_digits(prefix: str, width: int, numbers: dict[str, int]) -> None:
    if not 1 <= width <= MAX_WIDTH:
        raise ValidationError(_("位数应在 1 到 %(max)d 之间。") % {"max": MAX_WIDTH})
    if len(prefix) + width > MAX_BARCODE:
        raise ValidationError(_("前缀加数字一共不能超过 %(max)d 个字符。") % {"max": MAX_BARCODE})
    for label, number in numbers.items():
        if number < 0 or number >= 10**width:
            raise ValidationError(
                _("%(label)s %(number)d 超过了 %(width)d 位数字。") % {"label": label, "number": number, "width": width}
            )


def highest_accession_in_use(*, library: Library, prefix: str, width: int) -> int:
    """The largest number among the library's accession numbers written as prefix + `width` digits (0 if none)."""
    pattern = rf"^{re.escape(prefix)}[0-9]{{{width}}}$"
    found = Item.objects.filter(library=library, accession_number__regex=pattern).aggregate(Max("accession_number"))
    text = found["accession_number__max"]
    return int(text[len(prefix) :]) if text else 0


@dataclass(frozen=True, slots=True)
class NumberingValues:
    accession_prefix: str
    accession_width: int
    accession_last: int
    barcode_mode: str
    call_number_scheme: str


NUMBERING_FIELDS = ("accession_prefix", "accession_width", "accession_last", "barcode_mode", "call_number_scheme")


def numbering_update(
    *, library: Library, values: NumberingValues, by: User | None, at: dt.datetime | None = None
) -> Numbering:
    """编号规则 — save the library's numbering. The last accession number may not be moved back below one
    already used with the same prefix and width: the register would then run out of order."""
    prefix = clean_prefix(values.accession_prefix)
    width, last = values.accession_width, values.accession_last
    _check_digits(prefix, width, {_("已用到的登录号"): last})
    if values.barcode_mode not in Numbering.BarcodeMode.values:
        raise ValidationError(_("条码来源不正确。"))
    if values.call_number_scheme not in Numbering.CallNumberScheme.values:
        raise ValidationError(_("索书号规则不正确。"))
    with transaction.atomic():
        numbering = Numbering.objects.select_for_update().get(pk=numbering_for(library).pk)
        before = {name: getattr(numbering, name) for name in NUMBERING_FIELDS}
        if (prefix, width, last) != (numbering.accession_prefix, numbering.accession_width, numbering.accession_last):
            highest = highest_accession_in_use(library=library, prefix=prefix, width=width)
            if last < highest:
                raise ValidationError(
                    _("登录号 %(number)s 已经用过了，“已用到的登录号”不能小于 %(last)d。")
                    % {"number": f"{prefix}{highest:0{width}d}", "last": highest}
                )
        numbering.accession_prefix, numbering.accession_width, numbering.accession_last = prefix, width, last
        numbering.barcode_mode, numbering.call_number_scheme = values.barcode_mode, values.call_number_scheme
        after = {name: getattr(numbering, name) for name in NUMBERING_FIELDS}
        if after != before:
            numbering.save(update_fields=list(NUMBERING_FIELDS))
            audit_record(
                library=library,
                actor=by,
                action="intake.numbering",
                obj=numbering,
                data={"from": before, "to": after},
                at=at or timezone.now(),
            )
    return numbering


def _overlap(a: BarcodeRange, b: BarcodeRange) -> bool:
    """Whether two ranges can print the same barcode. A0012 is both prefix "A" width 4 number 12 and prefix "A00"
    width 2 number 12, so the shorter prefix's numbers are compared, not the prefixes."""
    if len(a.prefix) + a.width != len(b.prefix) + b.width:
        return False
    if len(a.prefix) > len(b.prefix):
        a, b = b, a
    extra = b.prefix[len(a.prefix) :]
    if not b.prefix.startswith(a.prefix) or not _DIGITS.fullmatch(extra):
        return False
    base = int(extra) * 10**b.width if extra else 0
    return base + b.first <= a.last and a.first <= base + b.last


def _label(prefix: str, width: int, number: int) -> str:
    return f"{prefix}{number:0{width}d}"


def barcode_range_add(
    *, library: Library, prefix: str, width: int, first: int, last: int, by: User | None, at: dt.datetime | None = None
) -> BarcodeRange:
    """预印条码段 — register a roll or sheet of pre-printed barcodes, used in order after the ranges before it.

    Refused when it overlaps a range already registered, or when a copy already carries one of its barcodes."""
    prefix = clean_prefix(prefix)
    _check_digits(prefix, width, {_("起始号"): first, _("终止号"): last})
    if last < first:
        raise ValidationError(_("终止号不能小于起始号。"))
    candidate = BarcodeRange(library=library, prefix=prefix, width=width, first=first, last=last, next=first)
    with transaction.atomic():
        # Lock the numbering row so two librarians adding ranges at once are checked one after the other.
        Numbering.objects.select_for_update().get(pk=numbering_for(library).pk)
        for existing in BarcodeRange.objects.filter(library=library).order_by("pk"):
            if _overlap(candidate, existing):
                raise ValidationError(_("与已登记的条码段 %(range)s 重叠。") % {"range": str(existing)})
        in_use = Item.objects.filter(
            library=library,
            barcode__regex=rf"^{re.escape(prefix)}[0-9]{{{width}}}$",
            barcode__gte=_label(prefix, width, first),
            barcode__lte=_label(prefix, width, last),
        ).order_by("barcode")
        taken = list(in_use.values_list("barcode", flat=True)[:1])
        if taken:
            raise ValidationError(
                _("这一段中已有 %(n)d 个条码被馆藏使用（如 %(code)s），请换一段。")
                % {"n": in_use.count(), "code": taken[0]}
            )
        candidate.save()
        audit_record(
            library=library,
            actor=by,
            action="intake.barcode_range_add",
            obj=candidate,
            data={"prefix": prefix, "width": width, "first": first, "last": last},
            at=at or timezone.now(),
        )
    return candidate


def barcode_range_remove(*, barcode_range: BarcodeRange, by: User | None, at: dt.datetime | None = None) -> None:
    """Remove a range registered by mistake; one whose labels have begun to be used stays, as the record of them."""
    with transaction.atomic():
        locked = BarcodeRange.objects.select_for_update().get(pk=barcode_range.pk)
        if locked.next != locked.first:
            raise ValidationError(_("条码段 %(range)s 已经用了一部分，不能删除。") % {"range": str(locked)})
        audit_record(
            library=locked.library,
            actor=by,
            action="intake.barcode_range_remove",
            obj=locked,
            data={"prefix": locked.prefix, "width": locked.width, "first": locked.first, "last": locked.last},
            at=at or timezone.now(),
        )
        locked.delete()
