"""Sheet layouts: the shipped presets fit their paper, bad layouts are refused in Chinese, labels land in place."""

import pytest
from reportlab.lib.units import mm  # type: ignore[import-untyped]

from xiaotu.printing.layout import PRESETS, LayoutError, SheetLayout


@pytest.mark.parametrize("key", sorted(PRESETS))
def test_every_preset_fits_its_paper(key):
    PRESETS[key].validate()


def test_labels_wider_than_the_paper_are_refused():
    layout = SheetLayout(75, 29.7, rows=10, columns=3)
    with pytest.raises(LayoutError) as caught:
        layout.validate()
    assert caught.value.messages == ["标签超出了纸张宽度：左边距加 3 列标签和列间距共 225 毫米，纸宽只有 210 毫米。"]


def test_labels_taller_than_the_paper_are_refused():
    layout = SheetLayout(38.1, 21.2, rows=14, columns=5, margin_top=10.7)
    with pytest.raises(LayoutError) as caught:
        layout.validate()
    assert "纸张高度" in caught.value.messages[0]
    assert "307.5" in caught.value.messages[0]


def test_every_problem_is_reported_at_once():
    layout = SheetLayout(0, 20, rows=0, columns=3, margin_left=-1, offset_y=25)
    with pytest.raises(LayoutError) as caught:
        layout.validate()
    assert [error.code for error in caught.value.error_list] == ["label_size", "grid", "negative", "offset"]


def test_labels_fill_a_sheet_row_by_row_from_the_top_left():
    layout = PRESETS["a4-spine-5x13"]
    boxes = list(layout.boxes(7))
    first, second, sixth = boxes[0], boxes[1], boxes[5]
    assert first.x == pytest.approx(4.75 * mm)
    assert first.y + first.height == pytest.approx((297 - 10.7) * mm)
    assert second.x - first.x == pytest.approx((38.1 + 2.5) * mm)
    assert (sixth.x, sixth.y) == pytest.approx((first.x, first.y - 21.2 * mm))


def test_the_66th_label_starts_a_new_sheet():
    boxes = list(PRESETS["a4-spine-5x13"].boxes(66))
    assert boxes[64].page == 0
    assert (boxes[65].page, boxes[65].x, boxes[65].y) == (1, boxes[0].x, boxes[0].y)


def test_skip_starts_on_a_partly_used_sheet():
    layout = PRESETS["a4-barcode-3x10"]
    boxes = list(layout.boxes(2, skip=4))
    assert (boxes[0].x, boxes[0].y) == pytest.approx((70 * mm, (297 - 2 * 29.7) * mm))
    with pytest.raises(LayoutError) as caught:
        list(layout.boxes(1, skip=30))
    assert caught.value.messages == ["起始位置必须在 1 到 30 之间（跳过 0 到 29 个已用的标签）。"]


def test_printer_offsets_move_every_label():
    plain = next(SheetLayout(70, 29.7, rows=10, columns=3).boxes(1))
    shifted = next(SheetLayout(70, 29.7, rows=10, columns=3, offset_x=1.5, offset_y=-2).boxes(1))
    assert shifted.x - plain.x == pytest.approx(1.5 * mm)
    assert shifted.y - plain.y == pytest.approx(2 * mm)


def test_a_roll_prints_one_label_per_page_of_the_label_size():
    layout = PRESETS["roll-40x30"]
    assert layout.page_size == pytest.approx((40 * mm, 30 * mm))
    assert [(box.page, box.x, box.y) for box in layout.boxes(3)] == [(0, 0, 0), (1, 0, 0), (2, 0, 0)]
