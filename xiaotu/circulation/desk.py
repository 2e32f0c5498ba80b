"""What the circulation pages show: one scan turned into one service or selector call, and the result to render.

No loan rule lives here: whether a book may go out is decided by `services.checkout`; this module only decides
what a scan means (a card, a book or a name) and gathers what the desk then shows.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from django.db import models, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xiaotu.accounts.models import Role, User
from xiaotu.barcodes import clean_barcode
from xiaotu.catalogue.models import Item
from xiaotu.circulation.corners import is_corner_reader
from xiaotu.circulation.errors import REFUSAL_BY_READER_STATUS, LoanRefused
from xiaotu.circulation.holds import hold_kept_on, hold_shelf_for
from xiaotu.circulation.inroom import in_room_use_record, just_returned, shelving_record
from xiaotu.circulation.models import Hold, Loan
from xiaotu.circulation.policy import total_limit_for
from xiaotu.circulation.selectors import item_by_barcode, open_loans, reader_by_card, reader_search
from xiaotu.circulation.services import checkin, checkout, renew
from xiaotu.readers.models import Reader, SchoolClass
from xiaotu.schools.models import Library

SEARCH_LIMIT = 10
RETURNS_SHOWN = 30


class Mode(models.TextChoices):
    LEND = "lend", gettext_lazy("借出")
    RETURN = "return", gettext_lazy("还书")
    RENEW = "renew", gettext_lazy("续借")


@dataclass(frozen=True)
class Notice:
    """The line at the top of the desk after a scan; `code` is the refusal code when the desk said no."""

    kind: Literal["ok", "warn", "error", "info", "hold"]
    text: str
    code: str = ""
    detail: str = ""
    hint: str = ""
    late_days: int = 0

    @property
    def sound(self) -> str:
        return {"ok": "ok", "warn": "warn", "error": "error", "hold": "warn"}.get(self.kind, "")


@dataclass(frozen=True)
class LoanRow:
    loan: Loan
    days_overdue: int
    highlight: bool = False


@dataclass(frozen=True)
class ReaderPanel:
    """The reader in front of the desk: who they are, what they hold, how many more they may take."""

    reader: Reader
    loans: list[LoanRow]
    limit: int | None

    @property
    def overdue(self) -> int:
        return sum(1 for row in self.loans if row.days_overdue)

    @property
    def full(self) -> bool:
        return self.limit is not None and len(self.loans) >= self.limit

    @property
    def active(self) -> bool:
        return self.reader.status == Reader.Status.ACTIVE


@dataclass(frozen=True)
class TransferOffer:
    """先归还再借出 — offered when the book in hand is still on another reader's card."""

    barcode: str
    title: str
    holder: str


@dataclass(frozen=True)
class ReturnRow:
    loan: Loan
    days_overdue: int


@dataclass
class DeskResult:
    """Everything one desk action changes on the page; None means "leave that part as it is"."""

    notice: Notice | None = None
    panel: ReaderPanel | None = None
    clear_reader: bool = False
    choices: list[Reader] = field(default_factory=list)
    query: str = ""
    transfer: TransferOffer | None = None
    returns: list[ReturnRow] | None = None


def today() -> dt.date:
    return timezone.localdate()


def current_reader(*, library: Library, pk: int | None) -> Reader | None:
    """The reader the desk is serving, as sent back by the page; None if gone or of another library."""
    if pk is None:
        return None
    return Reader.objects.select_related("reader_type", "school_class").filter(library=library, pk=pk).first()


def reader_panel(reader: Reader, *, highlight: int | None = None) -> ReaderPanel:
    on = today()
    rows = [
        LoanRow(loan=loan, days_overdue=loan.days_overdue(on), highlight=loan.pk == highlight)
        for loan in open_loans(reader)
    ]
    return ReaderPanel(reader=reader, loans=rows, limit=total_limit_for(reader))


def todays_returns(*, library: Library, by: User) -> list[ReturnRow]:
    """What this member of staff has taken back today, newest first: the desk's running list."""
    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    loans = (
        Loan.objects.filter(library=library, returned_by=by, returned_at__gte=start)
        .select_related("item__record", "reader__school_class")
        .order_by("-returned_at", "-pk")[:RETURNS_SHOWN]
    )
    return [ReturnRow(loan=loan, days_overdue=_late(loan)) for loan in loans]


def _late(loan: Loan) -> int:
    returned = timezone.localtime(loan.returned_at).date() if loan.returned_at else today()
    return loan.days_overdue(returned)


def _refused(refusal: LoanRefused, *, hint: str = "") -> Notice:
    return Notice(kind="error", text=refusal.message, code=refusal.code, hint=hint)


def _reader_selected(reader: Reader, mode: str) -> DeskResult:
    panel = reader_panel(reader)
    if code := REFUSAL_BY_READER_STATUS.get(Reader.Status(reader.status)):
        notice = _refused(LoanRefused(code, reader=reader.name))
    elif panel.overdue:
        notice = Notice(
            kind="warn",
            text=_("%(name)s 有 %(count)d 本书已超期") % {"name": reader.name, "count": panel.overdue},
            code="reader_has_overdue",
            hint=_("请提醒读者尽快归还。"),
        )
    elif mode == Mode.RENEW:
        notice = Notice(
            kind="ok", text=_("读者：%(name)s。扫描要续借的书，或用 ↑ ↓ 选择后按 Alt+R") % {"name": reader.name}
        )
    else:
        notice = Notice(kind="ok", text=_("读者：%(name)s。请扫描要借的书") % {"name": reader.name})
    if notice.kind != "error" and (ready := list(hold_shelf_for(reader))):
        titles = "、".join(f"《{hold.record.title}》" for hold in ready)
        notice = dataclasses.replace(notice, hint=_("预约的书已到，在预约书架上：%(titles)s") % {"titles": titles})
    return DeskResult(notice=notice, panel=panel)


def _card(*, library: Library, text: str) -> Reader | None:
    try:
        return reader_by_card(library=library, barcode=text)
    except LoanRefused:
        return None


def _card_or_item(*, library: Library, text: str) -> Reader | Item | None:
    """A scan is a library card first, then a book; cards and books are numbered apart in every school we know."""
    if reader := _card(library=library, text=text):
        return reader
    try:
        return item_by_barcode(library=library, barcode=text)
    except LoanRefused:
        return None


def lend(*, library: Library, reader: Reader | None, text: str, by: User) -> DeskResult:
    """借出 mode: a card selects the reader, a book is lent to them, anything else searches readers."""
    if not clean_barcode(text):
        return DeskResult(notice=Notice(kind="info", text=_("请扫描借书证或图书条码")))
    found = _card_or_item(library=library, text=text)
    if isinstance(found, Reader):
        return _reader_selected(found, Mode.LEND)
    if isinstance(found, Item):
        return _lend_item(reader=reader, item=found, by=by)
    return _search(library=library, text=text, mode=Mode.LEND)


def _lend_item(*, reader: Reader | None, item: Item, by: User) -> DeskResult:
    if item.category.reference_only:
        return _in_room_use(reader=reader, item=item, by=by)
    if reader is None:
        return DeskResult(
            notice=Notice(
                kind="error",
                text=_("请先扫描借书证，再扫描要借的书"),
                code="no_reader",
                detail=_("刚才扫描的是《%(title)s》（%(barcode)s）")
                % {"title": item.record.title, "barcode": item.barcode},
                hint=_("如果是来还书，请按 F3 切换到还书。"),
            )
        )
    try:
        loan = checkout(reader=reader, item=item, by=by)
    except LoanRefused as refusal:
        offer = None
        hint = ""
        if refusal.code == "item_on_loan":
            if refusal.params.get("same_reader"):
                hint = _("这本书已经借给了当前读者；要续借请按 F4。")
            else:
                offer = TransferOffer(barcode=item.barcode, title=item.record.title, holder=refusal.params["holder"])
        return DeskResult(notice=_refused(refusal, hint=hint), transfer=offer)
    return DeskResult(
        notice=Notice(
            kind="ok",
            text=_("已借出《%(title)s》") % {"title": item.record.title},
            detail=_("应还日期 %(due)s") % {"due": loan.due_on.isoformat()},
        ),
        panel=reader_panel(reader, highlight=loan.pk),
    )


def _in_room_use(*, reader: Reader | None, item: Item, by: User) -> DeskResult:
    """工具书、现刊 never leave the room: the scan is counted as a use in the room, with or without a reader."""
    in_room_use_record(item=item, reader=reader, by=by)
    return DeskResult(
        notice=Notice(
            kind="info",
            text=_("已记录馆内阅览《%(title)s》") % {"title": item.record.title},
            code="in_room_use",
            detail=_("%(category)s仅供馆内阅览，不外借。") % {"category": item.category.name},
        )
    )


def _hold_notice(hold: Hold, *, title: str, returned_by: str = "") -> Notice:
    """The return desk's most important message: this copy goes on the hold shelf, not back on the open shelves."""
    reader = hold.reader
    who = f"{reader.name}（{reader.school_class}）" if reader.school_class_id else reader.name
    return Notice(
        kind="hold",
        text=_("请放到预约书架：留给 %(reader)s") % {"reader": who},
        code="hold_trapped",
        detail=_("已还《%(title)s》，借阅人：%(holder)s") % {"title": title, "holder": returned_by}
        if returned_by
        else _("《%(title)s》") % {"title": title},
        hint=_("保留至 %(date)s，已通知读者。") % {"date": hold.pickup_by.isoformat() if hold.pickup_by else ""},
    )


def _search(*, library: Library, text: str, mode: str) -> DeskResult:
    query = text.strip()
    readers = list(reader_search(library=library, q=query, limit=SEARCH_LIMIT))
    if len(readers) == 1 and readers[0].student_number == query:
        return _reader_selected(readers[0], mode)
    if not readers:
        return DeskResult(
            notice=Notice(
                kind="error",
                text=_("没有找到「%(query)s」") % {"query": query},
                code="not_found",
                detail=_("它不是借书证或图书条码，也没有这个姓名、拼音或学号的读者。"),
            )
        )
    return DeskResult(
        notice=Notice(
            kind="info", text=_("找到 %(count)d 位读者，用 ↑ ↓ 选择，按 Enter 确认") % {"count": len(readers)}
        ),
        choices=readers,
        query=query,
    )


def give_back(*, library: Library, reader: Reader | None, text: str, by: User) -> DeskResult:
    """还书 mode: the scanned book goes back, whoever had it; the reader being served stays selected."""
    if not clean_barcode(text):
        return DeskResult(notice=Notice(kind="info", text=_("请扫描要归还的图书条码")))
    try:
        item = item_by_barcode(library=library, barcode=text)
        returned = checkin(item=item, by=by)
    except LoanRefused as refusal:
        if refusal.code == "item_not_found" and (card := _card(library=library, text=text)):
            return DeskResult(
                notice=Notice(
                    kind="error",
                    text=_("这是 %(name)s 的借书证，不是图书条码") % {"name": card.name},
                    code="card_in_return_mode",
                    hint=_("还书请扫描图书条码；要为这位读者借书，请按 F2。"),
                )
            )
        if refusal.code == "item_not_on_loan":
            return _not_on_loan(item=item, by=by)
        return DeskResult(notice=_refused(refusal))
    loan = returned.loan
    holder = loan.reader
    where = f"{holder.name}（{holder.school_class}）" if holder.school_class_id else holder.name
    if returned.hold is not None:
        notice = _hold_notice(returned.hold, title=item.record.title, returned_by=where)
        return DeskResult(notice=notice, returns=todays_returns(library=library, by=by))
    if is_corner_reader(holder):
        # A pupil brought back a book of their class corner: the corner's loan is closed like any other.
        where = _("%(corner)s（班级图书角的书，已从图书角归还）") % {"corner": holder.name}
    notice = Notice(
        kind="warn" if returned.days_overdue else "ok",
        text=_("已还《%(title)s》") % {"title": item.record.title},
        detail=_("借阅人：%(reader)s") % {"reader": where},
        late_days=returned.days_overdue,
    )
    return DeskResult(notice=notice, returns=todays_returns(library=library, by=by))


def _not_on_loan(*, item: Item, by: User) -> DeskResult:
    """A book handed in that was not on loan: scanned twice, kept on the hold shelf, or back to the shelf (归架)."""
    title = item.record.title
    if kept := hold_kept_on(item):
        return DeskResult(notice=_hold_notice(kept, title=title))
    if previous := just_returned(item=item):
        return DeskResult(
            notice=Notice(
                kind="info",
                text=_("《%(title)s》刚才已经还过了") % {"title": title},
                code="already_returned",
                detail=_("借阅人：%(reader)s") % {"reader": previous.reader.name},
            )
        )
    shelving_record(item=item, by=by)
    status_note = "" if item.status == Item.Status.AVAILABLE else item.get_status_display()
    return DeskResult(
        notice=Notice(
            kind="warn" if status_note else "ok",
            text=_("《%(title)s》没有借出记录，已记录归架") % {"title": title},
            code="shelved",
            hint=_("这册书的状态是「%(status)s」，请交给管理员处理。") % {"status": status_note} if status_note else "",
        )
    )


def renew_scan(*, library: Library, reader: Reader | None, text: str, by: User) -> DeskResult:
    """续借 mode: a card selects the reader, a book gets a new due date; its reader's panel is shown."""
    if not clean_barcode(text):
        return DeskResult(notice=Notice(kind="info", text=_("请扫描要续借的图书条码")))
    found = _card_or_item(library=library, text=text)
    if isinstance(found, Reader):
        return _reader_selected(found, Mode.RENEW)
    if found is None:
        return _search(library=library, text=text, mode=Mode.RENEW)
    try:
        loan = renew(item=found, by=by)
    except LoanRefused as refusal:
        return DeskResult(notice=_refused(refusal))
    holder = current_reader(library=library, pk=loan.reader_id)
    assert holder is not None  # the loan's reader is in this library
    return DeskResult(
        notice=Notice(
            kind="ok",
            text=_("已续借《%(title)s》") % {"title": found.record.title},
            detail=_("新的应还日期 %(due)s（第 %(n)d 次续借）") % {"due": loan.due_on.isoformat(), "n": loan.renewals},
        ),
        panel=reader_panel(holder, highlight=loan.pk),
    )


def transfer(*, library: Library, reader: Reader | None, barcode: str, by: User) -> DeskResult:
    """先归还再借出 — return the book from its holder and lend it to this reader, both or neither."""
    if reader is None:
        return DeskResult(notice=Notice(kind="error", text=_("请先扫描借书证"), code="no_reader"))
    try:
        item = item_by_barcode(library=library, barcode=barcode)
        with transaction.atomic():
            returned = checkin(item=item, by=by)
            loan = checkout(reader=reader, item=item, by=by)
    except LoanRefused as refusal:
        return DeskResult(notice=_refused(refusal, hint=_("没有归还，也没有借出：两步都没有做。")))
    return DeskResult(
        notice=Notice(
            kind="ok",
            text=_("已借出《%(title)s》") % {"title": item.record.title},
            detail=_("应还日期 %(due)s") % {"due": loan.due_on.isoformat()},
            hint=_("已先从 %(holder)s 的名下归还（逾期 %(days)d 天）")
            % {"holder": returned.loan.reader.name, "days": returned.days_overdue}
            if returned.days_overdue
            else _("已先从 %(holder)s 的名下归还") % {"holder": returned.loan.reader.name},
        ),
        panel=reader_panel(reader, highlight=loan.pk),
    )


def bad_input(message: str) -> DeskResult:
    return DeskResult(notice=Notice(kind="error", text=message, code="bad_input"))


# 我的班级 — a class teacher's read-only view of their pupils' loans.


@dataclass(frozen=True)
class PupilLoans:
    reader: Reader
    loans: list[LoanRow]

    @property
    def overdue(self) -> int:
        return sum(1 for row in self.loans if row.days_overdue)


@dataclass(frozen=True)
class ClassLoans:
    school_class: SchoolClass
    pupils: list[PupilLoans]

    @property
    def on_loan(self) -> int:
        return sum(len(p.loans) for p in self.pupils)

    @property
    def overdue(self) -> list[LoanRow]:
        rows = [row for p in self.pupils for row in p.loans if row.days_overdue]
        return sorted(rows, key=lambda row: -row.days_overdue)

    @property
    def borrowers(self) -> int:
        return sum(1 for p in self.pupils if p.loans)


def classes_for(*, library: Library, user: User) -> QuerySet[SchoolClass]:
    """A teacher sees the classes they are 班主任 of; an administrator may look at every class."""
    classes = SchoolClass.objects.filter(library=library).select_related("grade")
    if user.has_role(Role.ADMIN):
        return classes
    return classes.filter(teacher=user)


def class_loans(classes: Iterable[SchoolClass]) -> list[ClassLoans]:
    """Each pupil of the classes with their open loans, in three queries whatever the size of the class."""
    classes = list(classes)
    readers = list(
        Reader.objects.filter(school_class__in=classes)
        .select_related("reader_type")
        .order_by("student_number", "name_pinyin", "pk")
    )
    by_reader: dict[int, list[LoanRow]] = {r.pk: [] for r in readers}
    readers_by_pk = {r.pk: r for r in readers}
    on = today()
    loans = (
        Loan.objects.filter(reader__in=readers, returned_at__isnull=True)
        .select_related("item__record")
        .order_by("due_on", "pk")
    )
    for loan in loans:
        loan.reader = readers_by_pk[loan.reader_id]
        by_reader[loan.reader_id].append(LoanRow(loan=loan, days_overdue=loan.days_overdue(on)))
    return [
        ClassLoans(
            school_class=c,
            pupils=[PupilLoans(reader=r, loans=by_reader[r.pk]) for r in readers if r.school_class_id == c.pk],
        )
        for c in classes
    ]
