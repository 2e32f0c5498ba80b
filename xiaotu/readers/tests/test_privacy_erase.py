"""删除离校读者信息: readers who left longer ago than the library keeps data lose everything that says who they
were, keep what statistics need; the daily job, the command and the 隐私设置 page all do it the same way."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from xiaotu.accounts.models import AuditEvent
from xiaotu.circulation.models import Loan
from xiaotu.circulation.services import checkin, checkout
from xiaotu.readers.models import Reader
from xiaotu.readers.privacy import readers_due_for_erasure, readers_erase_expired
from xiaotu.readers.services import reader_photo_set
from xiaotu.readers.tasks import erase_expired_readers
from xiaotu.readers.tests.people_school import build_school, picture
from xiaotu.schools.models import Library
from xiaotu.testing.factories import ItemFactory, LibraryFactory, ReaderFactory

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 9, 1)
PRIVACY = reverse("readers:reader_privacy")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def school(rules, library):
    """Retention 365 days. 李华 graduated on 2025-07-01 (due), 王芳 left on 2025-12-01 (kept), 张小明 is in school;
    李华 borrowed two books (returned) and has a photo."""
    school = build_school(library)
    Library.objects.filter(pk=library.pk).update(reader_retention_days=365)
    library.refresh_from_db()
    Reader.objects.filter(pk=school.li.pk).update(status=Reader.Status.GRADUATED, left_on=dt.date(2025, 7, 1))
    borrowed = timezone.now() - dt.timedelta(days=500)
    for barcode in ("T1", "T2"):
        item = ItemFactory.create(library=library, barcode=barcode)
        checkout(reader=school.li, item=item, by=school.librarian, at=borrowed)
        checkin(item=item, by=school.librarian, at=borrowed + dt.timedelta(days=5))
    reader_photo_set(reader=school.li, photo=picture(), by=school.librarian)
    school.li.refresh_from_db()
    return school


@pytest.fixture(autouse=True)
def wang(school):
    """王芳 left on 2025-12-01: within the 365 days on TODAY."""
    return ReaderFactory.create(
        library=school.library,
        name="王芳",
        card_barcode="R000103",
        student_number="20230102",
        school_class=school.other,
        reader_type=school.pupil_type,
        status=Reader.Status.LEFT,
        left_on=dt.date(2025, 12, 1),
    )


def loans_per_class() -> dict[int | None, int]:
    rows = Loan.objects.values("reader__school_class").annotate(n=Count("pk")).order_by()
    return {row["reader__school_class"]: row["n"] for row in rows}


def test_a_reader_past_the_period_is_erased_and_counts_stay(school, django_capture_on_commit_callbacks):
    photo = school.li.photo.name
    Reader.objects.filter(pk=school.li.pk).update(password="md5$x$y")
    before = loans_per_class()
    with django_capture_on_commit_callbacks(execute=True):
        assert readers_erase_expired(library=school.library, today=TODAY, by=school.admin) == 1
    li = Reader.objects.get(pk=school.li.pk)
    assert (li.name, li.name_pinyin, li.name_initials, li.student_number, li.student_id) == (
        "已删除读者",
        "",
        "",
        "",
        "",
    )
    assert li.card_barcode == f"ERASED-{li.pk}" and not li.photo and li.erased_at is not None
    assert li.password == "", "an erased reader's OPAC password goes too"
    assert (li.gender, li.school_class, li.reader_type, li.status) == (
        "f",
        school.other,
        school.pupil_type,
        "graduated",
    )
    assert not default_storage.exists(photo)
    assert loans_per_class() == before
    assert Loan.objects.filter(reader=li).count() == 2


def test_readers_within_the_period_or_in_school_are_kept(school, wang):
    readers_erase_expired(library=school.library, today=TODAY)
    assert Reader.objects.get(pk=wang.pk).name == "王芳"
    assert Reader.objects.get(pk=school.zhang.pk).name == "张小明"
    assert Reader.objects.get(pk=school.teacher_reader.pk).name == "王老师"


def test_the_day_after_the_period_ends_counts(school):
    """Left on 2025-12-01 and kept 365 days: kept on 2026-12-01 itself, erased from 2026-12-02."""
    assert readers_erase_expired(library=school.library, today=dt.date(2026, 12, 1)) == 1  # 李华 only
    assert readers_erase_expired(library=school.library, today=dt.date(2026, 12, 2)) == 1  # then 王芳


def test_retention_0_keeps_everyone(school):
    Library.objects.filter(pk=school.library.pk).update(reader_retention_days=0)
    school.library.refresh_from_db()
    assert readers_erase_expired(library=school.library, today=TODAY + dt.timedelta(days=10000)) == 0
    assert Reader.objects.filter(erased_at__isnull=False).count() == 0


def test_a_leaver_without_a_leaving_date_is_never_due(school, wang):
    Reader.objects.filter(pk=wang.pk).update(left_on=None)
    assert list(readers_due_for_erasure(library=school.library, today=TODAY + dt.timedelta(days=5000))) == [school.li]


def test_erasing_twice_changes_nothing_more(school):
    assert readers_erase_expired(library=school.library, today=TODAY) == 1
    first = Reader.objects.get(pk=school.li.pk)
    events = AuditEvent.objects.count()
    assert readers_erase_expired(library=school.library, today=TODAY) == 0
    again = Reader.objects.get(pk=school.li.pk)
    assert (again.erased_at, again.card_barcode) == (first.erased_at, first.card_barcode)
    assert AuditEvent.objects.count() == events


def test_the_audit_log_records_the_erasure_and_forgets_the_personal_values(school):
    readers_erase_expired(library=school.library, today=TODAY, by=school.admin)
    summary = AuditEvent.objects.get(action="readers.erase_expired")
    assert summary.data == {"count": 1, "retention_days": 365, "today": "2026-09-01"}
    assert summary.actor == school.admin
    row = AuditEvent.objects.get(action="reader.erase")
    assert (row.object_id, row.data) == (school.li.pk, {"status": "graduated", "left_on": "2025-07-01"})
    earlier = AuditEvent.objects.filter(object_type="reader", object_id=school.li.pk).exclude(action="reader.erase")
    assert earlier.exists() and all(event.data == {"erased": True} for event in earlier)
    loan_rows = AuditEvent.objects.filter(object_type="loan", object_id__in=Loan.objects.filter(reader=school.li))
    assert loan_rows.count() == 4
    assert {event.data["reader"] for event in loan_rows} == {f"ERASED-{school.li.pk}"}
    everything = str(list(AuditEvent.objects.values_list("data", flat=True)))
    assert "R000102" not in everything and "李华" not in everything


def test_erased_readers_still_show_in_the_list_anonymously(client, school):
    readers_erase_expired(library=school.library, today=TODAY)
    client.force_login(school.librarian)
    page = client.get(reverse("readers:reader_list"), {"status": "graduated"}).content.decode()
    assert "已删除读者" in page and "信息已删除" in page and "李华" not in page
    assert "个人信息已于" in client.get(reverse("readers:reader_detail", args=[school.li.pk])).content.decode()


# -- the daily job and the command ------------------------------------------------------------------------------------


def test_the_daily_job_erases_in_every_library(school, monkeypatch):
    elsewhere = LibraryFactory.create(code="second-school", name="第二小学", reader_retention_days=30)
    gone = ReaderFactory.create(
        library=elsewhere, card_barcode="Z1", status=Reader.Status.LEFT, left_on=TODAY - dt.timedelta(days=31)
    )
    monkeypatch.setattr(timezone, "localdate", lambda *args: TODAY)
    assert erase_expired_readers.call_local() == 2
    assert Reader.objects.get(pk=gone.pk).name == "已删除读者"
    assert Reader.objects.get(pk=school.li.pk).name == "已删除读者"


def test_the_command_dry_run_lists_and_changes_nothing(school, capsys, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args: TODAY)
    call_command("erase_readers", "--dry-run")
    out = capsys.readouterr().out
    assert "李华" in out and "R000102" in out and "试运行：共 1 位" in out and "王芳" not in out
    assert Reader.objects.get(pk=school.li.pk).name == "李华"
    assert not AuditEvent.objects.filter(action__startswith="reader.erase").exists()


def test_the_command_erases_for_one_library_or_all(school, capsys, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args: TODAY)
    call_command("erase_readers", "--library", school.library.code)
    assert "已删除 1 位" in capsys.readouterr().out
    assert Reader.objects.get(pk=school.li.pk).name == "已删除读者"
    Library.objects.filter(pk=school.library.pk).update(reader_retention_days=0)
    call_command("erase_readers")
    assert "保留天数为 0" in capsys.readouterr().out
    with pytest.raises(CommandError, match="没有代码为 nowhere 的图书馆"):
        call_command("erase_readers", "--library", "nowhere")


# -- 隐私设置 -------------------------------------------------------------------------------------------------------


def test_an_administrator_sets_the_retention_and_it_is_audited(client, school):
    client.force_login(school.admin)
    page = client.get(PRIVACY)
    assert page.status_code == 200 and "365" in page.content.decode()
    response = client.post(PRIVACY, {"action": "save", "reader_retention_days": "30"})
    assert response.status_code == 302
    school.library.refresh_from_db()
    assert school.library.reader_retention_days == 30
    event = AuditEvent.objects.get(action="library.reader_retention")
    assert (event.data, event.actor) == ({"from": 365, "to": 30}, school.admin)


@pytest.mark.parametrize(
    ("value", "message"),
    [("abc", "请填 0 到 3650"), ("-1", "请填 0 到 3650"), ("99999", "请填 0 到 3650"), ("", "请填写保留天数")],
)
def test_a_bad_retention_is_refused_in_chinese(client, school, value, message):
    client.force_login(school.admin)
    response = client.post(PRIVACY, {"action": "save", "reader_retention_days": value})
    assert response.status_code == 400
    assert message in response.content.decode()
    school.library.refresh_from_db()
    assert school.library.reader_retention_days == 365


def test_the_page_erases_what_is_due_now(client, school, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args: TODAY)
    client.force_login(school.admin)
    assert client.get(PRIVACY).context["due"] == 1
    response = client.post(PRIVACY, {"action": "erase"}, follow=True)
    assert "已删除 1 位离校读者的个人信息" in response.content.decode()
    assert AuditEvent.objects.get(action="readers.erase_expired").actor == school.admin
    assert "请求无法识别" in client.post(PRIVACY, {"action": "?"}, follow=True).content.decode()


def test_only_administrators_open_the_privacy_settings(client, school):
    for user in (school.librarian, school.teacher, school.student_librarian):
        client.force_login(user)
        assert client.get(PRIVACY).status_code == 403
        assert client.post(PRIVACY, {"action": "erase"}).status_code == 403
    assert Reader.objects.get(pk=school.li.pk).name == "李华"
