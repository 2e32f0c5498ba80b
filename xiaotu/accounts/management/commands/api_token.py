"""`xiaotu api-token USERNAME [--name NAME]`: issue a bearer token for the JSON API and print it (only once)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from xiaotu.accounts.models import User
from xiaotu.accounts.services import api_token_issue


class Command(BaseCommand):
    help = _("为工作人员生成一个 API 令牌并打印出来；令牌只显示这一次。")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help=_("工作人员的登录名"))
        parser.add_argument("--name", default="", help=_("令牌的名称，例如用在哪台电脑或哪个脚本"))

    def handle(self, *args: Any, **options: Any) -> None:
        username: str = options["username"]
        user = User.objects.filter(username=username).select_related("library").first()
        if user is None:
            raise CommandError(_("没有这个用户：%(username)s") % {"username": username})
        if not user.is_active:
            raise CommandError(_("用户 %(username)s 已停用，不能生成令牌") % {"username": username})
        if user.library is None:
            raise CommandError(
                _("用户 %(username)s 不属于任何图书馆，令牌无法使用；请先为其设置图书馆") % {"username": username}
            )
        token = api_token_issue(user=user, name=options["name"][:100])
        # The token alone on stdout, so that TOKEN=$(xiaotu api-token NAME) works; the note goes to stderr.
        self.stdout.write(token)
        self.stderr.write(_("令牌已生成（%(library)s）。请妥善保存，它不会再次显示。") % {"library": user.library.name})
