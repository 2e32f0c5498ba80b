"""Spine and barcode labels: call numbers broken as librarians write them, barcodes that scan, the font embedded."""

import re
import shutil
import subprocess

import pytest
import zxingcpp

from xiaotu.printing.labels import (
    BarcodeLabel,
    LabelError,
    Slash,
    SpineLabel,
    accession_range,
    barcode_labels_pdf,
    call_number_lines,
    spine_labels_pdf,
)
from xiaotu.printing.layout import PRESETS, SheetLayout
from xiaotu.printing.tests.conftest import DPI

SCHOOL = "海淀区实验小学"


def pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type /Page\b", pdf))


def decode(image, box, page_height):
    """The Code 128 symbols read from the part of a rendered page where ``box`` is."""
    scale = DPI / 72
    crop = image.crop(
        (
            round(box.x * scale),
            round((page_height - box.y - box.height) * scale),
            round((box.x + box.width) * scale),
            round((page_height - box.y) * scale),
        )
    )
    code128 = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.Code128)
    return [result.text for result in zxingcpp.read_barcodes(crop, formats=code128)]


@pytest.mark.parametrize(
    ("call_number", "slash", "lines"),
    [
        ("I247.5/123", Slash.START, ["I247.5", "/123"]),
        ("I247.5/123", Slash.END, ["I247.5/", "123"]),
        ("I247.5/123", Slash.OMIT, ["I247.5", "123"]),
        ("Ｉ２８７．４５／３６", Slash.START, ["I287.45", "/36"]),
        ("K825.6=76/5", Slash.START, ["K825.6=76", "/5"]),
        ("I247.5 123", Slash.START, ["I247.5", "/123"]),
        ("I247.5", Slash.START, ["I247.5"]),
        ("G624.23/88:2", Slash.START, ["G624.23", "/88:2"]),
    ],
)
def test_call_number_lines(call_number, slash, lines):
    assert call_number_lines(call_number, slash=slash) == lines


def test_volume_and_copy_go_on_their_own_line():
    assert call_number_lines("I247.57/N2338", volume="v.2", copy="c.3") == ["I247.57", "/N2338", "v.2 c.3"]


def test_spine_labels_print_the_call_number_over_lines(pdf_text):
    given = [SpineLabel("I247.5/123"), SpineLabel("I287.45/36", location="二年级（3）班")]
    one_per_page = SheetLayout.for_roll(38.1, 21.2)
    text = pdf_text(spine_labels_pdf(given, one_per_page, school_name=SCHOOL))
    assert text == [SCHOOL, "I247.5", "/123", "二年级（3）班", "I287.45", "/36"]


def test_a_long_class_is_broken_before_its_auxiliary_sign_on_a_narrow_label(pdf_text):
    """K825.6=76 will not fit 12 mm at a readable size, so it goes over two lines as librarians write it."""
    narrow = SheetLayout.for_roll(12, 30)
    assert pdf_text(spine_labels_pdf([SpineLabel("K825.6=76/5")], narrow)) == ["K825.6", "=76", "/5"]


def test_spine_labels_embed_the_chinese_font():
    pdf = spine_labels_pdf([SpineLabel("I247.5/123", location="阅览室")], PRESETS["a4-spine-5x13"])
    assert b"/FontFile2" in pdf
    if shutil.which("pdffonts"):
        listing = subprocess.run(["pdffonts", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
        chinese = [line for line in listing.splitlines() if "TrueType" in line]
        assert chinese and all(" yes yes " in line for line in chinese)


def test_spine_labels_skip_used_labels_and_turn_pages():
    pdf = spine_labels_pdf([SpineLabel(f"I247.5/{n}") for n in range(1, 63)], PRESETS["a4-spine-5x13"], skip=4)
    assert pages(pdf) == 2  # 4 used + 62 new = 66 slots on 65-label sheets


def test_a_thousand_labels_make_a_pdf():
    spines = spine_labels_pdf([SpineLabel(f"I247.5/{n}") for n in range(1000)], PRESETS["a4-spine-5x13"])
    bars = barcode_labels_pdf([BarcodeLabel(f"{n:08d}") for n in range(1000)], PRESETS["a4-barcode-4x10"])
    assert (pages(spines), pages(bars)) == (16, 25)


def test_barcodes_on_an_a4_sheet_decode_to_the_accession_numbers(render):
    layout = PRESETS["a4-barcode-3x10"]
    numbers = [f"{n:08d}" for n in range(120001, 120027)] + ["T0012345", "A-0001", "2024000123"]
    pdf = barcode_labels_pdf([BarcodeLabel(n) for n in numbers], layout, school_name=SCHOOL, skip=2)
    images = render(pdf)
    assert len(images) == 2
    boxes = list(layout.boxes(len(numbers), skip=2))
    decoded = [decode(images[box.page], box, layout.page_size[1]) for box in boxes]
    assert decoded == [[number] for number in numbers]


def test_barcodes_on_a_roll_decode_one_per_page(render):
    layout = PRESETS["roll-40x30"]
    numbers = ["00000001", "T0012345", "LIB-2024-0099"]
    images = render(barcode_labels_pdf([BarcodeLabel(n, school_name=SCHOOL) for n in numbers], layout))
    box = next(layout.boxes(1))
    assert [decode(image, box, layout.page_size[1]) for image in images] == [[n] for n in numbers]


def test_barcode_labels_show_school_and_number(pdf_text):
    pdf = barcode_labels_pdf([BarcodeLabel("00120001")], PRESETS["a4-barcode-3x10"], school_name=SCHOOL)
    assert pdf_text(pdf) == [SCHOOL, "00120001"]


@pytest.mark.parametrize("number", ["", "登录号1", "12 34"])
def test_numbers_code_128_cannot_carry_are_refused(number):
    with pytest.raises(LabelError, match="Code 128"):
        barcode_labels_pdf([BarcodeLabel(number)], PRESETS["a4-barcode-3x10"])


def test_a_number_too_long_for_the_label_is_refused():
    with pytest.raises(LabelError, match="太长"):
        barcode_labels_pdf([BarcodeLabel("ABCDEFGHIJKLMNOPQRSTUVWXYZ")], SheetLayout.for_roll(30, 20))


def test_nothing_to_print_and_bad_colours_are_refused():
    with pytest.raises(LabelError):
        spine_labels_pdf([], PRESETS["a4-spine-5x13"])
    with pytest.raises(LabelError, match="#RRGGBB"):
        spine_labels_pdf([SpineLabel("I247.5/1", band_colour="blue-ish")], PRESETS["a4-spine-5x13"])


def test_accession_range_keeps_prefix_and_padding():
    assert accession_range("T00098", "T00102") == ["T00098", "T00099", "T00100", "T00101", "T00102"]
    assert accession_range("7", "9") == ["7", "8", "9"]
    with pytest.raises(LabelError):
        accession_range("T001", "S005")
    with pytest.raises(LabelError):
        accession_range("T005", "T001")
