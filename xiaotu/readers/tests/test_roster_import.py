"""Importing a roster: new readers with cards and 拼音, classes created, updates by 学号, nothing twice, audited."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from xiaotu.accounts.models import AuditEvent
from xiaotu.readers.importing import card_prefix
from xiaotu.readers.models import Grade, Reader, ReaderType, RetiredCard, SchoolClass
from xiaotu.readers.tests.roster_helpers import import_rows, pupils, reader_types
from xiaotu.testing.factories import GradeFactory, ItemFactory, ReaderFactory, SchoolClassFactory

pytestmark = pytest.mark.django_db

ROWS = [
    [1, "2026001", "张小明", "男", "三年级", "2班", "G2019001"],
    [2, "2026002", "李  华", "女", "三年级", "2班", ""],
    [3, "2026003", "单田芳", "男", "四年级", "1班", ""],
]


@pytest.fixture
def types(library):
    return reader_types(library)


def writes(queries: CaptureQueriesContext) -> list[str]:
    return [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].split(None, 1)[0].upper() in ("INSERT", "UPDATE", "DELETE")
    ]


def test_the_first_roster_of_a_school_creates_its_classes_and_readers(library, types, librarian):
    outcome = import_rows(library, ROWS, by=librarian)
    result = outcome.result
    assert result is not None and result.changed_anything
    assert result.counts | {"new": 3, "classes_new": 2} == result.counts
    assert list(Grade.objects.filter(library=library).values_list("number", "name")) == [(3, "三年级"), (4, "四年级")]
    assert list(SchoolClass.objects.values_list("name", flat=True)) == ["三年级(2)班", "四年级(1)班"]
    readers = {r.student_number: r for r in Reader.objects.select_related("school_class", "reader_type")}
    first = readers["2026001"]
    assert (first.name, first.gender, first.student_id, first.card_barcode) == ("张小明", "m", "G2019001", "S00001")
    assert (first.name_pinyin, first.name_initials) == ("zhangxiaoming", "zxm")
    assert first.school_class is not None and first.school_class.name == "三年级(2)班"
    assert first.reader_type == types["student"] and first.status == Reader.Status.ACTIVE
    assert readers["2026002"].name == "李华" and readers["2026002"].card_barcode == "S00002"
    assert readers["2026003"].name_pinyin == "shantianfang", "the surname 单 reads shan"


def test_an_import_is_audited_once_and_for_every_reader_and_class(library, types, librarian):
    result = import_rows(library, ROWS, by=librarian).result
    assert result is not None
    event = AuditEvent.objects.get(action="readers.import")
    assert event.pk == result.audit_id and event.actor == librarian and event.object_type == "library"
    assert event.data["new"] == 3 and event.data["file"] == "花名册.xlsx"
    assert event.data["classes"] == ["三年级(2)班", "四年级(1)班"]
    created = AuditEvent.objects.filter(action="reader.create").order_by("object_id")
    assert [e.object_id for e in created] == sorted(result.created_ids)
    assert created[0].data == {"card": "S00001", "import": event.pk} and created[0].actor == librarian
    assert AuditEvent.objects.filter(action="class.create").count() == 2


def test_the_same_roster_again_changes_nothing_and_writes_nothing(library, types, librarian):
    import_rows(library, ROWS, by=librarian)
    audit_rows = AuditEvent.objects.count()
    with CaptureQueriesContext(connection) as queries:
        outcome = import_rows(library, ROWS, by=librarian)
    assert outcome.result is not None and not outcome.result.changed_anything
    assert outcome.result.counts | {"new": 0, "updated": 0, "unchanged": 3} == outcome.result.counts
    assert writes(queries) == []
    assert AuditEvent.objects.count() == audit_rows and Reader.objects.count() == 3


def test_next_years_roster_updates_readers_by_student_number(library, types, librarian):
    import_rows(library, ROWS, by=librarian)
    before = {r.student_number: r for r in Reader.objects.all()}
    next_year = [
        [1, "2026001", "张晓明", "男", "四年级", "2班", "G2019001"],
        [2, "2026002", "李华", "女", "四年级", "2班", "G2019002"],
        [3, "2026003", "单田芳", "男", "五年级", "1班", ""],
    ]
    result = import_rows(library, next_year, by=librarian).result
    assert result is not None and result.counts | {"new": 0, "updated": 3, "classes_new": 2} == result.counts
    assert Reader.objects.count() == 3, "never a duplicate"
    after = {r.student_number: r for r in Reader.objects.select_related("school_class")}
    renamed = after["2026001"]
    assert (renamed.name, renamed.name_pinyin, renamed.name_initials) == ("张晓明", "zhangxiaoming", "zxm")
    assert renamed.card_barcode == before["2026001"].card_barcode and renamed.pk == before["2026001"].pk
    assert [after[n].school_class.name for n in ("2026001", "2026002", "2026003")] == [  # type: ignore[union-attr]
        "四年级(2)班",
        "四年级(2)班",
        "五年级(1)班",
    ]
    assert after["2026002"].student_id == "G2019002"
    update = AuditEvent.objects.get(action="reader.update", object_id=renamed.pk)
    assert update.data["changes"] == {"name": ["张小明", "张晓明"], "school_class": ["三年级(2)班", "四年级(2)班"]}
    assert update.data["import"] == result.audit_id


def test_a_name_corrected_writes_only_that_reader(library, types, librarian):
    import_rows(library, ROWS, by=librarian)
    corrected = [ROWS[0], [2, "2026002", "李桦", "女", "三年级", "2班", ""], ROWS[2]]
    with CaptureQueriesContext(connection) as queries:
        result = import_rows(library, corrected, by=librarian).result
    assert result is not None and result.counts["updated"] == 1 and result.counts["unchanged"] == 2
    updates = [sql for sql in writes(queries) if sql.startswith("UPDATE")]
    assert len(updates) == 1 and '"name_pinyin"' in updates[0] and '"school_class_id"' not in updates[0]
    assert Reader.objects.get(student_number="2026002").name_pinyin == "lihua"


def test_empty_cells_do_not_erase_what_the_library_knows(library, types, librarian):
    import_rows(library, ROWS, by=librarian)
    sparse = [[1, "2026001", "张小明", "", "三年级", "2班", ""]]
    result = import_rows(library, sparse, by=librarian).result
    assert result is not None and result.counts["unchanged"] == 1
    reader = Reader.objects.get(student_number="2026001")
    assert (reader.gender, reader.student_id) == ("m", "G2019001")


def test_pupils_missing_from_a_one_grade_roster_are_not_touched(library, types, librarian):
    import_rows(library, ROWS, by=librarian)
    result = import_rows(library, ROWS[:1], by=librarian).result
    assert result is not None and not result.changed_anything
    assert Reader.objects.filter(status=Reader.Status.ACTIVE).count() == 3


def test_without_student_numbers_a_roster_matches_by_name_within_the_class_and_is_idempotent(library, types):
    rows = [["张三", "男", "三年级(2)班"], ["李四", "女", "三年级(2)班"]]
    headers = ["姓名", "性别", "班级"]
    import_rows(library, rows, headers=headers)
    outcome = import_rows(library, rows, headers=headers)
    assert outcome.result is not None and not outcome.result.changed_anything
    assert Reader.objects.count() == 2


def test_generated_cards_continue_after_the_highest_in_use(library, types):
    school_class = SchoolClassFactory.create(
        grade=GradeFactory.create(library=library, number=3, name="三年级"), number=2
    )
    owner = ReaderFactory.create(library=library, card_barcode="S000017", school_class=school_class)
    RetiredCard.objects.create(library=library, barcode="S000020", reader=owner, retired_at=timezone.now())
    ItemFactory.create(library=library, barcode="S000022")
    headers = ["学号", "姓名", "班级", "借书证号"]
    rows = [["1", "甲", "三年级2班", ""], ["2", "乙", "三年级2班", "S000021"], ["3", "丙", "三年级2班", ""]]
    import_rows(library, rows, headers=headers)
    cards = dict(
        Reader.objects.filter(student_number__in=["1", "2", "3"]).values_list("student_number", "card_barcode")
    )
    assert cards == {"1": "S000023", "2": "S000021", "3": "S000024"}, "past retired cards, file cards and books"


def test_each_reader_type_has_its_own_card_letter(library, types):
    assert [card_prefix(t) for t in types.values()] == ["S", "T", "Z"]
    assert card_prefix(ReaderType(code="boarder", kind=ReaderType.Kind.STUDENT)) == "B"
    assert card_prefix(ReaderType(code="临时", kind=ReaderType.Kind.STAFF)) == "T"


def test_a_staff_list_imports_teachers_and_staff_without_classes(library, types, librarian):
    headers = ["工号", "姓名", "性别", "身份", "任教班级"]
    rows = [
        ["J001", "周老师", "女", "教师", "三年级2班"],
        ["J002", "吴师傅", "男", "职工", ""],
        ["J003", "郑老师", "女", "", ""],
    ]
    result = import_rows(library, rows, headers=headers, reader_type=types["teacher"], by=librarian).result
    assert result is not None and result.counts["new"] == 3 and result.counts["classes_new"] == 0
    staff = {r.name: r for r in Reader.objects.select_related("reader_type")}
    assert {name: (r.reader_type.code, r.card_barcode, r.school_class_id) for name, r in staff.items()} == {
        "周老师": ("teacher", "T0001", None),
        "吴师傅": ("staff", "Z0001", None),
        "郑老师": ("teacher", "T0002", None),
    }
    assert staff["周老师"].student_number == "J001"
    again = import_rows(library, rows, headers=headers, reader_type=types["teacher"], by=librarian).result
    assert again is not None and not again.changed_anything


def test_a_dry_run_plans_cards_and_writes_nothing(library, types):
    with CaptureQueriesContext(connection) as queries:
        outcome = import_rows(library, ROWS, dry_run=True)
    assert outcome.result is None and writes(queries) == []
    assert [row.card for row in outcome.plan.preview.rows] == ["S00001", "S00002", "S00003"]
    assert all(row.card_generated for row in outcome.plan.preview.rows)
    assert not Reader.objects.exists() and not SchoolClass.objects.exists()


def test_rows_with_errors_are_left_out_and_the_rest_imported(library, types):
    rows = [*ROWS, [4, "2026004", "", "男", "三年级", "2班", ""], [5, "2026001", "重复", "男", "三年级", "2班", ""]]
    result = import_rows(library, rows).result
    assert result is not None and result.counts | {"new": 3, "error_rows": 2} == result.counts
    assert Reader.objects.count() == 3


def test_a_3000_pupil_roster_imports_with_a_bounded_number_of_queries(library, types, librarian):
    """Query counts, never times: the writes are bulk, so 3,000 pupils cost as many statements as 30."""
    roster = pupils(3000)
    with CaptureQueriesContext(connection) as first:
        result = import_rows(library, roster, by=librarian).result
    assert result is not None and result.counts["new"] == 3000 and result.counts["error_rows"] == 0
    assert Reader.objects.filter(library=library).count() == 3000
    assert AuditEvent.objects.filter(action="reader.create").count() == 3000
    assert len(first.captured_queries) <= 40, [q["sql"][:80] for q in first.captured_queries]

    with CaptureQueriesContext(connection) as again:
        unchanged = import_rows(library, roster, by=librarian).result
    assert unchanged is not None and unchanged.counts["unchanged"] == 3000 and writes(again) == []
    assert len(again.captured_queries) <= 20

    # Next year every pupil moves up a grade: 3,000 updates, one statement for each class they move into.
    promoted = [
        [n, number, name, gender, f"{int(grade[0]) + 1}年级", cls, sid]
        for n, number, name, gender, grade, cls, sid in roster
    ]
    with CaptureQueriesContext(connection) as moved:
        result = import_rows(library, promoted, by=librarian).result
    assert result is not None and result.counts["updated"] == 3000
    classes = SchoolClass.objects.filter(readers__isnull=False).distinct().count()
    assert len(moved.captured_queries) <= 30 + classes, [q["sql"][:80] for q in moved.captured_queries]
    assert not Reader.objects.filter(school_class__grade__number=1).exists()
