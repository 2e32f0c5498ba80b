"""Sending the overdue notices by class: e-mail through the library's SMTP server, and a chat-group robot.

The robots of 企业微信 and 钉钉 take the same JSON for text ({"msgtype": "text", "text": {"content": …}}); their
Markdown messages differ in one key. Each channel is tried on its own: a dead mail server does not stop the robot.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import smtplib
import urllib.error
import urllib.request
from collections.abc import Iterator

from django.core.mail import EmailMessage, get_connection
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaotu.circulation.models import NoticeChannels, NoticeRun
from xiaotu.circulation.overdue import ClassOverdue, overdue_by_class, slip_text
from xiaotu.circulation.overdue_pdf import overdue_pdf
from xiaotu.schools.models import Library

logger = logging.getLogger(__name__)

TIMEOUT_S = 20
# 企业微信 allows 2048 bytes of text and 4096 of Markdown; 钉钉 about as much. Long lists go as several messages.
WEBHOOK_MAX_BYTES = {"text": 2000, "wecom_markdown": 4000, "dingtalk_markdown": 4000}


class NoticeError(Exception):
    """A channel could not deliver; the message is shown on the settings page."""


def overdue_notices_send(*, library: Library, today: dt.date, force: bool = False) -> list[NoticeRun]:
    """Send today's notices on every enabled channel not yet sent today (or again, with force)."""
    channels = NoticeChannels.objects.filter(library=library).first()
    if channels is None:
        return []
    done = set(NoticeRun.objects.filter(library=library, day=today, ok=True).values_list("channel", flat=True))
    wanted = []
    if channels.email_enabled and (force or NoticeRun.Channel.EMAIL not in done):
        wanted.append(NoticeRun.Channel.EMAIL)
    if channels.webhook_enabled and (force or NoticeRun.Channel.WEBHOOK not in done):
        wanted.append(NoticeRun.Channel.WEBHOOK)
    if not wanted:
        return []
    groups = overdue_by_class(library=library, today=today)
    runs = []
    for channel in wanted:
        send = _send_email if channel == NoticeRun.Channel.EMAIL else _send_webhook
        try:
            detail = send(channels, groups, library=library, today=today) if groups else _("今天没有超期未还的图书")
            ok = True
        except NoticeError as error:
            detail, ok = str(error), False
            logger.warning("overdue notices by %s failed for library %s: %s", channel, library.pk, error)
        if ok and force:
            # Sent again by hand: the day keeps one success row per channel.
            NoticeRun.objects.filter(library=library, day=today, channel=channel, ok=True).delete()
        runs.append(
            NoticeRun.objects.create(
                library=library,
                day=today,
                channel=channel,
                ok=ok,
                classes=len(groups),
                detail=detail[:500],
                at=timezone.now(),
            )
        )
    return runs


def _send_email(channels: NoticeChannels, groups: list[ClassOverdue], *, library: Library, today: dt.date) -> str:
    if not channels.smtp_host or not channels.from_address:
        raise NoticeError(_("没有填写 SMTP 服务器或发件人地址"))
    subject = _("%(library)s 超期未还图书通知（%(date)s）") % {"library": library.name, "date": today.isoformat()}
    messages = []
    if channels.email_class_teachers:
        for group in groups:
            teacher = group.teacher
            if teacher is None or not teacher.email:
                continue
            message = EmailMessage(
                f"{subject} {group.name}",
                slip_text(group, library=library, today=today),
                channels.from_address,
                [teacher.email],
            )
            message.attach(f"overdue-{today.isoformat()}.pdf", _pdf([group], library, today), "application/pdf")
            messages.append(message)
    if extra := channels.extra_addresses():
        body = "\n\n".join(slip_text(group, library=library, today=today) for group in groups)
        message = EmailMessage(subject, body, channels.from_address, extra)
        message.attach(f"overdue-{today.isoformat()}.pdf", _pdf(groups, library, today), "application/pdf")
        messages.append(message)
    if not messages:
        raise NoticeError(_("没有收件人：班主任没有填写电子邮件地址，也没有填写抄送地址"))
    connection = get_connection(
        "django.core.mail.backends.smtp.EmailBackend",
        host=channels.smtp_host,
        port=channels.smtp_port,
        username=channels.smtp_username or None,
        password=channels.smtp_password or None,
        use_tls=channels.smtp_security == NoticeChannels.Security.STARTTLS,
        use_ssl=channels.smtp_security == NoticeChannels.Security.SSL,
        timeout=TIMEOUT_S,
        fail_silently=False,
    )
    try:
        sent = connection.send_messages(messages)
    except (smtplib.SMTPException, OSError) as error:
        raise NoticeError(_("邮件发送失败：%(error)s") % {"error": error}) from error
    return _("已发送 %(n)d 封邮件") % {"n": sent or 0}


def _pdf(groups: list[ClassOverdue], library: Library, today: dt.date) -> bytes:
    return overdue_pdf(groups, library_name=library.name, today=today)


def _send_webhook(channels: NoticeChannels, groups: list[ClassOverdue], *, library: Library, today: dt.date) -> str:
    if not channels.webhook_url:
        raise NoticeError(_("没有填写机器人 Webhook 地址"))
    fmt = channels.webhook_format
    title = _("%(library)s 超期未还图书（%(date)s）") % {"library": library.name, "date": today.isoformat()}
    parts = [_webhook_part(group, fmt=fmt, library=library, today=today) for group in groups]
    sent = 0
    for content in _chunks(parts, title=title, fmt=fmt):
        _post(channels.webhook_url, webhook_body(content, fmt=fmt, title=title))
        sent += 1
    return _("已发送 %(n)d 条群消息") % {"n": sent}


def _webhook_part(group: ClassOverdue, *, fmt: str, library: Library, today: dt.date) -> str:
    if fmt == NoticeChannels.WebhookFormat.TEXT:
        # The text message repeats no heading per class: the first chunk carries the title.
        return "\n".join(slip_text(group, library=library, today=today).splitlines()[1:-1])
    teacher = f"（{_('班主任')} {group.teacher}）" if group.teacher else ""
    lines = [f"### {group.name}{teacher}"]
    lines += [f"- {row.reader}《{row.title}》{_('逾期 %(days)d 天') % {'days': row.days}}" for row in group.rows]
    return "\n".join(lines)


def _chunks(parts: list[str], *, title: str, fmt: str) -> Iterator[str]:
    """Class blocks packed into messages under the robot's size limit, each message starting with the title."""
    limit = WEBHOOK_MAX_BYTES.get(fmt, 2000)
    head = title if fmt == NoticeChannels.WebhookFormat.TEXT else f"## {title}"
    current = head
    for part in parts:
        candidate = f"{current}\n\n{part}"
        if len(candidate.encode()) > limit and current != head:
            yield current
            candidate = f"{head}\n\n{part}"
        # A single class longer than the limit is cut rather than refused by the robot.
        current = candidate.encode()[:limit].decode(errors="ignore")
    yield current


def webhook_body(content: str, *, fmt: str, title: str) -> dict[str, object]:
    """The JSON a 企业微信 or 钉钉 group robot accepts."""
    if fmt == NoticeChannels.WebhookFormat.WECOM_MARKDOWN:
        return {"msgtype": "markdown", "markdown": {"content": content}}
    if fmt == NoticeChannels.WebhookFormat.DINGTALK_MARKDOWN:
        return {"msgtype": "markdown", "markdown": {"title": title, "text": content}}
    return {"msgtype": "text", "text": {"content": content}}


def _post(url: str, body: dict[str, object]) -> None:
    request = urllib.request.Request(
        url,
        data=json.dumps(body, ensure_ascii=False).encode(),
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
            answer = response.read()
    except (urllib.error.URLError, OSError, ValueError) as error:
        raise NoticeError(_("群机器人发送失败：%(error)s") % {"error": error}) from error
    try:
        errcode = json.loads(answer or b"{}").get("errcode", 0)
    except (ValueError, AttributeError):
        errcode = 0
    if errcode:
        raise NoticeError(_("群机器人拒绝了消息：%(answer)s") % {"answer": answer[:200].decode(errors="replace")})
