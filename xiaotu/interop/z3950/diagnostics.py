"""What a Z39.50 server's Bib-1 diagnostic means, in words a librarian can act on."""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from xiaotu.interop.lookup import ServerDiagnostic
from xiaotu.interop.z3950.codec import BIB1_DIAGNOSTICS, text_from_wire

# The Bib-1 diagnostic set (Z39.50-2003 Appendix 2); only the ones a lookup by ISBN meets in practice.
BIB1: dict[int, Promise] = {
    1: _("服务器内部错误"),
    2: _("服务器暂时出错，请稍后再试"),
    3: _("不支持这种检索"),
    13: _("要取的记录位置超出了检索结果"),
    14: _("服务器取记录时出错"),
    23: _("不支持同时检索这些数据库"),
    100: _("未说明原因的错误"),
    101: _("没有访问权限"),
    108: _("检索式格式错误"),
    109: _("数据库不可用"),
    111: _("指定的数据库太多"),
    113: _("不支持这种检索属性"),
    114: _("不支持这个检索点（Use 属性）"),
    115: _("不支持这个检索词"),
    117: _("不支持这种关系属性"),
    235: _("数据库不存在"),
    236: _("没有权限访问这个数据库"),
    238: _("没有所要求格式的记录"),
    239: _("不支持所要求的记录格式"),
}


def diagnostic_error(server: str, diag_rec: tuple[str, Any], encoding: str) -> ServerDiagnostic:
    """A DiagRec (or a bare DefaultDiagFormat as ('defaultFormat', ...)) as a typed error."""
    kind, value = diag_rec
    if kind != "defaultFormat":
        return ServerDiagnostic(server=server, condition="?", detail=_("服务器报告了无法解读的错误"))
    condition = int(value.get("condition", 0))
    addinfo = _addinfo(value.get("addinfo"), encoding)
    meaning: Promise | str | None = BIB1.get(condition) if value.get("diagnosticSetId") == BIB1_DIAGNOSTICS else None
    if meaning is None:
        meaning = addinfo or _("未知错误")
        addinfo = ""
    detail = format_lazy("{}（{}）", meaning, addinfo) if addinfo else meaning
    return ServerDiagnostic(
        server=server,
        condition=str(condition),
        detail=detail,
        diagnostic_set=value.get("diagnosticSetId", ""),
        addinfo=addinfo,
    )


def _addinfo(addinfo: tuple[str, Any] | None, encoding: str) -> str:
    # v2 comes as octets, v3 as GeneralString read as latin-1: both are the server's bytes in its own charset.
    if not addinfo:
        return ""
    raw = addinfo[1] if isinstance(addinfo[1], bytes | bytearray) else str(addinfo[1]).encode("latin-1")
    return text_from_wire(bytes(raw), encoding).strip()
