"""Reading a roster's cells: which column is which, grades and classes as schools write them, gender, names."""

from __future__ import annotations

import datetime as dt

import pytest

from xiaotu.interop.tables import guess_mapping
from xiaotu.readers.models import ReaderType
from xiaotu.readers.roster import (
    ROSTER_FIELDS,
    GradeError,
    GradeReader,
    clean_name,
    find_reader_type,
    parse_gender,
    read_class,
    small_number,
)
from xiaotu.readers.tests.roster_helpers import csv_bytes, table_of, xlsx
from xiaotu.schools.models import Library

AUTUMN = dt.date(2026, 9, 10)


def reader(level: str = Library.Level.PRIMARY, names: dict[str, int] | None = None, today: dt.date = AUTUMN):
    return GradeReader(level=level, names=names or {}, today=today)


def mapped(headers: list[str]) -> dict[str, str]:
    """Field -> the heading of the column the guess chose for it."""
    guess = guess_mapping(headers, ROSTER_FIELDS)
    return {name: headers[column] for name, column in guess.items() if column is not None}


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (
            ["序号", "学号", "姓名", "性别", "年级", "班级", "学籍号", "备注"],
            {"student_number": "学号", "name": "姓名", "gender": "性别", "grade": "年级", "school_class": "班级",
             "student_id": "学籍号"},
        ),
        (
            ["学生姓名", "性 别", "所在班级", "全国学籍号", "借书证号", "家长电话", "身份证号", "家庭住址"],
            {"name": "学生姓名", "gender": "性 别", "school_class": "所在班级", "student_id": "全国学籍号",
             "card": "借书证号"},
        ),
        (
            ["工号", "教师姓名", "性别", "身份", "任教班级", "手机号码"],
            {"student_number": "工号", "name": "教师姓名", "gender": "性别", "reader_type": "身份"},
        ),
        (["年级班级", "姓名", "读者证号"], {"school_class": "年级班级", "name": "姓名", "card": "读者证号"}),
        (["*姓名", "班级（必填）", "学号 ", "读者类型"], {"name": "*姓名", "school_class": "班级（必填）",
                                                  "student_number": "学号 ", "reader_type": "读者类型"}),
        (["姓名", "班主任", "家长姓名", "户口类别", "学籍辅号"], {"name": "姓名", "student_id": "学籍辅号"}),
    ],
)  # fmt: skip
def test_the_columns_are_guessed_from_the_headings_schools_write(headers, expected):
    """Phone numbers, ID cards, addresses, parents and the class teacher are never guessed as anything."""
    assert mapped(headers) == expected


def test_the_header_row_is_found_under_a_title_and_gbk_csv_is_read():
    table = table_of(xlsx([[1, "2026001", "张三", "男", "三年级", "2班", ""]], title="2026学年 三年级学生名单"))
    assert table.header_line == 2 and table.headers[2] == "姓名"
    gbk = table_of(csv_bytes([[1, "2026001", "张三", "男", "三年级", "2班", ""]], encoding="gbk"), "名单.csv")
    assert gbk.encoding == "gbk" and gbk.rows[0].values[2] == "张三"


@pytest.mark.parametrize(
    ("grade", "school_class", "key"),
    [
        ("三年级", "2", (3, 2)),
        ("三年级", "2班", (3, 2)),
        ("三年级", "(2)班", (3, 2)),
        ("三年级", "（２）班", (3, 2)),
        ("三年级", "二班", (3, 2)),
        ("三年级", "02", (3, 2)),
        ("3", "12", (3, 12)),
        ("3年级", "十二班", (3, 12)),
        ("小学三年级", "2", (3, 2)),
        ("三年级", "三年级(2)班", (3, 2)),
        ("3", "302", (3, 2)),
        ("七年级", "3", (7, 3)),
        ("初一", "3", (7, 3)),
        ("初中二年级", "1班", (8, 1)),
        ("高一", "5", (10, 5)),
        ("高中三年级", "5", (12, 5)),
        ("十年级", "5", (10, 5)),
        ("", "三年级(2)班", (3, 2)),
        ("", "三年级（2）班", (3, 2)),
        ("", "三年级2班", (3, 2)),
        ("", "三年级二班", (3, 2)),
        ("", "三 年 级 2 班", (3, 2)),
        ("", "3年级2班", (3, 2)),
        ("", "3(2)", (3, 2)),
        ("", "3（2）班", (3, 2)),
        ("", "三(2)班", (3, 2)),
        ("", "3-2", (3, 2)),
        ("", "302", (3, 2)),
        ("", "0302", (3, 2)),
        ("", "1203", (12, 3)),
        ("", "初一3班", (7, 3)),
        ("", "初一(3)班", (7, 3)),
        ("", "初中一年级3班", (7, 3)),
        ("", "高二1班", (11, 1)),
        ("", "高二(1)", (11, 1)),
        ("", "七年级3班", (7, 3)),
        ("", "2023级3班", (4, 3)),
        ("", "2023级(3)班", (4, 3)),
        ("2023级", "3班", (4, 3)),
    ],
)
def test_grades_and_classes_are_read_as_primary_and_secondary_schools_write_them(grade, school_class, key):
    assert read_class(grade, school_class, reader()) == key


@pytest.mark.parametrize(
    ("level", "grade", "school_class", "key"),
    [
        (Library.Level.JUNIOR, "一年级", "3", (7, 3)),
        (Library.Level.JUNIOR, "1", "3", (7, 3)),
        (Library.Level.JUNIOR, "七年级", "3", (7, 3)),
        (Library.Level.JUNIOR, "", "102", (7, 2)),
        (Library.Level.JUNIOR, "", "702", (7, 2)),
        (Library.Level.JUNIOR, "", "2025级1班", (8, 1)),
        (Library.Level.SENIOR, "2", "3", (11, 3)),
        (Library.Level.SENIOR, "", "2026级1班", (10, 1)),
        (Library.Level.NINE_YEAR, "2", "3", (2, 3)),
    ],
)
def test_a_secondary_school_counts_its_own_first_grade(level, grade, school_class, key):
    """In a 初中 a plain 一年级 or 1 is 初一; an entry year counts from the school's first grade."""
    assert read_class(grade, school_class, reader(level)) == key


def test_an_entry_year_counts_from_the_school_year_that_starts_in_august():
    assert read_class("", "2023级3班", reader(today=dt.date(2026, 7, 31))) == (3, 3)
    assert read_class("", "2023级3班", reader(today=dt.date(2026, 8, 1))) == (4, 3)


def test_the_schools_own_grade_names_are_recognised():
    own = reader(names={"一年级部": 1, "毕业班": 6})
    assert read_class("毕业班", "3", own) == (6, 3)
    assert read_class("", "一年级部(2)班", own) == (1, 2)


@pytest.mark.parametrize(
    ("level", "grade", "school_class", "code", "field"),
    [
        (Library.Level.PRIMARY, "", "", "missing_class", "school_class"),
        (Library.Level.PRIMARY, "三年级", "", "missing_class", "school_class"),
        (Library.Level.PRIMARY, "", "2班", "class_without_grade", "school_class"),
        (Library.Level.PRIMARY, "", "三年级", "bad_class", "school_class"),
        (Library.Level.PRIMARY, "", "实验班", "bad_class", "school_class"),
        (Library.Level.PRIMARY, "", "三年级(0)班", "bad_class", "school_class"),
        (Library.Level.PRIMARY, "", "1303", "bad_class", "school_class"),
        (Library.Level.PRIMARY, "十三年级", "2", "bad_grade", "grade"),
        (Library.Level.PRIMARY, "大班", "2", "bad_grade", "grade"),
        (Library.Level.PRIMARY, "三年级", "实验班", "bad_class", "school_class"),
        (Library.Level.PRIMARY, "四年级", "三年级(2)班", "grade_mismatch", "school_class"),
        (Library.Level.PRIMARY, "", "2030级1班", "bad_class", "school_class"),
        (Library.Level.COMPLETE, "", "2023级1班", "entry_year_ambiguous", "school_class"),
        (Library.Level.COMPLETE, "2023级", "1", "entry_year_ambiguous", "grade"),
    ],
)
def test_unreadable_grades_and_classes_say_which_column_is_wrong(level, grade, school_class, code, field):
    with pytest.raises(GradeError) as raised:
        read_class(grade, school_class, reader(level))
    assert (raised.value.code, raised.value.field) == (code, field)


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("3", 3),
        ("03", 3),
        ("三", 3),
        ("两", 2),
        ("十", 10),
        ("十二", 12),
        ("二十", 20),
        ("二十三", 23),
        ("三十a", None),
    ],
)
def test_small_numbers_in_digits_or_chinese(text, number):
    assert small_number(text) == number


@pytest.mark.parametrize(
    ("text", "gender", "readable"),
    [
        ("男", "m", True),
        ("女", "f", True),
        (" 女 ", "f", True),
        ("M", "m", True),
        ("f", "f", True),
        ("1", "m", True),
        ("2", "f", True),
        ("男生", "m", True),
        ("Female", "f", True),
        ("", None, True),
        ("0", None, True),
        ("未知", None, True),
        ("难", None, False),
        ("3", None, False),
    ],
)
def test_gender_is_read_from_words_letters_and_the_national_codes(text, gender, readable):
    assert parse_gender(text) == (gender, readable)


def test_names_lose_the_padding_that_lines_up_two_character_names():
    assert clean_name("王  芳") == "王芳"
    assert clean_name(" 欧阳 娜娜 ") == "欧阳娜娜"
    assert clean_name("Ali   Khan") == "Ali Khan"
    assert clean_name("阿依古丽·买买提") == "阿依古丽·买买提"
    assert clean_name("ＬＩ　Ｍｉｎｇ") == "LI Ming"


def test_reader_types_are_found_by_name_code_or_the_word_schools_use():
    student = ReaderType(pk=1, code="student", name="学生", kind=ReaderType.Kind.STUDENT)
    teacher = ReaderType(pk=2, code="teacher", name="教师", kind=ReaderType.Kind.STAFF)
    staff = ReaderType(pk=3, code="staff", name="职工", kind=ReaderType.Kind.STAFF)
    types = [student, teacher, staff]
    assert find_reader_type("学生", types) is student
    assert find_reader_type("老师", types) is teacher
    assert find_reader_type("Teacher", types) is teacher
    assert find_reader_type("后勤", types) is staff
    assert find_reader_type("校长", types) is None
    assert find_reader_type("教职工", types) is None, "two staff types: 教职工 could be either"
    assert find_reader_type("教职工", [student, teacher]) is teacher
