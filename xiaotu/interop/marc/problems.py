"""What can go wrong with a MARC file or one of its records: stable codes and Chinese messages."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

# File-level failures: the file is refused as a whole and nothing is imported.
FILE_MESSAGES: dict[str, StrOrPromise] = {
    "empty": _("文件是空的。"),
    "too_large": _("文件太大（{size} 字节），超过了 {limit} 字节的上限。"),
    "not_marc": _("这不是 MARC 文件（{detail}）。"),
    "truncated": _("文件不完整：从第 {offset} 字节开始的最后一条记录被截断了。"),
    "xml_invalid": _("XML 无法解析（第 {line} 行第 {column} 列）：{detail}"),
    "no_records": _("文件中没有找到任何 MARC 记录。"),
    "sru_error": _("SRU 服务返回了错误：{detail}"),
    "unreadable": _("无法读取文件：{detail}"),
    "bad_option": _("不支持的选项 {name}={value}。"),
}

# Record-level problems. Fatal ones mean the record is skipped; the others are repairs made while reading it.
RECORD_MESSAGES: dict[str, StrOrPromise] = {
    # fatal
    "record_too_short": _("记录太短，不是完整的 MARC 记录。"),
    "leader_invalid": _("头标区含有非法字符。"),
    "directory_invalid": _("目次区损坏，无法确定字段的位置（{detail}）。"),
    "no_fields": _("记录中没有任何字段。"),
    "record_truncated": _("记录不完整，后半部分缺失。"),
    "xml_record_invalid": _("XML 记录的结构不正确：{detail}"),
    "record_too_long": _("记录超过 ISO 2709 允许的最大长度 99999 字节，未能导出。"),
    # repairs (the record is still read)
    "length_mismatch": _("头标中的记录长度（{stated}）与实际长度（{actual}）不符，已按实际内容读取。"),
    "base_address_repaired": _("数据基地址（{stated}）错误，已按目次区的结束位置（{actual}）读取。"),
    "directory_repaired": _("目次区中的字段长度或位置有误，已按字段分隔符读取。"),
    "bad_bytes": _("部分字符无法按 {encoding} 解码，已用“�”代替。"),
    "subfield_code_repaired": _("子字段标识符无效（{found}），已改为 {fixed}。"),
    "junk_skipped": _("记录前有 {count} 个多余的字节，已跳过。"),
    "no_title": _("记录中没有题名。"),
    "isbn_invalid": _("ISBN 无效：{value}（已原样保留）。"),
}

# Why an encoding was chosen for a file.
ENCODING_REASONS: dict[str, StrOrPromise] = {
    "override": _("使用指定的编码 {encoding}。"),
    "ascii": _("文件中只有 ASCII 字符，按 {encoding} 读取。"),
    "marc8_escapes": _("MARC21 头标 09 位为空且含 MARC-8 转义序列，按 MARC-8 读取。"),
    "trial_utf8": _("内容是有效的 UTF-8{declared}，按 UTF-8 读取。"),
    "cnmarc_100": _("100 字段 $a/26-29 为“{code}”（国标汉字字符集），且内容可按 GB18030 解码，按 GB18030 读取。"),
    "trial_gb18030": _("内容不是有效的 UTF-8，但可按 GB18030 解码为汉字{declared}，按 GB18030 读取。"),
    "leader09": _("MARC21 头标 09 位为“{code}”，按 {encoding} 读取。"),
    "best_effort": _("无法确定编码，按出错最少的 {encoding} 读取，无法解码的字符已用“�”代替。"),
    "xml": _("XML 文件按其声明的编码（{encoding}）读取。"),
}


def render(template: StrOrPromise, params: dict[str, Any]) -> StrOrPromise:
    """Fill a lazy message template; stays lazy so it is translated when shown."""
    return format_lazy(template, **params) if params else template


class MarcFileError(Exception):
    """The file as a whole cannot be imported: empty, not MARC, truncated, too large or unreadable."""

    def __init__(self, code: str, **params: Any) -> None:
        self.code = code
        self.params = params
        self.message = render(FILE_MESSAGES[code], params)
        super().__init__(code)

    def __str__(self) -> str:
        return str(self.message)


@dataclass(frozen=True, slots=True)
class RecordProblem:
    """A record that could not be read (fatal) or was read with a repair, with where it is in the file.

    position is the 1-based record number in the file; offset the byte offset where the record starts.
    """

    position: int
    offset: int
    code: str
    fatal: bool
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def message(self) -> StrOrPromise:
        return render(RECORD_MESSAGES[self.code], self.params)

    def __str__(self) -> str:
        return f"#{self.position} @{self.offset}: {self.message}"
