"""Z39.50 client: Init, Search (type-1 RPN query), Present and Close over one TCP connection, under one deadline."""

from __future__ import annotations

import functools
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Literal

from django.utils.translation import gettext_lazy as _

from xiaotu.interop.lookup import (
    MarcFlavour,
    ProtocolError,
    RecordFormat,
    RemoteRecord,
    RemoteServer,
    SearchResult,
    ServerDiagnostic,
    ServerTimeout,
    ServerUnreachable,
)
from xiaotu.interop.z3950 import codec
from xiaotu.interop.z3950.diagnostics import diagnostic_error

IMPLEMENTATION_ID = "xiaotu"
IMPLEMENTATION_NAME = "xiaotu Z39.50 client"
IMPLEMENTATION_VERSION = "1"
PREFERRED_MESSAGE_SIZE = 1 << 20
EXCEPTIONAL_RECORD_SIZE = 4 << 20
MAX_PDU_SIZE = 16 << 20
RESULT_SET = "default"  # the one name every server accepts, named result sets or not

_VERSIONS_1_TO_3 = (b"\xe0", 3)
_OPTIONS_SEARCH_PRESENT = (b"\xc0", 2)
_CLOSE_FINISHED = 0
_CLOSE_REASONS = (
    "finished",
    "shutdown",
    "systemProblem",
    "costLimit",
    "resources",
    "securityViolation",
    "protocolError",
    "lackOfActivity",
    "peerAbort",
    "unspecified",
)
_PRESENT_FAILURE = 5


@dataclass(frozen=True, slots=True)
class AttrTerm:
    """A search term with its Bib-1 attributes as (type, value) pairs: ((1, 7),) is "ISBN"."""

    term: str
    attributes: tuple[tuple[int, int], ...]


@dataclass(frozen=True, slots=True)
class Boolean:
    op: Literal["and", "or", "and-not"]
    left: Rpn
    right: Rpn


Rpn = AttrTerm | Boolean


def isbn_query(server: RemoteServer, forms: tuple[str, ...]) -> Rpn:
    """Any of the ISBN's forms under the server's ISBN use attribute (Bib-1 7 unless configured otherwise)."""
    terms: list[Rpn] = [AttrTerm(form, ((1, server.use_attribute),)) for form in forms]
    return functools.reduce(lambda left, right: Boolean("or", left, right), terms)


def rpn_structure(query: Rpn, encoding: str) -> tuple[str, Any]:
    """The query as the codec's value for an RPNStructure; terms go as octets in the server's character set."""
    if isinstance(query, Boolean):
        operands = {"rpn1": rpn_structure(query.left, encoding), "rpn2": rpn_structure(query.right, encoding)}
        return ("rpnRpnOp", {**operands, "op": (query.op, None)})
    attributes = [{"attributeType": kind, "attributeValue": ("numeric", value)} for kind, value in query.attributes]
    term = query.term.encode(codec.python_codec(encoding), errors="replace")
    return ("op", ("attrTerm", {"attributes": attributes, "term": ("general", term)}))


def id_authentication(server: RemoteServer) -> tuple[str, Any] | None:
    """The Init's idAuthentication: 'open' is "user/password" in one string, 'idpass' the structured form."""
    if not server.user:
        return None
    if server.auth == "idpass":
        wire = functools.partial(codec.text_to_wire, encoding=server.encoding)
        return ("idPass", {"userId": wire(server.user), "password": wire(server.password)})
    return ("open", f"{server.user}/{server.password}" if server.password else server.user)


def search(server: RemoteServer, query: Rpn, *, timeout: float) -> SearchResult:
    """Connect, search, fetch up to `server.max_records` records and close, all within `timeout` seconds."""
    with Connection(server, timeout=timeout) as connection:
        hits = connection.search(query)
        records = connection.present(1, min(hits, server.max_records)) if hits else []
    return SearchResult(hits=hits, records=records)


class Connection:
    """One Z39.50 association with a server; every socket operation shares the deadline set at creation."""

    def __init__(self, server: RemoteServer, *, timeout: float) -> None:
        self.server = server
        self.timeout = timeout
        self.implementation = ""
        self._deadline = time.monotonic() + timeout
        self._socket: socket.socket | None = None
        self._buffer = bytearray()

    def __enter__(self) -> Connection:
        try:
            self.open()
        except BaseException:
            self.close(polite=False)
            raise
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close(polite=kind is None)

    def open(self) -> None:
        """Connect and Init; raises ServerDiagnostic('init_refused') when the server turns us away."""
        with self._translated_errors():
            self._socket = socket.create_connection((self.server.host, self.server.port), timeout=self._remaining())
        request: dict[str, Any] = {
            "protocolVersion": _VERSIONS_1_TO_3,
            "options": _OPTIONS_SEARCH_PRESENT,
            "preferredMessageSize": PREFERRED_MESSAGE_SIZE,
            "exceptionalRecordSize": EXCEPTIONAL_RECORD_SIZE,
            "implementationId": IMPLEMENTATION_ID,
            "implementationName": IMPLEMENTATION_NAME,
            "implementationVersion": IMPLEMENTATION_VERSION,
        }
        authentication = id_authentication(self.server)
        if authentication:
            request["idAuthentication"] = authentication
        response = self._exchange("initRequest", request, "initResponse")
        self.implementation = " ".join(
            str(response.get(key, "")) for key in ("implementationName", "implementationVersion")
        ).strip()
        if not response["result"]:
            raise ServerDiagnostic("init_refused", server=self.server.name)

    def search(self, query: Rpn) -> int:
        """Run `query` against the server's database; the number of hits, records left on the server."""
        request = {
            "smallSetUpperBound": 0,
            "largeSetLowerBound": 1,
            "mediumSetPresentNumber": 0,
            "replaceIndicator": True,
            "resultSetName": RESULT_SET,
            "databaseNames": [self._wire(self.server.database)],
            "query": (
                "type-1",
                {"attributeSet": codec.BIB1_ATTRIBUTES, "rpn": rpn_structure(query, self.server.encoding)},
            ),
        }
        response = self._exchange("searchRequest", request, "searchResponse")
        if "records" in response and response["records"][0] != "responseRecords":
            raise self._non_surrogate(response["records"])
        if not response["searchStatus"]:
            raise ServerDiagnostic(server=self.server.name, condition="?", detail=_("检索失败，服务器没有说明原因"))
        return int(response["resultCount"])

    def present(self, start: int, count: int) -> list[RemoteRecord]:
        """Records `start` .. `start + count - 1` of the last search, asking again when a response brings fewer."""
        records: list[RemoteRecord] = []
        problems: list[Exception] = []
        position, end = start, start + count
        while position < end:
            request: dict[str, Any] = {
                "resultSetId": RESULT_SET,
                "resultSetStartPoint": position,
                "numberOfRecordsRequested": end - position,
                "recordComposition": ("simple", ("genericElementSetName", self._wire(self._element_set()))),
                "preferredRecordSyntax": self._preferred_syntax(),
            }
            response = self._exchange("presentRequest", request, "presentResponse")
            kind, value = response.get("records", ("responseRecords", []))
            if kind != "responseRecords":
                if records:  # keep what came before the server gave up
                    break
                raise self._non_surrogate((kind, value))
            for offset, name_plus_record in enumerate(value):
                try:
                    records.append(self._record(position + offset, name_plus_record["record"]))
                except (ServerDiagnostic, ProtocolError) as problem:
                    problems.append(problem)
            returned = int(response["numberOfRecordsReturned"])
            if returned <= 0 or response["presentStatus"] == _PRESENT_FAILURE:
                break
            following = int(response["nextResultSetPosition"])
            position = following if following > position else position + returned
        if not records and problems:
            raise problems[0]
        return records

    def close(self, *, polite: bool = True) -> None:
        """Send Close and wait briefly for the server's; the socket is closed whatever happens."""
        sock, self._socket = self._socket, None
        if sock is None:
            return
        try:
            if polite and self._time_left() > 0:
                sock.settimeout(min(self._time_left(), 1.0))
                sock.sendall(codec.encode("close", {"closeReason": _CLOSE_FINISHED}))
                sock.recv(4096)
        except OSError:
            pass  # the answer to Close tells us nothing we need
        finally:
            sock.close()

    # -- one request, one response --------------------------------------------------------------------------

    def _exchange(self, kind: str, request: dict[str, Any], expected: str) -> dict[str, Any]:
        try:
            pdu = codec.encode(kind, request)
        except codec.CodecError as error:
            raise ProtocolError(server=self.server.name, detail=str(error)) from error
        with self._translated_errors():
            assert self._socket is not None, "open() first"
            self._socket.settimeout(self._remaining())
            self._socket.sendall(pdu)
            answer_kind, answer = codec.decode(self._receive())
        if answer_kind == "close":
            reason = int(answer.get("closeReason", 9))
            text = answer.get("diagnosticInformation") or (
                _CLOSE_REASONS[reason] if 0 <= reason < len(_CLOSE_REASONS) else str(reason)
            )
            raise ProtocolError("server_closed", server=self.server.name, reason=self._unwire(text))
        if answer_kind != expected:
            raise ProtocolError(server=self.server.name, detail=f"expected {expected}, got {answer_kind}")
        return answer

    def _receive(self) -> bytes:
        assert self._socket is not None
        while True:
            end = codec.pdu_length(self._buffer)
            if end is not None:
                pdu = bytes(self._buffer[:end])
                del self._buffer[:end]
                return pdu
            if len(self._buffer) > MAX_PDU_SIZE:
                raise codec.CodecError("response larger than 16 MiB")
            self._socket.settimeout(self._remaining())
            chunk = self._socket.recv(65536)
            if not chunk:
                raise ProtocolError("connection_closed", server=self.server.name)
            self._buffer += chunk

    @contextmanager
    def _translated_errors(self) -> Iterator[None]:
        """Socket and codec failures as the lookup's typed errors, each naming this server."""
        name, address = self.server.name, self.server.address
        try:
            yield
        except ConnectionRefusedError as error:
            raise ServerUnreachable("connection_refused", server=name, address=address) from error
        except TimeoutError as error:
            raise ServerTimeout(server=name, seconds=f"{self.timeout:g}") from error
        except socket.gaierror as error:
            raise ServerUnreachable(server=name, address=address, reason=_("找不到这个主机名")) from error
        except (ConnectionResetError, ConnectionAbortedError, BrokenPipeError) as error:
            raise ProtocolError("connection_closed", server=name) from error
        except OSError as error:
            raise ServerUnreachable(server=name, address=address, reason=error.strerror or str(error)) from error
        except codec.CodecError as error:
            raise ProtocolError(server=name, detail=str(error)) from error

    def _time_left(self) -> float:
        return self._deadline - time.monotonic()

    def _remaining(self) -> float:
        remaining = self._time_left()
        if remaining <= 0:
            raise ServerTimeout(server=self.server.name, seconds=f"{self.timeout:g}")
        return remaining

    # -- building requests and reading responses --------------------------------------------------------------

    def _preferred_syntax(self) -> str:
        return {"usmarc": codec.USMARC, "unimarc": codec.UNIMARC, "cnmarc": codec.UNIMARC, "marcxml": codec.XML}[
            self.server.syntax
        ]

    def _element_set(self) -> str:
        return self.server.element_set or ("marcxml" if self.server.syntax == "marcxml" else "F")

    def _record(self, position: int, record: tuple[str, Any]) -> RemoteRecord:
        kind, value = record
        if kind == "surrogateDiagnostic":
            raise diagnostic_error(self.server.name, value, self.server.encoding)
        if kind != "retrievalRecord":
            raise ProtocolError(server=self.server.name, detail=f"record fragment ({kind})")
        oid = value.get("direct-reference")
        syntax = self._classify(oid)
        encoding, data = value["encoding"]
        if syntax is None or encoding != "octet-aligned":
            raise ProtocolError("unexpected_syntax", server=self.server.name, syntax=oid or encoding)
        flavour, record_format = syntax
        return RemoteRecord(
            server=self.server.name,
            protocol="z3950",
            position=position,
            syntax=flavour,
            format=record_format,
            data=bytes(data),
            encoding=self.server.encoding,
        )

    def _classify(self, oid: str | None) -> tuple[MarcFlavour, RecordFormat] | None:
        """What a record's syntax OID says it is; a server that sends none sends what was asked for."""
        if oid == codec.USMARC:
            return ("usmarc", "iso2709")
        if oid == codec.UNIMARC:
            return ("cnmarc" if self.server.syntax == "cnmarc" else "unimarc", "iso2709")
        if oid in (codec.XML, codec.APPLICATION_XML):
            return (self.server.marc_flavour, "marcxml")
        if oid is None:
            return (self.server.marc_flavour, "marcxml" if self.server.syntax == "marcxml" else "iso2709")
        return None

    def _non_surrogate(self, records: tuple[str, Any]) -> ServerDiagnostic:
        kind, value = records
        if kind == "nonSurrogateDiagnostic":
            return diagnostic_error(self.server.name, ("defaultFormat", value), self.server.encoding)
        if kind == "multipleNonSurDiagnostics" and value:
            return diagnostic_error(self.server.name, value[0], self.server.encoding)
        return ServerDiagnostic(server=self.server.name, condition="?", detail=_("服务器报告了无法解读的错误"))

    def _wire(self, text: str) -> str:
        return codec.text_to_wire(text, self.server.encoding)

    def _unwire(self, text: str) -> str:
        return codec.text_from_wire(text.encode("latin-1"), self.server.encoding)
