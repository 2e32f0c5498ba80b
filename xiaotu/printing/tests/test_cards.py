"""借书证 as PDF: every card's barcode scans back to its number, the Chinese font is embedded, sheets fill and turn."""

import re
import shutil
import subprocess

import pytest
from PIL import Image

from xiaotu.printing.cards import LibraryCard, cards_pdf
from xiaotu.printing.labels import LabelError
from xiaotu.printing.layout import PRESETS, SheetLayout
from xiaotu.printing.services import preset_kind
from xiaotu.printing.tests.test_labels import decode, pages

SCHOOL = "海淀区实验小学图书馆"
A4_CARDS = PRESETS["a4-card-2x5"]
ROLL = PRESETS["roll-card-85.6x54"]


def card(number: str, name: str = "张小明", line: str = "三年级(2)班", **extra) -> LibraryCard:
    return LibraryCard(number, name, line, **extra)


@pytest.fixture
def photo(tmp_path):
    path = tmp_path / "photo.jpg"
    Image.new("RGB", (300, 420), "#88aacc").save(path)
    return path


def test_card_presets_are_card_stock_and_fit_their_paper():
    assert preset_kind("a4-card-2x5") == preset_kind("roll-card-85.6x54") == "card"
    assert preset_kind("a4-spine-5x13") == "spine" and preset_kind("roll-40x30") == "barcode"
    A4_CARDS.validate()
    assert (A4_CARDS.label_width, A4_CARDS.label_height, A4_CARDS.labels_per_page) == (85.6, 54.0, 10)


def test_barcodes_on_an_a4_sheet_decode_to_the_card_numbers(render, photo):
    """Given 13 cards started at the third place of a used sheet, when rendered at 300 dpi, every card's bars read
    back as its card number, with a photo or without."""
    numbers = [f"2023{n:04d}" for n in range(1, 11)] + ["R000123", "T-0042", "S00001"]
    cards = [card(n, photo=photo if i % 2 else None) for i, n in enumerate(numbers)]
    images = render(cards_pdf(cards, A4_CARDS, school_name=SCHOOL, show_photo=True, skip=2))
    assert len(images) == 2
    boxes = list(A4_CARDS.boxes(len(numbers), skip=2))
    decoded = [decode(images[box.page], box, A4_CARDS.page_size[1]) for box in boxes]
    assert decoded == [[number] for number in numbers]


def test_a_card_printer_gets_one_card_per_page_and_they_decode(render):
    numbers = ["S00001", "S00002", "LIB-2024-0099"]
    images = render(cards_pdf([card(n) for n in numbers], ROLL, school_name=SCHOOL, show_photo=False))
    box = next(ROLL.boxes(1))
    assert [decode(image, box, ROLL.page_size[1]) for image in images] == [[n] for n in numbers]


def test_a_portrait_card_also_scans(render, photo):
    layout = SheetLayout.for_roll(54, 85.6)
    images = render(cards_pdf([card("R000123", photo=photo)], layout, school_name=SCHOOL, show_photo=True))
    assert decode(images[0], next(layout.boxes(1)), layout.page_size[1]) == ["R000123"]


def test_one_page_for_every_ten_cards_on_a4():
    pdf = cards_pdf([card(f"{n:08d}") for n in range(23)], A4_CARDS, school_name=SCHOOL, show_photo=False)
    assert pages(pdf) == 3


def test_the_chinese_font_is_embedded():
    pdf = cards_pdf([card("S00001")], A4_CARDS, school_name=SCHOOL, show_photo=True)
    assert b"/FontFile2" in pdf
    if shutil.which("pdffonts"):
        listing = subprocess.run(["pdffonts", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
        chinese = [line for line in listing.splitlines() if "TrueType" in line]
        assert chinese and all(" yes yes " in line for line in chinese)


def test_a_card_shows_school_title_name_class_and_number(pdf_text):
    """Beside the photo each line says what it is (姓名, 类型); without photos the lines stand centred alone."""
    staff = card("S00001", line="教师", line_label="类型")
    beside = " ".join(pdf_text(cards_pdf([staff], ROLL, school_name=SCHOOL, show_photo=True)))
    for part in (SCHOOL, "借书证", "姓名", "张小明", "类型", "教师", "S00001"):
        assert part in beside
    alone = " ".join(pdf_text(cards_pdf([staff], ROLL, school_name=SCHOOL, show_photo=False)))
    assert alone.split() == [SCHOOL, "张小明", "教师", "S00001", "借书证"]


def test_the_photo_is_drawn_and_a_missing_one_leaves_a_box(pdf_text, photo, tmp_path):
    with_photo = cards_pdf([card("S00001", photo=photo)], ROLL, school_name=SCHOOL, show_photo=True)
    assert len(re.findall(rb"/Subtype /Image", with_photo)) == 1
    missing = cards_pdf([card("S00001", photo=tmp_path / "gone.jpg")], ROLL, school_name=SCHOOL, show_photo=True)
    assert b"/Subtype /Image" not in missing
    assert "照片" in " ".join(pdf_text(missing))
    no_photos = cards_pdf([card("S00001", photo=photo)], ROLL, school_name=SCHOOL, show_photo=False)
    assert b"/Subtype /Image" not in no_photos
    assert "照片" not in " ".join(pdf_text(no_photos))


def test_a_damaged_photo_file_prints_the_box_instead(tmp_path):
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"not a picture")
    pdf = cards_pdf([card("S00001", photo=broken)], ROLL, school_name=SCHOOL, show_photo=True)
    assert b"/Subtype /Image" not in pdf


@pytest.mark.parametrize("number", ["", "借书证1", "12 34"])
def test_numbers_code_128_cannot_carry_are_refused(number):
    with pytest.raises(LabelError, match="Code 128"):
        cards_pdf([card(number)], A4_CARDS, school_name=SCHOOL, show_photo=False)


def test_nothing_to_print_a_tiny_card_and_a_bad_start_are_refused():
    with pytest.raises(LabelError, match="没有要打印"):
        cards_pdf([], A4_CARDS, school_name=SCHOOL, show_photo=False)
    with pytest.raises(LabelError, match="证卡太小"):
        cards_pdf([card("S1")], SheetLayout.for_roll(40, 25), school_name=SCHOOL, show_photo=False)
    with pytest.raises(LabelError, match="太长"):
        cards_pdf([card("ABCDEFGHIJKLMNOPQRSTUVWXYZ123456")], ROLL, school_name=SCHOOL, show_photo=True)
    with pytest.raises(Exception, match="起始位置"):
        cards_pdf([card("S1")], A4_CARDS, school_name=SCHOOL, show_photo=False, skip=10)
