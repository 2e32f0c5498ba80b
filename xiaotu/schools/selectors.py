"""Which library a command works on: the only one, or the one named by its code."""

from __future__ import annotations

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from xiaotu.schools.models import Library


def library_for_command(code: str | None) -> Library:
    """The library a command-line tool should act on; a clear error when it is ambiguous or unknown."""
    if code:
        library = Library.objects.filter(code=code).first()
        if library is None:
            raise CommandError(_("没有代码为 %(code)s 的图书馆。") % {"code": code})
        return library
    libraries = list(Library.objects.order_by("pk")[:2])
    if not libraries:
        raise CommandError(_("数据库里还没有图书馆。请先运行 xiaotu demo 或在管理页面中建立图书馆。"))
    if len(libraries) > 1:
        raise CommandError(_("有多个图书馆，请用 --library 指定图书馆代码。"))
    return libraries[0]
