"""Label stock: where each label sits on an A4 sheet or a roll, the sheets Chinese suppliers sell, and fit checks."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrPromise
from reportlab.lib.units import mm  # type: ignore[import-untyped]

A4 = (210.0, 297.0)
MAX_OFFSET_MM = 20.0
# Printers and label cutters are not exact to the hundredth of a millimetre; a sheet whose labels end
# 0.05 mm past the paper edge is still a real product.
_TOLERANCE_MM = 0.05


class LayoutError(ValidationError):
    """The sheet layout cannot be printed: labels do not fit, sizes are not positive, offsets are absurd."""


@dataclass(frozen=True)
class LabelBox:
    """Where one label goes: the page it is on (from 0) and its lower-left corner and size in PDF points."""

    page: int
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class SheetLayout:
    """A sheet of ``rows`` × ``columns`` labels, or a roll (one label per page of the label's size).

    Lengths are in millimetres. ``offset_x``/``offset_y`` shift everything to correct a printer that
    prints off-centre (positive: right and down).
    """

    label_width: float
    label_height: float
    rows: int = 1
    columns: int = 1
    page_width: float = A4[0]
    page_height: float = A4[1]
    margin_top: float = 0.0
    margin_left: float = 0.0
    gap_x: float = 0.0
    gap_y: float = 0.0
    offset_x: float = 0.0
    offset_y: float = 0.0
    roll: bool = False
    title: str | StrPromise = ""

    @classmethod
    def for_roll(
        cls,
        label_width: float,
        label_height: float,
        *,
        offset_x: float = 0.0,
        offset_y: float = 0.0,
        title: str | StrPromise = "",
    ) -> SheetLayout:
        """A roll for a label printer: every page is one label."""
        return cls(
            label_width,
            label_height,
            page_width=label_width,
            page_height=label_height,
            offset_x=offset_x,
            offset_y=offset_y,
            roll=True,
            title=title,
        )

    @property
    def labels_per_page(self) -> int:
        return 1 if self.roll else self.rows * self.columns

    @property
    def page_size_mm(self) -> tuple[float, float]:
        if self.roll:
            return (self.label_width, self.label_height)
        return (self.page_width, self.page_height)

    @property
    def page_size(self) -> tuple[float, float]:
        """The page size in PDF points, for reportlab."""
        width, height = self.page_size_mm
        return (width * mm, height * mm)

    def validate(self) -> None:
        """Raise :class:`LayoutError` with every problem found, in words a librarian can act on."""
        errors: list[ValidationError] = []
        if self.label_width <= 0 or self.label_height <= 0:
            errors.append(ValidationError(_("标签的宽度和高度必须大于 0 毫米。"), code="label_size"))
        if not self.roll and (self.rows < 1 or self.columns < 1):
            errors.append(ValidationError(_("每页至少要有 1 行、1 列标签。"), code="grid"))
        if not self.roll and min(self.margin_top, self.margin_left, self.gap_x, self.gap_y) < 0:
            errors.append(ValidationError(_("页边距和标签间距不能是负数。"), code="negative"))
        if max(abs(self.offset_x), abs(self.offset_y)) > MAX_OFFSET_MM:
            errors.append(
                ValidationError(
                    _("打印偏移不能超过 ±%(limit)s 毫米，请先检查纸张和页边距。"),
                    code="offset",
                    params={"limit": _number(MAX_OFFSET_MM)},
                )
            )
        if not errors and not self.roll:
            errors.extend(self._fit_errors())
        if errors:
            raise LayoutError(errors)

    def _fit_errors(self) -> Iterator[ValidationError]:
        width = self.margin_left + self.columns * self.label_width + (self.columns - 1) * self.gap_x
        if width > self.page_width + _TOLERANCE_MM:
            yield ValidationError(
                _(
                    "标签超出了纸张宽度：左边距加 %(columns)s 列标签和列间距共 %(needed)s 毫米，"
                    "纸宽只有 %(page)s 毫米。"
                ),
                code="too_wide",
                params={"columns": self.columns, "needed": _number(width), "page": _number(self.page_width)},
            )
        height = self.margin_top + self.rows * self.label_height + (self.rows - 1) * self.gap_y
        if height > self.page_height + _TOLERANCE_MM:
            yield ValidationError(
                _("标签超出了纸张高度：上边距加 %(rows)s 行标签和行间距共 %(needed)s 毫米，纸高只有 %(page)s 毫米。"),
                code="too_tall",
                params={"rows": self.rows, "needed": _number(height), "page": _number(self.page_height)},
            )

    def boxes(self, count: int, *, skip: int = 0) -> Iterator[LabelBox]:
        """Where ``count`` labels go, filling each sheet row by row from the top left, after ``skip`` labels
        already used on a partly used first sheet (起始位置)."""
        self.validate()
        per_page = self.labels_per_page
        if not 0 <= skip < per_page:
            raise LayoutError(
                _("起始位置必须在 1 到 %(most)s 之间（跳过 0 到 %(skip)s 个已用的标签）。"),
                code="skip",
                params={"most": per_page, "skip": per_page - 1},
            )
        page_height = self.page_size_mm[1]
        for index in range(skip, skip + count):
            page, slot = divmod(index, per_page)
            row, column = divmod(slot, 1 if self.roll else self.columns)
            left = self.offset_x + (0 if self.roll else self.margin_left + column * (self.label_width + self.gap_x))
            top = self.offset_y + (0 if self.roll else self.margin_top + row * (self.label_height + self.gap_y))
            yield LabelBox(
                page=page,
                x=left * mm,
                y=(page_height - top - self.label_height) * mm,
                width=self.label_width * mm,
                height=self.label_height * mm,
            )


def _number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


PRESETS: dict[str, SheetLayout] = {
    "a4-spine-5x13": SheetLayout(
        38.1,
        21.2,
        rows=13,
        columns=5,
        margin_top=10.7,
        margin_left=4.75,
        gap_x=2.5,
        title=_("A4 书标纸 5×13（65 格，38.1×21.2 毫米）"),
    ),
    "a4-barcode-4x10": SheetLayout(52.5, 29.7, rows=10, columns=4, title=_("A4 条码纸 4×10（40 格，52.5×29.7 毫米）")),
    "a4-barcode-3x10": SheetLayout(70.0, 29.7, rows=10, columns=3, title=_("A4 条码纸 3×10（30 格，70×29.7 毫米）")),
    "a4-3x8": SheetLayout(70.0, 37.0, rows=8, columns=3, margin_top=0.5, title=_("A4 标签纸 3×8（24 格，70×37 毫米）")),
    "roll-40x30": SheetLayout.for_roll(40.0, 30.0, title=_("卷筒标签 40×30 毫米")),
    "roll-50x30": SheetLayout.for_roll(50.0, 30.0, title=_("卷筒标签 50×30 毫米")),
    # 借书证: CR80 cards (85.6×54 mm, the size of a bank card). A preset is a card preset when "card" is in its key.
    "a4-card-2x5": SheetLayout(
        85.6,
        54.0,
        rows=5,
        columns=2,
        margin_top=13.5,
        margin_left=14.4,
        gap_x=10.0,
        title=_("A4 借书证纸 2×5（10 张，85.6×54 毫米）"),
    ),
    "roll-card-85.6x54": SheetLayout.for_roll(85.6, 54.0, title=_("证卡打印机 85.6×54 毫米（每页一张）")),
}
