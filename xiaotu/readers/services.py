"""Writes for readers; every change is audited in its own transaction."""

from __future__ import annotations

import datetime as dt
import io
import secrets
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

from xiaotu.accounts.models import User
from xiaotu.accounts.services import audit_record
from xiaotu.barcodes import MAX_BARCODE, clean_barcode, is_scannable
from xiaotu.pinyin import name_initials, name_pinyin
from xiaotu.readers.models import Reader, ReaderType, RetiredCard, SchoolClass
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


# -- 读者信息: edits by hand, photos --------------------------------------------------------------------------------


class ReaderChangeRefused(ValidationError):
    """A change to a reader that cannot be made; the message says why in Chinese and nothing was changed."""


EDITABLE_FIELDS = ("name", "gender", "school_class", "reader_type", "student_number", "student_id", "status")
# Suspending and reactivating is an edit; graduating, leaving and coming back belong to the school year's steps.
EDITABLE_STATUSES = (Reader.Status.ACTIVE, Reader.Status.SUSPENDED)
PHOTO_MAX_BYTES = 5 * 1024 * 1024
PHOTO_MAX_PIXELS = 40_000_000
PHOTO_BOX = (600, 800)
PHOTO_FORMATS = ("JPEG", "PNG", "WEBP", "GIF", "BMP")


def reader_register(
    *,
    library: Library,
    card_barcode: str,
    name: str,
    reader_type: ReaderType,
    school_class: SchoolClass | None = None,
    student_number: str = "",
    student_id: str = "",
    gender: str = "",
    by: User | None,
    at: dt.datetime | None = None,
) -> Reader:
    """新增读者 by hand: reader_create after the checks a person typing needs (a card or 学号 already taken, a lost
    card's number, a class of another library), each refused with ReaderChangeRefused."""
    card = clean_barcode(card_barcode)
    if not is_scannable(card):
        raise ReaderChangeRefused(_("借书证号不能为空，最多 %(n)d 个字符，不能含控制字符。") % {"n": MAX_BARCODE})
    with transaction.atomic():
        _check_card_free(library=library, card=card)
        _check_placement(library=library, reader_type=reader_type, school_class=school_class, old_class=None)
        _check_student_number_free(library=library, student_number=student_number.strip(), reader=None)
        reader = reader_create(
            library=library,
            card_barcode=card,
            name=_required_name(name),
            reader_type=reader_type,
            school_class=school_class,
            student_number=student_number,
            gender=gender,
            by=by,
            at=at,
        )
        if student_id.strip():
            reader.student_id = student_id.strip()
            Reader.objects.filter(pk=reader.pk).update(student_id=reader.student_id)
    return reader


def reader_update(
    *, reader: Reader, changes: Mapping[str, Any], by: User | None, at: dt.datetime | None = None
) -> Reader:
    """修改读者信息 — name (拼音 follows), gender, class, type, 学号, 学籍号, and suspending or reactivating; one audit
    row lists every field that changed from what to what. Erased readers, graduates and leavers are not edited here."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable reader fields: {sorted(unknown)}")
    at = at or timezone.now()
    with transaction.atomic():
        current = (
            Reader.objects.select_for_update(of=("self",))
            .select_related("reader_type", "school_class")
            .get(pk=reader.pk)
        )
        if current.erased_at is not None:
            raise ReaderChangeRefused(_("这位读者的个人信息已经删除，不能再修改。"))
        wanted = dict(changes)
        for field in ("name", "student_number", "student_id"):
            if field in wanted:
                wanted[field] = str(wanted[field]).strip()
        if "name" in wanted:
            wanted["name"] = _required_name(wanted["name"])
        if "gender" in wanted and wanted["gender"] not in Reader.Gender.values:
            raise ReaderChangeRefused(_("性别只能是男、女或不填。"))
        diff = {field: (getattr(current, field), value) for field, value in wanted.items()}
        diff = {field: (old, new) for field, (old, new) in diff.items() if old != new}
        if not diff:
            return current
        if "status" in diff:
            _check_status_change(current.status, str(diff["status"][1]))
        if "school_class" in diff or "reader_type" in diff:
            _check_placement(
                library=current.library,
                reader_type=wanted.get("reader_type", current.reader_type),
                school_class=wanted.get("school_class", current.school_class),
                old_class=current.school_class,
            )
        if "student_number" in diff:
            _check_student_number_free(library=current.library, student_number=wanted["student_number"], reader=current)
        for field, (_old, new) in diff.items():
            setattr(current, field, new)
        updated = list(diff)
        if "name" in diff:
            current.name_pinyin, current.name_initials = name_pinyin(current.name), name_initials(current.name)
            updated += ["name_pinyin", "name_initials"]
        try:
            with transaction.atomic():
                current.save(update_fields=updated)
        except IntegrityError as error:
            raise ReaderChangeRefused(_("学号已被另一位读者使用。")) from error
        audit_record(
            library=current.library,
            actor=by,
            action="reader.update",
            obj=current,
            data={"changes": {field: [_shown(old), _shown(new)] for field, (old, new) in diff.items()}},
            at=at,
        )
    return current


def photo_jpeg(data: bytes) -> bytes:
    """A photo as it is kept: a JPEG at most 600×800, turned upright, without its EXIF (which may hold where it was
    taken). ReaderChangeRefused for a file that is too big or not a picture."""
    if not data:
        raise ReaderChangeRefused(_("照片文件是空的。"))
    if len(data) > PHOTO_MAX_BYTES:
        raise ReaderChangeRefused(
            _("照片文件太大（%(size)s MB），最大 %(most)s MB。")
            % {"size": f"{len(data) / 1024 / 1024:.1f}", "most": PHOTO_MAX_BYTES // 1024 // 1024}
        )
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in PHOTO_FORMATS:
                raise ReaderChangeRefused(_("照片只能是 JPEG、PNG、WebP、GIF 或 BMP 图片。"))
            if probe.width * probe.height > PHOTO_MAX_PIXELS:
                raise ReaderChangeRefused(_("照片像素太多，请先缩小后再上传。"))
            probe.load()
            picture = ImageOps.exif_transpose(probe).convert("RGB")
    except ReaderChangeRefused:
        raise
    except (OSError, ValueError, Image.DecompressionBombError) as error:
        raise ReaderChangeRefused(_("这个文件不是能识别的图片，请上传 JPEG 或 PNG 照片。")) from error
    picture.thumbnail(PHOTO_BOX)
    out = io.BytesIO()
    picture.save(out, format="JPEG", quality=88, optimize=True)
    return out.getvalue()


def reader_photo_set(*, reader: Reader, photo: bytes | None, by: User | None, at: dt.datetime | None = None) -> Reader:
    """上传或删除照片 — ``photo`` is the uploaded file's bytes (None removes the photo). It is kept under a random name
    in MEDIA_ROOT and only ever served through the reader pages; the file it replaces is deleted once committed."""
    at = at or timezone.now()
    jpeg = photo_jpeg(photo) if photo is not None else None
    new = default_storage.save(f"reader-photos/{secrets.token_hex(12)}.jpg", ContentFile(jpeg)) if jpeg else ""
    try:
        with transaction.atomic():
            current = Reader.objects.select_for_update().select_related("library").get(pk=reader.pk)
            if current.erased_at is not None:
                raise ReaderChangeRefused(_("这位读者的个人信息已经删除，不能再修改。"))
            old = current.photo.name or ""
            if not new and not old:
                return current
            Reader.objects.filter(pk=current.pk).update(photo=new)
            current.photo.name = new
            if old:
                transaction.on_commit(lambda: default_storage.delete(old))
            audit_record(
                library=current.library,
                actor=by,
                action="reader.photo",
                obj=current,
                data={"photo": "set" if new else "removed"},
                at=at,
            )
    except BaseException:
        if new:
            default_storage.delete(new)
        raise
    return current


def _required_name(name: str) -> str:
    name = " ".join(str(name).split())
    if not name:
        raise ReaderChangeRefused(_("请填写姓名。"))
    if len(name) > 50:
        raise ReaderChangeRefused(_("姓名最多 50 个字符。"))
    return name


def _shown(value: Any) -> Any:
    """A value as the audit log keeps it: classes and types by name, everything else as it is."""
    if isinstance(value, SchoolClass | ReaderType):
        return value.name
    return value


def _check_card_free(*, library: Library, card: str) -> None:
    holder = Reader.objects.filter(library=library, card_barcode=card).first()
    if holder is not None:
        raise ReaderChangeRefused(_("借书证号 %(card)s 已经是 %(name)s 的证号。") % {"card": card, "name": holder.name})
    if RetiredCard.objects.filter(library=library, barcode=card).exists():
        raise ReaderChangeRefused(_("借书证号 %(card)s 是挂失或作废的证号，不能再用。") % {"card": card})


def _check_student_number_free(*, library: Library, student_number: str, reader: Reader | None) -> None:
    if not student_number:
        return
    holder = Reader.objects.filter(library=library, student_number=student_number)
    if reader is not None:
        holder = holder.exclude(pk=reader.pk)
    taken = holder.first()
    if taken is not None:
        raise ReaderChangeRefused(
            _("学号 %(number)s 已经是 %(name)s 的学号。") % {"number": student_number, "name": taken.name}
        )


def _check_placement(
    *, library: Library, reader_type: ReaderType, school_class: SchoolClass | None, old_class: SchoolClass | None
) -> None:
    if reader_type.library_id != library.pk:
        raise ReaderChangeRefused(_("这个读者类型不属于本馆。"))
    if school_class is None:
        return
    if school_class.library_id != library.pk:
        raise ReaderChangeRefused(_("这个班级不属于本馆。"))
    if reader_type.kind == ReaderType.Kind.STAFF:
        raise ReaderChangeRefused(_("教职工读者不分班级，请把班级留空。"))
    if not school_class.active and school_class != old_class:
        raise ReaderChangeRefused(_("%(name)s 已经毕业，不能再分进这个班。") % {"name": school_class.name})


def _check_status_change(old: str, new: str) -> None:
    if new not in EDITABLE_STATUSES:
        raise ReaderChangeRefused(_("毕业和离校请在学年管理中办理。"))
    if old not in EDITABLE_STATUSES:
        raise ReaderChangeRefused(_("已毕业或离校的读者不能在这里恢复，请在学年管理中办理转入。"))
