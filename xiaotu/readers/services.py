"""Writes for readers; every change is audited in its own transaction."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from xiaotu.accounts.models import User
from xiaotu.accounts.services import audit_record
from xiaotu.barcodes import clean_barcode
from xiaotu.pinyin import name_initials, name_pinyin
from xiaotu.readers.models import Reader, ReaderType, SchoolClass
from xiaotu.schools.models import Library


def reader_create(
    *,
    library: Library,
    card_barcode: str,
    name: str,
    reader_type: ReaderType,
    school_class: SchoolClass | None = None,
    student_number: str = "",
    gender: str = "",
    by: User | None,
    at: dt.datetime | None = None,
) -> Reader:
    at = at or timezone.now()
    with transaction.atomic():
        reader = Reader.objects.create(
            library=library,
            card_barcode=clean_barcode(card_barcode),
            name=name.strip(),
            name_pinyin=name_pinyin(name),
            name_initials=name_initials(name),
            reader_type=reader_type,
            school_class=school_class,
            student_number=student_number.strip(),
            gender=gender,
        )
        audit_record(
            library=library, actor=by, action="reader.create", obj=reader, data={"card": reader.card_barcode}, at=at
        )
    return reader


def reader_set_status(*, reader: Reader, status: str, by: User | None, at: dt.datetime | None = None) -> Reader:
    at = at or timezone.now()
    new = Reader.Status(status)
    with transaction.atomic():
        old = reader.status
        Reader.objects.filter(pk=reader.pk).update(status=new)
        reader.status = new
        audit_record(
            library=reader.library, actor=by, action="reader.status", obj=reader, data={"from": old, "to": new}, at=at
        )
    return reader
