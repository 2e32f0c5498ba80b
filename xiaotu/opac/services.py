"""Writes for the public catalogue: readers' OPAC passwords and the librarian's reading lists, each audited.

Passwords are hashed before the transaction opens: a hash costs a quarter of a second by design, and on SQLite an
open write transaction holds the whole database, desk included.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaotu.accounts.models import User
from xiaotu.accounts.services import audit_record
from xiaotu.catalogue.models import Record
from xiaotu.opac.models import ReadingList, ReadingListEntry
from xiaotu.readers.models import Grade, Reader, SchoolClass

PASSWORD_MIN = 4
PASSWORD_MAX = 64
INITIAL_DIGITS = 6
# The hash releases the GIL: two threads halve a class's wait on a two-core school PC.
_HASH_THREADS = 2


class OpacRefused(Exception):
    """A reading-list or password change the library's rules do not allow; `message` is for people."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


def password_problem(password: str) -> str | None:
    """Why this password cannot be a reader's, or None."""
    if len(password) < PASSWORD_MIN:
        return _("密码至少 %(n)d 位。") % {"n": PASSWORD_MIN}
    if len(password) > PASSWORD_MAX:
        return _("密码最多 %(n)d 位。") % {"n": PASSWORD_MAX}
    if not password.isprintable() or password != password.strip():
        return _("密码不能包含空格或控制字符。")
    return None


def random_password() -> str:
    """Six digits: what a pupil can copy from a slip and type on a tablet."""
    return "".join(secrets.choice("0123456789") for _ in range(INITIAL_DIGITS))


def _store_password(*, reader: Reader, encoded: str, action: str, by: User | None, at: dt.datetime | None) -> Reader:
    """Write the hashed password (or "" for none) and audit it, in one transaction."""
    with transaction.atomic():
        Reader.objects.filter(pk=reader.pk).update(password=encoded)
        reader.password = encoded
        audit_record(
            library=reader.library,
            actor=by,
            action=action,
            obj=reader,
            data={"reader": reader.card_barcode},
            at=at or timezone.now(),
        )
    return reader


def reader_password_set(*, reader: Reader, password: str, by: User | None, at: dt.datetime | None = None) -> Reader:
    """设置公共检索密码 — the reader signs in to the OPAC with their card number and this password."""
    if problem := password_problem(password):
        raise OpacRefused(problem)
    if reader.erased_at is not None:
        raise OpacRefused(_("这位读者的个人信息已删除，不能设置密码。"))
    return _store_password(
        reader=reader, encoded=make_password(password), action="reader.opac_password_set", by=by, at=at
    )


def reader_password_change(*, reader: Reader, new_password: str, at: dt.datetime | None = None) -> Reader:
    """修改密码 — by the signed-in reader themselves (the view has checked their current password)."""
    if problem := password_problem(new_password):
        raise OpacRefused(problem)
    return _store_password(
        reader=reader, encoded=make_password(new_password), action="reader.opac_password_change", by=None, at=at
    )


def reader_password_clear(*, reader: Reader, by: User | None, at: dt.datetime | None = None) -> Reader:
    """停用公共检索登录 — an empty password signs nobody in; a signed-in session ends at its next page."""
    return _store_password(reader=reader, encoded="", action="reader.opac_password_clear", by=by, at=at)


@dataclass(frozen=True)
class ClassPasswords:
    """What a class's initial passwords came to: how many were set, who was left as they were and why."""

    set_count: int
    kept: list[Reader]  # already had a password, and overwrite was not asked for
    without_number: list[Reader]  # no 学号 to take the digits from


def class_passwords_from_student_numbers(
    *, school_class: SchoolClass, by: User | None, overwrite: bool = False, at: dt.datetime | None = None
) -> ClassPasswords:
    """批量设置初始密码 — each pupil in school of the class gets the last six characters of their 学号.

    Pupils who already have a password keep it unless `overwrite`; pupils without a 学号 are listed, not guessed.
    """
    at = at or timezone.now()
    readers = list(
        Reader.objects.filter(
            school_class=school_class, status__in=[Reader.Status.ACTIVE, Reader.Status.SUSPENDED], erased_at=None
        )
        .select_related("library")
        .order_by("student_number", "pk")
    )
    kept = [reader for reader in readers if reader.password and not overwrite]
    without_number = [reader for reader in readers if reader not in kept and not reader.student_number.strip()]
    chosen = [reader for reader in readers if reader not in kept and reader not in without_number]
    initials = [reader.student_number.strip()[-INITIAL_DIGITS:] for reader in chosen]
    with ThreadPoolExecutor(max_workers=_HASH_THREADS) as pool:
        hashes = list(pool.map(make_password, initials))
    with transaction.atomic():
        for reader, encoded in zip(chosen, hashes, strict=True):
            Reader.objects.filter(pk=reader.pk).update(password=encoded)
            reader.password = encoded
            audit_record(
                library=reader.library,
                actor=by,
                action="reader.opac_password_set",
                obj=reader,
                data={"reader": reader.card_barcode, "from": "student_number"},
                at=at,
            )
    return ClassPasswords(set_count=len(chosen), kept=kept, without_number=without_number)


# -- 推荐书目 ---------------------------------------------------------------------------------------------------------


def _audit_list(reading_list: ReadingList, action: str, by: User | None, at: dt.datetime, **data: object) -> None:
    audit_record(
        library=reading_list.library,
        actor=by,
        action=f"reading_list.{action}",
        obj=reading_list,
        data={"title": reading_list.title, **data},
        at=at,
    )


def _check_list_fields(*, title: str, kind: str, grades: Sequence[Grade], library_id: int) -> str:
    title = title.strip()
    if not title:
        raise OpacRefused(_("请填写书目名称。"))
    if kind not in ReadingList.Kind.values:
        raise OpacRefused(_("请选择必读或选读。"))
    if any(grade.library_id != library_id for grade in grades):
        raise OpacRefused(_("所选年级不属于本馆。"))
    return title


def reading_list_create(
    *,
    library_id: int,
    title: str,
    kind: str,
    grades: Sequence[Grade],
    note: str = "",
    published: bool = True,
    by: User | None,
    at: dt.datetime | None = None,
) -> ReadingList:
    """新建推荐书目 — added after the library's other lists."""
    title = _check_list_fields(title=title, kind=kind, grades=grades, library_id=library_id)
    at = at or timezone.now()
    with transaction.atomic():
        last = ReadingList.objects.filter(library_id=library_id).aggregate(last=Max("position"))["last"]
        reading_list = ReadingList.objects.create(
            library_id=library_id,
            title=title,
            kind=kind,
            note=note.strip(),
            published=published,
            position=(last or 0) + 1,
        )
        reading_list.grades.set(grades)
        _audit_list(reading_list, "create", by, at, kind=kind, grades=[grade.number for grade in grades])
    return reading_list


def reading_list_update(
    *,
    reading_list: ReadingList,
    title: str,
    kind: str,
    grades: Sequence[Grade],
    note: str,
    published: bool,
    by: User | None,
    at: dt.datetime | None = None,
) -> ReadingList:
    title = _check_list_fields(title=title, kind=kind, grades=grades, library_id=reading_list.library_id)
    at = at or timezone.now()
    with transaction.atomic():
        reading_list.title, reading_list.kind, reading_list.note = title, kind, note.strip()
        reading_list.published = published
        reading_list.save(update_fields=["title", "kind", "note", "published", "updated_at"])
        reading_list.grades.set(grades)
        _audit_list(
            reading_list, "update", by, at, kind=kind, grades=[grade.number for grade in grades], published=published
        )
    return reading_list


def reading_list_delete(*, reading_list: ReadingList, by: User | None, at: dt.datetime | None = None) -> None:
    """删除推荐书目 — a list has no history of its own: its entries go with it, the books stay."""
    at = at or timezone.now()
    with transaction.atomic():
        _audit_list(reading_list, "delete", by, at, entries=reading_list.entries.count())
        reading_list.delete()


def reading_list_add(
    *, reading_list: ReadingList, record: Record, note: str = "", by: User | None, at: dt.datetime | None = None
) -> ReadingListEntry:
    """把书加入书目 — at the end of the list."""
    if record.library_id != reading_list.library_id:
        raise OpacRefused(_("这本书不属于本馆。"))
    at = at or timezone.now()
    with transaction.atomic():
        if reading_list.entries.filter(record=record).exists():
            raise OpacRefused(_("《%(title)s》已在这个书目中。") % {"title": record.title})
        last = reading_list.entries.aggregate(last=Max("position"))["last"]
        entry = ReadingListEntry.objects.create(
            reading_list=reading_list, record=record, note=note.strip()[:300], position=(last or 0) + 1
        )
        _audit_list(reading_list, "add", by, at, record=record.pk)
    return entry


def reading_list_entry_note(
    *, entry: ReadingListEntry, note: str, by: User | None, at: dt.datetime | None = None
) -> ReadingListEntry:
    at = at or timezone.now()
    with transaction.atomic():
        entry.note = note.strip()[:300]
        entry.save(update_fields=["note"])
        _audit_list(entry.reading_list, "note", by, at, record=entry.record_id)
    return entry


def reading_list_remove(*, entry: ReadingListEntry, by: User | None, at: dt.datetime | None = None) -> None:
    at = at or timezone.now()
    with transaction.atomic():
        _audit_list(entry.reading_list, "remove", by, at, record=entry.record_id)
        entry.delete()


def reading_list_move(
    *, entry: ReadingListEntry, up: bool, by: User | None, at: dt.datetime | None = None
) -> ReadingListEntry:
    """上移/下移 — swap the entry with its neighbour; positions are renumbered 1… so that ties never stick."""
    at = at or timezone.now()
    with transaction.atomic():
        entries = list(entry.reading_list.entries.order_by("position", "pk"))
        index = next(i for i, other in enumerate(entries) if other.pk == entry.pk)
        other = index - 1 if up else index + 1
        if 0 <= other < len(entries):
            entries[index], entries[other] = entries[other], entries[index]
        for position, each in enumerate(entries, start=1):
            if each.position != position:
                each.position = position
                each.save(update_fields=["position"])
        _audit_list(entry.reading_list, "move", by, at, record=entry.record_id, up=up)
    return entry


def reading_list_move_list(
    *, reading_list: ReadingList, up: bool, by: User | None, at: dt.datetime | None = None
) -> ReadingList:
    """Move a whole list up or down among the library's lists."""
    at = at or timezone.now()
    with transaction.atomic():
        lists = list(ReadingList.objects.filter(library_id=reading_list.library_id).order_by("position", "pk"))
        index = next(i for i, other in enumerate(lists) if other.pk == reading_list.pk)
        other = index - 1 if up else index + 1
        if 0 <= other < len(lists):
            lists[index], lists[other] = lists[other], lists[index]
        for position, each in enumerate(lists, start=1):
            if each.position != position:
                each.position = position
                each.save(update_fields=["position"])
        _audit_list(reading_list, "move", by, at, up=up)
    return reading_list
