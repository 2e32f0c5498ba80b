"""Looking an ISBN up in other libraries: checked ISBNs, every server asked at once, failures reported, never raised."""

from __future__ import annotations

import io
import threading
from typing import Any

import pymarc
import pytest

from xiaotu.interop.lookup import (
    InvalidIsbn,
    ProtocolError,
    RemoteServer,
    ServerTimeout,
    ServerUnreachable,
    isbn_forms,
    lookup_isbn,
)
from xiaotu.interop.sru import client as sru
from xiaotu.interop.tests.servers import free_port, silent_server, yaz_ztest, ztest_cql_hits
from xiaotu.interop.z3950 import client as z3950

ISBN = "978-7-02-000220-7"


def server(name: str, protocol: Any, port: int, **options: Any) -> RemoteServer:
    return RemoteServer(name=name, protocol=protocol, host="127.0.0.1", port=port, **options)


@pytest.fixture(scope="module")
def ztest_port(tmp_path_factory):
    with yaz_ztest(tmp_path_factory.mktemp("ztest")) as port:
        yield port


# -- ISBNs -----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scanned", "forms"),
    [
        ("9787020002207", ("9787020002207", "702000220X")),
        ("978-7-02-000220-7", ("9787020002207", "702000220X")),
        ("7-02-000220-x", ("9787020002207", "702000220X")),
        ("702000220X", ("9787020002207", "702000220X")),
        ("978702000220759000", ("9787020002207", "702000220X")),  # with the 5-digit price add-on
        ("9791034304035", ("9791034304035",)),  # 979 ISBNs have no ISBN-10
    ],
)
def test_isbn_forms_checks_and_converts(scanned, forms):
    assert isbn_forms(scanned) == forms


@pytest.mark.parametrize("scanned", ["9787020002208", "7020002208", "6901234567892", "12345", ""])
def test_a_bad_isbn_is_refused_before_anyone_is_asked(scanned):
    dead = server("不会被问到", "z3950", free_port())

    with pytest.raises(InvalidIsbn) as caught:
        lookup_isbn(scanned, [dead], timeout=1)

    assert caught.value.code == "invalid_isbn"
    assert "不是有效的 ISBN" in caught.value.message


def test_server_settings_are_checked():
    with pytest.raises(ValueError, match="protocol"):
        server("x", "http", 80)
    with pytest.raises(ValueError, match="syntax"):
        server("x", "z3950", 210, syntax="dublincore")
    with pytest.raises(ValueError, match="sru_version"):
        server("x", "sru", 80, sru_version="3.0")


def test_no_servers_no_records():
    results = lookup_isbn(ISBN, [])

    assert results == []
    assert results.failures == []


# -- asking real and broken servers ----------------------------------------------------------------------------------


def test_one_dead_server_does_not_stop_the_live_ones(ztest_port):
    """Given a dead server between two live ones, the records of both live ones come back, in the configured order."""
    servers = [
        server("Z39.50 馆", "z3950", ztest_port, max_records=2),
        server("关了的馆", "z3950", free_port()),
        server("SRU 馆", "sru", ztest_port, max_records=2),
    ]

    results = lookup_isbn(ISBN, servers, timeout=5)

    assert [(record.server, record.position) for record in results] == [
        ("Z39.50 馆", 1),
        ("Z39.50 馆", 2),
        ("SRU 馆", 1),
        ("SRU 馆", 2),
    ]
    assert ztest_cql_hits(sru.isbn_query(servers[2], isbn_forms(ISBN))) >= 2
    assert pymarc.MARCReader(io.BytesIO(results[0].data)).__next__()["245"]["a"] == "How to program a computer"
    assert pymarc.parse_xml_to_array(io.BytesIO(results[2].data))[0].title == "How to program a computer"
    (failure,) = results.failures
    assert isinstance(failure, ServerUnreachable)
    assert failure.server == "关了的馆"
    assert "关了的馆" in failure.message


def test_a_silent_server_times_out_while_the_others_answer(ztest_port):
    with silent_server() as port:
        results = lookup_isbn(
            ISBN,
            [server("不回话的馆", "sru", port), server("Z39.50 馆", "z3950", ztest_port, max_records=1)],
            timeout=1.5,
        )

    assert [record.server for record in results] == ["Z39.50 馆"]
    (failure,) = results.failures
    assert isinstance(failure, ServerTimeout)
    assert failure.server == "不回话的馆"


def test_a_bug_in_a_client_is_a_failure_not_a_crash(ztest_port, monkeypatch):
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(z3950, "search", broken)

    results = lookup_isbn(ISBN, [server("有问题的馆", "z3950", ztest_port), server("SRU 馆", "sru", ztest_port)])

    assert {record.server for record in results} == {"SRU 馆"}
    (failure,) = results.failures
    assert isinstance(failure, ProtocolError)
    assert failure.params["detail"] == "RuntimeError"


def test_a_client_that_overruns_the_deadline_is_reported_as_timed_out(ztest_port, monkeypatch):
    """The facade does not wait for a client past the deadline, even one that ignores it."""
    released = threading.Event()

    def stuck(*args: Any, **kwargs: Any) -> Any:
        released.wait(10)
        raise RuntimeError("too late")

    monkeypatch.setattr(z3950, "search", stuck)
    try:
        results = lookup_isbn(
            ISBN, [server("卡住的馆", "z3950", ztest_port), server("SRU 馆", "sru", ztest_port)], timeout=0.5
        )
    finally:
        released.set()

    assert {record.server for record in results} == {"SRU 馆"}
    (failure,) = results.failures
    assert isinstance(failure, ServerTimeout)
    assert failure.server == "卡住的馆"
