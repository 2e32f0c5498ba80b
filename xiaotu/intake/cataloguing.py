"""手工编目 — cataloguing one book in hand: its ISBN checked, looked up here and in other libraries, and saved.

Saving goes through the import's plan/apply, so a book catalogued by hand is matched, numbered (登录号, 条码,
索书号) and batched exactly as one that came in a vendor's file. The servers asked (联合目录) are set per library.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum import isbn as stdnum_isbn
from stdnum.exceptions import ValidationError as StdnumError

from xiaotu.accounts.models import User
from xiaotu.accounts.services import audit_record
from xiaotu.catalogue.models import Item, ItemCategory, Record
from xiaotu.intake.callnumbers import call_number_taken
from xiaotu.intake.importing import BatchInfo, ImportOptions, ImportRefused, apply_import, batch_create, plan_import
from xiaotu.intake.incoming import IncomingRecord
from xiaotu.intake.models import Batch, RemoteCatalogue
from xiaotu.intake.numbering import NumberingError
from xiaotu.intake.sources import from_bib
from xiaotu.interop.lookup import RemoteRecord, RemoteServer, lookup_isbn
from xiaotu.interop.marc import MarcFileError, MarcRecord, ParsedRecord, map_record, open_marc
from xiaotu.schools.models import Library, Location

MAX_COPIES = 200
# Long enough for a slow server far away; short enough that a librarian with a pile of books keeps scanning.
LOOKUP_TIMEOUT = 4.0
RECORDS_PER_SERVER = 5
HAND_BATCH_NOTE = "手工编目"
TEST_ISBN = "9787020002207"  # 《红楼梦》, 人民文学出版社: every Chinese union catalogue has it
_SIGNING_SALT = "xiaotu.intake.cataloguing.candidate"
_FLAVOURS = {"usmarc": "marc21", "unimarc": "unimarc", "cnmarc": "cnmarc"}


class CatalogueRefused(Exception):
    """Cataloguing cannot go ahead as asked; `code` is stable, `message` tells the librarian why. Nothing written."""

    def __init__(self, code: str, message: str) -> None:
        self.code, self.message = code, message
        super().__init__(message)


# -- ISBN -------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Isbn:
    """A checked ISBN in both forms; `isbn10` is empty for 979 ISBNs, which have none."""

    isbn13: str
    isbn10: str

    @property
    def display(self) -> str:
        return str(stdnum_isbn.format(self.isbn13))


def _isbn10_check(first9: str) -> str:
    check = (11 - sum((10 - i) * int(d) for i, d in enumerate(first9)) % 11) % 11
    return "X" if check == 10 else str(check)


def _ean_check(first12: str) -> str:
    return str((10 - sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first12)) % 10) % 10)


def check_isbn(text: str) -> Isbn:
    """The ISBN a scanner or a person typed, checked: 10 or 13 digits, the right check digit, 978/979.

    A scanner that also reads the price add-on under Chinese barcodes sends 15 or 18 digits: the add-on is dropped.
    Raises CatalogueRefused with a message saying exactly what is wrong.
    """
    raw = text.strip()
    if not raw:
        raise CatalogueRefused("isbn_empty", _("请扫描或输入 ISBN。"))
    number = re.sub(r"[\s\-‐‑–—_]", "", raw).upper()
    shown = raw[:40]
    if len(number) in (15, 18) and number.isdigit():
        number = number[:13]
    if not re.fullmatch(r"\d{9}[\dX]|\d{13}", number):
        if not re.fullmatch(r"\d+X?", number):
            raise CatalogueRefused(
                "isbn_format", _("“%(isbn)s”不是 ISBN：ISBN 只有数字（10 位的最后一位可以是 X）。") % {"isbn": shown}
            )
        raise CatalogueRefused(
            "isbn_length",
            _("“%(isbn)s”有 %(n)d 位数字，ISBN 应为 10 位或 13 位。请重新扫描。") % {"isbn": shown, "n": len(number)},
        )
    if len(number) == 13 and number[:3] not in ("978", "979"):
        if number.startswith("977"):
            raise CatalogueRefused(
                "isbn_issn", _("“%(isbn)s”是期刊的 ISSN 条码（977 开头），不是 ISBN。") % {"isbn": shown}
            )
        raise CatalogueRefused(
            "isbn_prefix",
            _("“%(isbn)s”不是 ISBN：图书的 ISBN 以 978 或 979 开头，这可能是商品条码。") % {"isbn": shown},
        )
    expected = _isbn10_check(number[:9]) if len(number) == 10 else _ean_check(number[:12])
    if number[-1] != expected:
        raise CatalogueRefused(
            "isbn_checksum",
            _("ISBN“%(isbn)s”的校验位不对：按前面的数字，最后一位应是 %(expected)s。请重新扫描，或核对书上印的 ISBN。")
            % {"isbn": shown, "expected": expected},
        )
    isbn13 = str(stdnum_isbn.to_isbn13(number))
    try:
        isbn10 = str(stdnum_isbn.to_isbn10(isbn13))
    except StdnumError:
        isbn10 = ""
    return Isbn(isbn13=isbn13, isbn10=isbn10)


def local_records(*, library: Library, isbn: Isbn) -> list[Record]:
    """Records of this library with the ISBN (normally one), oldest first."""
    return list(Record.objects.filter(library=library, isbn=isbn.isbn13).order_by("pk"))


# -- asking other libraries -------------------------------------------------------------------------------------------


def remote_server(catalogue: RemoteCatalogue, *, max_records: int = RECORDS_PER_SERVER) -> RemoteServer:
    """What the lookup client needs from a configured server; ValueError when the settings cannot work."""
    return RemoteServer(
        name=catalogue.name,
        protocol="sru" if catalogue.protocol == RemoteCatalogue.Protocol.SRU else "z3950",
        host=catalogue.host.strip(),
        port=catalogue.port,
        database=catalogue.database.strip() or "Default",
        path=catalogue.path.strip(),
        https=catalogue.https,
        syntax=catalogue.syntax,  # type: ignore[arg-type]  # the model's choices are the client's syntaxes
        encoding=catalogue.encoding or "utf-8",
        user=catalogue.user,
        password=catalogue.password,
        cql_index=catalogue.cql_index.strip() or "bath.isbn",
        max_records=max_records,
    )


@dataclass(frozen=True, slots=True)
class Candidate:
    """One record a server sent back, mapped for the librarian to look at; `token` carries it to the review form."""

    server: str
    position: int
    incoming: IncomingRecord
    token: str


@dataclass(slots=True)
class ServerAnswer:
    """What one server said: how many records it sent, or why it could not answer."""

    name: str
    found: int = 0
    failure: str = ""


@dataclass(slots=True)
class RemoteOutcome:
    candidates: list[Candidate] = field(default_factory=list)
    servers: list[ServerAnswer] = field(default_factory=list)

    @property
    def failures(self) -> list[ServerAnswer]:
        return [s for s in self.servers if s.failure]


class _Unreadable(Exception):
    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


def _read_remote(record: RemoteRecord) -> tuple[ParsedRecord, str]:
    """The record as the MARC reader maps it, and the format it was read as; _Unreadable says why not."""
    flavour = _FLAVOURS[record.syntax]
    xml = record.format == "marcxml"
    # Inside MARCXML the character set is the XML's own; a MARC21 flavour there is only the default guess.
    try:
        marc_file = open_marc(
            record.data,
            encoding=None if xml else record.encoding,
            marc_format=None if xml and flavour == "marc21" else flavour,
        )
        for entry in marc_file:
            if isinstance(entry, ParsedRecord):
                return entry, marc_file.info.format
            raise _Unreadable(str(entry.message))
    except MarcFileError as error:
        raise _Unreadable(str(error.message)) from None
    raise _Unreadable(_("服务器返回的记录是空的"))


def _candidate_incoming(parsed: IncomingRecord, isbn: Isbn | None) -> IncomingRecord:
    """Another library's record as a new record of ours: their copies and call numbers stay theirs."""
    parsed.copies = []
    parsed.copies_wanted = None
    parsed.call_number = ""
    if isbn is not None and parsed.isbn != isbn.isbn13:
        # The book in hand is the one being catalogued: its ISBN leads, the record's own ones are kept beside it.
        others = [parsed.isbn] if parsed.isbn else []
        parsed.other_isbns = [i for i in [*others, *parsed.other_isbns] if i and i != isbn.isbn13]
        parsed.isbn = isbn.isbn13
    return parsed


def remote_lookup(*, library: Library, isbn: Isbn, timeout: float = LOOKUP_TIMEOUT) -> RemoteOutcome:
    """Ask every enabled server of the library at once; never raises for a server that fails, says why instead."""
    outcome = RemoteOutcome()
    servers: list[RemoteServer] = []
    for catalogue in RemoteCatalogue.objects.filter(library=library, enabled=True).order_by("position", "pk"):
        answer = ServerAnswer(name=catalogue.name)
        outcome.servers.append(answer)
        try:
            servers.append(remote_server(catalogue))
        except ValueError:
            answer.failure = _("%(server)s 的设置有误，请管理员检查联合目录设置。") % {"server": catalogue.name}
    if not servers:
        return outcome
    results = lookup_isbn(isbn.isbn13, servers, timeout=timeout)
    by_name = {answer.name: answer for answer in outcome.servers}
    for failure in results.failures:
        if failure.server in by_name:
            by_name[failure.server].failure = failure.message
    for record in results:
        replied = by_name.get(record.server)
        try:
            parsed, marc_format = _read_remote(record)
        except _Unreadable as error:
            if replied is not None and not replied.failure:
                replied.failure = _("%(server)s 的第 %(n)d 条记录无法读取：%(reason)s") % {
                    "server": record.server,
                    "n": record.position,
                    "reason": error.message,
                }
            continue
        if not parsed.bib.title:
            continue
        if replied is not None:
            replied.found += 1
        original = parsed.original()
        token = signing.dumps(
            {"s": record.server, "p": record.position, "f": marc_format, "m": original},
            salt=_SIGNING_SALT,
            compress=True,
        )
        incoming = _candidate_incoming(from_bib(parsed.bib, position=record.position, marc=original), isbn)
        outcome.candidates.append(
            Candidate(server=record.server, position=record.position, incoming=incoming, token=token)
        )
    return outcome


def candidate_from_token(token: str, *, isbn: Isbn | None = None) -> tuple[str, IncomingRecord]:
    """The server name and the record a librarian picked, from the token the candidate list gave them."""
    try:
        payload = signing.loads(token[:200_000], salt=_SIGNING_SALT)
        marc = MarcRecord.from_json(payload["m"])
        bib, _issues = map_record(marc, payload["f"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise CatalogueRefused("bad_candidate", _("所选的记录已失效，请重新扫描 ISBN 再选一次。")) from None
    incoming = from_bib(bib, position=int(payload.get("p", 1)), marc=str(payload["m"]))
    return str(payload["s"]), _candidate_incoming(incoming, isbn)


# -- batches ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BatchChoice:
    """Which 总括登记 new copies go in: an open batch, a new donation batch (with the donor), or — neither given —
    today's hand-cataloguing batch, made on the first book of the day."""

    batch: Batch | None = None
    donor: str | None = None


def recent_batches(*, library: Library, limit: int = 15) -> list[Batch]:
    return list(Batch.objects.filter(library=library).order_by("-received_on", "-pk")[:limit])


def _resolve_batch(
    library: Library, choice: BatchChoice, by: User | None, at: dt.datetime
) -> tuple[Batch | None, BatchInfo | None]:
    if choice.batch is not None:
        if choice.batch.library_id != library.pk:
            raise CatalogueRefused("batch_unknown", _("所选的批次不属于本馆。"))
        return choice.batch, None
    today = timezone.localtime(at).date()
    if choice.donor is not None:
        return None, BatchInfo(
            received_on=today, source=Batch.Source.DONATION, vendor=choice.donor[:200], note=_("捐赠")
        )
    # Two librarians cataloguing at once must find the same day's batch: the library row serialises them.
    list(Library.objects.select_for_update().filter(pk=library.pk).values_list("pk"))
    daily = Batch.objects.filter(library=library, received_on=today, note=HAND_BATCH_NOTE).order_by("pk").first()
    if daily is None:
        daily = batch_create(
            library=library,
            info=BatchInfo(received_on=today, source=Batch.Source.PURCHASE, note=HAND_BATCH_NOTE),
            by=by,
        )
    return daily, None


# -- saving -----------------------------------------------------------------------------------------------------------


@dataclass(slots=True)
class Catalogued:
    """What was saved: the record (new, or the one already here that the copies joined) and the new copies."""

    record: Record
    items: list[Item]
    created: bool
    batch: Batch | None

    @property
    def accession_span(self) -> str:
        numbers = [item.accession_number for item in self.items]
        if not numbers:
            return ""
        return numbers[0] if len(numbers) == 1 else f"{numbers[0]}–{numbers[-1]}"


def _check_copies(copies: int) -> None:
    if not 1 <= copies <= MAX_COPIES:
        raise CatalogueRefused("copies", _("册数应在 1 到 %(most)d 之间。") % {"most": MAX_COPIES})


def _taken_message(call_number: str) -> str:
    return _("索书号 %(call_number)s 已被本馆另一种书使用，请换一个，或留空让系统自动分配。") % {
        "call_number": call_number
    }


def _apply(plan_options: ImportOptions, library: Library, incoming: IncomingRecord, *, force_record: Record | None,
           by: User | None, at: dt.datetime) -> tuple[Record, list[Item], bool, Batch | None]:  # fmt: skip
    plan = plan_import(library=library, incoming=[incoming], options=plan_options)
    entry = plan.records[0]
    if force_record is not None:
        entry.existing_id, entry.call_number = force_record.pk, force_record.call_number
    for problem in plan.problems:
        if problem.severity == "error" or problem.code == "call_number_taken":
            raise CatalogueRefused(problem.code, str(problem.message))
    try:
        with transaction.atomic():
            result = apply_import(plan=plan, by=by, at=at)
    except NumberingError as error:
        raise CatalogueRefused(error.code, error.message) from None
    except ImportRefused as error:
        raise CatalogueRefused(error.code, error.message) from None
    except IntegrityError:
        # Another librarian took the same call number between the check and the write.
        raise CatalogueRefused("call_number_taken", _taken_message(incoming.call_number or entry.call_number)) from None
    created = entry.existing_id is None
    record_id = entry.created_id if created else entry.existing_id
    assert record_id is not None
    record = Record.objects.get(pk=record_id)
    items = list(Item.objects.filter(pk__in=result.item_ids).order_by("pk"))
    return record, items, created, result.batch


def _audit_items(library: Library, items: Iterable[Item], by: User | None, at: dt.datetime, how: str) -> None:
    for item in items:
        audit_record(
            library=library,
            actor=by,
            action="item.create",
            obj=item,
            data={
                "barcode": item.barcode,
                "accession_number": item.accession_number,
                "batch": item.batch_id,
                "how": how,
            },
            at=at,
        )


def catalogue_record(
    *,
    library: Library,
    incoming: IncomingRecord,
    copies: int,
    location: Location,
    category: ItemCategory,
    batch: BatchChoice,
    call_number: str = "",
    source: str = "",
    by: User | None,
    at: dt.datetime | None = None,
) -> Catalogued:
    """Save a book catalogued by hand (a short form, or another library's record as reviewed) with its copies.

    `call_number` overrides the one the library's scheme would give; a call number another record has is refused.
    A record already in the catalogue (same ISBN; without one, same title, author, publisher and year) gets the
    copies instead of a duplicate, as in an import.
    """
    at = at or timezone.now()
    _check_copies(copies)
    call_number = call_number.strip()
    if len(call_number) > 64:
        raise CatalogueRefused("call_number_long", _("索书号最多 64 个字符。"))
    if location.library_id != library.pk or category.library_id != library.pk:
        raise CatalogueRefused("not_this_library", _("馆藏地点或流通类型不属于本馆。"))
    incoming.copies, incoming.copies_wanted, incoming.call_number = [], copies, call_number
    with transaction.atomic():
        if call_number and call_number_taken(library=library, call_number=call_number):
            raise CatalogueRefused("call_number_taken", _taken_message(call_number))
        existing_batch, new_batch = _resolve_batch(library, batch, by, at)
        options = ImportOptions(
            batch=existing_batch,
            new_batch=new_batch,
            location=location,
            category=category,
            copies_without_holdings=copies,
            keep_call_numbers=True,
        )
        record, items, created, used_batch = _apply(options, library, incoming, force_record=None, by=by, at=at)
        if created:
            audit_record(
                library=library,
                actor=by,
                action="record.create",
                obj=record,
                data={"title": record.title, "isbn": record.isbn, "call_number": record.call_number, "source": source},
                at=at,
            )
        _audit_items(library, items, by, at, "hand" if created else "hand_matched")
    return Catalogued(record=record, items=items, created=created, batch=used_batch)


def copies_add(
    *,
    record: Record,
    copies: int,
    location: Location,
    category: ItemCategory,
    batch: BatchChoice,
    by: User | None,
    at: dt.datetime | None = None,
) -> Catalogued:
    """复本 — more copies of a record already catalogued, numbered as an import numbers them."""
    at = at or timezone.now()
    _check_copies(copies)
    library = record.library
    if location.library_id != library.pk or category.library_id != library.pk:
        raise CatalogueRefused("not_this_library", _("馆藏地点或流通类型不属于本馆。"))
    incoming = IncomingRecord(
        position=1,
        title=record.title,
        author=record.author,
        publisher=record.publisher,
        pub_year=record.pub_year,
        isbn=record.isbn,
        price=record.price,
        clc_class=record.clc_class,
        copies_wanted=copies,
    )
    with transaction.atomic():
        existing_batch, new_batch = _resolve_batch(library, batch, by, at)
        options = ImportOptions(
            batch=existing_batch,
            new_batch=new_batch,
            location=location,
            category=category,
            copies_without_holdings=copies,
        )
        record, items, _created, used_batch = _apply(options, library, incoming, force_record=record, by=by, at=at)
        _audit_items(library, items, by, at, "copies")
    return Catalogued(record=record, items=items, created=False, batch=used_batch)


# -- the servers (联合目录设置, 管理员) --------------------------------------------------------------------------------

REMOTE_FIELDS = (
    "name", "protocol", "host", "port", "database", "path", "https", "syntax", "encoding", "user", "password",
    "cql_index", "enabled",
)  # fmt: skip


def _public(values: Mapping[str, Any]) -> dict[str, Any]:
    return {key: ("***" if key == "password" and value else value) for key, value in values.items()}


def remote_catalogue_save(
    *,
    library: Library,
    catalogue: RemoteCatalogue | None,
    values: Mapping[str, Any],
    by: User | None,
    at: dt.datetime | None = None,
) -> RemoteCatalogue:
    """Add a server (at the end of the list) or change one; settings the client cannot use are refused."""
    at = at or timezone.now()
    unknown = set(values) - set(REMOTE_FIELDS)
    if unknown:
        raise ValueError(f"not remote catalogue fields: {sorted(unknown)}")
    with transaction.atomic():
        target = catalogue if catalogue is not None else RemoteCatalogue(library=library)
        if target.library_id != library.pk:
            raise ValidationError(_("这个服务器不属于本馆。"))
        before = {key: getattr(target, key) for key in REMOTE_FIELDS} if catalogue is not None else {}
        for key, value in values.items():
            setattr(target, key, value)
        try:
            remote_server(target)
        except ValueError as error:
            raise ValidationError(_("服务器设置无法使用：%(detail)s") % {"detail": error}) from None
        if catalogue is None:
            last = RemoteCatalogue.objects.filter(library=library).aggregate(Max("position"))["position__max"]
            target.position = 0 if last is None else last + 1
        target.save()
        after = {key: getattr(target, key) for key in REMOTE_FIELDS}
        changed = {key: after[key] for key in REMOTE_FIELDS if before.get(key) != after[key]}
        audit_record(
            library=library,
            actor=by,
            action="remote_catalogue.create" if catalogue is None else "remote_catalogue.update",
            obj=target,
            data=_public(changed),
            at=at,
        )
    return target


def remote_catalogue_move(
    *, catalogue: RemoteCatalogue, step: int, by: User | None, at: dt.datetime | None = None
) -> None:
    """Move a server one place up (step -1) or down (+1) in the order the results are listed in."""
    at = at or timezone.now()
    with transaction.atomic():
        list(Library.objects.select_for_update().filter(pk=catalogue.library_id).values_list("pk"))
        ordered = list(RemoteCatalogue.objects.filter(library_id=catalogue.library_id).order_by("position", "pk"))
        index = next(i for i, c in enumerate(ordered) if c.pk == catalogue.pk)
        target = index + (1 if step > 0 else -1)
        if not 0 <= target < len(ordered):
            return
        ordered[index], ordered[target] = ordered[target], ordered[index]
        for position, entry in enumerate(ordered):
            if entry.position != position:
                entry.position = position
                RemoteCatalogue.objects.filter(pk=entry.pk).update(position=position)
        audit_record(
            library=catalogue.library,
            actor=by,
            action="remote_catalogue.move",
            obj=catalogue,
            data={"to": target},
            at=at,
        )


def remote_catalogue_delete(*, catalogue: RemoteCatalogue, by: User | None, at: dt.datetime | None = None) -> None:
    at = at or timezone.now()
    with transaction.atomic():
        audit_record(
            library=catalogue.library,
            actor=by,
            action="remote_catalogue.delete",
            obj=catalogue,
            data={"name": catalogue.name, "host": catalogue.host, "port": catalogue.port},
            at=at,
        )
        catalogue.delete()


@dataclass(frozen=True, slots=True)
class ServerTest:
    """The answer to 测试: whether the server gave records for the test ISBN, in words, and the first title."""

    ok: bool
    message: str
    first_title: str = ""
    seconds: float = 0.0


def remote_catalogue_test(*, catalogue: RemoteCatalogue, isbn: Isbn, timeout: float = LOOKUP_TIMEOUT + 1) -> ServerTest:
    """Ask one server for one ISBN, as the cataloguing page would, and say what happened."""
    try:
        server = remote_server(catalogue, max_records=3)
    except ValueError as error:
        return ServerTest(False, _("服务器设置无法使用：%(detail)s") % {"detail": error})
    started = time.monotonic()
    results = lookup_isbn(isbn.isbn13, [server], timeout=timeout)
    seconds = round(time.monotonic() - started, 1)
    if results.failures:
        return ServerTest(False, results.failures[0].message, seconds=seconds)
    if not results:
        return ServerTest(
            True,
            _("%(server)s 连接正常，但没有 ISBN %(isbn)s 的记录。可换一个本馆常见的 ISBN 再试。")
            % {"server": catalogue.name, "isbn": isbn.display},
            seconds=seconds,
        )
    try:
        parsed, _format = _read_remote(results[0])
    except _Unreadable as error:
        return ServerTest(
            False,
            _("%(server)s 有回应，但记录无法读取（%(reason)s）：请检查“记录格式”和“字符集”。")
            % {"server": catalogue.name, "reason": error.message},
            seconds=seconds,
        )
    return ServerTest(
        True,
        _("%(server)s 连接正常：ISBN %(isbn)s 找到 %(n)d 条记录。")
        % {"server": catalogue.name, "isbn": isbn.display, "n": len(results)},
        first_title=parsed.bib.title or "",
        seconds=seconds,
    )
