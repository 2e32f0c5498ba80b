"""Writes for records and items; record and item changes are audited in the same transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaotu.accounts.models import User
from xiaotu.accounts.services import audit_record
from xiaotu.barcodes import clean_barcode
from xiaotu.catalogue.matching import match_key
from xiaotu.catalogue.models import Item, ItemCategory, Record
from xiaotu.pinyin import name_pinyin
from xiaotu.schools.models import Location
from xiaotu.search.services import index_records

# A copy's fields that its record's search row carries: shelf (facet), withdrawn (hidden), call number (prefix search).
INDEXED_ITEM_FIELDS = {"location", "status", "call_number"}


def item_create(
    *,
    record: Record,
    barcode: str,
    accession_number: str,
    location: Location,
    category: ItemCategory,
    call_number: str = "",
    price: Decimal | None = None,
    by: User | None,
    at: dt.datetime | None = None,
) -> Item:
    at = at or timezone.now()
    with transaction.atomic():
        item = Item.objects.create(
            library_id=record.library_id,
            record=record,
            barcode=clean_barcode(barcode),
            accession_number=accession_number.strip(),
            call_number=call_number.strip(),
            location=location,
            category=category,
            price=price,
            acquired_on=timezone.localtime(at).date(),
        )
        audit_record(
            library=record.library, actor=by, action="item.create", obj=item, data={"barcode": item.barcode}, at=at
        )
        index_records(record_ids=[record.pk])
    return item


def item_set_status(*, item: Item, status: str, by: User | None, at: dt.datetime | None = None) -> Item:
    """Mark a copy lost, damaged, withdrawn or back on the shelf; lending and returning go through circulation."""
    at = at or timezone.now()
    new = Item.Status(status)
    with transaction.atomic():
        old = item.status
        Item.objects.filter(pk=item.pk).update(status=new)
        item.status = new
        audit_record(
            library=item.library, actor=by, action="item.status", obj=item, data={"from": old, "to": new}, at=at
        )
        index_records(record_ids=[item.record_id])
    return item


# -- editing records and copies (书目修改, 册修改) -------------------------------------------------------------------


class EditRefused(Exception):
    """An edit that cannot be made; `code` is stable, `message` says why to the librarian. Nothing changed."""

    def __init__(self, code: str, message: str) -> None:
        self.code, self.message = code, message
        super().__init__(message)


RECORD_FIELDS = (
    "title", "author", "publisher", "pub_place", "pub_year", "isbn", "price", "clc_class", "call_number",
    "edition", "pages", "series", "summary", "subjects",
)  # fmt: skip
_RECORD_LIMITS = {
    "title": 500, "author": 300, "publisher": 200, "pub_place": 100, "isbn": 17, "clc_class": 50, "call_number": 64,
    "edition": 100, "pages": 100, "series": 300,
}  # fmt: skip


def _jsonable(value: object) -> object:
    return str(value) if isinstance(value, Decimal) else value


def record_update(
    *,
    record: Record,
    changes: dict[str, Any],
    renumber: bool = False,
    by: User | None,
    at: dt.datetime | None = None,
) -> Record:
    """Change a record's main fields; copies that carry the old call number get the new one.

    `renumber` gives the record a new call number by the library's scheme (after a change of class) instead of the
    one in `changes`. A call number another record of the library has is refused.
    """
    from xiaotu.intake.callnumbers import assign_call_number, call_number_taken

    at = at or timezone.now()
    unknown = set(changes) - set(RECORD_FIELDS)
    if unknown:
        raise ValueError(f"not editable record fields: {sorted(unknown)}")
    if not str(changes.get("title", record.title)).strip():
        raise EditRefused("title_required", _("请填写题名。"))
    for name, limit in _RECORD_LIMITS.items():
        if len(str(changes.get(name) or "")) > limit:
            label = getattr(Record._meta.get_field(name), "verbose_name", name)
            raise EditRefused("too_long", _("%(field)s最多 %(limit)d 个字符。") % {"field": label, "limit": limit})
    with transaction.atomic():
        record = Record.objects.select_for_update().get(pk=record.pk)
        if renumber:
            clc_class = str(changes.get("clc_class", record.clc_class))
            if not clc_class:
                raise EditRefused("no_class", _("没有中图法分类号，无法分配索书号。"))
            changes = {
                **changes,
                "call_number": assign_call_number(
                    library=record.library, clc_class=clc_class, author=str(changes.get("author", record.author))
                ),
            }
        new_call_number = str(changes.get("call_number", record.call_number)).strip()
        changes["call_number"] = new_call_number
        if new_call_number and call_number_taken(library=record.library, call_number=new_call_number, record=record):
            raise EditRefused(
                "call_number_taken",
                _("索书号 %(call_number)s 已被本馆另一种书使用，请换一个。") % {"call_number": new_call_number},
            )
        before = {name: getattr(record, name) for name in changes}
        changed = [name for name in changes if before[name] != changes[name]]
        if not changed:
            return record
        old_call_number = record.call_number
        for name in changed:
            setattr(record, name, changes[name])
        fields = list(changed)
        if "author" in changed:
            record.author_pinyin = name_pinyin(record.author)
            authors = [dict(a) for a in record.authors]
            if authors:
                authors[0]["name"] = record.author
            elif record.author:
                authors = [{"name": record.author, "role": ""}]
            record.authors = [a for a in authors if a.get("name")]
            fields += ["author_pinyin", "authors"]
        if {"title", "author", "publisher", "pub_year", "isbn"} & set(changed):
            record.match_key = (
                ""
                if record.isbn
                else match_key(
                    title=record.title, author=record.author, publisher=record.publisher, year=record.pub_year
                )
            )
            fields.append("match_key")
        try:
            with transaction.atomic():
                record.save(update_fields=[*fields, "updated_at"])
        except IntegrityError:
            raise EditRefused(
                "call_number_taken",
                _("索书号 %(call_number)s 已被本馆另一种书使用，请换一个。") % {"call_number": new_call_number},
            ) from None
        audit_record(
            library=record.library,
            actor=by,
            action="record.update",
            obj=record,
            data={
                "from": {name: _jsonable(before[name]) for name in changed},
                "to": {name: _jsonable(changes[name]) for name in changed},
            },
            at=at,
        )
        if "call_number" in changed and old_call_number:
            _follow_call_number(record, old_call_number, by, at)
        index_records(record_ids=[record.pk])
    return record


def _follow_call_number(record: Record, old: str, by: User | None, at: dt.datetime) -> None:
    """Copies labelled with the record's old call number (or a volume mark after it, I247.5/12:2) take the new one."""
    for item in Item.objects.select_for_update().filter(record=record, call_number__startswith=old).order_by("pk"):
        if item.call_number != old and item.call_number[len(old)] not in ":-.(":
            continue
        new = (record.call_number + item.call_number[len(old) :])[:64]
        Item.objects.filter(pk=item.pk).update(call_number=new)
        audit_record(
            library=record.library,
            actor=by,
            action="item.update",
            obj=item,
            data={"from": {"call_number": item.call_number}, "to": {"call_number": new}},
            at=at,
        )
        item.call_number = new


# 册的状态 by hand: which statuses a librarian may set here, and which of them an item still out on loan may take.
# ON_LOAN is never set by hand: only the desk lends. A copy out on loan is not in the building to be mended,
# and it is not back on the shelf or gone for good until it is returned; a reader may report it lost.
HAND_STATUSES = (
    Item.Status.AVAILABLE,
    Item.Status.LOST,
    Item.Status.DAMAGED,
    Item.Status.REPAIR,
    Item.Status.WITHDRAWN,
)
ALLOWED_WHILE_ON_LOAN = frozenset({Item.Status.LOST})
ITEM_FIELDS = ("location", "category", "status", "price", "call_number", "volume")


def _status_refusal(item: Item, new: str, holder: str | None) -> EditRefused | None:
    """Why the copy cannot take status `new` here, or None when it can."""
    title, barcode = item.record.title, item.barcode
    if new == Item.Status.ON_LOAN:
        return EditRefused(
            "status_on_loan_by_hand",
            _("《%(title)s》（%(barcode)s）：“借出”只能在借还台借书时产生，不能手工设置。")
            % {"title": title, "barcode": barcode},
        )
    if new not in HAND_STATUSES:
        return EditRefused("status_unknown", _("未知的状态。"))
    if holder is None or new in ALLOWED_WHILE_ON_LOAN:
        return None
    params = {"title": title, "barcode": barcode, "holder": holder}
    if new == Item.Status.AVAILABLE:
        return EditRefused(
            "status_on_loan",
            _("《%(title)s》（%(barcode)s）借给了 %(holder)s，还没有还：请在借还台还书，还书后会自动回到在架。")
            % params,
        )
    if new == Item.Status.WITHDRAWN:
        return EditRefused(
            "status_on_loan",
            _("《%(title)s》（%(barcode)s）借给了 %(holder)s，还没有还，不能注销：先还书，或先标记为丢失。") % params,
        )
    return EditRefused(
        "status_on_loan",
        _("《%(title)s》（%(barcode)s）借给了 %(holder)s，不在馆内：还书后才能标记为破损或修补。") % params,
    )


def _holders(items: list[Item]) -> dict[int, str]:
    from xiaotu.circulation.models import Loan

    return dict(Loan.objects.filter(item__in=items, returned_at__isnull=True).values_list("item_id", "reader__name"))


def _item_changes(item: Item, changes: dict[str, Any], holder: str | None) -> dict[str, tuple[Any, Any]]:
    """The changes that differ from the copy as it is, checked; EditRefused for one that may not be made."""
    unknown = set(changes) - set(ITEM_FIELDS)
    if unknown:
        raise ValueError(f"not editable item fields: {sorted(unknown)}")
    diff: dict[str, tuple[Any, Any]] = {}
    for name, value in changes.items():
        old = getattr(item, name)
        if name in ("location", "category"):
            if value.library_id != item.library_id:
                raise EditRefused("not_this_library", _("馆藏地点或流通类型不属于本馆。"))
            if old.pk != value.pk:
                diff[name] = (old, value)
        elif name == "status":
            if value != old:
                if refusal := _status_refusal(item, value, holder):
                    raise refusal
                diff[name] = (old, Item.Status(value))
        elif name in ("call_number", "volume"):
            value = str(value).strip()
            limit = 64 if name == "call_number" else 50
            if len(value) > limit:
                raise EditRefused("too_long", _("索书号最多 64 个字符，卷册最多 50 个字符。"))
            if value != old:
                diff[name] = (old, value)
        elif value != old:
            if value is not None and not Decimal(0) <= value < Decimal(10) ** 8:
                raise EditRefused("price", _("价格应在 0 到 99999999.99 元之间。"))
            diff[name] = (old, value)
    return diff


def _audit_value(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    return _jsonable(value)


def _write_item(item: Item, diff: dict[str, tuple[Any, Any]], by: User | None, at: dt.datetime) -> None:
    for name, (_old, new) in diff.items():
        setattr(item, name, new)
    item.save(update_fields=list(diff))
    audit_record(
        library=item.library,
        actor=by,
        action="item.update",
        obj=item,
        data={
            "from": {name: _audit_value(old) for name, (old, _new) in diff.items()},
            "to": {name: _audit_value(new) for name, (_old, new) in diff.items()},
        },
        at=at,
    )


def item_update(*, item: Item, changes: dict[str, Any], by: User | None, at: dt.datetime | None = None) -> Item:
    """Change a copy's location, category, status, price, call number or volume; refuses a status change that would
    contradict circulation (a copy out on loan cannot be put back on the shelf or withdrawn here)."""
    at = at or timezone.now()
    with transaction.atomic():
        locked = (
            Item.objects.select_for_update().select_related("record", "library", "location", "category").get(pk=item.pk)
        )
        diff = _item_changes(locked, changes, _holders([locked]).get(locked.pk))
        if diff:
            _write_item(locked, diff, by, at)
            if set(diff) & INDEXED_ITEM_FIELDS:
                index_records(record_ids=[locked.record_id])
    return locked


def items_update(
    *, items: Sequence[Item], changes: dict[str, Any], by: User | None, at: dt.datetime | None = None
) -> list[Item]:
    """批量修改 — the same location, category or status for every copy chosen, all or nothing.

    When one copy may not take the change, nothing changes and EditRefused names every copy that stood in the way.
    """
    at = at or timezone.now()
    allowed = {"location", "category", "status"}
    if not changes or set(changes) - allowed:
        raise ValueError(f"batch edits change only {sorted(allowed)}")
    with transaction.atomic():
        # One fixed order (by id) so two batch edits over overlapping copies never deadlock.
        locked = list(
            Item.objects.select_for_update()
            .select_related("record", "library", "location", "category")
            .filter(pk__in=[item.pk for item in items])
            .order_by("pk")
        )
        holders = _holders(locked)
        planned: list[tuple[Item, dict[str, tuple[Any, Any]]]] = []
        refusals: list[str] = []
        for item in locked:
            try:
                planned.append((item, _item_changes(item, changes, holders.get(item.pk))))
            except EditRefused as refusal:
                refusals.append(refusal.message)
        if refusals:
            shown = refusals[:10]
            more = len(refusals) - len(shown)
            message = _("没有修改任何一册：有 %(n)d 册不能这样改。") % {"n": len(refusals)} + " " + " ".join(shown)
            if more:
                message += " " + _("……还有 %(n)d 册。") % {"n": more}
            raise EditRefused("batch_refused", message)
        for item, diff in planned:
            if diff:
                _write_item(item, diff, by, at)
        index_records(record_ids={item.record_id for item, diff in planned if set(diff) & INDEXED_ITEM_FIELDS})
    return locked
