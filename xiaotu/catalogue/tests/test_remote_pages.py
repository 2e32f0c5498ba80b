"""Cataloguing from other libraries against a real server: yaz-ztest on a loopback port, asked over Z39.50 and SRU
through the 按 ISBN 编目 page; and the 联合目录设置 page that lists, tests and orders the servers."""

from __future__ import annotations

import html
import re

import pytest
from django.urls import reverse

from xiaotu.accounts.models import AuditEvent, Role
from xiaotu.catalogue.models import Item, Record
from xiaotu.intake.models import RemoteCatalogue
from xiaotu.interop.tests.servers import free_port, yaz_ztest
from xiaotu.testing.factories import ItemCategoryFactory, LocationFactory, UserFactory

pytestmark = pytest.mark.django_db
ISBN = "9787020002207"
ZTEST_TITLE = "How to program a computer"  # the first of yaz-ztest's MARC21 records


@pytest.fixture(scope="module")
def ztest_port(tmp_path_factory):
    with yaz_ztest(tmp_path_factory.mktemp("ztest")) as port:
        yield port


@pytest.fixture
def shelves(library):
    return LocationFactory.create(library=library), ItemCategoryFactory.create(library=library)


@pytest.fixture
def servers(library, ztest_port):
    """Z39.50 and SRU on the same yaz-ztest, and a server that is switched off, in that order."""
    common = {"library": library, "host": "127.0.0.1", "encoding": "utf-8"}
    return [
        RemoteCatalogue.objects.create(
            name="测试馆 Z39.50", protocol="z3950", port=ztest_port, syntax="usmarc", position=0, **common
        ),
        RemoteCatalogue.objects.create(
            name="测试馆 SRU", protocol="sru", port=ztest_port, syntax="marcxml", position=1, **common
        ),
        RemoteCatalogue.objects.create(name="关了的馆", protocol="z3950", port=free_port(), position=2, **common),
    ]


@pytest.fixture
def staff(client, librarian, shelves):
    client.force_login(librarian)
    return client


@pytest.fixture
def admin(client, library, shelves):
    client.force_login(UserFactory.create(library=library, username="admin", role=Role.ADMIN))
    return client


def tokens(page: str) -> list[str]:
    return [html.unescape(t) for t in re.findall(r'name="token" value="([^"]+)"', page)]


def test_an_isbn_not_here_is_asked_of_every_server_and_their_records_are_listed(staff, servers):
    response = staff.get(reverse("catalogue:isbn"), {"isbn": ISBN}, headers={"HX-Request": "true"})
    page = response.content.decode()

    assert response.status_code == 200
    assert ZTEST_TITLE in page and "Jack Collins" in page
    assert "测试馆 Z39.50</strong>：找到" in page and "测试馆 SRU</strong>：找到" in page
    assert "关了的馆" in page and "拒绝连接" in page  # the dead server is named, the page still works
    assert len(tokens(page)) >= 2
    assert "都不对？手工填写简要书目" in page


def test_a_record_picked_from_a_server_is_reviewed_and_saved_with_its_copies(staff, servers, shelves):
    page = staff.get(reverse("catalogue:isbn"), {"isbn": ISBN}).content.decode()
    token = tokens(page)[0]

    review = staff.post(reverse("catalogue:record_review"), {"token": token, "scanned": ISBN}).content.decode()
    assert "核对书目" in review and "来自 测试馆 Z39.50" in review
    assert f'value="{ZTEST_TITLE}"' in review
    assert f'value="{ISBN}"' in review  # the book in hand's ISBN, whatever the record carried

    location, category = shelves
    response = staff.post(
        reverse("catalogue:record_new"),
        {
            "token": token,
            "scanned": ISBN,
            "server": "测试馆 Z39.50",
            "title": ZTEST_TITLE,
            "author": "Jack Collins",
            "isbn": ISBN,
            "clc_class": "TP311",
            "copies": "2",
            "location": location.pk,
            "category": category.pk,
            "batch": "daily",
        },
    )

    assert response.status_code == 302
    record = Record.objects.get()
    assert record.title == ZTEST_TITLE and record.isbn == ISBN
    assert record.marc_format == "marc21" and '"245"' in record.marc  # the other library's record is kept whole
    assert record.call_number == "TP311/1"
    assert Item.objects.filter(record=record).count() == 2
    created = AuditEvent.objects.get(action="record.create")
    assert created.data["source"] == "remote:测试馆 Z39.50"


def test_a_record_from_the_sru_server_can_be_picked_too(staff, servers, shelves):
    servers[0].enabled = False
    servers[0].save()
    page = staff.get(reverse("catalogue:isbn"), {"isbn": ISBN}).content.decode()
    assert "测试馆 Z39.50" not in page
    review = staff.post(reverse("catalogue:record_review"), {"token": tokens(page)[0], "scanned": ISBN})
    assert "来自 测试馆 SRU" in review.content.decode()


def test_manual_entry_is_offered_when_no_record_fits(staff, servers):
    page = staff.get(reverse("catalogue:isbn"), {"isbn": ISBN, "manual": "1"}).content.decode()
    assert "填写简要书目" in page and ZTEST_TITLE not in page


# -- 联合目录设置 ----------------------------------------------------------------------------------------------------


def server_form(**fields):
    data = {
        "name": "国家图书馆",
        "protocol": "z3950",
        "host": "202.96.31.28",
        "port": "9991",
        "database": "UCS01U",
        "syntax": "cnmarc",
        "encoding": "utf-8",
        "user": "school01",
        "password": "secret",
        "cql_index": "bath.isbn",
        "enabled": "on",
    }
    data.update(fields)
    return data


def test_an_administrator_adds_a_server_at_the_end_of_the_list(admin, servers):
    response = admin.post(reverse("remote_catalogues:list"), server_form())
    assert response.status_code == 302
    added = RemoteCatalogue.objects.get(name="国家图书馆")
    assert (added.host, added.port, added.database, added.position) == ("202.96.31.28", 9991, "UCS01U", 3)
    event = AuditEvent.objects.get(action="remote_catalogue.create")
    assert event.data["password"] == "***"  # never written to the audit log


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"host": "http://202.96.31.28"}, "主机名只能有"),
        ({"host": ""}, "请填写主机"),
        ({"port": "70000"}, "端口应为 1 到 65535"),
        ({"port": "abc"}, "端口应为 1 到 65535"),
        ({"name": "x" * 10_000}, "最多 100 个字符"),
        ({"syntax": "dublincore"}, "dublincore"),
    ],
)
def test_server_settings_that_cannot_work_are_refused(admin, fields, words):
    response = admin.post(reverse("remote_catalogues:list"), server_form(**fields))
    assert response.status_code == 400 and words in response.content.decode()
    assert not RemoteCatalogue.objects.exists()


def test_editing_a_server_keeps_the_password_when_left_blank(admin, library):
    server = RemoteCatalogue.objects.create(library=library, name="国图", host="202.96.31.28", password="old")
    response = admin.post(reverse("remote_catalogues:edit", args=[server.pk]), server_form(password="", port="9992"))
    assert response.status_code == 302
    server.refresh_from_db()
    assert (server.port, server.password) == (9992, "old")


def test_servers_are_reordered_disabled_and_deleted(admin, servers):
    action = "remote_catalogues:action"
    admin.post(reverse(action, args=[servers[2].pk]), {"action": "up"})
    assert list(RemoteCatalogue.objects.values_list("name", flat=True)) == ["测试馆 Z39.50", "关了的馆", "测试馆 SRU"]
    admin.post(reverse(action, args=[servers[0].pk]), {"action": "up"})  # already first: nothing moves
    assert RemoteCatalogue.objects.first() == servers[0]
    admin.post(reverse(action, args=[servers[1].pk]), {"action": "disable"})
    assert not RemoteCatalogue.objects.get(pk=servers[1].pk).enabled
    admin.post(reverse(action, args=[servers[2].pk]), {"action": "delete"})
    assert not RemoteCatalogue.objects.filter(pk=servers[2].pk).exists()
    assert admin.post(reverse(action, args=[servers[0].pk]), {"action": "explode"}).status_code == 404


def test_the_test_button_reports_success_with_the_first_title(admin, servers):
    page = admin.post(reverse("remote_catalogues:test", args=[servers[0].pk]), {"isbn": ISBN}).content.decode()
    assert 'data-test-result="ok"' in page
    assert "测试馆 Z39.50 连接正常" in page and ZTEST_TITLE in page


def test_the_test_button_reports_a_dead_server_in_words(admin, servers):
    page = admin.post(reverse("remote_catalogues:test", args=[servers[2].pk]), {"isbn": ""}).content.decode()
    assert 'data-test-result="failed"' in page and "拒绝连接" in page


def test_the_test_button_refuses_a_bad_isbn(admin, servers):
    response = admin.post(reverse("remote_catalogues:test", args=[servers[0].pk]), {"isbn": "12345"}, follow=True)
    assert "ISBN 应为 10 位或 13 位" in response.content.decode()
