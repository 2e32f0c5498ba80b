"""Shared by the roster tests: a school's reader types, roster files built in memory, and a plan of one."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

import openpyxl  # type: ignore[import-untyped,unused-ignore]

from xiaotu.interop.tables import Table, guess_mapping, read_table
from xiaotu.readers.importing import RosterOutcome, readers_import
from xiaotu.readers.models import ReaderType
from xiaotu.readers.roster import ROSTER_FIELDS, RosterOptions
from xiaotu.schools.models import Library
from xiaotu.testing.factories import ReaderTypeFactory

HEADERS = ["序号", "学号", "姓名", "性别", "年级", "班级", "学籍号"]


def reader_types(library: Library) -> dict[str, ReaderType]:
    """学生, 教师 and 职工, as the demo school has them."""
    return {
        "student": ReaderTypeFactory.create(library=library, code="student", name="学生"),
        "teacher": ReaderTypeFactory.create(library=library, code="teacher", name="教师", kind=ReaderType.Kind.STAFF),
        "staff": ReaderTypeFactory.create(library=library, code="staff", name="职工", kind=ReaderType.Kind.STAFF),
    }


def xlsx(rows: Sequence[Sequence[Any]], *, headers: Sequence[str] = HEADERS, title: str | None = None) -> bytes:
    book = openpyxl.Workbook()
    sheet: Any = book.active
    sheet.title = "花名册"
    if title:
        sheet.append([title])
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: Sequence[Sequence[Any]], *, headers: Sequence[str] = HEADERS, encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def table_of(data: bytes, filename: str = "花名册.xlsx") -> Table:
    return read_table(data, filename=filename, fields=ROSTER_FIELDS)


def roster_table(
    rows: Sequence[Sequence[Any]], *, headers: Sequence[str] = HEADERS
) -> tuple[Table, dict[str, int | None]]:
    table = table_of(xlsx(rows, headers=headers))
    return table, guess_mapping(table.headers, ROSTER_FIELDS)


def import_rows(
    library: Library,
    rows: Sequence[Sequence[Any]],
    *,
    headers: Sequence[str] = HEADERS,
    dry_run: bool = False,
    create_classes: bool = True,
    reader_type: ReaderType | None = None,
    **kwargs: Any,
) -> RosterOutcome:
    table, mapping = roster_table(rows, headers=headers)
    return readers_import(
        library=library,
        table=table,
        mapping=mapping,
        options=RosterOptions(reader_type=reader_type, create_classes=create_classes),
        by=kwargs.pop("by", None),
        dry_run=dry_run,
        filename="花名册.xlsx",
        **kwargs,
    )


def pupils(count: int, *, grades: Sequence[int] = (1, 2, 3, 4, 5, 6), per_class: int = 45) -> list[list[Any]]:
    """A generated school roster: 学号 by entry, names from a small pool made unique by number."""
    family = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
    given = "子涵欣怡梓轩浩宇一诺雨桐思远佳琪俊杰嘉怡明轩紫萱宇航"
    rows: list[list[Any]] = []
    n = 0
    while n < count:
        grade = grades[(n // per_class) % len(grades)]
        school_class = (n // (per_class * len(grades))) + 1
        name = family[n % len(family)] + given[(n * 7) % len(given)] + given[(n * 3 + 1) % len(given)]
        rows.append(
            [n + 1, f"2026{n:05d}", name, "男" if n % 2 else "女", f"{grade}年级", f"{school_class}班", f"G{n:017d}"]
        )
        n += 1
    return rows
