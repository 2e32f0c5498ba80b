"""SRU client: one searchRetrieve request over HTTP GET, its response read into records or a typed error."""

from __future__ import annotations

import http.client
import socket
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from typing import Protocol
from urllib.parse import quote, urlencode

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from xiaotu.interop.lookup import (
    ProtocolError,
    RemoteLookupError,
    RemoteRecord,
    RemoteServer,
    SearchResult,
    ServerDiagnostic,
    ServerTimeout,
    ServerUnreachable,
)
from xiaotu.interop.sru.diagnostics import diagnostic_error

USER_AGENT = "xiaotu-sru/1"
MAX_RESPONSE_SIZE = 16 << 20


class _Body(Protocol):
    def read(self, size: int = ..., /) -> bytes: ...


def isbn_query(server: RemoteServer, forms: tuple[str, ...]) -> str:
    """CQL for any of the ISBN's forms in the server's ISBN index: `bath.isbn="978..." or bath.isbn="7..."`."""
    return " or ".join(f"{server.cql_index}={_quoted(form)}" for form in forms)


def search(server: RemoteServer, cql: str, *, timeout: float, start: int = 1) -> SearchResult:
    """Send one searchRetrieve for `cql` and return the hit count and up to `server.max_records` records."""
    body = _get(server, request_url(server, cql, start=start), timeout)
    return parse_response(server, body, start=start)


def request_url(server: RemoteServer, cql: str, *, start: int = 1) -> str:
    """The searchRetrieve URL for `cql` in the server's SRU version."""
    host = f"[{server.host}]" if ":" in server.host else server.host
    path = server.path or "/" + quote(server.database)
    params = {
        "operation": "searchRetrieve",
        "version": server.sru_version,
        "query": cql,
        "startRecord": str(start),
        "maximumRecords": str(server.max_records),
        "recordSchema": server.record_schema,
    }
    # 2.0 renamed 1.x's recordPacking (xml/string) to recordXMLEscaping and gave recordPacking another meaning.
    params["recordXMLEscaping" if server.sru_version == "2.0" else "recordPacking"] = server.record_packing
    scheme = "https" if server.https else "http"
    return f"{scheme}://{host}:{server.port}{path}?{urlencode(params, quote_via=quote)}"


def parse_response(server: RemoteServer, body: bytes, *, start: int = 1) -> SearchResult:
    """Read a searchRetrieveResponse (SRU 1.1/1.2 or 2.0 namespace alike): records, or the server's diagnostic."""
    try:
        root = ET.fromstring(body)
    except ET.ParseError as error:
        raise ProtocolError(server=server.name, detail=format_lazy(_("不是 XML（{error}）"), error=error)) from error
    if _local(root.tag) != "searchRetrieveResponse":
        raise ProtocolError(
            server=server.name, detail=format_lazy(_("不是 SRU 检索响应（{tag}）"), tag=_local(root.tag))
        )
    records: list[RemoteRecord] = []
    problems: list[RemoteLookupError] = []  # surrogate diagnostics and unreadable records, in place of a record
    for index, record in enumerate(_children(_child(root, "records"), "record")):
        try:
            records.append(_record(server, record, start + index))
        except (ServerDiagnostic, ProtocolError) as problem:
            problems.append(problem)
    fatal = [_diagnostic(server, element) for element in _children(_child(root, "diagnostics"), "diagnostic")]
    if not records and fatal:
        raise fatal[0]
    if not records and problems:
        raise problems[0]
    hits_text = _text(root, "numberOfRecords")
    if not hits_text.isdigit():
        raise ProtocolError(server=server.name, detail=_("缺少 numberOfRecords"))
    return SearchResult(hits=int(hits_text), records=records)


def _record(server: RemoteServer, record: ET.Element, fallback_position: int) -> RemoteRecord:
    data = _child(record, "recordData")
    if data is None:
        raise ProtocolError(server=server.name, detail=_("记录缺少 recordData"))
    payload = _payload(server, data)
    schema = _text(record, "recordSchema")
    if "diagnostic" in schema or _local(payload.tag) == "diagnostic":
        raise _diagnostic(server, payload)
    position_text = _text(record, "recordPosition")
    payload.tail = None
    return RemoteRecord(
        server=server.name,
        protocol="sru",
        position=int(position_text) if position_text.isdigit() else fallback_position,
        syntax=server.marc_flavour,
        format="marcxml",
        data=_serialised(payload),
        encoding="utf-8",
    )


def _serialised(element: ET.Element) -> bytes:
    """The record as UTF-8 XML, its namespace as the default one (no ns0: prefixes) where the record allows it."""
    namespace = element.tag[1:].split("}", 1)[0] if element.tag.startswith("{") else None
    try:
        return ET.tostring(element, encoding="unicode", default_namespace=namespace).encode("utf-8")
    except ValueError:  # an element outside that namespace
        return ET.tostring(element, encoding="unicode").encode("utf-8")


def _payload(server: RemoteServer, data: ET.Element) -> ET.Element:
    """The record inside recordData: an element (packing 'xml'), or escaped text to parse (packing 'string')."""
    for child in data:
        return child
    text = (data.text or "").strip()
    if text.startswith("<?xml"):  # a declaration naming another charset would lie about the str we hold
        text = text[text.find("?>") + 2 :].lstrip()
    try:
        return ET.fromstring(text)
    except ET.ParseError as error:
        raise ProtocolError(
            server=server.name, detail=format_lazy(_("记录不是 XML（{error}）"), error=error)
        ) from error


def _diagnostic(server: RemoteServer, element: ET.Element) -> ServerDiagnostic:
    return diagnostic_error(server.name, _text(element, "uri"), _text(element, "message"), _text(element, "details"))


def _get(server: RemoteServer, url: str, timeout: float) -> bytes:
    """GET `url` and read the whole body before the deadline, every failure as a typed error."""
    deadline = time.monotonic() + timeout
    name, address = server.name, server.address
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": "text/xml, application/xml"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return _read(server, response, deadline, timeout)
    except urllib.error.HTTPError as error:
        _raise_diagnostic_in(server, error, deadline, timeout)
        raise ProtocolError("http_error", server=name, status=error.code) from error
    except urllib.error.URLError as error:
        reason = error.reason
        if isinstance(reason, ConnectionRefusedError):
            raise ServerUnreachable("connection_refused", server=name, address=address) from error
        if isinstance(reason, TimeoutError):
            raise ServerTimeout(server=name, seconds=f"{timeout:g}") from error
        if isinstance(reason, socket.gaierror):
            raise ServerUnreachable(server=name, address=address, reason=_("找不到这个主机名")) from error
        raise ServerUnreachable(server=name, address=address, reason=str(reason)) from error
    except TimeoutError as error:
        raise ServerTimeout(server=name, seconds=f"{timeout:g}") from error
    except (ConnectionResetError, ConnectionAbortedError, BrokenPipeError) as error:
        raise ProtocolError("connection_closed", server=name) from error
    except http.client.HTTPException as error:
        raise ProtocolError(server=name, detail=type(error).__name__) from error
    except OSError as error:
        raise ServerUnreachable(server=name, address=address, reason=error.strerror or str(error)) from error


def _read(server: RemoteServer, response: _Body, deadline: float, timeout: float) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while chunk := response.read(65536):
        size += len(chunk)
        if size > MAX_RESPONSE_SIZE:
            raise ProtocolError(server=server.name, detail=_("回应超过 16 MiB"))
        if time.monotonic() > deadline:
            raise ServerTimeout(server=server.name, seconds=f"{timeout:g}")
        chunks.append(chunk)
    return b"".join(chunks)


def _raise_diagnostic_in(server: RemoteServer, error: urllib.error.HTTPError, deadline: float, timeout: float) -> None:
    """SRU 2.0 servers may answer a bad request with an HTTP error and a diagnostic in the body: prefer that."""
    try:
        parse_response(server, _read(server, error, deadline, timeout))
    except ServerDiagnostic:
        raise
    except (RemoteLookupError, OSError, http.client.HTTPException):
        pass


def _quoted(term: str) -> str:
    return '"' + term.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child(parent: ET.Element | None, name: str) -> ET.Element | None:
    """The first child called `name` in whatever namespace: SRU 1.x and 2.0 differ only in namespaces here."""
    if parent is None:
        return None
    return next((child for child in parent if _local(child.tag) == name), None)


def _children(parent: ET.Element | None, name: str) -> list[ET.Element]:
    return [] if parent is None else [child for child in parent if _local(child.tag) == name]


def _text(parent: ET.Element, name: str) -> str:
    child = _child(parent, name)
    return (child.text or "").strip() if child is not None else ""
