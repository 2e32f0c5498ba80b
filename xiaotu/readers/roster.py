"""花名册 — a school's pupil or staff roster read from a spreadsheet and checked against the library's readers.

Nothing here writes: parse_roster() gives the preview a librarian checks before importing.readers_import() runs.
Every row becomes a new reader, an update of one already known (matched by 学号, else by 借书证号, else — when
the file has neither — by name within the class), a row that changes nothing, or a row with an error that is not
imported. Pupils already in the library but not in the file are listed, never touched: a roster may be one grade.

What the 年级 and 班级 columns may say (full-width digits and brackets too; spaces are ignored):

- 年级: 三年级, 3, 3年级, 小学三年级; 七年级, 初一, 初中一年级; 十年级, 高一, 高中一年级; 2023级 (the year the
  pupils entered: counted from the school's first grade, so 2023级 is 四年级 in a primary school in autumn 2026 —
  refused in a 完全中学, where both 初中 and 高中 have a 2023级). In a 初中 or 高中 library a plain 1–3 means the
  school's own first to third grade (一年级 in a 初中 is 初一, grade 7). A grade named otherwise in the school's
  structure (年级 names) is recognised by that name as well.
- 班级 beside a 年级 column: 2, 02, 2班, (2)班, 二班, or a whole class name that agrees with the 年级.
- 班级 alone: 三年级(2)班, 三年级2班, 三年级二班, 3年级2班, 3(2), 3(2)班, 3-2, 初一3班, 初一(3)班, 高二(1)班,
  2023级3班, and three or four digits: 302 (grade 3, class 2), 1203 (grade 12, class 3).

Phone numbers, ID-card numbers, addresses and parents are not read even when the file has them: pupils are minors.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from xiaotu.barcodes import clean_barcode, is_scannable
from xiaotu.bulk import rows_in
from xiaotu.catalogue.models import Item
from xiaotu.interop import tables
from xiaotu.interop.tables import FieldSpec, MergedRange, Row, Severity, Table, check_mapping, heading_key
from xiaotu.readers.models import Grade, Reader, ReaderType, RetiredCard, SchoolClass
from xiaotu.schools.models import Library

ROSTER_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec(
        "student_number",
        _("学号"),
        ("学号", "学生学号", "学生编号", "学生号", "工号", "教工号", "职工号", "教师编号", "studentno"),
        excludes=("学籍", "证", "身份", "考"),
    ),
    FieldSpec(
        "name",
        _("姓名"),
        ("姓名", "学生姓名", "名字", "教师姓名", "职工姓名", "读者姓名", "读者名", "name"),
        required=True,
        excludes=("拼音", "英文", "家长", "父", "母", "监护", "班主任", "曾用"),
    ),
    FieldSpec("gender", _("性别"), ("性别", "男女", "sex", "gender")),
    FieldSpec("grade", _("年级"), ("年级", "所在年级", "年级名称", "grade"), excludes=("班",)),
    FieldSpec(
        "school_class",
        _("班级"),
        ("班级", "班", "班别", "所在班级", "班级名称", "班号", "行政班", "年级班级", "年级班别", "class"),
        excludes=("班主任", "任教"),
    ),
    FieldSpec("student_id", _("学籍号"), ("学籍号", "全国学籍号", "学籍辅号", "学籍编号", "国网学籍号", "教育id")),
    FieldSpec(
        "card",
        _("借书证号"),
        ("借书证号", "借书证", "读者证号", "借阅证号", "证号", "卡号", "借书卡号", "读者卡号", "读者条码", "条码"),
        excludes=("身份", "学籍"),
    ),
    FieldSpec(
        "reader_type",
        _("读者类型"),
        ("读者类型", "读者类别", "人员类别", "人员类型", "身份", "类型", "类别"),
        excludes=("证", "学生", "户", "住", "宿", "血", "民族", "政治", "学历", "职称", "岗位"),
    ),
)

LABELS: dict[str, StrOrPromise] = {spec.name: spec.label for spec in ROSTER_FIELDS}
# The longest values a reader keeps (the model's max_length). A name cut short is another name: an error.
LIMITS = {"name": 50, "student_number": 32, "student_id": 32, "card": 32}
GRADE_NAMES = {
    1: "一年级", 2: "二年级", 3: "三年级", 4: "四年级", 5: "五年级", 6: "六年级",
    7: "七年级", 8: "八年级", 9: "九年级", 10: "高一", 11: "高二", 12: "高三",
}  # fmt: skip
MAX_GRADE = 12
MAX_CLASS = 99
# The first grade of each kind of school, for 2023级 and for a 初中's "一年级".
FIRST_GRADE = {
    Library.Level.PRIMARY: 1,
    Library.Level.NINE_YEAR: 1,
    Library.Level.JUNIOR: 7,
    Library.Level.SENIOR: 10,
}


class Action(enum.StrEnum):
    NEW = "new"
    UPDATE = "update"
    UNCHANGED = "unchanged"


# Codes are part of the API: change a message freely, never a code.
PROBLEMS: dict[str, tuple[Severity, StrOrPromise]] = {
    "missing_name": (Severity.ERROR, _("没有姓名。")),
    "missing_class": (Severity.ERROR, _("没有班级。学生要导入到班级里，请填写年级和班级。")),
    "bad_grade": (
        Severity.ERROR,
        _("年级“{value}”读不出是几年级。可以写成“三年级”“3”“初一”“七年级”“高一”等。"),
    ),
    "entry_year_ambiguous": (
        Severity.ERROR,
        _("“{value}”是入学年份；完全中学的初中和高中都有这一级，分不清是几年级。请写成“初一”“高一”等。"),
    ),
    "bad_class": (
        Severity.ERROR,
        _("班级“{value}”读不出是几年级几班。可以写成“三年级(2)班”“3年级2班”“3(2)”“302”或“初一3班”。"),
    ),
    "class_without_grade": (
        Severity.ERROR,
        _("班级“{value}”没有写年级，年级一列也是空的。"),
    ),
    "grade_mismatch": (Severity.ERROR, _("年级“{grade}”和班级“{value}”中的年级不一致。")),
    "unknown_class": (
        Severity.ERROR,
        _("本校还没有{name}。选择“新建缺少的班级”，导入时就会建立这个班级。"),
    ),
    "unknown_reader_type": (
        Severity.ERROR,
        _("读者类型“{value}”不存在。本馆的读者类型有：{types}。"),
    ),
    "duplicate_student_number": (Severity.ERROR, _("学号 {value} 在第 {other} 行已经出现过。")),
    "duplicate_card": (Severity.ERROR, _("借书证号 {value} 在第 {other} 行已经出现过。")),
    "duplicate_person": (
        Severity.ERROR,
        _("{name}（{place}）在第 {other} 行已经出现过，两行都没有学号和借书证号，分不清是不是同一个人。"),
    ),
    "same_reader": (Severity.ERROR, _("这一行和第 {other} 行都是读者 {name}（{card}）。")),
    "card_taken": (Severity.ERROR, _("借书证号 {value} 已经是读者 {owner} 的。")),
    "card_retired": (Severity.ERROR, _("借书证号 {value} 已经挂失停用，不能再发给读者。")),
    "card_is_item": (Severity.ERROR, _("借书证号 {value} 是本馆一册书的条码，不能用作借书证号。")),
    "bad_card": (Severity.ERROR, _("借书证号“{value}”含有不能印成条码的字符。")),
    "too_long": (Severity.ERROR, _("{label}“{value}”太长，最多 {limit} 个字符。")),
    "scientific": (
        Severity.ERROR,
        _("{label}被写成了科学计数法（{value}），后几位数字已经丢失。请把这一列设为“文本”格式、重新填写后再导入。"),
    ),
    "ambiguous_name": (
        Severity.ERROR,
        _("这一行没有学号和借书证号，而{place}有 {count} 位叫{name}的读者，分不清是哪一位。请填上学号。"),
    ),
    "erased_reader": (
        Severity.ERROR,
        _("学号 {value} 属于一位个人信息已经删除的离校读者，不能再导入。"),
    ),
    "merged_cells": (
        Severity.ERROR,
        _("{cells} 是合并单元格，这一行的内容读不准。请取消合并、在每一格填上内容后再导入。"),
    ),
    "bad_gender": (Severity.WARNING, _("性别“{value}”读不出是男还是女，没有导入性别。")),
    "card_differs": (
        Severity.WARNING,
        _(
            "文件中的借书证号 {value} 与读者现在的借书证号 {current} 不同。"
            "借书证号不随导入改变；补办借书证请用挂失补证。"
        ),
    ),
    "reader_inactive": (
        Severity.WARNING,
        _("{name} 的状态是“{status}”。导入只更新资料，不改变状态。"),
    ),
    "title_row": (Severity.SKIPPED, _("标题行“{value}”，不导入。")),
    "total_row": (Severity.SKIPPED, _("合计行，不导入。")),
    "header_row": (Severity.SKIPPED, _("重复的表头，不导入。")),
}


class RowProblem(tables.RowProblem):
    PROBLEMS = PROBLEMS


ClassKey = tuple[int, int]  # (grade number, class number)


@dataclass(frozen=True, slots=True)
class Change:
    """One field of an existing reader that the import changes: the values as stored (a class and a type by
    name), and as a librarian reads them."""

    field: str
    old: str
    new: str

    @property
    def label(self) -> StrOrPromise:
        return CHANGE_LABELS[self.field]

    @property
    def old_text(self) -> str:
        return _gender_label(self.old) if self.field == "gender" else self.old

    @property
    def new_text(self) -> str:
        return _gender_label(self.new) if self.field == "gender" else self.new


CHANGE_LABELS: dict[str, StrOrPromise] = {
    "name": _("姓名"),
    "gender": _("性别"),
    "school_class": _("班级"),
    "student_number": _("学号"),
    "student_id": _("学籍号"),
    "reader_type": _("读者类型"),
}


@dataclass(slots=True)
class RosterRow:
    """One person in the file, cleaned and matched: what the import will create or change.

    gender is None when the file says nothing (an existing reader keeps theirs); student_id and card are '' then.
    class_key is set for pupils; class_id is the existing class, None for one the import creates.
    """

    line: int
    name: str
    reader_type: ReaderType
    explicit_type: bool = False
    gender: str | None = None
    student_number: str = ""
    student_id: str = ""
    card: str = ""
    card_generated: bool = False
    class_key: ClassKey | None = None
    class_id: int | None = None
    class_name: str = ""
    action: Action = Action.NEW
    reader_id: int | None = None
    matched_by: str = ""
    changes: list[Change] = dataclasses.field(default_factory=list)

    @property
    def is_student(self) -> bool:
        return self.reader_type.kind == ReaderType.Kind.STUDENT


@dataclass(slots=True)
class PlannedClass:
    """A class the file names that the school's structure does not have yet: the import creates it (and its
    grade when that is missing too) when asked to. `rows` name it; `pupils` of them will be imported into it."""

    grade_number: int
    number: int
    grade_name: str
    name: str
    new_grade: bool
    rows: int = 0
    pupils: int = 0


@dataclass(slots=True)
class AbsentGroup:
    """Readers of one class (or the staff) who are in the library but not in this file: listed, never touched."""

    name: str
    readers: list[tuple[str, str]]  # (name, student number)


@dataclass(slots=True)
class RosterPreview:
    """Every row that will be imported, every problem in line order, the classes to create, and who is missing."""

    rows: list[RosterRow]
    problems: list[RowProblem]
    read: int = 0
    # With create_classes, the classes the import creates; without, the classes missing, whose rows are refused.
    create_classes: bool = False
    new_classes: list[PlannedClass] = dataclasses.field(default_factory=list)
    missing_classes: list[PlannedClass] = dataclasses.field(default_factory=list)
    absent: list[AbsentGroup] = dataclasses.field(default_factory=list)
    # Pupils of classes that do not appear in the file at all (a roster of one grade leaves the others alone).
    other_classes: int = 0
    other_pupils: int = 0

    def of(self, action: Action) -> list[RosterRow]:
        return [row for row in self.rows if row.action == action]

    @property
    def new_grades(self) -> list[str]:
        """The grades the import creates along with their first classes."""
        return list(dict.fromkeys(c.grade_name for c in self.new_classes if c.new_grade))

    @property
    def errors(self) -> list[RowProblem]:
        return [p for p in self.problems if p.severity == Severity.ERROR]

    @property
    def warnings(self) -> list[RowProblem]:
        return [p for p in self.problems if p.severity == Severity.WARNING]

    @property
    def skipped(self) -> list[RowProblem]:
        return [p for p in self.problems if p.severity == Severity.SKIPPED]

    @property
    def changes_anything(self) -> bool:
        return bool(self.new_classes) or any(row.action != Action.UNCHANGED for row in self.rows)

    def counts(self) -> dict[str, int]:
        by_action = {action: 0 for action in Action}
        for row in self.rows:
            by_action[row.action] += 1
        return {
            "read": self.read,
            "new": by_action[Action.NEW],
            "updated": by_action[Action.UPDATE],
            "unchanged": by_action[Action.UNCHANGED],
            "error_rows": len({p.line for p in self.errors}),
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "skipped": len(self.skipped),
            "classes_new": len(self.new_classes),
            "absent": sum(len(group.readers) for group in self.absent),
        }


@dataclass(frozen=True, slots=True)
class RosterOptions:
    """reader_type: for rows that do not say (default: the library's 学生 type); create_classes: make the classes
    the file names that the school does not have yet, rather than refusing their rows."""

    reader_type: ReaderType | None = None
    create_classes: bool = False


class RosterRefused(Exception):
    """The roster cannot be checked at all (no reader types in the library); `message` is for the librarian."""

    def __init__(self, code: str, message: StrOrPromise) -> None:
        self.code, self.message = code, message
        super().__init__(str(message))


# ---------------------------------------------------------------------------------------------------------------
# What the library already has


@dataclass(frozen=True, slots=True)
class KnownReader:
    id: int
    card: str
    name: str
    gender: str
    reader_type_id: int
    class_id: int | None
    student_number: str
    student_id: str
    status: str
    erased: bool


@dataclass(slots=True)
class School:
    """The library's structure and readers as the roster is checked against them, read in a handful of queries."""

    library: Library
    reader_types: list[ReaderType]
    grades: dict[int, Grade]
    classes: dict[ClassKey, SchoolClass]  # active classes only
    class_names: dict[int, str]  # every class, active or not, by id
    readers: list[KnownReader]
    retired: set[str]

    @classmethod
    def load(cls, library: Library) -> School:
        grades = {grade.number: grade for grade in Grade.objects.filter(library=library)}
        classes: dict[ClassKey, SchoolClass] = {}
        names: dict[int, str] = {}
        for school_class in SchoolClass.objects.filter(library=library).select_related("grade"):
            names[school_class.pk] = school_class.name
            if school_class.active:
                classes[(school_class.grade.number, school_class.number)] = school_class
        readers = [
            KnownReader(*values[:9], erased=values[9] is not None)
            for values in Reader.objects.filter(library=library)
            .values_list(
                "pk",
                "card_barcode",
                "name",
                "gender",
                "reader_type_id",
                "school_class_id",
                "student_number",
                "student_id",
                "status",
                "erased_at",
            )
            .iterator(chunk_size=5000)
        ]
        return cls(
            library=library,
            reader_types=list(ReaderType.objects.filter(library=library).order_by("pk")),
            grades=grades,
            classes=classes,
            class_names=names,
            readers=readers,
            retired=set(RetiredCard.objects.filter(library=library).values_list("barcode", flat=True)),
        )

    def default_type(self) -> ReaderType:
        students = [t for t in self.reader_types if t.kind == ReaderType.Kind.STUDENT]
        for reader_type in students:
            if reader_type.code == "student":
                return reader_type
        if students or self.reader_types:
            return (students or self.reader_types)[0]
        raise RosterRefused("no_reader_types", _("本馆还没有读者类型。请先在后台管理中添加“学生”等读者类型。"))

    def grade_name(self, number: int) -> str:
        grade = self.grades.get(number)
        return grade.name if grade else GRADE_NAMES[number]

    def class_name(self, key: ClassKey) -> str:
        existing = self.classes.get(key)
        return existing.name if existing else f"{self.grade_name(key[0])}({key[1]})班"


# ---------------------------------------------------------------------------------------------------------------
# Cells

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_SPACE_BY_CJK = re.compile(rf"(?<=[{_CJK}])\s+|\s+(?=[{_CJK}])")
_SCIENTIFIC = re.compile(r"[-+]?\d(?:\.\d+)?[eE]\+?\d+")
# What a scanner can type and a label printer print: visible ASCII.
_BARCODE = re.compile(r"[!-~]+")
_NO_VALUE = {"", "-", "--", "—", "/", "无", "空", "null", "none", "n/a", "na"}


def clean_name(raw: str) -> str:
    """'王  芳' -> '王芳': rosters pad two-character names to line up; 'Ali  Khan' keeps one space."""
    text = " ".join(unicodedata.normalize("NFKC", raw).split())
    return _SPACE_BY_CJK.sub("", text)


def _compact(raw: str) -> str:
    """Full-width to half-width, no spaces: how numbers, grades and classes are compared."""
    return "".join(unicodedata.normalize("NFKC", raw).split())


_GENDERS = {
    "男": "m", "男生": "m", "男性": "m", "男孩": "m", "m": "m", "male": "m", "boy": "m", "1": "m",
    "女": "f", "女生": "f", "女性": "f", "女孩": "f", "f": "f", "female": "f", "girl": "f", "2": "f",
}  # fmt: skip
# GB/T 2261.1: 0 未知的性别, 9 未说明的性别.
_NO_GENDER = {"0", "9", "未知", "未填", "未说明", "不详", *_NO_VALUE}


def parse_gender(raw: str) -> tuple[str | None, bool]:
    """('m'/'f', True), or (None, True) when the cell says nothing, or (None, False) when it cannot be read."""
    text = _compact(raw).lower()
    if text in _NO_GENDER:
        return None, True
    if text in _GENDERS:
        return _GENDERS[text], True
    return None, False


_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_NUMBER = r"\d{1,2}|[一二三四五六七八九十]{1,3}"


def small_number(text: str) -> int | None:
    """'3', '03', '三', '十二', '二十' -> the number; None for anything else."""
    if re.fullmatch(r"[0-9]{1,3}", text):
        return int(text)
    if text in _CN_DIGITS:
        return _CN_DIGITS[text]
    if "十" in text and text.count("十") == 1:
        tens, _ten, ones = text.partition("十")
        if (tens and tens not in _CN_DIGITS) or (ones and ones not in _CN_DIGITS):
            return None
        return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0)
    return None


class GradeError(Exception):
    """A grade or class that cannot be read: `code` is a problem code, `field` the column to blame."""

    def __init__(self, code: str, field: str = "school_class") -> None:
        self.code, self.field = code, field
        super().__init__(code)


_PLAIN_GRADE = re.compile(rf"(?:小学)?(?P<n>{_NUMBER})(?:年级)?")
_JUNIOR_GRADE = re.compile(r"(?:初中|初级中学|初)(?P<n>[一二三123])(?:年级)?")
_SENIOR_GRADE = re.compile(r"(?:高中|高级中学|高)(?P<n>[一二三123])(?:年级)?")
_ENTRY_YEAR = re.compile(r"(?P<year>(?:19|20)\d\d)级")


@dataclass(frozen=True, slots=True)
class GradeReader:
    """Reads a grade as this school writes it; see the module docstring for the forms."""

    level: str
    names: Mapping[str, int]  # the school's own grade names, compacted
    today: dt.date

    def __call__(self, text: str) -> int:
        number = self._read(text)
        if not 1 <= number <= MAX_GRADE:
            raise GradeError("bad_grade")
        return number

    def _read(self, text: str) -> int:
        if text in self.names:
            return self.names[text]
        if match := _JUNIOR_GRADE.fullmatch(text):
            return 6 + (small_number(match.group("n")) or 0)
        if match := _SENIOR_GRADE.fullmatch(text):
            return 9 + (small_number(match.group("n")) or 0)
        if match := _ENTRY_YEAR.fullmatch(text):
            first = FIRST_GRADE.get(Library.Level(self.level)) if self.level in Library.Level.values else None
            if first is None:
                raise GradeError("entry_year_ambiguous")
            school_year = self.today.year if self.today.month >= 8 else self.today.year - 1
            return first + school_year - int(match.group("year"))
        if match := _PLAIN_GRADE.fullmatch(text):
            number = small_number(match.group("n"))
            if number is None:
                raise GradeError("bad_grade")
            # 一年级 or 1 in a 初中 is its own first grade, 初一; 七年级 stays 7.
            if 1 <= number <= 3 and self.level in (Library.Level.JUNIOR, Library.Level.SENIOR):
                return FIRST_GRADE[Library.Level(self.level)] + number - 1
            return number
        raise GradeError("bad_grade")


_CLASS_NUMBER = rf"(?P<c>{_NUMBER})"
_CLASS_ALONE = re.compile(rf"\(?{_CLASS_NUMBER}\)?班?")
_COMBINED = (
    re.compile(rf"(?P<g>.+?)\({_CLASS_NUMBER}\)班?"),  # 三年级(2)班, 3(2), 初一(3)班
    re.compile(rf"(?P<g>.+?(?:年级|级)){_CLASS_NUMBER}班?"),  # 三年级2班, 3年级2班, 2023级3班
    re.compile(rf"(?P<g>(?:初中|高中|初|高)[一二三123]){_CLASS_NUMBER}班?"),  # 初一3班, 高二1班
    re.compile(r"(?P<g>\d{1,2})[-—_·](?P<c>\d{1,2})班?"),  # 3-2
)
_DIGITS = re.compile(r"(?P<d>\d{3,4})班?")  # 302, 1203


def read_class(grade_text: str, class_text: str, read_grade: GradeReader) -> ClassKey:
    """(grade, class) from the 年级 and 班级 cells (either may be ''); GradeError with a problem code otherwise."""
    grade_text, class_text = _compact(grade_text), _compact(class_text)
    grade = None
    if grade_text:
        try:
            grade = read_grade(grade_text)
        except GradeError as error:
            raise GradeError(error.code, "grade") from None
    if not class_text:
        raise GradeError("missing_class")
    combined = _combined(class_text, read_grade)
    if combined is not None:
        if grade is not None and combined[0] != grade:
            raise GradeError("grade_mismatch")
        return combined
    if grade is None:
        if _CLASS_ALONE.fullmatch(class_text):
            raise GradeError("class_without_grade")
        raise GradeError("bad_class")
    if match := _CLASS_ALONE.fullmatch(class_text):
        number = small_number(match.group("c"))
        if number is not None and 1 <= number <= MAX_CLASS:
            return grade, number
    raise GradeError("bad_class")


def _combined(text: str, read_grade: GradeReader) -> ClassKey | None:
    """A class written with its grade; None when the text has no grade in it. GradeError when it cannot be read."""
    if match := _DIGITS.fullmatch(text):
        digits = match.group("d")
        number = int(digits[-2:])
        if not 1 <= number <= MAX_CLASS:
            raise GradeError("bad_class")
        return _class_grade(digits[:-2], read_grade), number
    for pattern in _COMBINED:
        if match := pattern.fullmatch(text):
            grade = _class_grade(match.group("g"), read_grade)
            number_or_none = small_number(match.group("c"))
            if number_or_none is None or not 1 <= number_or_none <= MAX_CLASS:
                raise GradeError("bad_class")
            return grade, number_or_none
    return None


def _class_grade(text: str, read_grade: GradeReader) -> int:
    """The grade part of a class name; a grade that cannot be read makes the class unreadable."""
    try:
        return read_grade(text)
    except GradeError as error:
        raise GradeError("entry_year_ambiguous" if error.code == "entry_year_ambiguous" else "bad_class") from None


_TYPE_WORDS = {
    "老师": "教师", "教员": "教师", "教工": "教师", "任课教师": "教师", "班主任": "教师",
    "员工": "职工", "工勤": "职工", "后勤": "职工", "行政": "职工",
    "小学生": "学生", "中学生": "学生", "在校生": "学生", "在校学生": "学生",
}  # fmt: skip
_STAFF_WORDS = {"教职工", "教职员工", "教职员"}


def find_reader_type(text: str, reader_types: Iterable[ReaderType]) -> ReaderType | None:
    """A 读者类型 cell: the type's name or code, or a word schools use for it (老师 is 教师)."""
    types = list(reader_types)
    key = _compact(text).lower()
    wanted = [key, _TYPE_WORDS.get(key, "")]
    for word in wanted:
        for reader_type in types:
            if word and word in (_compact(reader_type.name).lower(), reader_type.code.lower()):
                return reader_type
    if key in _STAFF_WORDS:
        staff = [t for t in types if t.kind == ReaderType.Kind.STAFF]
        if len(staff) == 1:
            return staff[0]
    return None


# ---------------------------------------------------------------------------------------------------------------
# The rows


# A row that only totals up: 合计, 总计：45人, 共 45 人.
_TOTAL = re.compile(r"(?:合\s*计|总\s*计|小\s*计|共\s*计|共\s*\d+\s*人)(?:$|[\s:：\d])")


def parse_roster(
    table: Table,
    mapping: Mapping[str, int | None],
    *,
    library: Library,
    options: RosterOptions | None = None,
    school: School | None = None,
    today: dt.date | None = None,
) -> RosterPreview:
    """Read every row of the roster by the column mapping and match it with the library's readers; writes nothing.

    Raises TableError when the mapping cannot be used and RosterRefused when the library has no reader types.
    """
    check_mapping(mapping, ROSTER_FIELDS, width=table.width)
    options = options or RosterOptions()
    school = school or School.load(library)
    default_type = options.reader_type or school.default_type()
    columns = {spec.name: mapping.get(spec.name) for spec in ROSTER_FIELDS}
    names = {_compact(grade.name): grade.number for grade in school.grades.values()}
    read_grade = GradeReader(level=library.level, names=names, today=today or timezone.localdate())
    fills, titles, broken = _merged_cells(table, columns)
    checker = _Checker(school=school, options=options)
    name_heading = heading_key(table.headers[columns["name"]]) if columns["name"] is not None else ""
    read = 0
    for row in table.rows:
        cells = {
            name: fills.get((row.line, column), row.get(column))
            for name, column in columns.items()
            if column is not None
        }
        if not any(cells.values()):
            continue
        if skip := _not_a_person(row, cells, name_heading, titles):
            checker.problems.append(skip)
            continue
        read += 1
        if row.line in broken:
            checker.problems += [RowProblem(row.line, "", "merged_cells", {"cells": m.ref}) for m in broken[row.line]]
            continue
        checker.add(row.line, cells, default_type, read_grade)
    checker.check_cards()
    return checker.preview(read)


def _merged_cells(
    table: Table, columns: Mapping[str, int | None]
) -> tuple[dict[tuple[int, int], str], dict[int, MergedRange], dict[int, list[MergedRange]]]:
    """Merged cells over mapped columns, as (filled cells, title rows, broken rows).

    A class, grade or type merged down its pupils means all of them: filled from the top, without a word. A merge
    across a row that holds nothing else is a title (三年级（2）班名单) and the row is skipped. Any other merge
    breaks the rows it covers.
    """
    mapped = {column: name for name, column in columns.items() if column is not None}
    by_line = {row.line: row for row in table.rows}
    fills: dict[tuple[int, int], str] = {}
    titles: dict[int, MergedRange] = {}
    broken: dict[int, list[MergedRange]] = {}
    for merged in table.merged:
        hidden = [
            (line, column)
            for line in range(max(merged.first_line, table.header_line + 1), merged.last_line + 1)
            for column in range(merged.first_column, merged.last_column + 1)
            if column in mapped and (line, column) != (merged.first_line, merged.first_column)
        ]
        if not hidden:
            continue
        top = by_line.get(merged.first_line)
        if merged.first_line == merged.last_line and top is not None and sum(1 for v in top.values if v) == 1:
            titles[merged.first_line] = merged
        elif (
            merged.vertical
            and merged.first_line > table.header_line
            and top is not None
            and mapped.get(merged.first_column) in ("grade", "school_class", "reader_type")
        ):
            for cell in hidden:
                fills[cell] = top.get(merged.first_column)
        else:
            for line in sorted({line for line, _column in hidden}):
                broken.setdefault(line, []).append(merged)
    return fills, titles, broken


def _not_a_person(
    row: Row, cells: Mapping[str, str], name_heading: str, titles: Mapping[int, MergedRange]
) -> RowProblem | None:
    """A title merged across the row, a 合计 row, or the header again (sheets of several classes pasted together)."""
    filled = [value for value in row.values if value]
    if row.line in titles and len(filled) == 1:
        return RowProblem(row.line, "", "title_row", {"value": filled[0]})
    if any(_TOTAL.match(value) for value in filled):
        return RowProblem(row.line, "", "total_row")
    name = cells.get("name", "")
    if name and heading_key(name) in {name_heading, "姓名"}:
        return RowProblem(row.line, "", "header_row")
    return None


def _clean_number(
    line: int, name: str, raw: str, problems: list[RowProblem], *, barcode: bool = False, upper: bool = False
) -> str:
    """学号, 学籍号 or 借书证号 as stored; '' with an error when it is unusable."""
    text = _compact(raw)
    if text.lower() in _NO_VALUE:
        return ""
    if _SCIENTIFIC.fullmatch(text):
        problems.append(RowProblem(line, name, "scientific", {"label": LABELS[name], "value": raw.strip()}))
        return ""
    if barcode:
        text = clean_barcode(text)
    elif upper:
        text = text.upper()
    if len(text) > LIMITS[name]:
        params = {"label": LABELS[name], "value": raw.strip(), "limit": LIMITS[name]}
        problems.append(RowProblem(line, name, "too_long", params))
        return ""
    if barcode and not (is_scannable(text) and _BARCODE.fullmatch(text)):
        problems.append(RowProblem(line, name, "bad_card", {"value": raw.strip()}))
        return ""
    return text


class _Checker:
    """Reads the rows one by one, keeping what it saw to find repeats, and matches them with known readers."""

    def __init__(self, *, school: School, options: RosterOptions) -> None:
        self.school, self.options = school, options
        self.rows: list[RosterRow] = []
        self.problems: list[RowProblem] = []
        self.seen_numbers: dict[str, int] = {}
        self.seen_cards: dict[str, int] = {}
        self.seen_people: dict[tuple[str, object], int] = {}
        self.seen_readers: dict[int, int] = {}
        self.new_classes: dict[ClassKey, PlannedClass] = {}
        self.classes_in_file: set[ClassKey] = set()
        self.staff_in_file = False
        readers = school.readers
        self.by_number = {r.student_number: r for r in readers if r.student_number}
        self.by_card = {r.card: r for r in readers}
        self.types = {t.pk: t for t in school.reader_types}
        # Matching by name is for rows with neither 学号 nor card, and only among readers still at school.
        self.by_name: dict[tuple[str, object], list[KnownReader]] = defaultdict(list)
        for reader in readers:
            if reader.erased or reader.status != Reader.Status.ACTIVE:
                continue
            kind = self.types[reader.reader_type_id].kind
            place = reader.class_id if kind == ReaderType.Kind.STUDENT else ReaderType.Kind.STAFF
            self.by_name[(reader.name, place)].append(reader)
        self.class_ids = {c.pk: key for key, c in school.classes.items()}

    def add(self, line: int, cells: Mapping[str, str], default_type: ReaderType, read_grade: GradeReader) -> None:
        found: list[RowProblem] = []
        name = clean_name(cells.get("name", ""))
        if not name:
            found.append(RowProblem(line, "name", "missing_name"))
        elif len(name) > LIMITS["name"]:
            params = {"label": LABELS["name"], "value": name, "limit": LIMITS["name"]}
            found.append(RowProblem(line, "name", "too_long", params))
        reader_type, explicit = default_type, False
        if type_text := cells.get("reader_type", "").strip():
            found_type = find_reader_type(type_text, self.school.reader_types)
            if found_type is None:
                types = "、".join(t.name for t in self.school.reader_types)
                found.append(
                    RowProblem(line, "reader_type", "unknown_reader_type", {"value": type_text, "types": types})
                )
            else:
                reader_type, explicit = found_type, True
        row = RosterRow(line=line, name=name, reader_type=reader_type, explicit_type=explicit)
        gender, readable = parse_gender(cells.get("gender", ""))
        if not readable:
            found.append(RowProblem(line, "gender", "bad_gender", {"value": cells.get("gender", "").strip()}))
        row.gender = gender
        row.student_number = _clean_number(line, "student_number", cells.get("student_number", ""), found)
        row.student_id = _clean_number(line, "student_id", cells.get("student_id", ""), found, upper=True)
        row.card = _clean_number(line, "card", cells.get("card", ""), found, barcode=True)
        if any(p.code == "unknown_reader_type" for p in found):
            pass  # pupil or staff, nobody can tell: the class is not checked
        elif row.is_student:
            self._place(row, cells, read_grade, found)
        else:
            self.staff_in_file = True
        if not any(p.severity == Severity.ERROR for p in found):
            self._check_repeats(row, found)
        if not any(p.severity == Severity.ERROR for p in found):
            self._match(row, found)
        self.problems += found
        if not any(p.severity == Severity.ERROR for p in found):
            self.rows.append(row)
            if row.class_key is not None and row.class_id is None:
                self.new_classes[row.class_key].pupils += 1

    def _place(
        self, row: RosterRow, cells: Mapping[str, str], read_grade: GradeReader, found: list[RowProblem]
    ) -> None:
        grade_text, class_text = cells.get("grade", ""), cells.get("school_class", "")
        try:
            key = read_class(grade_text, class_text, read_grade)
        except GradeError as error:
            value = grade_text.strip() if error.field == "grade" else class_text.strip()
            params = {"value": value, "grade": grade_text.strip()}
            found.append(RowProblem(row.line, error.field, error.code, params))
            return
        row.class_key = key
        row.class_name = self.school.class_name(key)
        self.classes_in_file.add(key)
        existing = self.school.classes.get(key)
        if existing is not None:
            row.class_id = existing.pk
            return
        if key not in self.new_classes:
            self.new_classes[key] = PlannedClass(
                grade_number=key[0],
                number=key[1],
                grade_name=self.school.grade_name(key[0]),
                name=row.class_name,
                new_grade=key[0] not in self.school.grades,
            )
        self.new_classes[key].rows += 1
        if not self.options.create_classes:
            found.append(RowProblem(row.line, "school_class", "unknown_class", {"name": row.class_name}))

    def _check_repeats(self, row: RosterRow, found: list[RowProblem]) -> None:
        line = row.line
        if row.student_number and (other := self.seen_numbers.setdefault(row.student_number, line)) != line:
            params = {"value": row.student_number, "other": other}
            found.append(RowProblem(line, "student_number", "duplicate_student_number", params))
        if row.card and (other := self.seen_cards.setdefault(row.card, line)) != line:
            found.append(RowProblem(line, "card", "duplicate_card", {"value": row.card, "other": other}))
        if not row.student_number and not row.card:
            place: object = row.class_key if row.is_student else ReaderType.Kind.STAFF
            if (other := self.seen_people.setdefault((row.name, place), line)) != line:
                params = {"name": row.name, "place": self._place_name(row), "other": other}
                found.append(RowProblem(line, "name", "duplicate_person", params))

    def _place_name(self, row: RosterRow) -> str:
        return row.class_name if row.is_student else str(ReaderType.Kind.STAFF.label)

    def _match(self, row: RosterRow, found: list[RowProblem]) -> None:
        reader = self._find(row, found)
        if reader is None or any(p.severity == Severity.ERROR for p in found):
            return
        if (other := self.seen_readers.setdefault(reader.id, row.line)) != row.line:
            params = {"other": other, "name": reader.name, "card": reader.card}
            found.append(RowProblem(row.line, "", "same_reader", params))
            return
        row.reader_id = reader.id
        row.changes = self._changes(row, reader)
        row.action = Action.UPDATE if row.changes else Action.UNCHANGED
        if row.card and row.card != reader.card:
            found.append(RowProblem(row.line, "card", "card_differs", {"value": row.card, "current": reader.card}))
        if reader.status != Reader.Status.ACTIVE:
            status = Reader.Status(reader.status).label
            found.append(RowProblem(row.line, "", "reader_inactive", {"name": reader.name, "status": status}))

    def _find(self, row: RosterRow, found: list[RowProblem]) -> KnownReader | None:
        """The known reader this row is: by 学号, else by 借书证号, else by name within the class (or the staff)."""
        if row.student_number:
            reader = self.by_number.get(row.student_number)
            if reader is not None:
                row.matched_by = "student_number"
                if reader.erased:
                    found.append(RowProblem(row.line, "student_number", "erased_reader", {"value": row.student_number}))
                    return None
                owner = self.by_card.get(row.card) if row.card else None
                if owner is not None and owner.id != reader.id:
                    found.append(RowProblem(row.line, "card", "card_taken", {"value": row.card, "owner": _who(owner)}))
                return reader
        if row.card:
            owner = self.by_card.get(row.card)
            if owner is None:
                if row.card in self.school.retired:
                    found.append(RowProblem(row.line, "card", "card_retired", {"value": row.card}))
                return None
            if owner.erased or (row.student_number and owner.student_number):
                found.append(RowProblem(row.line, "card", "card_taken", {"value": row.card, "owner": _who(owner)}))
                return None
            row.matched_by = "card"
            return owner
        if row.student_number:
            return None
        place: object = row.class_id if row.is_student else ReaderType.Kind.STAFF
        if row.is_student and row.class_id is None:
            return None  # a class the import creates has nobody in it yet
        candidates = self.by_name.get((row.name, place), [])
        if len(candidates) > 1:
            params = {"place": self._place_name(row), "count": len(candidates), "name": row.name}
            found.append(RowProblem(row.line, "name", "ambiguous_name", params))
            return None
        if candidates:
            row.matched_by = "name"
            return candidates[0]
        return None

    def _changes(self, row: RosterRow, reader: KnownReader) -> list[Change]:
        changes = []
        if row.name != reader.name:
            changes.append(Change("name", reader.name, row.name))
        if row.gender is not None and row.gender != reader.gender:
            changes.append(Change("gender", reader.gender, row.gender))
        if row.explicit_type and row.reader_type.pk != reader.reader_type_id:
            changes.append(Change("reader_type", self.types[reader.reader_type_id].name, row.reader_type.name))
        if row.is_student and row.class_key is not None and row.class_id != reader.class_id:
            old = self.school.class_names.get(reader.class_id, "") if reader.class_id else ""
            changes.append(Change("school_class", old, row.class_name))
        if row.student_number and row.student_number != reader.student_number:
            changes.append(Change("student_number", reader.student_number, row.student_number))
        if row.student_id and row.student_id != reader.student_id:
            changes.append(Change("student_id", reader.student_id, row.student_id))
        return changes

    def check_cards(self) -> None:
        """A card number in the file that is already a book's barcode: the desk could not tell them apart."""
        new_cards = {row.card: row for row in self.rows if row.card and row.action == Action.NEW}
        if not new_cards:
            return
        library_id = self.school.library.pk
        taken = {code for (code,) in rows_in(Item, ["barcode"], "barcode", new_cards, where={"library_id": library_id})}
        for code in taken:
            row = new_cards[code]
            self.problems.append(RowProblem(row.line, "card", "card_is_item", {"value": code}))
            self.rows.remove(row)
            if row.class_key is not None and row.class_key in self.new_classes:
                self.new_classes[row.class_key].pupils -= 1

    def preview(self, read: int) -> RosterPreview:
        self.problems.sort(key=lambda p: p.line)
        planned = sorted(self.new_classes.values(), key=lambda c: (c.grade_number, c.number))
        create = self.options.create_classes
        absent, other_classes, other_pupils = self._absent()
        return RosterPreview(
            rows=self.rows,
            problems=self.problems,
            read=read,
            create_classes=create,
            new_classes=[c for c in planned if c.pupils > 0] if create else [],
            missing_classes=[] if create else [c for c in planned if c.rows > 0],
            absent=absent,
            other_classes=other_classes,
            other_pupils=other_pupils,
        )

    def _absent(self) -> tuple[list[AbsentGroup], int, int]:
        """Active readers not in the file: pupils per class the file names, the staff when it lists staff."""
        matched = {row.reader_id for row in self.rows if row.reader_id is not None}
        matched |= set(self.seen_readers)
        by_class: dict[ClassKey, list[KnownReader]] = defaultdict(list)
        staff: list[KnownReader] = []
        for reader in self.school.readers:
            if reader.id in matched or reader.erased or reader.status != Reader.Status.ACTIVE:
                continue
            if self.types[reader.reader_type_id].kind == ReaderType.Kind.STAFF:
                staff.append(reader)
            elif reader.class_id in self.class_ids:
                by_class[self.class_ids[reader.class_id]].append(reader)
        groups = [
            AbsentGroup(self.school.classes[key].name, _people(by_class[key]))
            for key in sorted(by_class)
            if key in self.classes_in_file
        ]
        if self.staff_in_file and staff:
            groups.append(AbsentGroup(str(ReaderType.Kind.STAFF.label), _people(staff)))
        others = [key for key in by_class if key not in self.classes_in_file]
        return groups, len(others), sum(len(by_class[key]) for key in others)


def _people(readers: list[KnownReader]) -> list[tuple[str, str]]:
    return sorted(((r.name, r.student_number) for r in readers), key=lambda person: (person[1] or "~", person[0]))


def _who(reader: KnownReader) -> str:
    return f"{reader.name}（{reader.student_number}）" if reader.student_number else reader.name


def _gender_label(gender: str) -> str:
    return str(Reader.Gender(gender).label) if gender in Reader.Gender.values else gender
