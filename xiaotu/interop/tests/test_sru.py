"""The SRU client: requests and responses of versions 1.1, 1.2 and 2.0, against a real yaz-ztest and broken servers."""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pymarc
import pytest

from xiaotu.interop.lookup import ProtocolError, RemoteServer, ServerDiagnostic, ServerTimeout, ServerUnreachable
from xiaotu.interop.sru.client import isbn_query, parse_response, request_url, search
from xiaotu.interop.tests.servers import answering_server, free_port, silent_server, yaz_ztest, ztest_cql_hits

MARC_RECORD = (
    '<record xmlns="http://www.loc.gov/MARC21/slim"><leader>00000nam a2200000 a 4500</leader>'
    '<controlfield tag="001">42</controlfield>'
    '<datafield tag="245" ind1="1" ind2="0"><subfield code="a">西游记</subfield></datafield></record>'
)
SRU_1_2 = f"""<?xml version="1.0"?>
<zs:searchRetrieveResponse xmlns:zs="http://www.loc.gov/zing/srw/">
  <zs:version>1.2</zs:version><zs:numberOfRecords>1</zs:numberOfRecords>
  <zs:records><zs:record><zs:recordSchema>info:srw/schema/1/marcxml-v1.1</zs:recordSchema>
    <zs:recordPacking>xml</zs:recordPacking><zs:recordData>{MARC_RECORD}</zs:recordData>
    <zs:recordPosition>1</zs:recordPosition></zs:record></zs:records>
</zs:searchRetrieveResponse>"""
SRU_2_0_STRING = f"""<?xml version="1.0"?>
<searchRetrieveResponse xmlns="http://docs.oasis-open.org/ns/search-ws/sruResponse">
  <numberOfRecords>7</numberOfRecords>
  <records><record><recordSchema>marcxml</recordSchema><recordXMLEscaping>string</recordXMLEscaping>
    <recordData>{MARC_RECORD.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")}</recordData>
    <recordPosition>3</recordPosition></record></records>
</searchRetrieveResponse>"""
SRU_DIAGNOSTIC = """<?xml version="1.0"?>
<searchRetrieveResponse xmlns="http://docs.oasis-open.org/ns/search-ws/sruResponse">
  <numberOfRecords>0</numberOfRecords>
  <diagnostics><diagnostic xmlns="http://docs.oasis-open.org/ns/search-ws/diagnostic">
    <uri>info:srw/diagnostic/1/16</uri><details>bath.isbn</details><message>Unsupported index</message>
  </diagnostic></diagnostics>
</searchRetrieveResponse>"""


def server_at(port: int, **options: Any) -> RemoteServer:
    return RemoteServer(name="测试馆", protocol="sru", host="127.0.0.1", port=port, **options)


@pytest.fixture(scope="module")
def ztest_port(tmp_path_factory):
    with yaz_ztest(tmp_path_factory.mktemp("ztest")) as port:
        yield port


def marcxml(data: bytes):
    records = pymarc.parse_xml_to_array(io.BytesIO(data))
    assert len(records) == 1
    return records[0]


def http_response(status: str, body: str) -> bytes:
    payload = body.encode()
    head = f"HTTP/1.0 {status}\r\nContent-Type: text/xml\r\nContent-Length: {len(payload)}\r\n\r\n"
    return head.encode() + payload


# -- requests and responses, without a server ------------------------------------------------------------------------


def test_isbn_query_asks_for_every_form_in_the_configured_index():
    assert isbn_query(server_at(80), ("9787020002207", "702000220X")) == (
        'bath.isbn="9787020002207" or bath.isbn="702000220X"'
    )
    assert isbn_query(server_at(80, cql_index="dc.identifier"), ("9791034304035",)) == ('dc.identifier="9791034304035"')


def test_request_url_for_1_2_and_2_0():
    """1.x asks for recordPacking, 2.0 for recordXMLEscaping; the database is the path unless one is configured."""
    old = urlsplit(request_url(server_at(8080, database="lib"), 'bath.isbn="1"'))
    new = urlsplit(request_url(server_at(8080, sru_version="2.0", path="/sru/x", record_packing="string"), "a"))

    assert (old.scheme, old.netloc, old.path) == ("http", "127.0.0.1:8080", "/lib")
    assert parse_qs(old.query) == {
        "operation": ["searchRetrieve"],
        "version": ["1.2"],
        "query": ['bath.isbn="1"'],
        "startRecord": ["1"],
        "maximumRecords": ["10"],
        "recordSchema": ["marcxml"],
        "recordPacking": ["xml"],
    }
    assert new.path == "/sru/x"
    assert parse_qs(new.query)["recordXMLEscaping"] == ["string"]
    assert "recordPacking" not in parse_qs(new.query)


def test_reads_a_1_2_response_with_xml_packing():
    result = parse_response(server_at(80), SRU_1_2.encode())

    assert result.hits == 1
    (record,) = result.records
    assert (record.protocol, record.format, record.syntax, record.position) == ("sru", "marcxml", "usmarc", 1)
    assert marcxml(record.data).title == "西游记"


def test_reads_a_2_0_response_with_string_escaping():
    result = parse_response(server_at(80, syntax="cnmarc"), SRU_2_0_STRING.encode())

    assert result.hits == 7
    assert result.records[0].position == 3
    assert result.records[0].syntax == "cnmarc"
    assert marcxml(result.records[0].data)["001"].value() == "42"


def test_a_diagnostic_becomes_a_typed_error_with_its_meaning():
    with pytest.raises(ServerDiagnostic) as caught:
        parse_response(server_at(80), SRU_DIAGNOSTIC.encode())

    assert caught.value.condition == "16"
    assert caught.value.params["uri"] == "info:srw/diagnostic/1/16"
    assert "不支持这个检索索引" in caught.value.message
    assert "bath.isbn" in caught.value.message


@pytest.mark.parametrize("body", [b"", b"<html><body>Not here</body></html>", b"\x00\x01garbage"])
def test_anything_else_is_a_protocol_error(body):
    with pytest.raises(ProtocolError):
        parse_response(server_at(80), body)


# -- against yaz-ztest -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("version", ["1.1", "1.2", "2.0"])
@pytest.mark.parametrize("packing", ["xml", "string"])
def test_isbn_search_brings_marcxml(ztest_port, version, packing):
    """Every version and packing gives the same records; yaz-ztest's hit count is a hash of the query text."""
    server = server_at(ztest_port, sru_version=version, record_packing=packing, max_records=3)
    cql = isbn_query(server, ("9787020002207", "702000220X"))

    result = search(server, cql, timeout=5)

    assert result.hits == ztest_cql_hits(cql) > 0
    assert [record.position for record in result.records] == list(range(1, min(3, result.hits) + 1))
    first = marcxml(result.records[0].data)
    assert first["001"].value().strip() == "11224466"
    assert first.title == "How to program a computer"


def test_a_query_without_hits(ztest_port):
    cql = next(f"bath.isbn={n}" for n in range(100000) if ztest_cql_hits(f"bath.isbn={n}") == 0)

    result = search(server_at(ztest_port), cql, timeout=5)

    assert result.hits == 0
    assert result.records == []


def test_starting_past_the_end_is_diagnostic_61(ztest_port):
    with pytest.raises(ServerDiagnostic) as caught:
        search(server_at(ztest_port), "dc.title=x", timeout=5, start=100)

    assert caught.value.condition == "61"
    assert "起始记录位置超出" in caught.value.message


def test_an_unknown_schema_gives_only_record_diagnostics(ztest_port):
    """yaz-ztest answers an unknown recordSchema with a surrogate diagnostic in place of every record."""
    with pytest.raises(ServerDiagnostic) as caught:
        search(server_at(ztest_port, record_schema="nonesuch"), "dc.title=x", timeout=5)

    assert caught.value.condition == "63"


def test_an_unknown_database_is_an_http_error(ztest_port):
    with pytest.raises(ProtocolError) as caught:
        search(server_at(ztest_port, database="Nope"), "dc.title=x", timeout=5)

    assert caught.value.code == "http_error"
    assert caught.value.params["status"] == 404


# -- broken servers --------------------------------------------------------------------------------------------------


def test_connection_refused():
    with pytest.raises(ServerUnreachable) as caught:
        search(server_at(free_port()), "dc.title=x", timeout=2)

    assert caught.value.code == "connection_refused"


def test_a_server_that_never_answers_times_out():
    with silent_server() as port, pytest.raises(ServerTimeout):
        search(server_at(port), "dc.title=x", timeout=0.3)


def test_a_non_http_answer_is_a_protocol_error():
    with answering_server(b"\x00\x01 this is not HTTP\r\n\r\n") as port, pytest.raises(ProtocolError) as caught:
        search(server_at(port), "dc.title=x", timeout=2)

    assert caught.value.code == "protocol_error"


def test_an_html_page_is_a_protocol_error():
    page = http_response("200 OK", "<html><body>Welcome</body></html>")

    with answering_server(page) as port, pytest.raises(ProtocolError) as caught:
        search(server_at(port), "dc.title=x", timeout=2)

    assert caught.value.code == "protocol_error"


def test_a_hang_up_without_an_answer_is_a_dropped_connection():
    with answering_server(b"") as port, pytest.raises(ProtocolError) as caught:
        search(server_at(port), "dc.title=x", timeout=2)

    assert caught.value.code == "connection_closed"


def test_an_http_error_carrying_a_diagnostic_reports_the_diagnostic():
    refusal = http_response("400 Bad Request", SRU_DIAGNOSTIC)

    with answering_server(refusal) as port, pytest.raises(ServerDiagnostic) as caught:
        search(server_at(port), "dc.title=x", timeout=2)

    assert caught.value.condition == "16"
