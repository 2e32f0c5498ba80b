"""Labels for copies of the catalogue: which copies (a batch, an accession-number range, a selection), on which
sheet (the library's 标签纸 or a preset), and the library's label sheets themselves (audited)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from xiaotu.accounts.models import User
from xiaotu.accounts.services import audit_record
from xiaotu.catalogue.models import Item
from xiaotu.intake.models import Batch, LabelLayout
from xiaotu.printing.cards import LibraryCard, cards_pdf
from xiaotu.printing.labels import (
    BarcodeLabel,
    LabelError,
    SpineLabel,
    accession_range,
    barcode_labels_pdf,
    spine_labels_pdf,
)
from xiaotu.printing.layout import PRESETS, LayoutError, SheetLayout
from xiaotu.readers.models import Reader
from xiaotu.schools.models import Library

SPINE = LabelLayout.Kind.SPINE
BARCODE = LabelLayout.Kind.BARCODE
CARD = LabelLayout.Kind.CARD
LAYOUT_FIELDS = (
    "name", "kind", "label_width", "label_height", "rows", "columns", "page_width", "page_height", "margin_top",
    "margin_left", "gap_x", "gap_y", "offset_x", "offset_y", "roll", "is_default",
)  # fmt: skip
_SIZES = (
    "label_width", "label_height", "page_width", "page_height", "margin_top", "margin_left", "gap_x", "gap_y",
    "offset_x", "offset_y",
)  # fmt: skip


def sheet_layout(layout: LabelLayout) -> SheetLayout:
    """The printing engine's layout for a sheet set up in the UI (millimetres as floats)."""
    sizes = {name: float(getattr(layout, name)) for name in _SIZES}
    if layout.roll:
        return SheetLayout.for_roll(
            sizes["label_width"],
            sizes["label_height"],
            offset_x=sizes["offset_x"],
            offset_y=sizes["offset_y"],
            title=layout.name,
        )
    return SheetLayout(rows=layout.rows, columns=layout.columns, roll=False, title=layout.name, **sizes)


def preset_kind(key: str) -> str:
    if "card" in key:
        return CARD
    return SPINE if "spine" in key else BARCODE


@dataclass(frozen=True, slots=True)
class LayoutOption:
    """One sheet a librarian may print on: `value` is 'layout:<id>' or 'preset:<key>'."""

    value: str
    label: str
    kind: str
    default: bool = False


def layout_options(*, library: Library) -> list[LayoutOption]:
    """The library's own sheets first (defaults first), then the presets that ship with xiaotu."""
    own = LabelLayout.objects.filter(library=library).order_by("-is_default", "kind", "name")
    options = [LayoutOption(f"layout:{lay.pk}", lay.name, lay.kind, lay.is_default) for lay in own]
    options += [LayoutOption(f"preset:{key}", str(preset.title), preset_kind(key)) for key, preset in PRESETS.items()]
    return options


def label_options(*, library: Library) -> list[LayoutOption]:
    """The sheets the label page offers: spine and barcode label stock, not card stock."""
    return [option for option in layout_options(library=library) if option.kind != CARD]


def card_options(*, library: Library) -> list[LayoutOption]:
    """The card stock the card page offers: the library's own (its default first), then the presets."""
    return [option for option in layout_options(library=library) if option.kind == CARD]


def default_layout(*, library: Library, kind: str) -> str:
    options = [option for option in layout_options(library=library) if option.kind == kind]
    chosen = next((o for o in options if o.default), None) or next(iter(options), None)
    return chosen.value if chosen else ""


def resolve_layout(*, library: Library, value: str) -> SheetLayout:
    """The sheet behind an option value; LabelError for one that is not this library's or not known."""
    kind, _sep, key = value.partition(":")
    if kind == "preset" and key in PRESETS:
        return PRESETS[key]
    if kind == "layout" and key.isdigit() and len(key) < 19:
        layout = LabelLayout.objects.filter(library=library, pk=int(key)).first()
        if layout is not None:
            return sheet_layout(layout)
    raise LabelError(_("请选择标签纸。"))


# -- which copies -----------------------------------------------------------------------------------------------------

_ORDER = ("accession_number", "pk")


def items_in_batch(*, library: Library, batch: Batch) -> list[Item]:
    if batch.library_id != library.pk:
        raise LabelError(_("这个批次不属于本馆。"))
    return list(Item.objects.filter(library=library, batch=batch).select_related("record").order_by(*_ORDER))


def items_in_range(*, library: Library, first: str, last: str) -> list[Item]:
    """The copies whose accession numbers run from `first` to `last` (numbers not in the catalogue are skipped)."""
    numbers = accession_range(first, last)
    found: dict[str, Item] = {}
    for start in range(0, len(numbers), 900):
        chunk = numbers[start : start + 900]
        for item in Item.objects.filter(library=library, accession_number__in=chunk).select_related("record"):
            found[item.accession_number] = item
    return [found[number] for number in numbers if number in found]


def items_selected(*, library: Library, ids: Iterable[int]) -> list[Item]:
    wanted = sorted(set(ids))
    found: list[Item] = []
    for start in range(0, len(wanted), 900):
        found += Item.objects.filter(library=library, pk__in=wanted[start : start + 900]).select_related("record")
    return sorted(found, key=lambda item: (item.accession_number, item.pk))


def labels_pdf(
    *, kind: str, items: Sequence[Item], layout: SheetLayout, start: int = 1, school_name: str = ""
) -> bytes:
    """书标 from each copy's call number (and volume), or Code 128 barcode labels; LabelError / LayoutError say why not.

    A barcode label encodes the copy's barcode — what the desk scans — and prints its accession number under the
    bars; for most libraries the two are the same number.
    """
    if not items:
        raise LabelError(_("没有找到要打印标签的册。"))
    skip = start - 1
    if kind == SPINE:
        unnumbered = [item for item in items if not (item.call_number or item.record.call_number)]
        if unnumbered:
            shown = pgettext("list separator", "、").join(item.barcode for item in unnumbered[:10])
            raise LabelError(
                _(
                    "有 %(n)d 册还没有索书号（%(barcodes)s），印不出书标："
                    "请先在书目页填写分类号并分配索书号，或不选这些册。"
                )
                % {"n": len(unnumbered), "barcodes": shown + ("……" if len(unnumbered) > 10 else "")}
            )
        spines = [SpineLabel(item.call_number or item.record.call_number, volume=item.volume) for item in items]
        return spine_labels_pdf(spines, layout, school_name=school_name or None, skip=skip)
    barcodes = [
        BarcodeLabel(item.accession_number, barcode=item.barcode if item.barcode != item.accession_number else "")
        for item in items
    ]
    return barcode_labels_pdf(barcodes, layout, school_name=school_name or None, skip=skip)


def reader_cards_pdf(
    *, readers: Sequence[Reader], layout: SheetLayout, start: int = 1, school_name: str = "", show_photo: bool = True
) -> bytes:
    """借书证 for the readers: name, class (or type, for staff), card number as Code 128, and the photo when asked."""
    if not readers:
        raise LabelError(_("没有找到要打印借书证的读者。"))
    cards = [
        LibraryCard(
            reader.card_barcode,
            reader.name,
            line=reader.school_class.name if reader.school_class else reader.reader_type.name,
            line_label=_("班级") if reader.school_class else _("类型"),
            photo=_photo_path(reader) if show_photo else None,
        )
        for reader in readers
    ]
    return cards_pdf(cards, layout, school_name=school_name, show_photo=show_photo, skip=start - 1)


def _photo_path(reader: Reader) -> Path | None:
    if not reader.photo:
        return None
    try:
        return Path(reader.photo.path)
    except (NotImplementedError, ValueError):  # a storage without local files, a name outside MEDIA_ROOT
        return None


def sample_sheet_pdf(*, layout: SheetLayout, kind: str, school_name: str = "") -> bytes:
    """试印: one sheet (three labels of a roll) of sample labels with their outlines, to line a printer up."""
    count = 3 if layout.roll else min(layout.labels_per_page, 200)
    if kind == CARD:
        cards = [LibraryCard(f"{n + 1:08d}", _("读者姓名"), _("班级")) for n in range(count)]
        return cards_pdf(cards, layout, school_name=school_name, show_photo=True, outline=True)
    if kind == SPINE:
        samples = [SpineLabel(f"I287.{(n % 9) + 1}/{n + 1}") for n in range(count)]
        return spine_labels_pdf(samples, layout, school_name=school_name or None, outline=True)
    return barcode_labels_pdf(
        [BarcodeLabel(f"{n + 1:08d}") for n in range(count)], layout, school_name=school_name or None, outline=True
    )


# -- 标签纸设置 (管理员) -----------------------------------------------------------------------------------------------


def _mm(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


def _check(values: Mapping[str, Any]) -> None:
    probe = LabelLayout(**{name: values[name] for name in LAYOUT_FIELDS})
    sheet_layout(probe).validate()


def _public(values: Mapping[str, Any]) -> dict[str, Any]:
    return {name: str(value) if isinstance(value, Decimal) else value for name, value in values.items()}


def layout_from_preset(
    *, library: Library, key: str, name: str, by: User | None, at: dt.datetime | None = None
) -> LabelLayout:
    """A new sheet of the library, starting from one of the presets (A4 书标纸 5×13, a 40×30 roll, …)."""
    preset = PRESETS.get(key)
    if preset is None:
        raise LayoutError(_("未知的标签纸规格。"))
    values: dict[str, Any] = {name: _mm(getattr(preset, name)) for name in _SIZES}
    values.update(
        name=(name.strip() or str(preset.title))[:100],
        kind=preset_kind(key),
        rows=preset.rows,
        columns=preset.columns,
        roll=preset.roll,
        is_default=not LabelLayout.objects.filter(library=library, kind=preset_kind(key)).exists(),
    )
    return layout_save(library=library, layout=None, values=values, by=by, at=at)


def layout_save(
    *,
    library: Library,
    layout: LabelLayout | None,
    values: Mapping[str, Any],
    by: User | None,
    at: dt.datetime | None = None,
) -> LabelLayout:
    """Add or change a sheet; one that does not fit its paper is refused (LayoutError) and nothing changes.

    Marking a sheet the default takes the mark from the library's other sheet of the same kind.
    """
    at = at or timezone.now()
    unknown = set(values) - set(LAYOUT_FIELDS)
    if unknown:
        raise ValueError(f"not label layout fields: {sorted(unknown)}")
    values = {name: _mm(value) if name in _SIZES else value for name, value in values.items()}
    current = {name: getattr(layout, name) for name in LAYOUT_FIELDS} if layout is not None else {}
    merged = {**current, **values}
    _check(merged)
    with transaction.atomic():
        target = layout if layout is not None else LabelLayout(library=library)
        if target.library_id != library.pk:
            raise LayoutError(_("这张标签纸不属于本馆。"))
        for name, value in values.items():
            setattr(target, name, value)
        target.save()
        if target.is_default:
            LabelLayout.objects.filter(library=library, kind=target.kind, is_default=True).exclude(pk=target.pk).update(
                is_default=False
            )
        changed = {name: merged[name] for name in LAYOUT_FIELDS if current.get(name) != merged[name]}
        audit_record(
            library=library,
            actor=by,
            action="label_layout.create" if layout is None else "label_layout.update",
            obj=target,
            data=_public(changed),
            at=at,
        )
    return target


def layout_delete(*, layout: LabelLayout, by: User | None, at: dt.datetime | None = None) -> None:
    at = at or timezone.now()
    with transaction.atomic():
        audit_record(
            library=layout.library,
            actor=by,
            action="label_layout.delete",
            obj=layout,
            data={"name": layout.name, "kind": layout.kind},
            at=at,
        )
        layout.delete()
