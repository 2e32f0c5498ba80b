"""Readers' privacy (pupils are minors): their data exported for them, erased a set time after they left, the setting.

Erasure keeps the row — class, type, gender, status and every loan — so that statistics (loans per class, per
grade, per year) stay right; what is erased is everything that says who the reader was.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import CharField, Q, QuerySet, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from xiaotu.accounts.models import AuditEvent, Role, User
from xiaotu.accounts.services import audit_record
from xiaotu.circulation.models import Loan
from xiaotu.readers.models import Reader, RetiredCard
from xiaotu.schools.models import Library

ERASED_NAME = "已删除读者"
ERASED_CARD_PREFIX = "ERASED-"
ERASABLE_STATUSES = (Reader.Status.GRADUATED, Reader.Status.LEFT)
MAX_RETENTION_DAYS = 3650
_CHUNK = 500

# -- 导出个人信息 ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportFile:
    content: bytes
    filename: str
    content_type: str


EXPORT_FORMATS = {
    "json": "application/json; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _action_labels() -> dict[str, str]:
    return {
        "reader.create": _("登记为读者"),
        "reader.update": _("修改读者信息"),
        "reader.status": _("更改状态"),
        "reader.photo": _("更换照片"),
        "reader.export": _("导出个人信息"),
        "reader.erase": _("删除个人信息"),
        "loan.checkout": _("借出"),
        "loan.checkin": _("归还"),
        "loan.renew": _("续借"),
        "loan.lost": _("丢失登记"),
    }


def _when(value: dt.datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _day(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


def _loan_row(loan: Loan) -> dict[str, Any]:
    return {
        "title": loan.item.record.title,
        "author": loan.item.record.author,
        "barcode": loan.item.barcode,
        "issued_at": _when(loan.issued_at),
        "due_on": _day(loan.due_on),
        "returned_at": _when(loan.returned_at),
        "renewals": loan.renewals,
        "lost": loan.lost,
    }


def reader_export_data(*, reader: Reader) -> dict[str, Any]:
    """Everything the library holds about the reader, and nothing about anyone else: their record, their loans (open
    and past) and the audit log of their record and loans. Staff appear by role, not by name: a 学生馆员 is a pupil."""
    loans = list(Loan.objects.filter(reader=reader).select_related("item__record").order_by("issued_at", "pk"))
    loan_ids = [loan.pk for loan in loans]
    events = AuditEvent.objects.filter(library_id=reader.library_id).filter(
        Q(object_type="reader", object_id=reader.pk) | Q(object_type="loan", object_id__in=loan_ids)
    )
    labels = _action_labels()
    roles = dict(Role.choices)
    school_class = reader.school_class
    return {
        "profile": {
            "card_barcode": reader.card_barcode,
            "name": reader.name,
            "name_pinyin": reader.name_pinyin,
            "gender": reader.get_gender_display() if reader.gender else "",
            "reader_type": reader.reader_type.name,
            "school_class": school_class.name if school_class else "",
            "student_number": reader.student_number,
            "student_id": reader.student_id,
            "status": reader.get_status_display(),
            "left_on": _day(reader.left_on),
            "registered_at": _when(reader.created_at),
            "has_photo": bool(reader.photo),
            "retired_cards": [
                {"barcode": card.barcode, "reason": card.get_reason_display(), "retired_at": _when(card.retired_at)}
                for card in RetiredCard.objects.filter(reader=reader).order_by("retired_at", "pk")
            ],
            "library": reader.library.name,
        },
        "current_loans": [_loan_row(loan) for loan in loans if loan.returned_at is None],
        "loan_history": [_loan_row(loan) for loan in loans],
        "audit": [
            {
                "at": _when(event.at),
                "action": labels.get(event.action, event.action),
                "by": str(roles.get(event.actor.role, "")) if event.actor else "",
                "details": event.data,
            }
            for event in events.select_related("actor").order_by("at", "pk")
        ],
    }


def reader_export(*, reader: Reader, fmt: str, by: User | None, at: dt.datetime | None = None) -> ExportFile:
    """导出个人信息 — the reader's data as JSON or an Excel workbook, for them or their parents; audited."""
    if fmt not in EXPORT_FORMATS:
        raise ValidationError(_("导出格式只能是 JSON 或 Excel。"))
    if reader.erased_at is not None:
        raise ValidationError(_("这位读者的个人信息已经删除，没有可以导出的内容。"))
    at = at or timezone.now()
    data = reader_export_data(reader=reader)
    content = _export_json(data) if fmt == "json" else _export_xlsx(data)
    audit_record(library=reader.library, actor=by, action="reader.export", obj=reader, data={"format": fmt}, at=at)
    stamp = timezone.localtime(at).strftime("%Y%m%d")
    return ExportFile(content, f"reader-{reader.pk}-{stamp}.{fmt}", EXPORT_FORMATS[fmt])


def _export_json(data: dict[str, Any]) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2, default=str).encode()


_FORMULA = re.compile(r"^[=+\-@]")


def _sheet(workbook: Workbook, title: str, heads: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    sheet = workbook.create_sheet(title)
    sheet.append(list(heads))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(list(row))
        for cell in sheet[sheet.max_row]:
            # Text typed by people is text: a name starting with "=" must not become a formula in Excel.
            if isinstance(cell.value, str) and _FORMULA.match(cell.value):
                cell.data_type = "s"
    for index, head in enumerate(heads, start=1):
        longest = max([len(str(head)) * 2, *(len(str(c.value or "")) for c in sheet[get_column_letter(index)])])
        sheet.column_dimensions[get_column_letter(index)].width = min(60, longest + 2)
    sheet.freeze_panes = "A2"


def _yes(value: bool) -> str:
    return _("是") if value else _("否")


def _export_xlsx(data: dict[str, Any]) -> bytes:
    workbook = Workbook()
    if workbook.active is not None:
        workbook.remove(workbook.active)
    profile = data["profile"]
    fields = [
        (_("借书证号"), profile["card_barcode"]),
        (_("姓名"), profile["name"]),
        (_("拼音"), profile["name_pinyin"]),
        (_("性别"), profile["gender"]),
        (_("读者类型"), profile["reader_type"]),
        (_("班级"), profile["school_class"]),
        (_("学号"), profile["student_number"]),
        (_("学籍号"), profile["student_id"]),
        (_("状态"), profile["status"]),
        (_("离校日期"), profile["left_on"]),
        (_("登记时间"), profile["registered_at"]),
        (_("有照片"), _yes(profile["has_photo"])),
        (_("图书馆"), profile["library"]),
    ]
    fields += [
        (_("挂失的旧证号"), f"{card['barcode']}（{card['reason']} {card['retired_at']}）")
        for card in profile["retired_cards"]
    ]
    _sheet(workbook, _("基本信息"), [_("项目"), _("内容")], fields)
    heads = [_("书名"), _("作者"), _("条码"), _("借出时间"), _("应还日期"), _("归还时间"), _("续借次数"), _("丢失")]

    def loan_rows(loans: list[dict[str, Any]]) -> list[list[Any]]:
        return [
            [
                loan["title"],
                loan["author"],
                loan["barcode"],
                loan["issued_at"],
                loan["due_on"],
                loan["returned_at"],
                loan["renewals"],
                _yes(loan["lost"]),
            ]
            for loan in loans
        ]

    _sheet(workbook, _("在借"), [*heads[:5], heads[6]], [[*r[:5], r[6]] for r in loan_rows(data["current_loans"])])
    _sheet(workbook, _("借阅历史"), heads, loan_rows(data["loan_history"]))
    _sheet(
        workbook,
        _("操作记录"),
        [_("时间"), _("操作"), _("操作人"), _("详情")],
        [
            [event["at"], event["action"], event["by"], json.dumps(event["details"], ensure_ascii=False)]
            for event in data["audit"]
        ],
    )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# -- 离校读者信息删除 -----------------------------------------------------------------------------------------------


def readers_due_for_erasure(*, library: Library, today: dt.date) -> QuerySet[Reader]:
    """Readers who graduated or left more than library.reader_retention_days before ``today`` and still have their
    personal data; none when the library keeps it for ever (0). A reader without a leaving date is never due."""
    days = library.reader_retention_days
    if days <= 0:
        return Reader.objects.none()
    return Reader.objects.filter(
        library=library,
        status__in=ERASABLE_STATUSES,
        erased_at__isnull=True,
        left_on__isnull=False,
        left_on__lt=today - dt.timedelta(days=days),
    )


def readers_erase_expired(
    *, library: Library, today: dt.date, by: User | None = None, at: dt.datetime | None = None
) -> int:
    """删除到期的离校读者信息 — erase the personal data of the readers due (readers_due_for_erasure); returns how many.

    Name → 已删除读者, 拼音, 学号 and 学籍号 blank, the photo file deleted, the card number → ERASED-<id>; gender,
    class, type, status and loans stay, so counts stay right. The audit log gets one row per reader and a summary, and
    the earlier audit rows of those readers and their loans lose the personal values they held. Running it again
    erases nothing more.
    """
    at = at or timezone.now()
    total = 0
    photos: list[str] = []
    with transaction.atomic():
        ids = list(readers_due_for_erasure(library=library, today=today).order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            readers = list(
                readers_due_for_erasure(library=library, today=today)
                .select_for_update()
                .filter(pk__in=chunk)
                .only("pk", "status", "left_on", "photo")
            )
            erased = [reader.pk for reader in readers]
            photos += [str(reader.photo.name) for reader in readers if reader.photo]
            Reader.objects.filter(pk__in=erased).update(
                name=ERASED_NAME,
                name_pinyin="",
                name_initials="",
                student_number="",
                student_id="",
                photo="",
                password="",
                card_barcode=Concat(Value(ERASED_CARD_PREFIX), Cast("pk", output_field=CharField())),
                erased_at=at,
            )
            _redact_audit(library=library, reader_ids=erased)
            AuditEvent.objects.bulk_create(
                [
                    AuditEvent(
                        library=library,
                        at=at,
                        actor=by,
                        action="reader.erase",
                        object_type="reader",
                        object_id=reader.pk,
                        data={"status": reader.status, "left_on": _day(reader.left_on)},
                    )
                    for reader in readers
                ]
            )
            total += len(readers)
        if total:
            audit_record(
                library=library,
                actor=by,
                action="readers.erase_expired",
                obj=library,
                data={"count": total, "retention_days": library.reader_retention_days, "today": today.isoformat()},
                at=at,
            )
        transaction.on_commit(lambda: _delete_files(photos))
    return total


def _redact_audit(*, library: Library, reader_ids: list[int]) -> None:
    """What the audit log said about these readers loses its personal values: the rows stay (what happened, when,
    by whom), the card numbers and names in them go."""
    AuditEvent.objects.filter(library=library, object_type="reader", object_id__in=reader_ids).update(
        data={"erased": True}
    )
    placeholder = {pk: f"{ERASED_CARD_PREFIX}{pk}" for pk in reader_ids}
    loans = dict(Loan.objects.filter(reader_id__in=reader_ids).values_list("pk", "reader_id"))
    loan_ids = list(loans)
    for start in range(0, len(loan_ids), _CHUNK):
        events = list(
            AuditEvent.objects.filter(
                library=library, object_type="loan", object_id__in=loan_ids[start : start + _CHUNK]
            ).only("pk", "object_id", "data")
        )
        changed = []
        for event in events:
            if isinstance(event.data, dict) and "reader" in event.data:
                event.data = {**event.data, "reader": placeholder[loans[event.object_id]]}
                changed.append(event)
        AuditEvent.objects.bulk_update(changed, ["data"], batch_size=_CHUNK)


def _delete_files(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)


# -- 隐私设置 -------------------------------------------------------------------------------------------------------


def reader_retention_set(*, library: Library, days: int, by: User | None, at: dt.datetime | None = None) -> Library:
    """离校读者信息保留天数 — 0 keeps the data of readers who left for ever; audited."""
    if not 0 <= days <= MAX_RETENTION_DAYS:
        raise ValidationError(_("请填 0 到 3650 之间的整数（天）。"))
    at = at or timezone.now()
    with transaction.atomic():
        old = Library.objects.select_for_update().values_list("reader_retention_days", flat=True).get(pk=library.pk)
        if old == days:
            return library
        Library.objects.filter(pk=library.pk).update(reader_retention_days=days)
        library.reader_retention_days = days
        audit_record(
            library=library,
            actor=by,
            action="library.reader_retention",
            obj=library,
            data={"from": old, "to": days},
            at=at,
        )
    return library
