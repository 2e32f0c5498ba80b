"""What an SRU server's diagnostic means, in words a librarian can act on."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from xiaotu.interop.lookup import ServerDiagnostic

DIAGNOSTIC_PREFIX = "info:srw/diagnostic/1/"

# The SRU diagnostics list (https://www.loc.gov/standards/sru/diagnostics/diagnosticsList.html), the common ones.
SRU: dict[int, Promise] = {
    1: _("服务器内部错误"),
    2: _("服务暂时不可用"),
    3: _("身份验证失败"),
    4: _("不支持这个操作"),
    5: _("不支持这个 SRU 版本"),
    6: _("不支持的参数值"),
    7: _("缺少必需的参数"),
    8: _("不支持的参数"),
    10: _("检索式语法错误"),
    16: _("不支持这个检索索引"),
    61: _("起始记录位置超出了检索结果"),
    63: _("服务器取记录时出错"),
    64: _("记录暂时无法获取"),
    65: _("记录不存在"),
    66: _("不认识所要求的记录格式（schema）"),
    67: _("记录没有所要求的格式"),
    71: _("不支持这种记录封装方式"),
}


def diagnostic_error(server: str, uri: str, message: str, details: str) -> ServerDiagnostic:
    """An SRU diagnostic (uri, message, details) as a typed error; `condition` is the number in the standard set."""
    condition = uri.removeprefix(DIAGNOSTIC_PREFIX) if uri.startswith(DIAGNOSTIC_PREFIX) else uri
    meaning: Promise | str | None = SRU.get(int(condition)) if condition.isdigit() else None
    if meaning is None:
        meaning = message or _("未知错误")
    detail = format_lazy("{}（{}）", meaning, details) if details else meaning
    return ServerDiagnostic(server=server, condition=condition or "?", detail=detail, uri=uri, addinfo=details)
