"""`xiaotu opac-passwords`: a class's initial passwords from the command line."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth.hashers import check_password
from django.core.management import CommandError, call_command

from xiaotu.opac.tests.school import build_school
from xiaotu.readers.models import Reader
from xiaotu.testing.factories import ReaderFactory

pytestmark = pytest.mark.django_db


def test_the_command_sets_the_passwords_of_a_named_class(settings):
    school = build_school()
    school_class = school.pupil.school_class
    assert school_class is not None
    fresh = ReaderFactory.create(library=school.library, school_class=school_class, student_number="2023000777")
    out = StringIO()

    call_command("opac_passwords", "--class", school_class.name, stdout=out)

    assert check_password("000777", Reader.objects.get(pk=fresh.pk).password)
    assert "设置 1 位" in out.getvalue() and "已有密码未改 2 位" in out.getvalue()


def test_an_unknown_class_is_named_and_nothing_changes():
    school = build_school()
    school_class = school.pupil.school_class
    assert school_class is not None
    fresh = ReaderFactory.create(library=school.library, school_class=school_class)

    with pytest.raises(CommandError, match="九年级"):
        call_command("opac_passwords", "--class", school_class.name, "--class", "九年级(9)班")

    assert Reader.objects.get(pk=fresh.pk).password == ""
