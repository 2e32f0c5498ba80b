"""补办借书证 — a lost or damaged card replaced: the old number is retired (the desk refuses it), loans stay."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaotu.accounts.models import User
from xiaotu.accounts.services import audit_record
from xiaotu.barcodes import MAX_BARCODE, clean_barcode
from xiaotu.catalogue.models import Item
from xiaotu.readers.models import Reader, ReaderType, RetiredCard
from xiaotu.schools.models import Library

# What a card label printer and every scanner read: Latin letters, digits and a few separators.
_CARD_CHARACTERS = re.compile(r"[A-Z0-9._/-]+")
_NUMBERED = re.compile(r"(.*?)(\d+)")
DEFAULT_WIDTH = 5
# A pattern with this many numbers taken in a row is not worth continuing one at a time.
MAX_PROBES = 1000


def card_number_problem(*, library: Library, barcode: str) -> str | None:
    """Why this (cleaned) number cannot be given to a reader, or None if it can."""
    if not barcode:
        return _("请填写新借书证号，或选择自动生成。")
    if len(barcode) > MAX_BARCODE:
        return _("借书证号最多 %(n)d 个字符。") % {"n": MAX_BARCODE}
    if not _CARD_CHARACTERS.fullmatch(barcode):
        return _("借书证号只能由字母、数字和 - . / _ 组成：%(code)s") % {"code": barcode}
    holder = Reader.objects.filter(library=library, card_barcode=barcode).only("name").first()
    if holder is not None:
        return _("借书证号 %(code)s 已被 %(name)s 使用。") % {"code": barcode, "name": holder.name}
    if RetiredCard.objects.filter(library=library, barcode=barcode).exists():
        return _("借书证号 %(code)s 是已挂失或作废的旧证，不能再发给读者。") % {"code": barcode}
    # The desk reads a scan as a card before a book: a card numbered like a book would hide that book.
    if Item.objects.filter(library=library, barcode=barcode).exists():
        return _("%(code)s 是一本书的条码，不能用作借书证号。") % {"code": barcode}
    return None


def check_card_number(*, library: Library, barcode: str) -> str:
    """The cleaned number, or ValidationError saying why it cannot be a new card."""
    code = clean_barcode(barcode)
    if problem := card_number_problem(library=library, barcode=code):
        raise ValidationError(problem, code="card_number")
    return code


def next_card_barcode(*, library: Library, reader_type: ReaderType) -> str:
    """The library's pattern for this reader type continued: after S00123 (the highest, retired cards included) comes
    S00124. A type with no numbered cards yet starts at its code's first letter and 00001."""
    codes = list(Reader.objects.filter(library=library, reader_type=reader_type).values_list("card_barcode", flat=True))
    codes += RetiredCard.objects.filter(library=library, reader__reader_type=reader_type).values_list(
        "barcode", flat=True
    )
    counts: Counter[tuple[str, int]] = Counter()
    highest: dict[tuple[str, int], int] = {}
    for code in codes:
        if match := _NUMBERED.fullmatch(code):
            key = (match.group(1), len(match.group(2)))
            counts[key] += 1
            highest[key] = max(highest.get(key, 0), int(match.group(2)))
    if counts:
        # The pattern most cards follow, not a stray hand-typed number.
        key = max(counts, key=lambda k: (counts[k], highest[k]))
        (prefix, width), number = key, highest[key]
    else:
        letter = (reader_type.code[:1] or "R").upper()
        prefix, width, number = (letter if letter.isascii() and letter.isalpha() else "R"), DEFAULT_WIDTH, 0
    for step in range(1, MAX_PROBES + 1):
        candidate = f"{prefix}{number + step:0{width}d}"
        if len(candidate) <= MAX_BARCODE and card_number_problem(library=library, barcode=candidate) is None:
            return candidate
    raise ValidationError(_("无法自动生成借书证号，请手工填写。"), code="card_number")


def card_replace(
    *,
    reader: Reader,
    new_barcode: str | None,
    reason: str,
    by: User | None,
    at: dt.datetime | None = None,
) -> Reader:
    """补办 — retire the reader's card number and give them a new one (typed, scanned, or the next in the pattern).

    The desk then refuses the old card with "this card was reported lost"; loans and history are the reader's and
    do not move.
    """
    at = at or timezone.now()
    if reason not in RetiredCard.Reason.values:
        raise ValidationError(_("请选择补办原因。"), code="reason")
    try:
        with transaction.atomic():
            list(Reader.objects.select_for_update().filter(pk=reader.pk).values_list("pk"))
            reader = Reader.objects.select_related("library", "reader_type").get(pk=reader.pk)
            if reader.erased_at is not None:
                raise ValidationError(_("这位读者的个人信息已删除，不能补办借书证。"), code="erased")
            if reader.status in (Reader.Status.GRADUATED, Reader.Status.LEFT):
                raise ValidationError(
                    _("%(name)s %(status)s，不能补办借书证。")
                    % {"name": reader.name, "status": reader.get_status_display()},
                    code="reader_gone",
                )
            old = reader.card_barcode
            if new_barcode is not None and clean_barcode(new_barcode):
                if clean_barcode(new_barcode) == old:
                    raise ValidationError(_("新证号与原证号相同，请换一张新证。"), code="card_number")
                new = check_card_number(library=reader.library, barcode=new_barcode)
            else:
                new = next_card_barcode(library=reader.library, reader_type=reader.reader_type)
            RetiredCard.objects.create(
                library=reader.library, barcode=old, reader=reader, reason=reason, retired_at=at, retired_by=by
            )
            Reader.objects.filter(pk=reader.pk).update(card_barcode=new)
            reader.card_barcode = new
            audit_record(
                library=reader.library,
                actor=by,
                action="reader.card_replace",
                obj=reader,
                data={"from": old, "to": new, "reason": reason},
                at=at,
            )
    except IntegrityError:
        # Another desk gave the same number away between our check and our write.
        raise ValidationError(_("这个借书证号刚被占用，请重试。"), code="card_number") from None
    return reader


def retired_cards(*, library: Library, limit: int = 20) -> list[RetiredCard]:
    """The latest replaced cards, newest first, for the page's history."""
    return list(
        RetiredCard.objects.filter(library=library)
        .select_related("reader", "reader__school_class", "retired_by")
        .order_by("-retired_at", "-pk")[:limit]
    )
