"""The roster preview: every kind of problem with its line, the classes to create, updates and who is missing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import openpyxl  # type: ignore[import-untyped,unused-ignore]
import pytest
from django.utils import timezone

from xiaotu.interop.tables import guess_mapping
from xiaotu.readers.models import Reader, RetiredCard
from xiaotu.readers.roster import ROSTER_FIELDS, Action, RosterOptions, RosterPreview, parse_roster
from xiaotu.readers.tests.roster_helpers import HEADERS, csv_bytes, reader_types, roster_table, table_of
from xiaotu.testing.factories import GradeFactory, ItemFactory, ReaderFactory, SchoolClassFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def types(library):
    return reader_types(library)


@pytest.fixture
def class_3_2(library, types):
    """三年级(2)班 is the only class the school has so far."""
    return SchoolClassFactory.create(grade=GradeFactory.create(library=library, number=3, name="三年级"), number=2)


def preview_of(library, rows, *, headers=HEADERS, create_classes=False, reader_type=None) -> RosterPreview:
    table, mapping = roster_table(rows, headers=headers)
    options = RosterOptions(reader_type=reader_type, create_classes=create_classes)
    return parse_roster(table, mapping, library=library, options=options, today=dt.date(2026, 9, 1))


def problems(preview: RosterPreview) -> list[tuple[int, str]]:
    return [(p.line, p.code) for p in preview.problems]


def row(number: Any, name: str, gender: str = "男", grade: str = "三年级", school_class: str = "2", sid: str = ""):
    return [1, number, name, gender, grade, school_class, sid]


def test_a_clean_roster_lists_every_pupil_as_new(library, class_3_2):
    preview = preview_of(library, [row("2026001", "张三"), row("2026002", "李四", "女")])
    assert preview.problems == [] and preview.read == 2
    assert [(r.line, r.name, r.gender, r.class_id, r.action) for r in preview.rows] == [
        (2, "张三", "m", class_3_2.pk, Action.NEW),
        (3, "李四", "f", class_3_2.pk, Action.NEW),
    ]
    assert preview.counts()["new"] == 2 and preview.changes_anything


def test_a_row_without_a_name_is_refused(library, class_3_2):
    preview = preview_of(library, [row("2026001", ""), row("2026002", "李四")])
    assert problems(preview) == [(2, "missing_name")]
    assert [r.name for r in preview.rows] == ["李四"]
    assert preview.counts()["error_rows"] == 1


def test_a_pupil_needs_a_class(library, class_3_2):
    preview = preview_of(library, [row("2026001", "张三", grade="", school_class="")])
    assert problems(preview) == [(2, "missing_class")]


def test_unknown_classes_are_refused_unless_they_may_be_created_and_the_preview_names_them(library, class_3_2):
    rows = [row("1", "张三", school_class="2"), row("2", "李四", school_class="3"), row("3", "王五", grade="四年级")]
    refused = preview_of(library, rows)
    assert problems(refused) == [(3, "unknown_class"), (4, "unknown_class")]
    assert "三年级(3)班" in str(refused.problems[0].message)
    assert [(c.name, c.rows) for c in refused.missing_classes] == [("三年级(3)班", 1), ("四年级(2)班", 1)]
    assert refused.new_classes == []

    created = preview_of(library, rows, create_classes=True)
    assert created.problems == [] and len(created.rows) == 3
    assert [(c.name, c.pupils, c.new_grade) for c in created.new_classes] == [
        ("三年级(3)班", 1, False),
        ("四年级(2)班", 1, True),
    ]
    assert created.counts()["classes_new"] == 2


def test_a_class_whose_only_pupils_are_refused_is_not_created(library, class_3_2):
    preview = preview_of(library, [row("1", "", school_class="5")], create_classes=True)
    assert problems(preview) == [(2, "missing_name")] and preview.new_classes == []


def test_the_same_pupil_twice_in_the_file(library, class_3_2):
    rows = [
        row("2026001", "张三"),
        row("2026001", "张三"),
        [1, "", "王五", "男", "三年级", "2", ""],
        [1, "", "王五", "男", "三年级", "2", ""],
        [1, "", "王五", "男", "三年级", "3", ""],
    ]
    preview = preview_of(library, rows, create_classes=True)
    assert problems(preview) == [(3, "duplicate_student_number"), (5, "duplicate_person")]
    assert "第 2 行" in str(preview.problems[0].message)
    assert [r.line for r in preview.rows] == [2, 4, 6], "the same name in another class is another pupil"


def test_a_card_number_twice_in_the_file(library, class_3_2):
    headers = ["学号", "姓名", "班级", "借书证号"]
    preview = preview_of(
        library, [["1", "张三", "三年级2班", "A001"], ["2", "李四", "三年级2班", "a001"]], headers=headers
    )
    assert problems(preview) == [(3, "duplicate_card")]


def test_a_card_number_that_belongs_to_someone_else_is_refused(library, class_3_2, types):
    ReaderFactory.create(library=library, card_barcode="S00001", student_number="2025001", name="赵六")
    headers = ["学号", "姓名", "班级", "借书证号"]
    preview = preview_of(library, [["2026001", "张三", "三年级2班", "S00001"]], headers=headers)
    assert problems(preview) == [(2, "card_taken")]
    assert "赵六（2025001）" in str(preview.problems[0].message)


def test_a_known_pupil_given_another_pupils_card_is_refused(library, class_3_2, types):
    ReaderFactory.create(library=library, card_barcode="S00001", student_number="2025001", name="赵六")
    ReaderFactory.create(library=library, card_barcode="S00002", student_number="2025002", name="钱七")
    headers = ["学号", "姓名", "班级", "借书证号"]
    preview = preview_of(library, [["2025002", "钱七", "三年级2班", "S00001"]], headers=headers)
    assert problems(preview) == [(2, "card_taken")]


def test_a_retired_card_or_a_books_barcode_cannot_become_a_card(library, class_3_2, types):
    owner = ReaderFactory.create(library=library, card_barcode="S00009")
    RetiredCard.objects.create(library=library, barcode="S00003", reader=owner, retired_at=timezone.now())
    ItemFactory.create(library=library, barcode="T0000123")
    headers = ["学号", "姓名", "班级", "借书证号"]
    rows = [
        ["1", "张三", "三年级2班", "S00003"],
        ["2", "李四", "三年级2班", "t0000123"],
        ["3", "王五", "三年级2班", "证12"],
    ]
    preview = preview_of(library, rows, headers=headers)
    assert problems(preview) == [(2, "card_retired"), (3, "card_is_item"), (4, "bad_card")]
    assert preview.rows == []


def test_values_longer_than_a_reader_keeps_are_refused(library, class_3_2):
    preview = preview_of(library, [row("1" * 33, "张三"), row("2", "名" * 51), row("3", "王五", sid="G" * 33)])
    assert problems(preview) == [(2, "too_long"), (3, "too_long"), (4, "too_long")]
    assert "学号" in str(preview.problems[0].message) and "最多 32 个字符" in str(preview.problems[0].message)


def test_numbers_excel_wrote_in_scientific_notation_are_refused(library, class_3_2):
    table = table_of(csv_bytes([[1, "2026001", "张三", "男", "三年级", "2", "1.10101E+17"]]), "名单.csv")
    preview = parse_roster(table, guess_mapping(table.headers, ROSTER_FIELDS), library=library)
    assert problems(preview) == [(2, "scientific")]
    assert "科学计数法" in str(preview.problems[0].message)


def test_an_unreadable_gender_is_a_warning_and_the_pupil_is_imported_without_one(library, class_3_2):
    preview = preview_of(library, [row("1", "张三", gender="难")])
    assert problems(preview) == [(2, "bad_gender")] and preview.warnings
    assert preview.rows[0].gender is None


def test_an_unknown_reader_type_names_the_types_there_are(library, class_3_2):
    headers = ["工号", "姓名", "读者类型"]
    preview = preview_of(library, [["T01", "周老师", "校长"], ["T02", "吴老师", "老师"]], headers=headers)
    assert problems(preview) == [(2, "unknown_reader_type")]
    assert "学生、教师、职工" in str(preview.problems[0].message)
    assert preview.rows[0].reader_type.code == "teacher" and preview.rows[0].class_key is None


def test_a_known_student_number_is_an_update_that_shows_what_changes(library, class_3_2, types):
    known = ReaderFactory.create(
        library=library,
        card_barcode="S00001",
        student_number="2026001",
        name="张三",
        gender="m",
        school_class=class_3_2,
    )
    ReaderFactory.create(library=library, card_barcode="S00002", student_number="2026002", name="李四", gender="f",
                         school_class=class_3_2)  # fmt: skip
    preview = preview_of(
        library,
        [row("2026001", "张叁", school_class="3", sid="G123"), row("2026002", "李四", "女")],
        create_classes=True,
    )
    assert preview.problems == []
    update, same = preview.rows
    assert (update.action, update.reader_id, update.matched_by) == (Action.UPDATE, known.pk, "student_number")
    assert [(c.field, c.old_text, c.new_text) for c in update.changes] == [
        ("name", "张三", "张叁"),
        ("school_class", "三年级(2)班", "三年级(3)班"),
        ("student_id", "", "G123"),
    ]
    assert same.action == Action.UNCHANGED and same.changes == []
    assert preview.counts() | {} == {**preview.counts(), "new": 0, "updated": 1, "unchanged": 1}


def test_a_known_card_without_a_student_number_is_matched_and_given_the_number(library, class_3_2, types):
    known = ReaderFactory.create(library=library, card_barcode="S00001", student_number="", name="张三",
                                 school_class=class_3_2)  # fmt: skip
    headers = ["学号", "姓名", "性别", "班级", "借书证号"]
    preview = preview_of(library, [["2026001", "张三", "", "三年级2班", "s00001"]], headers=headers)
    (matched,) = preview.rows
    assert (matched.reader_id, matched.matched_by) == (known.pk, "card")
    assert [(c.field, c.new) for c in matched.changes] == [("student_number", "2026001")]


def test_a_different_card_for_a_known_pupil_is_a_warning_and_the_card_stays(library, class_3_2, types):
    ReaderFactory.create(library=library, card_barcode="S00001", student_number="2026001", name="张三",
                         school_class=class_3_2)  # fmt: skip
    headers = ["学号", "姓名", "班级", "借书证号"]
    preview = preview_of(library, [["2026001", "张三", "三年级2班", "S00777"]], headers=headers)
    assert problems(preview) == [(2, "card_differs")]
    assert preview.rows[0].action == Action.UNCHANGED


def test_two_rows_that_are_one_reader(library, class_3_2, types):
    ReaderFactory.create(library=library, card_barcode="S00001", student_number="2026001", name="张三",
                         school_class=class_3_2)  # fmt: skip
    headers = ["学号", "姓名", "班级", "借书证号"]
    preview = preview_of(
        library, [["2026001", "张三", "三年级2班", ""], ["", "张三", "三年级2班", "S00001"]], headers=headers
    )
    assert problems(preview) == [(3, "same_reader")]


def test_without_numbers_pupils_are_matched_by_name_within_their_class(library, class_3_2, types):
    known = ReaderFactory.create(library=library, student_number="", name="张三", school_class=class_3_2)
    ReaderFactory.create(library=library, student_number="", name="张伟", school_class=class_3_2)
    ReaderFactory.create(library=library, student_number="", name="张伟", school_class=class_3_2)
    headers = ["姓名", "性别", "班级"]
    preview = preview_of(library, [["张三", "男", "三年级(2)班"], ["张伟", "男", "三年级(2)班"]], headers=headers)
    assert problems(preview) == [(3, "ambiguous_name")]
    assert (preview.rows[0].reader_id, preview.rows[0].matched_by) == (known.pk, "name")


def test_a_pupil_who_left_is_updated_with_a_warning_and_an_erased_one_is_refused(library, class_3_2, types):
    ReaderFactory.create(library=library, student_number="2026001", name="张三", school_class=class_3_2,
                         status=Reader.Status.LEFT)  # fmt: skip
    ReaderFactory.create(library=library, student_number="2026002", name="（已删除）", erased_at=timezone.now())
    preview = preview_of(library, [row("2026001", "张三"), row("2026002", "李四")])
    assert problems(preview) == [(2, "reader_inactive"), (3, "erased_reader")]
    assert "已离校" in str(preview.problems[0].message)


def test_title_total_and_repeated_header_rows_are_skipped(library, class_3_2):
    book = openpyxl.Workbook()
    sheet: Any = book.active
    sheet.append(["学号", "姓名", "性别", "班级"])
    sheet.append(["三年级（2）班 学生名单"])
    sheet.merge_cells("A2:D2")
    sheet.append(["2026001", "张三", "男", "三年级2班"])
    sheet.append(["学号", "姓名", "性别", "班级"])
    sheet.append(["2026002", "李四", "女", "三年级2班"])
    sheet.append(["合计：2人"])
    table = table_of(_save(book))
    preview = parse_roster(table, guess_mapping(table.headers, ROSTER_FIELDS), library=library)
    assert problems(preview) == [(2, "title_row"), (4, "header_row"), (6, "total_row")]
    assert [r.name for r in preview.rows] == ["张三", "李四"] and preview.read == 2


def test_a_class_merged_down_its_pupils_is_filled_but_a_merged_name_is_refused(library, class_3_2):
    book = openpyxl.Workbook()
    sheet: Any = book.active
    sheet.append(["学号", "姓名", "性别", "班级"])
    sheet.append(["2026001", "张三", "男", "三年级2班"])
    sheet.append(["2026002", "李四", "女", None])
    sheet.append(["2026003", "王五", "男", None])
    sheet.merge_cells("D2:D4")
    sheet.append(["2026004", "赵六", "男", "三年级2班"])
    sheet.append(["2026005", None, "男", "三年级2班"])
    sheet.merge_cells("B5:B6")
    table = table_of(_save(book))
    preview = parse_roster(table, guess_mapping(table.headers, ROSTER_FIELDS), library=library)
    assert problems(preview) == [(6, "merged_cells")]
    assert [(r.name, r.class_id) for r in preview.rows] == [
        ("张三", class_3_2.pk),
        ("李四", class_3_2.pk),
        ("王五", class_3_2.pk),
        ("赵六", class_3_2.pk),
    ]


def test_pupils_not_in_the_file_are_listed_per_class_and_left_alone(library, class_3_2, types):
    other = SchoolClassFactory.create(grade=GradeFactory.create(library=library, number=4, name="四年级"), number=1)
    ReaderFactory.create(library=library, student_number="2026001", name="张三", school_class=class_3_2)
    ReaderFactory.create(library=library, student_number="2026009", name="转走的", school_class=class_3_2)
    ReaderFactory.create(library=library, student_number="2026010", name="毕业的", school_class=class_3_2,
                         status=Reader.Status.GRADUATED)  # fmt: skip
    ReaderFactory.create(library=library, student_number="2025001", name="四年级的", school_class=other)
    ReaderFactory.create(library=library, student_number="", name="周老师", school_class=None,
                         reader_type=types["teacher"])  # fmt: skip
    preview = preview_of(library, [row("2026001", "张三")])
    assert [(g.name, g.readers) for g in preview.absent] == [("三年级(2)班", [("转走的", "2026009")])]
    assert (preview.other_classes, preview.other_pupils) == (1, 1)
    assert preview.counts()["absent"] == 1


def test_staff_not_in_a_staff_list_are_listed_too(library, types):
    ReaderFactory.create(library=library, student_number="T01", name="周老师", school_class=None, gender="f",
                         reader_type=types["teacher"])  # fmt: skip
    ReaderFactory.create(library=library, student_number="T02", name="吴老师", school_class=None,
                         reader_type=types["teacher"])  # fmt: skip
    preview = preview_of(
        library, [["T01", "周老师", "女"]], headers=["工号", "姓名", "性别"], reader_type=types["teacher"]
    )
    assert preview.problems == [] and preview.rows[0].action == Action.UNCHANGED
    assert [(g.name, g.readers) for g in preview.absent] == [("教职工", [("吴老师", "T02")])]


def _save(book: Any) -> bytes:
    import io

    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
