"""打印借书证: class by class, a selection, or one reader (?reader=, as the lost-card page links); bad input is
answered in Chinese and nothing is printed; card stock is set on the label sheet settings page."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from xiaotu.intake.models import LabelLayout
from xiaotu.printing.services import label_options
from xiaotu.readers.models import Reader
from xiaotu.readers.services import reader_photo_set
from xiaotu.readers.tests.people_school import build_school, picture
from xiaotu.testing.factories import LibraryFactory, ReaderFactory

pytestmark = pytest.mark.django_db
CARDS = reverse("readers:card_print")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def school(library):
    return build_school(library)


@pytest.fixture
def staff(client, school):
    client.force_login(school.librarian)
    return client


def order(**fields: object) -> dict[str, object]:
    data: dict[str, object] = {
        "print": "1",
        "source": "classes",
        "layout": "preset:a4-card-2x5",
        "start": "1",
        "school_name": "实验小学",
        "show_photo": "on",
    }
    data.update(fields)
    return data


def pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type /Page\b", pdf))


def test_the_page_offers_classes_and_card_stock(staff, school):
    response = staff.get(CARDS)
    page = response.content.decode()
    assert response.status_code == 200
    assert "三年级(1)班" in page and "三年级(2)班" in page
    assert "A4 借书证纸 2×5" in page and "A4 书标纸" not in page
    assert response.context["form"]["layout"].value() == "preset:a4-card-2x5"


def test_cards_for_a_class_come_back_as_a_pdf(staff, school):
    for n in range(11):
        ReaderFactory.create(
            library=school.library, card_barcode=f"C{n:05d}", student_number=f"8{n:07d}", school_class=school.mine
        )
    Reader.objects.create(
        library=school.library,
        card_barcode="C99999",
        name="已离校",
        reader_type=school.pupil_type,
        school_class=school.mine,
        status=Reader.Status.LEFT,
    )
    response = staff.post(CARDS, order(classes=[school.mine.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert pages(response.content) == 2  # 张小明 and 11 more in school; the one who left gets no card


def test_one_reader_from_a_link_as_the_lost_card_page_makes(staff, school):
    response = staff.get(CARDS, {"reader": school.zhang.pk})
    assert response.context["form"]["source"].value() == "readers"
    assert [r.name for r in response.context["picked"]] == ["张小明"]
    printed = staff.post(CARDS, order(source="readers", reader=[school.zhang.pk], layout="preset:roll-card-85.6x54"))
    assert printed["Content-Type"] == "application/pdf" and pages(printed.content) == 1


def test_a_selection_prints_staff_with_their_type_and_photos(staff, school, pdf_text_of):
    reader_photo_set(reader=school.zhang, photo=picture(), by=school.librarian)
    response = staff.post(CARDS, order(source="readers", reader=[school.zhang.pk, school.teacher_reader.pk], start="3"))
    assert response["Content-Type"] == "application/pdf"
    assert b"/Subtype /Image" in response.content
    text = pdf_text_of(response.content)
    assert "张小明" in text and "三年级(2)班" in text and "王老师" in text and "教师" in text


@pytest.fixture
def pdf_text_of(tmp_path):
    import shutil
    import subprocess

    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")

    def extract(pdf: bytes) -> str:
        source = tmp_path / "cards.pdf"
        source.write_bytes(pdf)
        return subprocess.run(["pdftotext", str(source), "-"], check=True, capture_output=True, text=True).stdout

    return extract


def test_readers_of_another_library_or_erased_are_never_printed(staff, school):
    elsewhere = LibraryFactory.create(code="other-school")
    stranger = ReaderFactory.create(library=elsewhere, card_barcode="X1")
    Reader.objects.filter(pk=school.li.pk).update(erased_at="2026-01-01T00:00:00Z")
    response = staff.post(CARDS, order(source="readers", reader=[stranger.pk, school.li.pk]))
    assert response.status_code == 400
    assert "请先选择要打印借书证的读者" in response.content.decode()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"classes": []}, "请至少选择一个班级"),
        ({"classes": ["abc"]}, "请从列表中选择班级"),
        ({"source": "readers"}, "请先选择要打印借书证的读者"),
        ({"source": "everyone"}, "请选择按班级还是按读者打印"),
        ({"layout": "preset:nonsense"}, "请选择证卡纸"),
        ({"layout": "layout:999999"}, "请选择证卡纸"),
        ({"start": "abc"}, "起始位置应为整数"),
        ({"start": "0"}, "起始位置从 1 开始"),
        ({"start": "11"}, "起始位置必须在 1 到 10 之间"),
        ({"school_name": ""}, "请填写校名"),
    ],
)
def test_bad_orders_are_answered_in_chinese_and_print_nothing(staff, school, fields, message):
    data = order(classes=[school.mine.pk])
    data.update(fields)
    response = staff.post(CARDS, data)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert message in response.content.decode()


def test_a_card_number_code_128_cannot_carry_is_named(staff, school):
    Reader.objects.filter(pk=school.zhang.pk).update(card_barcode="证号1")
    response = staff.post(CARDS, order(classes=[school.mine.pk]))
    assert response.status_code == 400
    assert "证号1" in response.content.decode() and "Code 128" in response.content.decode()


# -- card stock in 标签纸设置 ---------------------------------------------------------------------------------------


def test_card_stock_is_set_up_on_the_label_sheet_page_and_used_for_cards(client, school):
    client.force_login(school.admin)
    response = client.post(reverse("label_layouts:list"), {"preset": "a4-card-2x5", "name": "本校证卡纸"})
    layout = LabelLayout.objects.get(name="本校证卡纸")
    assert response.status_code == 302
    assert (layout.kind, layout.rows, layout.columns, layout.is_default) == ("card", 5, 2, True)
    test_sheet = client.get(reverse("label_layouts:test", args=[layout.pk]))
    assert test_sheet["Content-Type"] == "application/pdf"
    cards = client.get(CARDS)
    assert cards.context["form"]["layout"].value() == f"layout:{layout.pk}"
    printed = client.post(CARDS, order(classes=[school.mine.pk], layout=f"layout:{layout.pk}"))
    assert printed["Content-Type"] == "application/pdf"


def test_the_label_page_does_not_offer_card_stock(client, school):
    LabelLayout.objects.create(
        library=school.library, kind="card", name="证卡纸", label_width=85.6, label_height=54, rows=5, columns=2
    )
    assert all(option.kind != "card" for option in label_options(library=school.library))
    client.force_login(school.librarian)
    page = client.get(reverse("printing:labels")).content.decode()
    assert "证卡纸" not in page and "借书证纸" not in page


def test_only_library_staff_print_cards(client, school):
    for user in (school.teacher, school.student_librarian):
        client.force_login(user)
        assert client.get(CARDS).status_code == 403
        assert client.post(CARDS, order(classes=[school.mine.pk])).status_code == 403
