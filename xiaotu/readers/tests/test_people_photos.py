"""Readers' photos: kept as small JPEGs under a random name, checked on upload, shown only through a role check."""

from __future__ import annotations

import io

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from xiaotu.accounts.models import AuditEvent
from xiaotu.readers.models import Reader
from xiaotu.readers.services import PHOTO_MAX_BYTES, ReaderChangeRefused, photo_jpeg, reader_photo_set
from xiaotu.readers.tests.people_school import build_school, picture

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def school(library):
    return build_school(library)


def upload(client, reader: Reader, data: bytes, name: str = "photo.png", content_type: str = "image/png"):
    url = reverse("readers:reader_photo_upload", args=[reader.pk])
    return client.post(url, {"photo": SimpleUploadedFile(name, data, content_type=content_type)})


def photo_url(reader: Reader) -> str:
    return reverse("readers:reader_photo", args=[reader.pk])


def test_an_uploaded_photo_is_kept_as_a_small_jpeg_and_audited(client, school, media):
    client.force_login(school.librarian)
    response = upload(client, school.zhang, picture("PNG", (1200, 1600)))
    assert response.status_code == 302
    school.zhang.refresh_from_db()
    name = school.zhang.photo.name
    assert name.startswith("reader-photos/") and name.endswith(".jpg")
    assert "张" not in name and "R000101" not in name
    with Image.open(media / name) as kept:
        assert kept.format == "JPEG" and max(kept.size) <= 800
    assert AuditEvent.objects.filter(action="reader.photo", object_id=school.zhang.pk, data={"photo": "set"}).exists()


def test_the_photo_loses_its_exif_and_is_turned_upright():
    source = Image.new("RGB", (400, 300), "#336699")
    exif = Image.Exif()
    exif[0x0112] = 6  # taken with the phone on its side
    exif[0x010F] = "PhoneMaker"
    out = io.BytesIO()
    source.save(out, format="JPEG", exif=exif)
    with Image.open(io.BytesIO(photo_jpeg(out.getvalue()))) as kept:
        assert kept.size == (300, 400)
        assert not kept.getexif()


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"%PDF-1.4 not a photo", "photo.jpg", "不是能识别的图片"),
        (b"", "photo.png", "照片文件是空的"),
        (picture("TIFF"), "photo.tif", "照片只能是"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "broken.png", "不是能识别的图片"),
    ],
)
def test_files_that_are_not_photos_are_refused_in_chinese(client, school, media, data, name, message):
    client.force_login(school.librarian)
    response = upload(client, school.zhang, data, name=name)
    assert response.status_code == 400
    assert message in response.content.decode()
    school.zhang.refresh_from_db()
    assert not school.zhang.photo
    assert not (media / "reader-photos").exists() or not any((media / "reader-photos").iterdir())


def test_a_photo_too_big_is_refused_before_it_is_read(client, school):
    client.force_login(school.librarian)
    response = upload(client, school.zhang, b"\xff" * (PHOTO_MAX_BYTES + 1), name="huge.jpg")
    assert response.status_code == 400
    assert "照片文件太大" in response.content.decode() and "最大 5 MB" in response.content.decode()
    with pytest.raises(ReaderChangeRefused, match="太大"):
        photo_jpeg(b"\xff" * (PHOTO_MAX_BYTES + 1))


def test_no_file_at_all_is_refused(client, school):
    client.force_login(school.librarian)
    response = client.post(reverse("readers:reader_photo_upload", args=[school.zhang.pk]), {})
    assert response.status_code == 400
    assert "请选择照片文件" in response.content.decode()


def test_a_new_photo_replaces_the_old_file_once_committed(school, media, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        reader_photo_set(reader=school.zhang, photo=picture(), by=school.librarian)
    first = str(Reader.objects.get(pk=school.zhang.pk).photo.name)
    with django_capture_on_commit_callbacks(execute=True):
        reader_photo_set(reader=school.zhang, photo=picture("JPEG"), by=school.librarian)
    second = str(Reader.objects.get(pk=school.zhang.pk).photo.name)
    assert first != second
    assert not default_storage.exists(first) and default_storage.exists(second)
    with django_capture_on_commit_callbacks(execute=True):
        reader_photo_set(reader=school.zhang, photo=None, by=school.librarian)
    assert not Reader.objects.get(pk=school.zhang.pk).photo
    assert not default_storage.exists(second)


def test_removing_a_photo_from_the_page(client, school, django_capture_on_commit_callbacks):
    reader_photo_set(reader=school.zhang, photo=picture(), by=school.librarian)
    client.force_login(school.librarian)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("readers:reader_photo_remove", args=[school.zhang.pk]), follow=True)
    assert "照片已删除" in response.content.decode()
    assert not Reader.objects.get(pk=school.zhang.pk).photo


def test_the_photo_is_served_only_to_those_who_may_see_the_reader(client, school):
    reader_photo_set(reader=school.zhang, photo=picture(), by=school.librarian)
    reader_photo_set(reader=school.li, photo=picture(), by=school.librarian)
    name = Reader.objects.get(pk=school.zhang.pk).photo.name

    client.force_login(school.librarian)
    response = client.get(photo_url(school.zhang))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg" and "no-store" in response["Cache-Control"]
    assert response.content[:2] == b"\xff\xd8"

    client.force_login(school.teacher)
    assert client.get(photo_url(school.zhang)).status_code == 200
    assert client.get(photo_url(school.li)).status_code == 404

    client.force_login(school.student_librarian)
    assert client.get(photo_url(school.zhang)).status_code == 403

    client.logout()
    assert client.get(photo_url(school.zhang)).status_code == 302
    assert client.get(f"/media/{name}").status_code == 404


def test_a_reader_without_a_photo_or_with_a_lost_file_is_404(client, school, media):
    client.force_login(school.librarian)
    assert client.get(photo_url(school.zhang)).status_code == 404
    reader_photo_set(reader=school.zhang, photo=picture(), by=school.librarian)
    (media / Reader.objects.get(pk=school.zhang.pk).photo.name).unlink()
    assert client.get(photo_url(school.zhang)).status_code == 404
