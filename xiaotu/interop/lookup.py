"""Ask other libraries for a book by ISBN: the servers to ask, the records they send back, and why one failed.

`lookup_isbn` is what the cataloguing desk calls after the local catalogue came up empty: it asks every configured
SRU and Z39.50 server at once, each in its own thread, and returns within `timeout` seconds with whatever came back.
Asking in parallel rather than in turn bounds the librarian's wait by the slowest server instead of the sum of all of
them; a server that is down, slow or talking nonsense becomes one entry in `failures` and never hides the others.

Records come back as the server sent them (ISO 2709 or MARCXML bytes, with the MARC flavour and the character set the
server is configured with); turning them into catalogue records is the MARC reader's job (`xiaotu.interop.marc`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any, Literal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from stdnum import isbn as stdnum_isbn
from stdnum.exceptions import ValidationError

logger = logging.getLogger(__name__)

Protocol = Literal["sru", "z3950"]
RecordSyntax = Literal["usmarc", "unimarc", "cnmarc", "marcxml"]
MarcFlavour = Literal["usmarc", "unimarc", "cnmarc"]
RecordFormat = Literal["iso2709", "marcxml"]

PROTOCOLS: tuple[Protocol, ...] = ("sru", "z3950")
RECORD_SYNTAXES: tuple[RecordSyntax, ...] = ("usmarc", "unimarc", "cnmarc", "marcxml")
SRU_VERSIONS = ("1.1", "1.2", "2.0")


@dataclass(frozen=True, slots=True)
class RemoteServer:
    """One library catalogue that answers SRU or Z39.50 (国家图书馆, a sister school, a vendor's server)."""

    name: str
    protocol: Protocol
    host: str
    port: int
    database: str = "Default"
    # SRU: the URL path; empty means "/<database>", the usual layout (YAZ, Zebra, Koha, LoC).
    path: str = ""
    https: bool = False
    # Z39.50: the preferred record syntax. CNMARC has no registered Z39.50 OID: Chinese servers send it under
    # UNIMARC's (1.2.840.10003.5.1), and the name here only says how to read what comes back. 'marcxml' asks a
    # Z39.50 server for MARC21 in XML; over SRU the MARC flavour inside the XML is taken from this field.
    syntax: RecordSyntax = "usmarc"
    # The character set the server's records are in, passed on with every record: utf-8, gb18030, marc-8.
    encoding: str = "utf-8"
    # Z39.50 idAuthentication: 'open' sends "user/password" as one string, 'idpass' the structured form.
    user: str = ""
    password: str = ""
    auth: Literal["open", "idpass"] = "open"
    # Z39.50: Bib-1 use attribute for ISBN (7); the element set name, empty for F (MARC) or marcxml (XML).
    use_attribute: int = 7
    element_set: str = ""
    # SRU
    sru_version: str = "1.2"
    cql_index: str = "bath.isbn"
    record_schema: str = "marcxml"
    record_packing: Literal["xml", "string"] = "xml"
    max_records: int = 10

    def __post_init__(self) -> None:
        if self.protocol not in PROTOCOLS:
            raise ValueError(f"protocol must be one of {PROTOCOLS}, not {self.protocol!r}")
        if self.syntax not in RECORD_SYNTAXES:
            raise ValueError(f"syntax must be one of {RECORD_SYNTAXES}, not {self.syntax!r}")
        if self.sru_version not in SRU_VERSIONS:
            raise ValueError(f"sru_version must be one of {SRU_VERSIONS}, not {self.sru_version!r}")
        if not 0 < self.port < 65536:
            raise ValueError(f"port out of range: {self.port}")
        if self.max_records < 1:
            raise ValueError("max_records must be at least 1")

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def marc_flavour(self) -> MarcFlavour:
        """The MARC format of this server's records: MARCXML is MARC21 unless the server is set to UNIMARC/CNMARC."""
        return "usmarc" if self.syntax == "marcxml" else self.syntax


@dataclass(frozen=True, slots=True)
class RemoteRecord:
    """One record as a server sent it, with where it came from and what it needs to be read."""

    server: str
    protocol: Protocol
    position: int
    syntax: MarcFlavour
    format: RecordFormat
    data: bytes
    encoding: str


@dataclass(frozen=True, slots=True)
class SearchResult:
    """What one server answered: how many records match, and the first few of them."""

    hits: int
    records: list[RemoteRecord]


# Codes are part of the API: change a message freely, never a code.
MESSAGES: dict[str, Promise] = {
    "invalid_isbn": _("“{isbn}”不是有效的 ISBN"),
    "connection_refused": _("{server}（{address}）拒绝连接：服务没有开启，或者地址、端口填错了"),
    "connection_failed": _("连接不上 {server}（{address}）：{reason}"),
    "timeout": _("{server} 在 {seconds} 秒内没有回应"),
    "connection_closed": _("{server} 中途断开了连接"),
    "server_closed": _("{server} 结束了会话：{reason}"),
    "protocol_error": _("{server} 的回应无法识别：{detail}"),
    "http_error": _("{server} 返回 HTTP 错误 {status}"),
    "unexpected_syntax": _("{server} 返回的记录格式无法使用：{syntax}"),
    "init_refused": _("{server} 拒绝登录，请检查用户名和密码"),
    "diagnostic": _("{server} 报告错误 {condition}：{detail}"),
}


class RemoteLookupError(LookupError):
    """Asking a server failed; `code` is stable, `message` is for the librarian, `params` fill it in."""

    default_code = "protocol_error"

    def __init__(self, code: str | None = None, *, server: str = "", **params: Any) -> None:
        self.code = code or self.default_code
        self.server = server
        self.params = params
        super().__init__(self.code)

    @property
    def message(self) -> str:
        values = {key: str(value) for key, value in self.params.items()}
        return str(MESSAGES[self.code]).format(server=self.server, **values)

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


class InvalidIsbn(RemoteLookupError):
    default_code = "invalid_isbn"


class ServerUnreachable(RemoteLookupError):
    """Nothing answers at that address: refused, unknown host, no route."""

    default_code = "connection_failed"


class ServerTimeout(RemoteLookupError):
    default_code = "timeout"


class ProtocolError(RemoteLookupError):
    """The server answered, but not in a way this client can use: garbage, a dropped connection, an HTTP error."""

    default_code = "protocol_error"


class ServerDiagnostic(RemoteLookupError):
    """The server understood and said no: a Bib-1 or SRU diagnostic, or a refused login."""

    default_code = "diagnostic"

    @property
    def condition(self) -> str:
        return str(self.params.get("condition", ""))


class LookupResults(list[RemoteRecord]):
    """The records found, server by server in the configured order; `failures` says which servers could not answer."""

    def __init__(self, records: Sequence[RemoteRecord] = (), failures: Sequence[RemoteLookupError] = ()) -> None:
        super().__init__(records)
        self.failures: list[RemoteLookupError] = list(failures)


def isbn_forms(isbn: str) -> tuple[str, ...]:
    """The ISBN-13 and, where one exists, the ISBN-10 of a scanned or typed ISBN; check digits verified.

    Catalogues index whichever form their records carry, so both are asked for. A scanner that also reads the
    2- or 5-digit add-on (the price code under Chinese barcodes) sends 15 or 18 digits: the add-on is dropped.
    """
    compact = stdnum_isbn.compact(isbn)
    if len(compact) in (15, 18) and compact.isdigit():
        compact = compact[:13]
    try:
        isbn13 = stdnum_isbn.to_isbn13(stdnum_isbn.validate(compact))
    except ValidationError:
        raise InvalidIsbn(isbn=isbn) from None
    try:
        return (isbn13, stdnum_isbn.to_isbn10(isbn13))
    except ValidationError:  # 979 ISBNs have no ISBN-10
        return (isbn13,)


def lookup_isbn(isbn: str, servers: Sequence[RemoteServer], *, timeout: float = 5.0) -> LookupResults:
    """Ask every server for `isbn` at once and return what they found within `timeout` seconds.

    Raises `InvalidIsbn` for a bad ISBN before asking anyone; every other failure is reported in `failures`.
    """
    forms = isbn_forms(isbn)
    if not servers:
        return LookupResults()
    executor = ThreadPoolExecutor(max_workers=min(len(servers), 8), thread_name_prefix="xiaotu-lookup")
    try:
        futures = [executor.submit(_ask, server, forms, timeout) for server in servers]
        # Each client enforces `timeout` itself and reports its own, more precise, timeout; the margin lets it.
        wait(futures, timeout=timeout + 0.5)
    finally:
        executor.shutdown(wait=False, cancel_futures=True)
    records: list[RemoteRecord] = []
    failures: list[RemoteLookupError] = []
    for server, future in zip(servers, futures, strict=True):
        try:
            records.extend(_outcome(server, future, timeout))
        except RemoteLookupError as error:
            logger.info("ISBN %s at %s: %s", forms[0], server.name, error)
            failures.append(error)
    return LookupResults(records, failures)


def _outcome(server: RemoteServer, future: Future[list[RemoteRecord]], timeout: float) -> list[RemoteRecord]:
    if not future.done():
        raise ServerTimeout(server=server.name, seconds=f"{timeout:g}")
    try:
        return future.result()
    except RemoteLookupError:
        raise
    except Exception as error:  # a bug or a case nobody foresaw must not take the desk down with it
        logger.exception("Unexpected failure asking %s", server.name)
        raise ProtocolError(server=server.name, detail=type(error).__name__) from error


def _ask(server: RemoteServer, forms: tuple[str, ...], timeout: float) -> list[RemoteRecord]:
    # Imported here: the protocol clients use this module's types, so importing them at the top would be circular.
    if server.protocol == "sru":
        from xiaotu.interop.sru import client as sru

        return sru.search(server, sru.isbn_query(server, forms), timeout=timeout).records
    from xiaotu.interop.z3950 import client as z3950

    return z3950.search(server, z3950.isbn_query(server, forms), timeout=timeout).records
