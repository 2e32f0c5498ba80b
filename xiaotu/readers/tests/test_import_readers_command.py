"""`xiaotu import-readers FILE`: the preview's problems and counts on the terminal; --dry-run writes nothing."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from xiaotu.accounts.models import AuditEvent
from xiaotu.readers.models import Reader, SchoolClass
from xiaotu.readers.tests.roster_helpers import csv_bytes, reader_types, xlsx

pytestmark = pytest.mark.django_db

ROWS = [
    [1, "2026001", "张小明", "男", "三年级", "2班", ""],
    [2, "2026002", "李华", "女", "三年级", "2班", ""],
    [3, "2026003", "", "男", "三年级", "2班", ""],
]


@pytest.fixture
def types(library):
    return reader_types(library)


@pytest.fixture
def roster(tmp_path):
    path = tmp_path / "三年级花名册.xlsx"
    path.write_bytes(xlsx(ROWS, title="三年级学生名单"))
    return path


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("import_readers", *args, stdout=out)
    return out.getvalue()


def test_a_dry_run_prints_the_preview_and_writes_nothing(types, roster):
    output = run(str(roster), "--dry-run", "--create-classes")
    assert "表头在第 2 行" in output and "姓名 ← C「姓名」" in output
    assert "! 第 5 行：没有姓名。" in output
    assert "新建班级：三年级(2)班（2 人）" in output
    assert "试运行，没有写入：读取 3 行：新读者 2 人" in output and "有错误、不导入的 1 行" in output
    assert not Reader.objects.exists() and not SchoolClass.objects.exists() and not AuditEvent.objects.exists()


def test_the_import_then_the_same_file_again(types, roster):
    output = run(str(roster), "--create-classes")
    assert output.rstrip().endswith("已导入。")
    assert Reader.objects.count() == 2
    assert list(Reader.objects.order_by("card_barcode").values_list("card_barcode", flat=True)) == ["S00001", "S00002"]
    assert AuditEvent.objects.get(action="readers.import").actor is None
    again = run(str(roster), "--create-classes")
    assert "无变化 2 人" in again and "没有任何改变" in again
    assert AuditEvent.objects.filter(action="readers.import").count() == 1


def test_without_create_classes_the_missing_classes_are_named(types, roster):
    output = run(str(roster))
    assert "本校还没有这些班级，它们的学生没有导入：三年级(2)班" in output and "--create-classes" in output
    assert not Reader.objects.exists()


def test_a_mapping_given_by_letter_number_or_heading(types, tmp_path):
    path = tmp_path / "名单.csv"
    path.write_bytes(
        csv_bytes([["A1", "周老师", "T0009"], ["A2", "吴老师", ""]], headers=["编号", "老师", "证"], encoding="gbk")
    )
    output = run(str(path), "--mapping", "student_number=A,姓名=2,card=证", "--reader-type", "teacher")
    assert "gbk" in output and "学号 ← A「编号」" in output and "借书证号 ← C「证」" in output
    teachers = dict(Reader.objects.values_list("name", "card_barcode"))
    assert teachers == {"周老师": "T0009", "吴老师": "T0010"}, "numbered on from the card in the file"
    assert Reader.objects.filter(reader_type__code="teacher", school_class=None).count() == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--mapping", "colour=A"], "看不懂列对应“colour=A”"),
        (["--mapping", "name=电话"], "表头中没有“电话”这一列"),
        (["--reader-type", "pupil"], "本馆没有代码为 pupil 的读者类型"),
        (["--sheet", "Sheet9"], "没有找到工作表“Sheet9”"),
    ],
)
def test_bad_options_are_refused_with_a_clear_message(types, roster, args, message):
    with pytest.raises(CommandError, match=message):
        run(str(roster), *args)


def test_a_file_that_is_not_a_spreadsheet_or_is_missing(types, tmp_path):
    picture = tmp_path / "名单.xlsx"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    with pytest.raises(CommandError, match="这不是表格文件"):
        run(str(picture))
    with pytest.raises(CommandError, match="找不到文件"):
        run(str(tmp_path / "nothing.xlsx"))
