"""Reading a fuller 中图法 table from CSV (code,name[,parent]) or JSON, with every bad row reported by line."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Literal

from django.utils.translation import gettext_lazy as _

from xiaotu.catalogue.clc.notation import is_valid_class, normalize_class
from xiaotu.catalogue.clc.table import ClcClass, ClcTable

Format = Literal["csv", "json"]

_CODE_HEADERS = {"code", "class", "分类号", "类号", "中图法分类号", "中图分类号"}
_NAME_HEADERS = {"name", "title", "类名", "名称", "类目", "类目名称"}
_PARENT_HEADERS = {"parent", "parent_code", "上级", "上级类", "上位类", "上级分类号"}


@dataclass(frozen=True)
class RowError:
    """One row that was not imported: its line in the CSV file (or item number in JSON), the code, the reason."""

    line: int
    code: str
    message: str

    def __str__(self) -> str:
        return str(_("第 %(line)s 行：%(message)s") % {"line": self.line, "message": self.message})


@dataclass(frozen=True)
class ClcImport:
    """The outcome of an import: the table built from the good rows, the bad rows, and 交替/停用 rows skipped."""

    table: ClcTable
    errors: tuple[RowError, ...]
    imported: int
    skipped: int

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class _Row:
    line: int
    code: str
    name: str
    parent: str


def import_table(
    file: str | Path | IO[str] | IO[bytes],
    *,
    base: ClcTable | None = None,
    format: Format | None = None,
) -> ClcImport:
    """Read a table from a path or an open file; rows override and extend ``base`` when it is given.

    CSV: columns code,name[,parent], with or without a header row (English or Chinese column names),
    UTF-8 or GB18030 as Excel saves it. JSON: a list of {"code", "name", "parent"?, "children"?} objects
    (nested children take the enclosing code as parent), or {"classes": [...]} as in clc5.json. Codes
    in [ ] or { } (交替/停用 classes of the printed table) are skipped, not imported.
    """
    text, name = _read_text(file)
    kind = format or _guess_format(name, text)
    errors: list[RowError] = []
    title = ""
    if kind == "json":
        data = _parse_json(text, errors)
        title = str(data.get("title", "")) if isinstance(data, dict) else ""
        source = _json_rows(data, errors)
    else:
        source = _csv_rows(text)
    rows: list[_Row] = []
    skipped = 0
    for row in source:
        if row.code.startswith(("[", "{")):
            skipped += 1
        else:
            rows.append(row)
    good = _check_rows(rows, base, errors)
    merged = {c.code: c for c in base} if base else {}
    merged.update((c.code, c) for c in good)
    table = ClcTable(merged.values(), title=base.title if base else title or Path(name).stem)
    errors.sort(key=lambda error: error.line)
    return ClcImport(table=table, errors=tuple(errors), imported=len(good), skipped=skipped)


def read_table(path: Path) -> ClcTable:
    """A trusted table file (the shipped clc5.json or a configured fuller one); any bad row is an error."""
    result = import_table(path)
    if result.errors:
        problems = "; ".join(str(error) for error in result.errors[:5])
        raise ValueError(f"{path}: {problems}")
    return result.table


def _read_text(file: str | Path | IO[str] | IO[bytes]) -> tuple[str, str]:
    if isinstance(file, str | Path):
        path = Path(file)
        return _decode(path.read_bytes()), path.name
    content = file.read()
    name = str(getattr(file, "name", ""))
    return (_decode(content) if isinstance(content, bytes) else content), name


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030")


def _guess_format(name: str, text: str) -> Format:
    suffix = Path(name).suffix.lower()
    if suffix in {".json", ".csv"}:
        return "json" if suffix == ".json" else "csv"
    return "json" if text.lstrip()[:1] in {"[", "{"} else "csv"


def _csv_rows(text: str) -> Iterator[_Row]:
    reader = csv.reader(io.StringIO(text))
    columns = (0, 1, 2)
    first = True
    for raw in reader:
        cells = [cell.strip() for cell in raw]
        if not any(cells):
            continue
        if first:
            first = False
            header = [cell.lower() for cell in cells]
            if any(cell in _CODE_HEADERS for cell in header):
                columns = (
                    _column(header, _CODE_HEADERS),
                    _column(header, _NAME_HEADERS),
                    _column(header, _PARENT_HEADERS),
                )
                continue
        code, name, parent = (cells[index] if 0 <= index < len(cells) else "" for index in columns)
        yield _Row(line=reader.line_num, code=code, name=name, parent=parent)


def _column(header: list[str], names: set[str]) -> int:
    return next((index for index, cell in enumerate(header) if cell in names), -1)


def _parse_json(text: str, errors: list[RowError]) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        message = _("不是有效的 JSON 文件：%(error)s") % {"error": exc.msg}
        errors.append(RowError(line=exc.lineno, code="", message=str(message)))
        return None


def _json_rows(data: Any, errors: list[RowError]) -> Iterator[_Row]:
    if data is None:
        return
    items = data.get("classes") if isinstance(data, dict) else data
    if not isinstance(items, list):
        errors.append(RowError(line=1, code="", message=str(_("JSON 文件里没有分类表（classes 列表）"))))
        return
    yield from _walk(items, None, [0], errors)


def _walk(items: list[Any], parent: str | None, counter: list[int], errors: list[RowError]) -> Iterator[_Row]:
    for item in items:
        counter[0] += 1
        number = counter[0]
        if not isinstance(item, dict):
            errors.append(RowError(line=number, code="", message=str(_("应为包含 code 和 name 的对象"))))
            continue
        code = str(item.get("code") or "").strip()
        explicit = item.get("parent")
        yield _Row(
            line=number, code=code, name=str(item.get("name") or "").strip(), parent=str(explicit or parent or "")
        )
        children = item.get("children")
        if isinstance(children, list) and children:
            # Children of a 交替/停用 class hang from the class above it.
            enclosing = parent if code.startswith(("[", "{")) else normalize_class(code) or None
            yield from _walk(children, enclosing, counter, errors)


def _check_rows(rows: list[_Row], base: ClcTable | None, errors: list[RowError]) -> list[ClcClass]:
    seen: dict[str, int] = {}
    good: list[tuple[_Row, ClcClass]] = []
    for row in rows:
        code = normalize_class(row.code)
        if not is_valid_class(code):
            errors.append(
                RowError(row.line, row.code, str(_("分类号“%(code)s”不符合中图法标记规则") % {"code": row.code}))
            )
            continue
        if not row.name:
            errors.append(RowError(row.line, row.code, str(_("分类号“%(code)s”缺少类名") % {"code": code})))
            continue
        if code in seen:
            message = _("分类号“%(code)s”重复，第 %(first)s 行已有") % {"code": code, "first": seen[code]}
            errors.append(RowError(row.line, row.code, str(message)))
            continue
        parent = normalize_class(row.parent) if row.parent else ""
        if parent and not is_valid_class(parent):
            message = _("上级分类号“%(parent)s”不符合中图法标记规则") % {"parent": row.parent}
            errors.append(RowError(row.line, row.code, str(message)))
            continue
        seen[code] = row.line
        good.append((row, ClcClass(code, row.name, parent or None)))
    known = set(seen) | ({c.code for c in base} if base else set())
    checked: list[ClcClass] = []
    for row, entry in good:
        if entry.parent and entry.parent not in known:
            message = _("上级分类号“%(parent)s”不在表中") % {"parent": entry.parent}
            errors.append(RowError(row.line, row.code, str(message)))
            continue
        checked.append(entry)
    return checked
