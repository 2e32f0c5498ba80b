"""超期通知 by class: the list, the PDF, and the daily sending to a real SMTP server and a real HTTP receiver."""

from __future__ import annotations

import datetime as dt
import email
import json
import re
import socket
import threading
from collections.abc import Iterator
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.urls import reverse
from django.utils import timezone

from xiaotu.accounts.models import Role
from xiaotu.circulation.models import NoticeChannels, NoticeRun
from xiaotu.circulation.notices import overdue_notices_send
from xiaotu.circulation.overdue import overdue_by_class
from xiaotu.circulation.services import checkout
from xiaotu.circulation.tasks import send_overdue_notices
from xiaotu.testing.factories import (
    GradeFactory,
    ItemFactory,
    ReaderFactory,
    RecordFactory,
    SchoolClassFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
SMTP_PORTS = range(8121, 8126)


class Inbox:
    """An aiosmtpd handler that keeps every message it is given."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.recipients: list[list[str]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.content))
        self.recipients.append(list(envelope.rcpt_tos))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    """A real SMTP server on loopback, on the first free port of this helper's range."""
    inbox = Inbox()
    for port in SMTP_PORTS:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                continue
        controller = Controller(inbox, hostname="127.0.0.1", port=port)
        controller.start()
        try:
            yield inbox, port
        finally:
            controller.stop()
        return
    pytest.fail("no free port for the SMTP server")


class Receiver(BaseHTTPRequestHandler):
    bodies: list[dict[str, Any]]
    answer: bytes = b'{"errcode":0,"errmsg":"ok"}'

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        self.bodies.append(json.loads(self.rfile.read(length)))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(self.answer)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def robot() -> Iterator[tuple[type[Receiver], str]]:
    """An HTTP receiver standing in for the 企业微信/钉钉 robot; it answers as they do."""
    handler = type("Robot", (Receiver,), {"bodies": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield handler, f"http://127.0.0.1:{server.server_address[1]}/cgi-bin/webhook/send?key=test"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def overdue(rules, librarian, library):
    """Two classes with overdue books (their teachers have e-mail), one with none, and a staff reader."""
    teacher_a = UserFactory.create(library=library, username="wang", role=Role.TEACHER, email="wang@school.cn")
    teacher_b = UserFactory.create(library=library, username="li", role=Role.TEACHER, email="li@school.cn")
    grade = GradeFactory.create(library=library, number=3, name="三年级")
    class_a = SchoolClassFactory.create(grade=grade, number=1, teacher=teacher_a)
    class_b = SchoolClassFactory.create(grade=grade, number=2, teacher=teacher_b)
    month_ago = timezone.now() - dt.timedelta(days=30)
    pupil_a = ReaderFactory.create(name="张小明", school_class=class_a)
    pupil_b = ReaderFactory.create(name="王芳", school_class=class_b)
    on_time = ReaderFactory.create(name="李华", school_class=class_b)
    checkout(
        reader=pupil_a, item=ItemFactory.create(record=RecordFactory.create(title="西游记")), by=librarian, at=month_ago
    )
    checkout(
        reader=pupil_b, item=ItemFactory.create(record=RecordFactory.create(title="草房子")), by=librarian, at=month_ago
    )
    checkout(reader=on_time, item=ItemFactory.create(), by=librarian)
    return class_a, class_b


def test_overdue_loans_are_grouped_by_class_with_days_late(overdue, library):
    class_a, class_b = overdue
    groups = overdue_by_class(library=library, today=TODAY)
    assert [g.school_class for g in groups] == [class_a, class_b]
    assert [row.reader for row in groups[1].rows] == ["王芳"]  # 李华's book is not yet due
    assert groups[0].rows[0].days > 0 and groups[0].rows[0].title == "西游记"


def test_the_page_lists_each_class_and_links_the_slips(client, overdue, librarian):
    client.force_login(librarian)
    page = client.get(reverse("circulation:overdue")).content.decode()
    assert "三年级(1)班" in page and "《西游记》" in page and "《草房子》" in page
    assert reverse("circulation:overdue_slips") in page


def test_the_slips_are_one_pdf_page_per_class(client, overdue, librarian):
    client.force_login(librarian)
    response = client.get(reverse("circulation:overdue_slips"))
    assert response["Content-Type"] == "application/pdf"
    assert len(re.findall(rb"/Type\s*/Page(?!s)", response.content)) == 2


def test_a_student_librarian_may_not_open_the_overdue_list(client, overdue, student_librarian):
    client.force_login(student_librarian)
    assert client.get(reverse("circulation:overdue")).status_code == 403


def test_each_class_teacher_gets_their_slip_by_email(smtp, overdue, library):
    inbox, port = smtp
    NoticeChannels.objects.create(
        library=library,
        email_enabled=True,
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_security=NoticeChannels.Security.NONE,
        from_address="library@school.cn",
        extra_recipients="office@school.cn",
    )

    (run,) = overdue_notices_send(library=library, today=TODAY)

    assert run.ok, run.detail
    assert sorted(r[0] for r in inbox.recipients) == ["li@school.cn", "office@school.cn", "wang@school.cn"]
    to_wang = next(m for m, r in zip(inbox.messages, inbox.recipients, strict=True) if r == ["wang@school.cn"])
    body = next(part for part in to_wang.walk() if part.get_content_type() == "text/plain")
    text = body.get_payload(decode=True).decode()
    assert "张小明" in text and "西游记" in text and "草房子" not in text
    assert any(part.get_content_type() == "application/pdf" for part in to_wang.walk())


def test_the_robot_gets_the_text_message_the_chat_robots_accept(robot, overdue, library):
    handler, url = robot
    NoticeChannels.objects.create(library=library, webhook_enabled=True, webhook_url=url)

    (run,) = overdue_notices_send(library=library, today=TODAY)

    assert run.ok, run.detail
    (body,) = handler.bodies
    assert body["msgtype"] == "text" and set(body) == {"msgtype", "text"}
    content = body["text"]["content"]
    assert "三年级(1)班" in content and "张小明《西游记》" in content and "王芳《草房子》" in content


def test_the_dingtalk_markdown_message_has_a_title_and_text(robot, overdue, library):
    handler, url = robot
    NoticeChannels.objects.create(
        library=library, webhook_enabled=True, webhook_url=url, webhook_format="dingtalk_markdown"
    )
    overdue_notices_send(library=library, today=TODAY)
    (body,) = handler.bodies
    assert body["msgtype"] == "markdown" and set(body["markdown"]) == {"title", "text"}
    assert "### 三年级(1)班" in body["markdown"]["text"]


def test_a_robot_that_says_no_is_recorded_as_a_failure(robot, overdue, library):
    handler, url = robot
    handler.answer = b'{"errcode":93000,"errmsg":"invalid webhook url"}'
    NoticeChannels.objects.create(library=library, webhook_enabled=True, webhook_url=url)
    (run,) = overdue_notices_send(library=library, today=TODAY)
    assert not run.ok and "93000" in run.detail


def test_a_dead_mail_server_does_not_stop_the_robot(robot, overdue, library):
    handler, url = robot
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    NoticeChannels.objects.create(
        library=library,
        email_enabled=True,
        smtp_host="127.0.0.1",
        smtp_port=closed_port,
        smtp_security=NoticeChannels.Security.NONE,
        from_address="library@school.cn",
        webhook_enabled=True,
        webhook_url=url,
    )
    runs = {run.channel: run for run in overdue_notices_send(library=library, today=TODAY)}
    assert not runs["email"].ok and runs["webhook"].ok
    assert len(handler.bodies) == 1


def test_the_daily_job_sends_once_a_day(robot, overdue, library):
    handler, url = robot
    NoticeChannels.objects.create(library=library, webhook_enabled=True, webhook_url=url, send_hour=0)
    assert send_overdue_notices.call_local() == 1
    assert send_overdue_notices.call_local() == 0
    assert len(handler.bodies) == 1 and NoticeRun.objects.filter(ok=True).count() == 1


def test_the_settings_page_refuses_email_without_a_server(client, library):
    admin = UserFactory.create(library=library, username="admin", role=Role.ADMIN)
    client.force_login(admin)
    response = client.post(
        reverse("circulation:notice_settings"),
        {"send_hour": 8, "email_enabled": "on", "smtp_port": 465, "smtp_security": "ssl", "webhook_format": "text"},
    )
    assert response.status_code == 400 and "SMTP 服务器" in response.content.decode()
    assert not NoticeChannels.objects.exists()


def test_the_settings_page_keeps_the_saved_password_when_left_blank(client, library):
    admin = UserFactory.create(library=library, username="admin", role=Role.ADMIN)
    NoticeChannels.objects.create(library=library, smtp_password="secret")
    client.force_login(admin)
    form = {"send_hour": 9, "smtp_port": 25, "smtp_security": "none", "webhook_format": "text", "smtp_password": ""}
    assert client.post(reverse("circulation:notice_settings"), form).status_code == 302
    channels = NoticeChannels.objects.get()
    assert channels.smtp_password == "secret" and channels.send_hour == 9
