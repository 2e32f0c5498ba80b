"""The Z39.50 client: its BER against bytes yaz-client sent, and whole sessions against a real yaz-ztest."""

from __future__ import annotations

import io
from typing import Any

import pymarc
import pytest

from xiaotu.interop.lookup import ProtocolError, RemoteServer, ServerDiagnostic, ServerTimeout, ServerUnreachable
from xiaotu.interop.tests.servers import answering_server, free_port, silent_server, yaz_ztest
from xiaotu.interop.z3950 import codec
from xiaotu.interop.z3950.client import (
    AttrTerm,
    Connection,
    id_authentication,
    isbn_query,
    rpn_structure,
    search,
)

# Captured between yaz-client 5.34 and yaz-ztest with a recording proxy, after
#   yaz-client -u alice/secret tcp:127.0.0.1:PORT/Default
#   format usmarc / elements F / f @or @attr 1=7 9787020002207 @attr 1=7 7020002208 / show 1+2
YAZ_CLIENT_INIT = bytes.fromhex(
    "b462830200e0840300e9a2850404000000860404000000a70e1a0c616c6963652f7365637265749f6e0238319f6f0359415a9f702f35"
    "2e33342e302064656330633861306237363231333234363863633832363463316232323065616531633637626437"
)
YAZ_CLIENT_SEARCH = bytes.fromhex(
    "b6708d01008e01018f0100900101910131b20a9f690744656661756c74b553a15106072a8648ce130301a146a020bf661dbf2c0a3008"
    "9f7801019f7901079f2d0d39373837303230303032323037a01dbf661abf2c0a30089f7801019f7901079f2d0a37303230303032323038"
    "bf2e028100"
)
# yaz-ztest's answer to "show 1+2": indefinite lengths throughout.
YAZ_ZTEST_PRESENT = bytes.fromhex(
    """
    b9809801029901039b0100bc803080800744656661756c74a180a180288006072a8648ce13050a8182016e30303336366e616d2020323230
    3031363938612034353030303031303031333030303030303033303030343030303133303035303031373030303137303038303034313030
    3033343031303030313730303137393034303030313330303037353035303030313230303038383130303030313730303130303234353030
    333030303131373236303030313230303134373236333030303930303135393330303030313130303136381e202020313132323434363620
    1e444c431e30303030303030303030303030302e301e3931303731306331393931303730316e6a7520202020202020202020203030303130
    20656e6720201e20201f61444c431f63444c431e30301f613132332d78797a1e31301f614a61636b20436f6c6c696e731e31301f61486f77
    20746f2070726f6772616d206120636f6d70757465721e31201f6150656e6775696e1e20201f61383731301e20201f61702e20636d2e1e20
    201f612020203131323234343636201e1d00000000000000003080800744656661756c74a180a180288006072a8648ce13050a8182016e30
    303336366e616d20203232303031363938612034353030303031303031333030303030303033303030343030303133303035303031373030
    3031373030383030343130303033343031303030313730303137393034303030313330303037353035303030313230303038383130303030
    313730303130303234353030333030303131373236303030313230303134373236333030303930303135393330303030313130303136381e
    2020203131323234343637201e444c431e30303030303030303030303030302e301e3931303731306331393931303730316e6a7520202020
    20202020202020303030313020656e6720201e20201f61444c431f63444c431e30301f613132332d78797a1e31301f614a61636b20436f6c
    6c696e731e31301f61486f7720746f2070726f6772616d206120636f6d70757465721e31201f6150656e6775696e1e20201f61383731301e
    20201f61702e20636d2e1e20201f612020203131323234343637201e1d000000000000000000000000
    """
)


def server_at(port: int, **options: Any) -> RemoteServer:
    return RemoteServer(name="测试馆", protocol="z3950", host="127.0.0.1", port=port, **options)


@pytest.fixture(scope="module")
def ztest_port(tmp_path_factory):
    with yaz_ztest(tmp_path_factory.mktemp("ztest")) as port:
        yield port


def parse_iso2709(data: bytes):
    records = list(pymarc.MARCReader(io.BytesIO(data), to_unicode=True, force_utf8=True))
    assert len(records) == 1 and records[0] is not None
    return records[0]


# -- BER, without a server ------------------------------------------------------------------------------------------


def test_our_isbn_query_encodes_exactly_as_yaz_client_does():
    """Given yaz-client's Search for `@or @attr 1=7 9787020002207 @attr 1=7 7020002208`, our query bytes are equal."""
    server = server_at(210)
    query = (
        "type-1",
        {
            "attributeSet": codec.BIB1_ATTRIBUTES,
            "rpn": rpn_structure(isbn_query(server, ("9787020002207", "7020002208")), "utf-8"),
        },
    )

    ours = codec.encode_type("Query", query)

    assert ours in YAZ_CLIENT_SEARCH
    kind, decoded = codec.decode(YAZ_CLIENT_SEARCH)
    assert kind == "searchRequest"
    assert decoded["query"] == query
    assert decoded["databaseNames"] == ["Default"]


def test_yaz_client_init_decodes_and_ours_round_trips():
    """yaz-client's Init decodes (versions, open authentication); ours encodes and decodes back to itself."""
    kind, theirs = codec.decode(YAZ_CLIENT_INIT)
    assert kind == "initRequest"
    assert theirs["idAuthentication"] == ("open", "alice/secret")
    assert theirs["protocolVersion"][0][0] & 0xE0 == 0xE0

    server = server_at(210, user="alice", password="secret")
    request = {
        "protocolVersion": (b"\xe0", 3),
        "options": (b"\xc0", 2),
        "preferredMessageSize": 1 << 20,
        "exceptionalRecordSize": 4 << 20,
        "idAuthentication": id_authentication(server),
        "implementationName": "xiaotu",
    }
    assert id_authentication(server) == theirs["idAuthentication"]
    kind, ours = codec.decode(codec.encode("initRequest", request))
    assert kind == "initRequest"
    assert ours["idAuthentication"] == ("open", "alice/secret")
    assert ours["preferredMessageSize"] == 1 << 20
    assert ours["options"][0] == bytearray(b"\xc0")


def test_idpass_authentication_is_the_structured_form():
    server = server_at(210, user="alice", password="secret", auth="idpass")

    assert id_authentication(server) == ("idPass", {"userId": "alice", "password": "secret"})
    assert id_authentication(server_at(210)) is None


def test_present_response_with_indefinite_lengths_frames_and_decodes():
    """yaz-ztest's Present response uses indefinite lengths: the framer finds its end, the records are MARC."""
    assert codec.pdu_length(YAZ_ZTEST_PRESENT + b"\xb5\x00") == len(YAZ_ZTEST_PRESENT)
    assert codec.pdu_length(YAZ_ZTEST_PRESENT[:-1]) is None

    kind, response = codec.decode(YAZ_ZTEST_PRESENT)

    assert kind == "presentResponse"
    assert response["numberOfRecordsReturned"] == 2
    names, records = zip(*((item["name"], item["record"]) for item in response["records"][1]), strict=True)
    assert names == ("Default", "Default")
    assert {record[1]["direct-reference"] for record in records} == {codec.USMARC}
    marc = parse_iso2709(bytes(records[1][1]["encoding"][1]))
    assert marc["001"].value().strip() == "11224467"
    assert marc["100"]["a"] == "Jack Collins"


def test_framer_waits_for_a_whole_definite_length_pdu():
    pdu = codec.encode("close", {"closeReason": 0})

    assert [codec.pdu_length(pdu[:cut]) for cut in range(len(pdu))] == [None] * len(pdu)
    assert codec.pdu_length(pdu) == len(pdu)


def test_framer_rejects_bytes_that_are_no_pdu():
    with pytest.raises(codec.CodecError):
        codec.pdu_length(b"HTTP/1.0 400 Bad Request\r\n")


# -- against yaz-ztest -----------------------------------------------------------------------------------------------


def test_isbn_search_brings_marc_records(ztest_port):
    """yaz-ztest counts a numeric term as its hit count, so an ISBN "matches" billions: we present only max_records."""
    server = server_at(ztest_port, max_records=3)

    result = search(server, isbn_query(server, ("9787020002207", "702000220X")), timeout=5)

    assert result.hits == 9787020002207
    assert [record.position for record in result.records] == [1, 2, 3]
    for record in result.records:
        assert (record.server, record.protocol, record.syntax, record.format) == (
            "测试馆",
            "z3950",
            "usmarc",
            "iso2709",
        )
        assert record.encoding == "utf-8"
        assert parse_iso2709(record.data)["245"]["a"]


def test_term_zero_finds_nothing(ztest_port):
    result = search(server_at(ztest_port), AttrTerm("0", ((1, 7),)), timeout=5)

    assert result.hits == 0
    assert result.records == []


def test_unknown_database_is_a_bib1_diagnostic(ztest_port):
    with pytest.raises(ServerDiagnostic) as caught:
        search(server_at(ztest_port, database="Nope"), AttrTerm("5", ((1, 7),)), timeout=5)

    assert caught.value.code == "diagnostic"
    assert caught.value.condition == "109"
    assert "数据库不可用" in caught.value.message
    assert "Nope" in caught.value.message


def test_records_out_of_range_are_a_diagnostic(ztest_port):
    with Connection(server_at(ztest_port), timeout=5) as connection:
        assert connection.search(AttrTerm("2", ((1, 7),))) == 2
        with pytest.raises(ServerDiagnostic) as caught:
            connection.present(5, 1)

    assert caught.value.condition == "13"


def test_the_record_says_its_syntax_when_the_server_ignores_ours(ztest_port):
    """Asked for UNIMARC, yaz-ztest sends USMARC and says so; the record is labelled by what came, not what we asked."""
    result = search(server_at(ztest_port, syntax="unimarc", max_records=1), AttrTerm("1", ((1, 7),)), timeout=5)

    assert result.records[0].syntax == "usmarc"


def test_marcxml_records(ztest_port):
    result = search(server_at(ztest_port, syntax="marcxml", max_records=2), AttrTerm("2", ((1, 7),)), timeout=5)

    assert [record.format for record in result.records] == ["marcxml", "marcxml"]
    parsed = pymarc.parse_xml_to_array(io.BytesIO(result.records[1].data))
    assert parsed[0]["001"].value().strip() == "11224467"


def test_credentials_go_with_init(ztest_port):
    """yaz-ztest accepts any credentials: both authentication forms are well-formed enough for it."""
    for auth in ("open", "idpass"):
        server = server_at(ztest_port, user="alice", password="secret", auth=auth, max_records=1)
        with Connection(server, timeout=5) as connection:
            assert "YAZ" in connection.implementation
            assert connection.search(AttrTerm("1", ((1, 7),))) == 1


# -- failures --------------------------------------------------------------------------------------------------------


def test_connection_refused():
    with pytest.raises(ServerUnreachable) as caught:
        search(server_at(free_port()), AttrTerm("1", ((1, 7),)), timeout=2)

    assert caught.value.code == "connection_refused"
    assert "拒绝连接" in caught.value.message


def test_a_server_that_never_answers_times_out():
    with silent_server() as port, pytest.raises(ServerTimeout) as caught:
        search(server_at(port), AttrTerm("1", ((1, 7),)), timeout=0.3)

    assert caught.value.code == "timeout"


def test_garbage_is_a_protocol_error():
    with answering_server(b"HTTP/1.0 400 Bad Request\r\n\r\n") as port, pytest.raises(ProtocolError) as caught:
        search(server_at(port), AttrTerm("1", ((1, 7),)), timeout=2)

    assert caught.value.code == "protocol_error"


def test_a_cut_off_answer_is_a_dropped_connection():
    init_response = codec.encode(
        "initResponse",
        {
            "protocolVersion": (b"\xe0", 3),
            "options": (b"\xc0", 2),
            "preferredMessageSize": 1 << 20,
            "exceptionalRecordSize": 1 << 20,
            "result": True,
        },
    )
    with answering_server(init_response[:-3]) as port, pytest.raises(ProtocolError) as caught:
        search(server_at(port), AttrTerm("1", ((1, 7),)), timeout=2)

    assert caught.value.code == "connection_closed"


def test_a_refused_init_asks_for_the_password():
    refusal = codec.encode(
        "initResponse",
        {
            "protocolVersion": (b"\xe0", 3),
            "options": (b"\x00", 2),
            "preferredMessageSize": 1 << 20,
            "exceptionalRecordSize": 1 << 20,
            "result": False,
        },
    )
    with answering_server(refusal) as port, pytest.raises(ServerDiagnostic) as caught:
        search(server_at(port, user="alice", password="wrong"), AttrTerm("1", ((1, 7),)), timeout=2)

    assert caught.value.code == "init_refused"
    assert "用户名和密码" in caught.value.message


def test_a_close_from_the_server_says_why():
    close = codec.encode("close", {"closeReason": 7, "diagnosticInformation": "idle"})

    with answering_server(close) as port, pytest.raises(ProtocolError) as caught:
        search(server_at(port), AttrTerm("1", ((1, 7),)), timeout=2)

    assert caught.value.code == "server_closed"
    assert "idle" in caught.value.message
